// TLS on a proxy, end to end: `tcp-lab web --proxy NAME=tls:…=…` from the command line, and the proxy form's
// "TLS towards the client" in the real UI, with curl --cacert through it to python3 -m http.server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run, startPeer } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import { startWebLab } from './helpers/web-lab'
import type { WebLab } from './helpers/web-lab'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 } })
let http: LivePeer
let httpPort = 0
let cliLab: WebLab | null = null
const served = mkdtempSync(join(tmpdir(), 'tcp-lab-http-'))

beforeAll(async () => {
  writeFileSync(join(served, 'hello.txt'), 'hello through TLS\n')
  // A real plain HTTP server on a free port (port 0: python picks one and prints it).
  http = startPeer('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', served])
  httpPort = await waitFor(
    () => {
      const m = /port (\d+)/.exec(http.output().toString())
      return m ? Number(m[1]) : null
    },
    { what: 'python3 -m http.server to listen', timeoutMs: 10_000 }
  )
})
afterAll(async () => {
  http?.kill()
  await cliLab?.stop('SIGKILL')
  rmSync(served, { recursive: true, force: true })
})

describe('TLS on a proxy, end to end', () => {
  it('--proxy web=tls:127.0.0.1:0=… prints the certificate file; curl --cacert gets the page through it', async () => {
    cliLab = await startWebLab(['--ui-port', '0', '--proxy', `web=tls:127.0.0.1:0=127.0.0.1:${httpPort}`])
    const out = cliLab.stdout()
    const line = /^Proxy: web on tls:127\.0\.0\.1:(\d+) → 127\.0\.0\.1:\d+$/m.exec(out)
    const cert = /^ {2}certificate: (\S+\.pem) \(curl --cacert \S+ https:\/\/127\.0\.0\.1:(\d+)\/\)$/m.exec(out)
    expect(line, out).not.toBeNull()
    expect(cert, out).not.toBeNull()
    expect(cert![2]).toBe(line![1])
    const r = await run('curl', [
      '-sS',
      '--max-time',
      '10',
      '--cacert',
      cert![1],
      `https://127.0.0.1:${line![1]}/hello.txt`
    ])
    expect(r.stderr).toBe('')
    expect(r.stdout.toString()).toBe('hello through TLS\n')
  })

  it('the form makes a TLS-terminating proxy; the card shows its certificate; the pair shows TLS and the decrypted GET', async () => {
    const page = ui.page
    await page.getByRole('button', { name: 'New proxy…' }).click()
    const form = page.getByRole('form', { name: 'New proxy' })
    await form.getByLabel('Name').fill('web')
    await form.getByLabel('Listen on').fill('127.0.0.1:0')
    await form.getByLabel('Upstream (the real server)').fill(`127.0.0.1:${httpPort}`)
    await form.getByLabel(/TLS towards the client/).check()
    await form.getByRole('button', { name: 'Start proxy' }).click()
    const card = page.getByRole('article', { name: 'Proxy web' })
    await card.getByRole('list', { name: "Commands that trust the proxy's certificate" }).waitFor()
    const text = (await card.textContent()) ?? ''
    const port = Number(/tls:127\.0\.0\.1:(\d+) →/.exec(text)?.[1])
    expect(port).toBeGreaterThan(0)
    const certPath = ((await card.getByTestId('cert-path').textContent()) ?? '').trim()
    expect(certPath).toMatch(/\.pem$/)
    expect(text).toContain(`curl --cacert ${certPath} https://127.0.0.1:${port}/`)

    const r = await run('curl', ['-sS', '--max-time', '10', '--cacert', certPath, `https://127.0.0.1:${port}/`])
    expect(r.stdout.toString()).toMatch(/Directory listing/)

    const toggle = page.getByRole('button', { name: /^Show both legs of pair \d+ \(proxy web\)$/ })
    await toggle.waitFor()
    const pairId = Number(/pair (\d+)/.exec((await toggle.getAttribute('aria-label')) ?? '')?.[1])
    const row = page.locator(`tr[data-connection-id="${pairId}"]`)
    await row.locator('[data-kind="tls"]').waitFor()
    await row.click()
    const timeline = page.getByRole('region', { name: `Pair ${pairId}` })
    await expect.poll(async () => (await timeline.textContent()) ?? '', { timeout: 10_000 }).toContain('GET / HTTP/1.1')
  })
})
