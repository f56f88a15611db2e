// Capture features end to end: a real `tcp-lab web`, Chromium, nc peers, and tshark reading what the page downloaded.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { followTcp } from '../helpers/tshark'
import { setupLabPage } from './helpers/lab-page'
import { freePort, startServerFromUi } from './helpers/ui'
import { selectConnection, waitPeerRow } from './helpers/ui-more'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 } })
const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-ui-capture-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const ALL = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

describe('capture in the browser UI', () => {
  let rowId = ''
  let port = 0

  it('records to a folder with the Record button, showing what it wrote, then stops', async () => {
    const bar = ui.page.getByRole('group', { name: 'Capture' })
    await bar.getByLabel('Recording folder').fill(join(dir, 'rec'))
    await bar.getByRole('button', { name: 'Record' }).click()
    const status = ui.page.getByRole('status', { name: 'Recording status' })
    await waitFor(async () => (await status.textContent())?.startsWith('Recording'), { what: 'the recording status' })
    const echo = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    port = echo.port
    const src = await freePort()
    const r = await run('nc', ['-N', '-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(port)], { input: ALL })
    expect(r.stdout.equals(ALL)).toBe(true)
    const row = await waitPeerRow(ui.page, `127.0.0.1:${src}`, (x) => x.bytesIn === 256)
    rowId = row.id
    await bar.getByRole('button', { name: 'Stop recording' }).click()
    await waitFor(async () => (await status.textContent())?.startsWith('Saved'), { what: 'the saved status' })
    const file = await status.getAttribute('title')
    expect(file).toMatch(/tcp-lab-.*\.pcapng$/)
    const f = await followTcp(file!, 0)
    expect(f.fromNode0.equals(ALL)).toBe(true)
    expect(f.fromNode1.equals(ALL)).toBe(true)
  })

  it('exports the selected connection as pcapng through a real download that tshark follows byte for byte', async () => {
    await selectConnection(ui.page, rowId)
    const bar = ui.page.getByRole('group', { name: 'Capture' })
    await bar.getByLabel('Export which connections').selectOption('selected')
    await bar.getByLabel('Export format').selectOption('pcapng')
    const [download] = await Promise.all([
      ui.page.waitForEvent('download'),
      bar.getByRole('button', { name: 'Export' }).click()
    ])
    expect(download.suggestedFilename()).toMatch(/^tcp-lab-connection-\d+-.*\.pcapng$/)
    const path = join(dir, download.suggestedFilename())
    await download.saveAs(path)
    const f = await followTcp(path, 0)
    expect(f.fromNode0.equals(ALL)).toBe(true)
    expect(f.fromNode1.equals(ALL)).toBe(true)
  })

  it('replays the selected connection as a mock server that answers nc with the recorded replies', async () => {
    await ui.page.getByRole('button', { name: 'Replay…' }).click()
    const panel = ui.page.getByRole('region', { name: 'Replay' })
    await panel.getByLabel('Replay mode').selectOption('server')
    await panel.getByLabel('Address to listen on').fill('127.0.0.1:0')
    await panel.getByRole('button', { name: 'Start replay' }).click()
    const item = panel.getByRole('list', { name: 'Replays' }).locator('li').first()
    const text = await waitFor(
      async () => {
        const t = (await item.textContent()) ?? ''
        return /mock server on 127\.0\.0\.1:\d+/.test(t) && t
      },
      { what: 'the replay in the list' }
    )
    const mockPort = Number(/127\.0\.0\.1:(\d+)/.exec(text)![1])
    const r = await run('nc', ['-N', '127.0.0.1', String(mockPort)], { input: ALL })
    expect(r.stdout.equals(ALL)).toBe(true)
  })
})
