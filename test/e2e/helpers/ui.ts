import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { Locator, Page } from 'playwright-core'
import { waitFor } from '../../helpers/wait'

/** One connection row as the UI shows it (see /tmp/ui-contract.md). */
export interface RowView {
  id: string
  peer: string
  local: string
  state: string
  bytesIn: number
  bytesOut: number
}

/** The server cards in the sidebar. */
export function serverCards(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Servers' }).getByRole('article')
}

/** The aria-labels of every server card. */
export async function serverLabels(page: Page): Promise<string[]> {
  const labels = await serverCards(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))
  return labels.sort()
}

/** Fills the start form and submits it. */
export async function submitStartForm(
  page: Page,
  { host, port, behaviour }: { host: string; port: string; behaviour?: string }
): Promise<void> {
  await page.getByLabel('Host', { exact: true }).fill(host)
  await page.getByLabel('Port', { exact: true }).fill(port)
  if (behaviour) await page.getByLabel('Behaviour', { exact: true }).selectOption(behaviour)
  await page.getByRole('button', { name: 'Start server' }).click()
}

/** Starts a server from the form and waits for its new card; returns the card and its bound port. */
export async function startServerFromUi(
  page: Page,
  host: string,
  behaviour = 'echo'
): Promise<{ card: Locator; port: number; label: string }> {
  const before = new Set(await serverLabels(page))
  await submitStartForm(page, { host, port: '0', behaviour })
  const label = await waitFor(async () => (await serverLabels(page)).find((l) => !before.has(l)), {
    what: 'a new server card',
    timeoutMs: 10_000
  })
  const m = /:(\d+)$/.exec(label)
  if (!m) throw new Error(`card label without a port: ${label}`)
  return { card: serverCards(page).and(page.getByLabel(label, { exact: true })), port: Number(m[1]), label }
}

/** Every body row of the Connections table, read from its cells. */
export async function readRows(page: Page): Promise<RowView[]> {
  return page
    .getByRole('table', { name: 'Connections' })
    .locator('tr[data-connection-id]')
    .evaluateAll((trs) =>
      trs.map((tr) => {
        const cell = (col: string) => tr.querySelector(`[data-col="${col}"]`)
        const text = (col: string): string => (cell(col)?.textContent ?? '').trim()
        const value = (col: string): number => Number(cell(col)?.getAttribute('data-value') ?? NaN)
        return {
          id: tr.getAttribute('data-connection-id') ?? '',
          peer: text('peer'),
          local: text('local'),
          state: text('state'),
          bytesIn: value('bytes-in'),
          bytesOut: value('bytes-out')
        }
      })
    )
}

/** Waits (bounded) until a row matches; returns it. */
export function waitRow(page: Page, pred: (r: RowView) => boolean, what: string, timeoutMs = 10_000): Promise<RowView> {
  return waitFor(async () => (await readRows(page)).find(pred), { what, timeoutMs, intervalMs: 50 })
}

/** A port that was free a moment ago (for `nc -p`, to know a client's source port in advance). */
export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** Selects a server by clicking its card near its top-left corner (the middle holds buttons of its own). */
export async function selectServer(page: Page, label: string): Promise<void> {
  await serverCards(page)
    .and(page.getByLabel(label, { exact: true }))
    .click({ position: { x: 8, y: 8 } })
}
