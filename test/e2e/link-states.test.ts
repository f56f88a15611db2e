// Issue 19, item 6: disconnected states say what to do; a stopped lab marks the page stale, and the
// page reconnects by itself when the lab is back on the same port with the same token.
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { launchBrowser } from './helpers/browser'
import type { TestBrowser } from './helpers/browser'
import { startWebLab, webBuildReady } from './helpers/web-lab'
import type { WebLab } from './helpers/web-lab'
import { serverCards, startServerFromUi } from './helpers/ui'

const labs: WebLab[] = []
let browser: TestBrowser | undefined
afterAll(async () => {
  await browser?.close()
  for (const l of labs) await l.stop('SIGTERM')
})

describe('link states', () => {
  it('a page opened without the token explains where the URL comes from and how to get one again', async () => {
    expect(webBuildReady()).toBe(true)
    const lab = await startWebLab()
    labs.push(lab)
    browser = await launchBrowser()
    const page = await browser.context.newPage()
    await page.goto(`${lab.origin}/`)
    const banner = page.getByTestId('link-banner')
    await banner.waitFor({ timeout: 15_000 })
    expect(await banner.getAttribute('data-reason')).toBe('no-token')
    const text = (await banner.textContent()) ?? ''
    expect(text).toContain('TCP Lab UI:')
    expect(text).toContain('#token=')
    expect(text).toMatch(/Ctrl-C and start it again/)
    await page.close()
  })

  it('refuses a TCP_LAB_TOKEN that is not 32–128 hex digits, saying so', async () => {
    await expect(startWebLab([], 10_000, { TCP_LAB_TOKEN: 'not-a-token' })).rejects.toThrow(
      /exited \(2\).*TCP_LAB_TOKEN must be 32 to 128 hex digits/s
    )
  })

  it('marks everything stale when the lab stops, and reconnects when it is back with the same token', async () => {
    const token = randomBytes(16).toString('hex')
    const first = await startWebLab([], 20_000, { TCP_LAB_TOKEN: token })
    labs.push(first)
    expect(first.token).toBe(token)
    const page = browser!.page
    await page.goto(first.url)
    await page.getByRole('button', { name: 'Start server' }).waitFor({ timeout: 15_000 })
    const server = await startServerFromUi(page, '127.0.0.1', 'echo')
    const card = serverCards(page).and(page.getByLabel(server.label, { exact: true }))
    await card.getByText('listening', { exact: true }).waitFor()
    await first.stop('SIGTERM')
    const banner = page.getByTestId('link-banner')
    await banner.waitFor({ timeout: 15_000 })
    expect(await banner.getAttribute('data-reason')).toBe('stale')
    expect(await banner.textContent()).toMatch(
      /reconnects by itself when the lab is back on the same port with the same token/
    )
    // The grid and the header's totals (no "OPEN 1" shown as if live).
    expect(await page.locator('[data-stale="true"]').count()).toBe(2)
    // The card no longer claims "listening".
    await card.getByText('unknown (lab not reachable)').waitFor()
    expect(await card.getByText('listening', { exact: true }).count()).toBe(0)
    const second = await startWebLab(['--ui-port', String(first.port)], 20_000, { TCP_LAB_TOKEN: token })
    labs.push(second)
    // No reload: the page finds the lab again (backoff at most 5 s) and takes a fresh snapshot.
    await waitFor(
      async () => (await page.getByRole('status', { name: 'Link to the lab' }).getAttribute('data-link')) === 'up',
      {
        what: 'the page to reconnect',
        timeoutMs: 20_000,
        intervalMs: 200
      }
    )
    expect(await banner.count()).toBe(0)
    expect(await page.locator('[data-stale="true"]').count()).toBe(0)
    // A fresh lab: the old server is gone from the page.
    await waitFor(async () => (await serverCards(page).count()) === 0, { what: 'the old card to go' })
  })
})
