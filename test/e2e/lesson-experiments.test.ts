// The lesson's deeper experiments through the real UI: the accept queue with accept mode "never", the server
// patterns' answer times, and the self-connection — each checked on real sockets.
import net from 'node:net'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import { serverLabels } from './helpers/ui'
import { openDockTab } from './helpers/ui-more'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' })
const SHOTS = process.env.TCP_LAB_SCREENSHOTS_DIR ? resolve(process.env.TCP_LAB_SCREENSHOTS_DIR) : null

/** Starts a server from the form with the given "More options". */
async function startWith(opts: {
  behaviour?: string
  accept: string
  backlog?: string
  pool?: string
  delay?: string
}): Promise<number> {
  const page = ui.page
  const before = new Set(await serverLabels(page))
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1')
  await page.getByLabel('Port', { exact: true }).fill('0')
  await page.getByLabel('Behaviour', { exact: true }).selectOption(opts.behaviour ?? 'echo')
  const more = page.getByText('More options', { exact: true })
  if (!(await page.getByLabel('Accept mode', { exact: true }).first().isVisible())) await more.click()
  await page.getByLabel('Accept mode', { exact: true }).first().selectOption(opts.accept)
  await page.getByLabel('Backlog', { exact: true }).fill(opts.backlog ?? '')
  if (opts.pool) await page.getByLabel('Pool size (K)', { exact: true }).first().fill(opts.pool)
  if (opts.delay) await page.getByLabel('Echo delay (ms)', { exact: true }).fill(opts.delay)
  await page.getByRole('button', { name: 'Start server' }).click()
  const label = await waitFor(async () => (await serverLabels(page)).find((l) => !before.has(l)), {
    what: 'a new server card',
    timeoutMs: 10_000
  })
  return Number(/:(\d+)$/.exec(label)?.[1])
}

/** For pictures, the dock takes the whole window so a card shows whole. */
async function maximiseDock(): Promise<void> {
  const button = ui.page.getByRole('button', { name: 'Maximise' })
  if (await button.isVisible()) await button.click()
}

describe.runIf(process.platform === 'linux')('the lesson, experiment by experiment', () => {
  it('accept queue: "Check what happened" reports the queue the kernel filled', async () => {
    const port = await startWith({ accept: 'never', backlog: '2' })
    const clients = Array.from({ length: 4 }, () => {
      const s = net.connect({ port, host: '127.0.0.1' })
      s.on('error', () => undefined)
      return s
    })
    try {
      const panel = await openDockTab(ui.page, 'Try this')
      const card = panel.locator('[data-experiment="accept-queue"]')
      await card.locator('summary').click()
      await expect(card.getByText(/Expect:/)).toBeTruthy()
      const status = await waitFor(
        async () => {
          await card.getByRole('button', { name: 'Check what happened' }).click()
          const text = (await card.getByRole('status').textContent({ timeout: 5_000 })) ?? ''
          return /3 connections completed the handshake.*queue is full.*1 more client is still in SYN-SENT/.test(text)
            ? text
            : undefined
        },
        { what: 'the check to see the full queue', timeoutMs: 10_000, intervalMs: 300 }
      )
      expect(status).toContain('backlog 2')
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true })
        await maximiseDock()
        await card.screenshot({ path: resolve(SHOTS, 'lesson-accept-queue.png') })
      }
      await card.locator('summary').click()
    } finally {
      for (const c of clients) c.destroy()
    }
  })

  it('server patterns: 10 clients against one-at-a-time with a 100 ms echo delay answer as a staircase', async () => {
    await startWith({ accept: 'one-at-a-time', delay: '100' })
    const panel = await openDockTab(ui.page, 'Try this')
    const card = panel.locator('[data-experiment="server-patterns"]')
    await card.locator('summary').click()
    const select = card.getByLabel('Server to load')
    // The store tells the views about changes a few times a second: wait for the new server's option.
    const label = await waitFor(
      async () => (await select.locator('option').allTextContents()).find((o) => o.includes('one-at-a-time')),
      { what: 'the one-at-a-time server in the list', timeoutMs: 5_000 }
    )
    await select.selectOption({ label })
    expect(await select.locator('option:checked').textContent()).toContain('one-at-a-time')
    await card.getByRole('button', { name: 'Run 10 clients' }).click()
    const bars = card.getByRole('figure', { name: 'Answer times' }).locator('li[data-answer-ms]')
    await waitFor(async () => (await bars.count()) === 10, { what: '10 answer bars', timeoutMs: 15_000 })
    const times = (await bars.evaluateAll((li) => li.map((x) => Number(x.getAttribute('data-answer-ms'))))).sort(
      (a, b) => a - b
    )
    expect(times[9] - times[0]).toBeGreaterThanOrEqual(800)
    if (SHOTS) await maximiseDock()
    if (SHOTS) await card.screenshot({ path: resolve(SHOTS, 'lesson-server-patterns.png') })
    await card.locator('summary').click()
  })
})
