// Respond by rule on a proxy in the real UI (browser mode, headless Chromium): set an upstream responder on a
// proxy card, a real client's PING is answered by the lab while its other lines reach the real (echo) server,
// the rule's hit counter moves, and the answer is marked on the pair's timeline.
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

describe('Respond by rule on a proxy, in the UI', () => {
  it('answers PING itself, passes the rest to the server, counts the hit and marks it on the timeline', async () => {
    const page = ui.page
    await page.getByRole('button', { name: 'New proxy…' }).click()
    const form = page.getByRole('form', { name: 'New proxy' })
    await form.getByLabel('Name').fill('mock')
    await form.getByLabel('Listen on').fill('127.0.0.1:0')
    await form.getByLabel('Upstream (the real server)').fill(`127.0.0.1:${up.port}`)
    await form.getByRole('button', { name: 'Start proxy' }).click()
    const card = page.getByRole('article', { name: 'Proxy mock' })
    await card.waitFor()
    const port = Number(/127\.0\.0\.1:(\d+) →/.exec((await card.textContent()) ?? '')?.[1])
    expect(port).toBeGreaterThan(0)

    await card.getByRole('button', { name: 'client → server' }).click()
    const editor = card.getByRole('group', { name: 'Respond by rule, upstream' })
    // The starting rule: equals PING → PONG from the lab, answered back.
    expect(await editor.getByLabel('Rule 1 equals').inputValue()).toBe('PING')
    expect(await editor.getByLabel('Rule 1 action').inputValue()).toBe('answer')
    await editor.getByRole('button', { name: 'Apply rules' }).click()
    await card.getByRole('button', { name: 'client → server · 1 rule' }).waitFor()

    client = await connectPeer(port)
    client.socket.write('PING\nhello server\n')
    const got = await client.waitBytes('PONG from the lab\r\nhello server\n'.length)
    expect(got.toString()).toBe('PONG from the lab\r\nhello server\n')
    const server = await up.peer()
    expect(server.bytes().toString()).toBe('hello server\n')
    await expect.poll(() => editor.getByLabel('Rule 1 hits').textContent(), { timeout: 5_000 }).toBe('1')
    const dir = process.env.TCP_LAB_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'tcp-lab-shots-'))
    await card.screenshot({ path: join(dir, 'proxy-respond.png'), animations: 'disabled', caret: 'hide' })

    const toggle = page.getByRole('button', { name: /^Show both legs of pair \d+ \(proxy mock\)$/ })
    await toggle.waitFor()
    const pairId = Number(/pair (\d+)/.exec((await toggle.getAttribute('aria-label')) ?? '')?.[1])
    await page.locator(`tr[data-connection-id="${pairId}"]`).click()
    const timeline = page.getByRole('region', { name: `Pair ${pairId}` })
    await timeline.locator('li[data-mark="respond"]').first().waitFor()
    expect(await timeline.locator('li[data-mark="respond"]').first().textContent()).toMatch(/answered by rule 1/)
  })
})
