import type { Locator, Page } from 'playwright-core'
import { run } from '../../helpers/processes'
import { waitFor } from '../../helpers/wait'
import { readRows } from './ui'
import type { RowView } from './ui'

/** One row of the kernel panel's "Kernel sockets" table, read from its cells. */
export interface KernelRowView {
  state: string
  local: string
  remote: string
  recvQ: number
  sendQ: number
  process: string
  lab: string
  /** `own` for the lab's sockets (its listener and connections), `other` for the rest. */
  owner: 'own' | 'other'
}

/** The tab strip under the table ("Try this", "Server life", "Rates", "Kernel sockets"). */
export async function openDockTab(
  page: Page,
  name: 'Try this' | 'Server life' | 'Rates' | 'Kernel sockets'
): Promise<Locator> {
  const tab = page.getByRole('tablist', { name: 'Lesson and views' }).getByRole('tab', { name, exact: true })
  await tab.click()
  await waitFor(async () => (await tab.getAttribute('aria-selected')) === 'true', { what: `the ${name} tab selected` })
  return page.getByRole('tabpanel', { name })
}

/** Every row of the kernel table as shown now. */
export async function readKernelRows(page: Page): Promise<KernelRowView[]> {
  return page
    .getByRole('table', { name: 'Kernel sockets' })
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => {
        const td = [...tr.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim())
        const num = (s: string | undefined): number => Number((s ?? '').replace(/,/g, ''))
        return {
          state: tr.getAttribute('data-state') ?? td[0] ?? '',
          local: td[1] ?? '',
          remote: td[2] ?? '',
          recvQ: num(td[3]),
          sendQ: num(td[4]),
          process: td[5] ?? '',
          lab: td[6] ?? '',
          owner: tr.getAttribute('data-lab') === 'own' ? ('own' as const) : ('other' as const)
        }
      })
    )
}

/** Waits (bounded) until the kernel table satisfies `pred`; returns the rows that did. */
export function waitKernel(
  page: Page,
  pred: (rows: KernelRowView[]) => boolean,
  what: string,
  timeoutMs = 10_000
): Promise<KernelRowView[]> {
  return waitFor(
    async () => {
      const rows = await readKernelRows(page)
      return pred(rows) ? rows : undefined
    },
    { what, timeoutMs, intervalMs: 100 }
  )
}

/** The row element of one connection. */
export function rowLocator(page: Page, id: string): Locator {
  return page.getByRole('table', { name: 'Connections' }).locator(`tr[data-connection-id="${id}"]`)
}

/** Clicks a connection row and waits until it is the selected one and its detail is shown. */
export async function selectConnection(page: Page, id: string): Promise<Locator> {
  const row = rowLocator(page, id)
  await row.locator('[data-col="peer"]').click()
  await waitFor(async () => (await row.getAttribute('aria-selected')) === 'true', { what: `row #${id} selected` })
  return page.getByRole('region', { name: 'Connection detail' })
}

/** The detail panel's traffic section. */
export function trafficSection(page: Page): Locator {
  return page.getByRole('region', { name: 'Connection detail' }).getByRole('region', { name: 'Traffic' })
}

/** Switches the traffic view (Text, Hex, Escaped). */
export async function setTrafficView(page: Page, view: 'Text' | 'Hex' | 'Escaped'): Promise<void> {
  const radio = trafficSection(page)
    .getByRole('radiogroup', { name: 'View' })
    .getByRole('radio', { name: view, exact: true })
  await radio.click()
  await waitFor(async () => (await radio.getAttribute('aria-checked')) === 'true', { what: `view ${view}` })
}

/** The text of the traffic timeline (all shown chunks). */
export async function timelineText(page: Page): Promise<string> {
  const list = trafficSection(page).getByRole('list', { name: 'Traffic timeline' })
  if ((await list.count()) === 0) return ''
  return (await list.textContent()) ?? ''
}

/** Waits until the timeline of the selected connection contains `needle`. */
export function waitTimeline(page: Page, needle: string | RegExp, what: string, timeoutMs = 10_000): Promise<string> {
  return waitFor(
    async () => {
      const t = await timelineText(page)
      return (typeof needle === 'string' ? t.includes(needle) : needle.test(t)) ? t : undefined
    },
    { what, timeoutMs, intervalMs: 50 }
  )
}

/** Clicks one of the selected connection's actions (Half-close, Reset, Close, Pause reading, Resume reading). */
export async function connectionAction(
  page: Page,
  name: 'Half-close' | 'Reset' | 'Close' | 'Pause reading' | 'Resume reading'
): Promise<void> {
  const button = page.getByRole('list', { name: 'Connection actions' }).getByRole('button', { name, exact: true })
  await waitFor(async () => (await button.isEnabled()) || undefined, { what: `${name} enabled` })
  await button.click()
}

/** Types into the send box, picks format and line ending, and sends to the selected peer. */
export async function sendFromBox(
  page: Page,
  text: string,
  opts: { format?: 'text' | 'hex' | 'escapes'; lineEnding?: 'none' | 'lf' | 'crlf' } = {}
): Promise<void> {
  const send = page.getByRole('region', { name: 'Send' })
  await send.getByLabel('Format').selectOption(opts.format ?? 'text')
  await send.getByLabel('Line ending').selectOption(opts.lineEnding ?? 'none')
  await send.getByLabel('Message', { exact: true }).fill(text)
  await send.getByRole('button', { name: 'Send', exact: true }).click()
  await send
    .getByRole('status')
    .filter({ hasText: /^Sent / })
    .first()
    .waitFor()
}

/** Waits (bounded) for the row with this peer; returns it. */
export function waitPeerRow(
  page: Page,
  peer: string,
  pred: (r: RowView) => boolean = () => true,
  timeoutMs = 10_000
): Promise<RowView> {
  return waitFor(async () => (await readRows(page)).find((r) => r.peer === peer && pred(r)), {
    what: `the row of ${peer}`,
    timeoutMs,
    intervalMs: 50
  })
}

/** Waits (bounded) until the kernel lists a listener on this TCP port (e.g. `nc -l`). */
export async function waitListening(port: number, timeoutMs = 5_000): Promise<void> {
  await waitFor(
    async () => (await run('ss', ['-Htln', `( sport = :${port} )`])).stdout.toString().includes(`:${port}`),
    {
      what: `a listener on port ${port}`,
      timeoutMs,
      intervalMs: 50
    }
  )
}

/** The id of the focused element ('' when none has one). */
export async function focusedId(page: Page): Promise<string> {
  return page.locator('body').evaluate((body) => body.ownerDocument.activeElement?.id ?? '')
}

/** Takes the focus away from whatever has it, so single-key shortcuts reach the window. */
export async function blurFocused(page: Page): Promise<void> {
  const focused = page.locator(':focus')
  if ((await focused.count()) > 0) await focused.first().blur()
}

/** The computed background colour of an element, as CSS gives it. */
export function backgroundOf(target: Locator): Promise<string> {
  return target.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor ?? '')
}

/** The mean RGB channel (0–255) of the page's background: low in the dark theme, high in the light one. */
export async function pageLuminance(page: Page): Promise<number> {
  return page.locator('body').evaluate((body) => {
    const view = body.ownerDocument.defaultView
    const colour = view?.getComputedStyle(body).backgroundColor ?? ''
    // Tailwind 4 colours are oklch(); a canvas turns any CSS colour into RGB.
    const ctx = body.ownerDocument.createElement('canvas').getContext('2d')
    if (!ctx) return -1
    ctx.fillStyle = colour
    ctx.fillRect(0, 0, 1, 1)
    const d = ctx.getImageData(0, 0, 1, 1).data
    return (d[0] + d[1] + d[2]) / 3
  })
}
