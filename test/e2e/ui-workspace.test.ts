// The workspace and saved payloads in the browser: a real `tcp-lab web --workspace FILE`, Chromium, real nc.
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPeer } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { launchBrowser } from './helpers/browser'
import type { TestBrowser } from './helpers/browser'
import { freePort, serverCards } from './helpers/ui'
import { selectConnection, waitPeerRow } from './helpers/ui-more'
import { startWebLab, webBuildReady } from './helpers/web-lab'
import type { WebLab } from './helpers/web-lab'

const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-e2e-ws-'))
const file = join(dir, 'lab.json')
let lab: WebLab
let browser: TestBrowser
const peers: LivePeer[] = []
let manualPort = 0

beforeAll(async () => {
  if (!webBuildReady())
    throw new Error('browser mode is not built: run `npx electron-vite build` first (npm test does)')
  manualPort = await freePort()
  await writeFile(
    file,
    JSON.stringify({
      version: 1,
      servers: [{ name: 'desk', listen: `127.0.0.1:${manualPort}`, behaviour: 'manual' }],
      payloads: [
        { name: 'hello', format: 'text', text: 'hello', lineEnding: 'lf' },
        { name: 'bin', format: 'hex', text: '41 00 42', lineEnding: 'none' }
      ]
    })
  )
  lab = await startWebLab(['--workspace', file])
  browser = await launchBrowser()
  await browser.page.setViewportSize({ width: 1440, height: 900 })
  await browser.page.goto(lab.url)
  await browser.page.getByRole('button', { name: 'Start server' }).waitFor({ timeout: 15_000 })
})

afterAll(async () => {
  for (const p of peers) p.kill()
  await browser?.close()
  await lab?.stop('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

describe('workspace in the browser', () => {
  it('shows the restored server and the file it is kept in', async () => {
    const page = browser.page
    await waitFor(async () => (await serverCards(page).count()) === 1 || undefined, {
      what: 'the restored server card'
    })
    expect(await page.getByTestId('workspace-file').textContent()).toContain(file)
  })

  it('sends a saved payload to nc with one click and with Alt+2', async () => {
    const page = browser.page
    const src = await freePort()
    const nc = startPeer('nc', ['-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(manualPort)])
    peers.push(nc)
    const row = await waitPeerRow(page, `127.0.0.1:${src}`)
    await selectConnection(page, row.id)
    await page.getByRole('button', { name: 'Send hello to this connection' }).click()
    await waitFor(() => nc.output().toString() === 'hello\n' || undefined, { what: 'nc to get hello' })
    // The shortcut works once the focus is off the fields.
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('Alt+Digit2')
    await waitFor(() => nc.output().equals(Buffer.from('hello\nA\0B')) || undefined, {
      what: 'nc to get the binary payload'
    })
  })

  it('exports the workspace as a download, and imports a file that adds a server', async () => {
    const page = browser.page
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export…' }).click()
    ])
    const exported = JSON.parse(await readFile((await download.path()) as string, 'utf8')) as {
      servers: { name?: string; listen: string }[]
      payloads: unknown[]
    }
    expect(exported.servers).toEqual([
      expect.objectContaining({ name: 'desk', listen: `127.0.0.1:${manualPort}`, behaviour: 'manual' })
    ])
    expect(exported.payloads).toHaveLength(2)

    const upperPort = await freePort()
    const incoming = join(dir, 'colleague.json')
    await writeFile(
      incoming,
      JSON.stringify({ version: 1, servers: [{ listen: `127.0.0.1:${upperPort}`, behaviour: 'uppercase' }] })
    )
    await page.getByLabel('Workspace file to import').setInputFiles(incoming)
    await page.getByText('Imported colleague.json.').waitFor()
    await waitFor(async () => (await serverCards(page).count()) === 2 || undefined, {
      what: 'the imported server card'
    })
    const saved = await waitFor(
      async () => {
        const d = JSON.parse(await readFile(file, 'utf8')) as { servers: { listen: string }[] }
        return d.servers.length === 2 ? d : undefined
      },
      { what: 'the import to be saved' }
    )
    expect(saved.servers.map((s) => s.listen)).toEqual([`127.0.0.1:${manualPort}`, `127.0.0.1:${upperPort}`])

    const bad = join(dir, 'bad.json')
    await writeFile(bad, JSON.stringify({ version: 1, servers: [{ listen: '127.0.0.1:99999' }] }))
    await page.getByLabel('Workspace file to import').setInputFiles(bad)
    const alert = page.getByRole('alert').filter({ hasText: 'The workspace is not valid' })
    await alert.waitFor()
    expect(await alert.textContent()).toContain(
      'servers[0].listen: port must be a whole number from 0 to 65535, not 99999'
    )
    expect(browser.errors).toEqual([])
  })
})
