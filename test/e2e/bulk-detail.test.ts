// Issue 19, item 1: a connection that carried bulk data opens at once and the page stays small and idle.
// A bounded flood (20 MiB of NUL into discard, 4 MiB of lines) from real sockets, then the detail is timed.
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import { selectServer, startServerFromUi, waitRow } from './helpers/ui'
import { selectConnection, setTrafficView, trafficSection } from './helpers/ui-more'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 } })
const sockets: Socket[] = []
afterAll(() => sockets.forEach((s) => s.destroy()))

/** Opens a client, writes `total` bytes made by `fill` with back-pressure, and keeps the connection open. */
async function flood(
  port: number,
  total: number,
  fill: (buf: Buffer, offset: number) => void
): Promise<{ localPort: number }> {
  const s = connect({ host: '127.0.0.1', port })
  sockets.push(s)
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve)
    s.once('error', reject)
  })
  const CHUNK = 256 * 1024
  let sent = 0
  const deadline = Date.now() + 30_000
  while (sent < total && Date.now() < deadline) {
    const n = Math.min(CHUNK, total - sent)
    const buf = Buffer.alloc(n)
    fill(buf, sent)
    sent += n
    if (!s.write(buf)) await new Promise<void>((r) => s.once('drain', r))
  }
  expect(sent).toBe(total)
  return { localPort: s.localPort ?? 0 }
}

/** Records long tasks from now on in the page. */
async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as {
      __longTasks: { start: number; duration: number }[]
      __ltObserver?: PerformanceObserver
    }
    w.__longTasks = []
    w.__ltObserver?.disconnect()
    w.__ltObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration })
    })
    w.__ltObserver.observe({ type: 'longtask', buffered: false })
  })
}

async function longTasksSince(page: Page, since: number): Promise<number[]> {
  return page.evaluate((t) => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] }
    return w.__longTasks.filter((e) => e.start >= t).map((e) => Math.round(e.duration))
  }, since)
}

const domSize = (page: Page): Promise<number> => page.evaluate(() => document.getElementsByTagName('*').length)
const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now())

/** Clicks the row and measures the time until the traffic timeline shows its newest entry. */
async function timeToDetail(page: Page, id: string): Promise<number> {
  const t0 = Date.now()
  await selectConnection(page, id)
  const list = trafficSection(page).getByRole('list', { name: 'Traffic timeline' })
  await list.locator('[data-dir]').first().waitFor({ timeout: 60_000 })
  // It opens at the newest entry.
  const size = await list.getAttribute('aria-setsize')
  await list.locator(`[aria-posinset="${size}"]`).waitFor({ timeout: 60_000 })
  // One frame painted after it.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))))
  return Date.now() - t0
}

/** Figures printed for the README and the report. */
const figures: Record<string, unknown> = {}
afterAll(() => console.log(`bulk-detail figures: ${JSON.stringify(figures)}`))

describe('a selected bulk connection', () => {
  it('20 MiB of NUL into discard: detail within 1.5 s, a bounded DOM, no long task while idle, Hex and Escaped at once', async () => {
    const discard = await startServerFromUi(ui.page, '127.0.0.1', 'discard')
    await selectServer(ui.page, discard.label)
    const total = 20 * 1024 * 1024
    const { localPort } = await flood(discard.port, total, () => undefined)
    const row = await waitRow(
      ui.page,
      (r) => r.peer === `127.0.0.1:${localPort}` && r.bytesIn === total,
      'the flood counted exactly',
      30_000
    )
    await watchLongTasks(ui.page)
    const ms = await timeToDetail(ui.page, row.id)
    figures.nulTimeToDetailMs = ms
    const dom = await domSize(ui.page)
    figures.nulDomElements = dom
    // Idle: the connection is open and quiet; the page ticks its clock and polls, nothing else.
    const idleFrom = await pageNow(ui.page)
    await waitFor(async () => (await pageNow(ui.page)) - idleFrom > 3_000, {
      what: '3 s of idle',
      timeoutMs: 10_000,
      intervalMs: 250
    })
    const idle = await longTasksSince(ui.page, idleFrom)
    figures.nulIdleLongTasksMs = idle
    // Switching views renders what is on screen only.
    const t1 = Date.now()
    await setTrafficView(ui.page, 'Hex')
    await trafficSection(ui.page).locator('[data-part="hex"]').first().waitFor()
    figures.nulHexSwitchMs = Date.now() - t1
    const t2 = Date.now()
    await setTrafficView(ui.page, 'Escaped')
    await waitFor(
      async () =>
        ((await trafficSection(ui.page).getByRole('list', { name: 'Traffic timeline' }).textContent()) ?? '').includes(
          '\\x00'
        ),
      {
        what: 'the escaped view'
      }
    )
    figures.nulEscapedSwitchMs = Date.now() - t2
    figures.nulDomAfterViews = await domSize(ui.page)
    await setTrafficView(ui.page, 'Text')
    // The runs of NUL are one badge with a count, not one element per byte.
    // (The first badge on screen may be a short tail of a paged chunk, so the largest run is what counts.)
    const badges = trafficSection(ui.page).locator('[data-ctl-run]')
    await badges.first().waitFor()
    const runs = await badges.evaluateAll((els) =>
      els.map((e) => ({ ctl: e.getAttribute('data-ctl'), count: Number(e.getAttribute('data-count')) }))
    )
    expect(runs.every((r) => r.ctl === 'NUL')).toBe(true)
    expect(Math.max(...runs.map((r) => r.count))).toBeGreaterThan(1000)
    expect(runs.length).toBeLessThan(200)
    expect(ms).toBeLessThan(1_500)
    expect(dom).toBeLessThan(3_000)
    expect(idle.filter((d) => d > 50)).toEqual([])
    expect(figures.nulHexSwitchMs as number).toBeLessThan(1_500)
    expect(figures.nulEscapedSwitchMs as number).toBeLessThan(1_500)
    expect(figures.nulDomAfterViews as number).toBeLessThan(3_000)
  })

  it('4 MiB of lines into echo: detail within 1.5 s, a bounded DOM, no long task while idle', async () => {
    const echo = await startServerFromUi(ui.page, '127.0.0.1', 'discard')
    await selectServer(ui.page, echo.label)
    const total = 4 * 1024 * 1024
    const line = Buffer.from('y\n')
    const { localPort } = await flood(echo.port, total, (buf, offset) => {
      for (let i = 0; i < buf.length; i++) buf[i] = line[(offset + i) % 2]
    })
    const row = await waitRow(
      ui.page,
      (r) => r.peer === `127.0.0.1:${localPort}` && r.bytesIn === total,
      'the lines counted exactly',
      30_000
    )
    await watchLongTasks(ui.page)
    const ms = await timeToDetail(ui.page, row.id)
    figures.linesTimeToDetailMs = ms
    const dom = await domSize(ui.page)
    figures.linesDomElements = dom
    const idleFrom = await pageNow(ui.page)
    await waitFor(async () => (await pageNow(ui.page)) - idleFrom > 3_000, {
      what: '3 s of idle',
      timeoutMs: 10_000,
      intervalMs: 250
    })
    const idle = await longTasksSince(ui.page, idleFrom)
    figures.linesIdleLongTasksMs = idle
    figures.heapMB = await ui.page.evaluate(() => {
      const m = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory
      return m ? Math.round(m.usedJSHeapSize / 1e6) : -1
    })
    expect(ms).toBeLessThan(1_500)
    expect(dom).toBeLessThan(3_000)
    expect(idle.filter((d) => d > 50)).toEqual([])
  })
})
