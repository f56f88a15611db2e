// The whole product end to end: a real `tcp-lab web`, Debian's Chromium, real nc/telnet/socat peers.
import { createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'
import { describe, expect, it } from 'vitest'
import { run } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import {
  freePort,
  readRows,
  selectServer,
  serverCards,
  serverLabels,
  startServerFromUi,
  submitStartForm,
  waitRow
} from './helpers/ui'
import { startWebLab } from './helpers/web-lab'

const ui = setupLabPage()
const peer = ui.peer

// Shared between the tests below, which build on each other in order.
let echoPort = 0
let echoLabel = ''
let ncSource = 0
let nc: LivePeer

describe('browser mode, end to end', () => {
  it('keeps the token out of the address bar', async () => {
    expect(ui.page.url()).not.toContain('token')
    expect(ui.page.url()).toBe(`${ui.lab.origin}/`)
  })

  it('starts a server from the form; nc sends hello; the row shows the real peer and 6 bytes each way', async () => {
    const started = await startServerFromUi(ui.page, '127.0.0.1')
    echoPort = started.port
    echoLabel = started.label
    expect(echoLabel).toBe(`Server 127.0.0.1:${echoPort}`)
    await expect(
      started.card
        .locator('code')
        .filter({ hasText: `nc 127.0.0.1 ${echoPort}` })
        .count()
    ).resolves.toBe(1)
    expect(await started.card.getByRole('button', { name: 'Copy nc command' }).count()).toBe(1)
    await selectServer(ui.page, echoLabel)

    ncSource = await freePort()
    nc = peer('nc', ['-s', '127.0.0.1', '-p', String(ncSource), '127.0.0.1', String(echoPort)])
    nc.child.stdin.write('hello\n')
    const row = await waitRow(
      ui.page,
      (r) => r.peer === `127.0.0.1:${ncSource}` && r.bytesIn === 6 && r.bytesOut === 6,
      'the nc row with 6 in / 6 out'
    )
    expect(row.local).toBe(`127.0.0.1:${echoPort}`)
    expect(row.state).toMatch(/^open/)
    await waitFor(() => nc.output().toString() === 'hello\n', { what: 'nc to receive hello' })
    // The engine's peer is nc's real socket: the kernel lists it with nc as its owner.
    const ss = await run('ss', ['-Htnp', 'state', 'established', `( sport = :${ncSource} )`])
    expect(ss.stdout.toString()).toMatch(/"nc"/)
  })

  it('shows three different real clients at once with exact counts', async () => {
    const { label, port } = await startServerFromUi(ui.page, '127.0.0.1')
    await selectServer(ui.page, label)
    const ncPort = await freePort()
    const socatPort = await freePort()
    const a = peer('nc', ['-s', '127.0.0.1', '-p', String(ncPort), '127.0.0.1', String(port)])
    const b = peer('socat', ['-', `TCP:127.0.0.1:${port},bind=127.0.0.1:${socatPort}`])
    const t = peer('telnet', ['127.0.0.1', String(port)])
    a.child.stdin.write('one\n')
    b.child.stdin.write('three-socat\n')
    // telnet sends a line as text + CR LF: 7 + 2 bytes.
    t.child.stdin.write('telnet!\n')
    await waitFor(
      async () =>
        (await readRows(ui.page)).length === 3 &&
        (await readRows(ui.page)).every((r) => r.bytesOut === r.bytesIn && r.bytesIn > 0),
      {
        what: 'three rows, all echoed',
        timeoutMs: 10_000
      }
    )
    const rows = await readRows(ui.page)
    const byPeer = new Map(rows.map((r) => [r.peer, r]))
    expect(byPeer.get(`127.0.0.1:${ncPort}`)).toMatchObject({ bytesIn: 4, bytesOut: 4, local: `127.0.0.1:${port}` })
    expect(byPeer.get(`127.0.0.1:${socatPort}`)).toMatchObject({ bytesIn: 12, bytesOut: 12 })
    const telnetRow = rows.find((r) => r.peer !== `127.0.0.1:${ncPort}` && r.peer !== `127.0.0.1:${socatPort}`)
    expect(telnetRow).toMatchObject({ bytesIn: 9, bytesOut: 9 })
    const telnetPort = Number(telnetRow?.peer.split(':')[1])
    const ss = await run('ss', ['-Htnp', 'state', 'established', `( sport = :${telnetPort} )`])
    expect(ss.stdout.toString()).toMatch(/"telnet"/)
    await waitFor(() => a.output().toString() === 'one\n' && b.output().toString() === 'three-socat\n', {
      what: 'echoes to nc and socat'
    })
  })

  it('shows a peer close with its reason', async () => {
    await selectServer(ui.page, echoLabel)
    nc.child.kill('SIGTERM')
    const row = await waitRow(
      ui.page,
      (r) => r.peer === `127.0.0.1:${ncSource}` && r.state.startsWith('closed'),
      'the nc row closed'
    )
    expect(row.state).toBe('closed — peer closed (FIN)')
    expect(row).toMatchObject({ bytesIn: 6, bytesOut: 6 })
  })

  it('shows the same servers and connections again after a reload', async () => {
    const labelsBefore = await serverLabels(ui.page)
    await selectServer(ui.page, echoLabel)
    const rowsBefore = await readRows(ui.page)
    expect(rowsBefore.length).toBeGreaterThan(0)
    await ui.page.reload()
    await ui.page.getByRole('button', { name: 'Start server' }).waitFor({ timeout: 15_000 })
    await waitFor(async () => (await serverLabels(ui.page)).join('|') === labelsBefore.join('|'), {
      what: 'the same server cards'
    })
    await selectServer(ui.page, echoLabel)
    const key = (rows: typeof rowsBefore): string => JSON.stringify([...rows].sort((x, y) => x.id.localeCompare(y.id)))
    await waitFor(async () => key(await readRows(ui.page)) === key(rowsBefore), { what: 'the same rows after reload' })
    expect(ui.page.url()).not.toContain('token')
  })

  it('refuses port 70000 and abc with a clear message and creates nothing', async () => {
    const before = await serverLabels(ui.page)
    await submitStartForm(ui.page, { host: '127.0.0.1', port: '70000' })
    await ui.page
      .getByRole('alert')
      .filter({ hasText: 'Port must be a whole number from 0 to 65535, not 70000' })
      .first()
      .waitFor()
    await submitStartForm(ui.page, { host: '127.0.0.1', port: 'abc' })
    await ui.page
      .getByRole('alert')
      .filter({ hasText: /Port must be a whole number from 0 to 65535, not "?abc"?/ })
      .first()
      .waitFor()
    expect(await serverLabels(ui.page)).toEqual(before)
  })

  it('refuses a port already in use with a clear message and creates nothing', async () => {
    const holder: Server = createServer()
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r))
    const port = (holder.address() as AddressInfo).port
    try {
      const before = await serverLabels(ui.page)
      await submitStartForm(ui.page, { host: '127.0.0.1', port: String(port) })
      await ui.page
        .getByRole('alert')
        .filter({ hasText: `Port ${port} is already in use` })
        .first()
        .waitFor()
      expect(await serverLabels(ui.page)).toEqual(before)
    } finally {
      holder.close()
    }
  })

  it('shows a --listen server at once and a new nc connection live', async () => {
    const other = await startWebLab(['--listen', '0'])
    try {
      const port = Number(/Listening: echo on 127\.0\.0\.1:(\d+)/.exec(other.stdout())?.[1])
      const tab = await ui.browser.context.newPage()
      await tab.goto(other.url)
      await serverCards(tab)
        .and(tab.getByLabel(`Server 127.0.0.1:${port}`, { exact: true }))
        .waitFor()
      const src = await freePort()
      const live = peer('nc', ['-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(port)])
      live.child.stdin.write('live\n')
      await waitRow(tab, (r) => r.peer === `127.0.0.1:${src}` && r.bytesIn === 5 && r.bytesOut === 5, 'the live nc row')
      await tab.close()
    } finally {
      expect(await other.stop('SIGTERM')).toBe(0)
    }
  })

  it('ran without CSP violations or page errors', () => {
    expect(ui.browser.errors.filter((e) => /Content Security Policy|Refused to|Uncaught/i.test(e))).toEqual([])
  })
})
