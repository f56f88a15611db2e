// The proxy in the real UI (browser mode, headless Chromium): create a proxy, add a fault, watch a real
// client's pair as one row that expands to its legs, and the fault's mark on the pair's timeline.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPeer, startUpstream } from '../helpers/proxy-peers'
import type { Peer, Upstream } from '../helpers/proxy-peers'
import { setupLabPage } from './helpers/lab-page'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 } })
let up: Upstream
let client: Peer | null = null

beforeAll(async () => {
  up = await startUpstream({ echo: true })
})
afterAll(async () => {
  client?.socket.destroy()
  await up?.close()
})

describe('proxies in the UI', () => {
  it('creates a proxy, adds a latency, and shows a pair with its legs and the fault on its timeline', async () => {
    const page = ui.page
    await page.getByRole('button', { name: 'New proxy…' }).click()
    const form = page.getByRole('form', { name: 'New proxy' })
    await form.getByLabel('Name').fill('echo')
    await form.getByLabel('Listen on').fill('127.0.0.1:0')
    await form.getByLabel('Upstream (the real server)').fill(`127.0.0.1:${up.port}`)
    await form.getByRole('button', { name: 'Start proxy' }).click()
    const card = page.getByRole('article', { name: 'Proxy echo' })
    await card.waitFor()
    const text = (await card.textContent()) ?? ''
    const port = Number(/127\.0\.0\.1:(\d+) →/.exec(text)?.[1])
    expect(port).toBeGreaterThan(0)

    await card.getByRole('button', { name: 'Add fault' }).click()
    const add = card.getByRole('form', { name: 'Add a fault' })
    await add.getByLabel('Fault').selectOption('latency')
    await add.getByLabel('Direction').selectOption('downstream')
    await add.getByLabel('latency (ms)').fill('150')
    await add.getByRole('button', { name: 'Add fault' }).click()
    await card.getByText(/latency_downstream: latency 150 ms/).waitFor()

    client = await connectPeer(port)
    const t0 = Date.now()
    client.socket.write('ping through the lab\n')
    await client.waitBytes(21)
    expect(client.reads[0].at - t0).toBeGreaterThanOrEqual(145)

    // One row for the pair; its toggle shows the upstream leg under it.
    const toggle = page.getByRole('button', { name: /^Show both legs of pair \d+ \(proxy echo\)$/ })
    await toggle.waitFor()
    const pairId = Number(/pair (\d+)/.exec((await toggle.getAttribute('aria-label')) ?? '')?.[1])
    const rows = page.locator('tr[data-connection-id]')
    await expect.poll(() => rows.count()).toBe(1)
    await toggle.click()
    await expect.poll(() => rows.count()).toBe(2)

    await page.locator(`tr[data-connection-id="${pairId}"]`).click()
    const timeline = page.getByRole('region', { name: `Pair ${pairId}` })
    await timeline.locator('li[data-mark="latency"]').first().waitFor()
    expect(await timeline.locator('li[data-mark="latency"]').first().textContent()).toMatch(/held \d+ ms by latency/)
    expect(await timeline.locator('li[data-leg="upstream"]').count()).toBeGreaterThanOrEqual(2)
    expect(await timeline.locator('li[data-leg="client"]').count()).toBeGreaterThanOrEqual(2)
    const dir = process.env.TCP_LAB_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'tcp-lab-shots-'))
    await page.screenshot({ path: join(dir, 'proxy-pair.png'), animations: 'disabled', caret: 'hide' })
  })
})
