// The interface's features (issue 6) end to end: a real `tcp-lab web`, Chromium, real nc/socat/curl peers.
import { beforeAll, describe, expect, it } from 'vitest'
import { run } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import { freePort, readRows, selectServer, serverCards, startServerFromUi } from './helpers/ui'
import {
  backgroundOf,
  blurFocused,
  connectionAction,
  focusedId,
  openDockTab,
  pageLuminance,
  rowLocator,
  selectConnection,
  sendFromBox,
  setTrafficView,
  trafficSection,
  waitPeerRow,
  waitTimeline
} from './helpers/ui-more'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 } })
const peer = ui.peer
async function ncClient(port: number, extra: string[] = []): Promise<{ nc: LivePeer; src: number; peer: string }> {
  const src = await freePort()
  return {
    nc: peer('nc', [...extra, '-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(port)]),
    src,
    peer: `127.0.0.1:${src}`
  }
}
async function socatClient(port: number, opts: string[] = []): Promise<{ socat: LivePeer; src: number; peer: string }> {
  const src = await freePort()
  return {
    socat: peer('socat', [...opts, '-', `TCP:127.0.0.1:${port},bind=127.0.0.1:${src}`]),
    src,
    peer: `127.0.0.1:${src}`
  }
}

// Shared by the tests below, which build on each other in order.
let echoPort = 0
let echoLabel = ''

beforeAll(async () => {
  const echo = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
  echoPort = echo.port
  echoLabel = echo.label
  await selectServer(ui.page, echoLabel)
})

describe('the interface, end to end', () => {
  it('shows bytes nc sent as hex `00 01 68 69` and as visible control pictures in the text view', async () => {
    const src = await freePort()
    // printf '\x00\x01hi' | nc -N: the same four bytes, then FIN.
    const sent = run('nc', ['-N', '-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(echoPort)], {
      input: Buffer.from([0x00, 0x01, 0x68, 0x69])
    })
    const row = await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesIn === 4)
    await selectConnection(ui.page, row.id)
    await setTrafficView(ui.page, 'Hex')
    const hex = trafficSection(ui.page).locator('[data-part="hex"]').first()
    await waitFor(async () => (await hex.textContent())?.trim() === '00 01 68 69', {
      what: 'the hex view of the 4 bytes'
    })
    await setTrafficView(ui.page, 'Text')
    const text = await waitTimeline(ui.page, '␀␁hi', 'the text view with control pictures')
    expect(text).toContain('␀␁hi')
    await setTrafficView(ui.page, 'Escaped')
    await waitTimeline(ui.page, /\\x00\\x01hi|\\0\\x01hi/, 'the escaped view')
    expect((await sent).stdout).toEqual(Buffer.from([0x00, 0x01, 0x68, 0x69]))
    // The life of the connection is drawn, not told.
    await expect(
      ui.page.getByRole('img', { name: new RegExp(`^Sequence diagram of connection ${row.id}`) }).count()
    ).resolves.toBe(1)
  })

  it('shows a chat between two nc clients in both connections’ timelines', async () => {
    const chat = await startServerFromUi(ui.page, '127.0.0.1', 'chat')
    await selectServer(ui.page, chat.label)
    const a = await ncClient(chat.port)
    const b = await ncClient(chat.port)
    const rowA = await waitPeerRow(ui.page, a.peer)
    const rowB = await waitPeerRow(ui.page, b.peer)
    a.nc.child.stdin.write('hello from a\n')
    await waitFor(() => b.nc.output().toString().includes('hello from a'), { what: 'b to receive a’s line' })
    b.nc.child.stdin.write('hi a, b here\n')
    await waitFor(() => a.nc.output().toString().includes('hi a, b here'), { what: 'a to receive b’s line' })
    await selectConnection(ui.page, rowA.id)
    await waitTimeline(ui.page, 'hello from a', 'a’s line in a’s timeline')
    await waitTimeline(ui.page, 'hi a, b here', 'b’s line in a’s timeline')
    await selectConnection(ui.page, rowB.id)
    await waitTimeline(ui.page, 'hello from a', 'a’s line in b’s timeline')
    await waitTimeline(ui.page, 'hi a, b here', 'b’s line in b’s timeline')
    // b's own line came in; a's line went out to b.
    const entries = await trafficSection(ui.page)
      .locator('li[data-dir]')
      .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-dir'), li.textContent ?? '']))
    expect(entries.some(([d, t]) => d === 'in' && (t ?? '').includes('hi a, b here'))).toBe(true)
    expect(entries.some(([d, t]) => d === 'out' && (t ?? '').includes('hello from a'))).toBe(true)
  })

  it('sends text + LF and then hex from the send box to one peer only', async () => {
    await selectServer(ui.page, echoLabel)
    const one = await ncClient(echoPort)
    const other = await ncClient(echoPort)
    const row = await waitPeerRow(ui.page, one.peer)
    const otherRow = await waitPeerRow(ui.page, other.peer)
    await selectConnection(ui.page, row.id)
    await sendFromBox(ui.page, 'hello from the lab', { lineEnding: 'lf' })
    await waitFor(() => one.nc.output().toString() === 'hello from the lab\n', { what: 'nc to receive the line' })
    await sendFromBox(ui.page, 'de ad be ef', { format: 'hex' })
    const want = Buffer.concat([Buffer.from('hello from the lab\n'), Buffer.from([0xde, 0xad, 0xbe, 0xef])])
    await waitFor(() => one.nc.output().equals(want), { what: 'nc to receive de ad be ef' })
    await waitPeerRow(ui.page, one.peer, (r) => r.bytesOut === 23 && r.bytesIn === 0)
    expect(other.nc.output().length).toBe(0)
    expect((await readRows(ui.page)).find((r) => r.id === otherRow.id)?.bytesOut).toBe(0)
  })

  it('half-closes from the UI: socat reads EOF and can still send to the lab', async () => {
    const { socat, peer: who } = await socatClient(echoPort, ['-d', '-d', '-t', '10'])
    const row = await waitPeerRow(ui.page, who)
    await selectConnection(ui.page, row.id)
    await connectionAction(ui.page, 'Half-close')
    await waitFor(() => /is at EOF/.test(socat.stderr()), { what: 'socat to report EOF from the lab' })
    await waitPeerRow(ui.page, who, (r) => r.state.startsWith('lab half-closed'))
    socat.child.stdin.write('still here\n')
    await waitPeerRow(ui.page, who, (r) => r.bytesIn === 11)
  })

  it('resets from the UI: socat reports "Connection reset by peer"', async () => {
    // socat reports the failed read as a warning, shown with -d.
    const { socat, peer: who } = await socatClient(echoPort, ['-d', '-d'])
    const row = await waitPeerRow(ui.page, who)
    await selectConnection(ui.page, row.id)
    await connectionAction(ui.page, 'Reset')
    await waitPeerRow(ui.page, who, (r) => r.state === 'closed — reset by the lab')
    await waitFor(() => /read\(\d+, .*\): Connection reset by peer/.test(socat.stderr()), {
      what: 'socat to report the reset'
    })
    await socat.exited
  })

  it('sorts the table by Bytes in, both ways', async () => {
    await selectServer(ui.page, echoLabel)
    for (const size of [3, 300, 30]) {
      const src = await freePort()
      await run('nc', ['-N', '-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(echoPort)], {
        input: 'z'.repeat(size - 1) + '\n'
      })
      await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesIn === size)
    }
    const header = ui.page.getByRole('table', { name: 'Connections' }).getByRole('columnheader', { name: /Bytes in/ })
    const values = async (): Promise<number[]> => (await readRows(ui.page)).map((r) => r.bytesIn)
    const sorted =
      (dir: 1 | -1) =>
      (v: number[]): boolean =>
        v.every((x, i) => i === 0 || dir * (x - v[i - 1]) >= 0)
    await header.getByRole('button').click()
    const first = (await header.getAttribute('aria-sort')) === 'descending' ? -1 : 1
    await waitFor(async () => sorted(first)(await values()), { what: 'rows sorted by bytes in' })
    await header.getByRole('button').click()
    await waitFor(
      async () => (await header.getAttribute('aria-sort')) === (first === -1 ? 'ascending' : 'descending'),
      { what: 'sort reversed' }
    )
    await waitFor(async () => sorted(first === -1 ? 1 : -1)(await values()), { what: 'rows sorted the other way' })
    expect(new Set(await values()).size).toBeGreaterThan(2)
  })

  it('filters by state and by text, and clears closed connections', async () => {
    await selectServer(ui.page, echoLabel)
    const show = ui.page.getByRole('combobox', { name: /^Show/ })
    const all = await readRows(ui.page)
    const open = all.filter((r) => !r.state.startsWith('closed'))
    expect(open.length).toBeGreaterThan(0)
    expect(all.length).toBeGreaterThan(open.length)
    await show.selectOption('active')
    await waitFor(async () => (await readRows(ui.page)).length === open.length, { what: 'only open rows' })
    await show.selectOption('closed')
    await waitFor(
      async () => {
        const rows = await readRows(ui.page)
        return rows.length === all.length - open.length && rows.every((r) => r.state.startsWith('closed'))
      },
      { what: 'only closed rows' }
    )
    await show.selectOption('any')
    const target = open[0]
    const filter = ui.page.getByRole('searchbox', { name: 'Filter connections' })
    await filter.fill(target.peer.split(':')[1])
    await waitFor(
      async () => {
        const rows = await readRows(ui.page)
        return rows.length === 1 && rows[0].id === target.id
      },
      { what: 'only the row with that port' }
    )
    await filter.fill('')
    await ui.page.getByRole('button', { name: 'Clear closed' }).click()
    await waitFor(
      async () => {
        const rows = await readRows(ui.page)
        return rows.length === open.length && rows.every((r) => !r.state.startsWith('closed'))
      },
      { what: 'closed rows cleared, open rows kept' }
    )
  })

  it('offers nc, telnet, /dev/tcp (and curl for http) commands on the server card, with copy buttons', async () => {
    const http = await startServerFromUi(ui.page, '127.0.0.1', 'http')
    const card = serverCards(ui.page).and(ui.page.getByLabel(http.label, { exact: true }))
    const codes = await card.locator('code').allTextContents()
    expect(codes).toEqual([
      `nc 127.0.0.1 ${http.port}`,
      `telnet 127.0.0.1 ${http.port}`,
      `exec 3<>/dev/tcp/127.0.0.1/${http.port}; printf 'hello\\n' >&3; timeout 1 cat <&3; exec 3>&-`,
      `curl http://127.0.0.1:${http.port}/`
    ])
    for (const tool of ['nc', 'telnet', '/dev/tcp', 'curl']) {
      expect(await card.getByRole('button', { name: `Copy ${tool} command` }).count()).toBe(1)
    }
    // The curl command, run as shown, reaches the server.
    const curl = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${http.port}/`])
    expect(curl.stdout.toString()).toBe('200')
    const echoCard = serverCards(ui.page).and(ui.page.getByLabel(echoLabel, { exact: true }))
    expect(await echoCard.getByRole('button', { name: 'Copy curl command' }).count()).toBe(0)
  })

  it('tells the server’s life as steps: accept() ×2 and 3 sockets with two clients', async () => {
    const life = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    await selectServer(ui.page, life.label)
    const a = await ncClient(life.port)
    const b = await ncClient(life.port)
    await waitPeerRow(ui.page, a.peer)
    await waitPeerRow(ui.page, b.peer)
    const panel = await openDockTab(ui.page, 'Server life')
    const steps = panel.getByRole('region', { name: `Life of server 127.0.0.1:${life.port}` })
    await waitFor(async () => (await steps.textContent())?.includes('accept() ×2'), { what: 'accept() ×2' })
    const text = (await steps.textContent()) ?? ''
    expect(text).toContain('socket(AF_INET, SOCK_STREAM)')
    expect(text).toContain(`bind(127.0.0.1:${life.port})`)
    expect(text).toMatch(/listen\(\d+\)/)
    await expect(steps.getByTestId('socket-count').textContent()).resolves.toBe('3 sockets: 1 listening + 2 connected')
  })

  it('fills the Try-this experiments with the real port', async () => {
    const panel = await openDockTab(ui.page, 'Try this')
    const echo = panel.locator('[data-experiment="echo"]')
    await echo.locator('summary').click()
    const codes = await echo.locator('code').allTextContents()
    expect(codes).toContain(`nc 127.0.0.1 ${echoPort}`)
    expect(await echo.getByRole('button', { name: `Copy command: nc 127.0.0.1 ${echoPort}` }).count()).toBe(1)
    expect(await echo.textContent()).not.toMatch(/\bPORT\b/)
  })

  it('moves with the keyboard: n focuses Host, arrows move the selection, s the send box, / the filter', async () => {
    await selectServer(ui.page, echoLabel)
    await blurFocused(ui.page)
    await ui.page.keyboard.press('n')
    await waitFor(async () => (await focusedId(ui.page)) === 'start-host', { what: 'Host focused' })
    await expect(
      ui.page.getByLabel('Host', { exact: true }).evaluate((el) => el === el.ownerDocument.activeElement)
    ).resolves.toBe(true)
    await blurFocused(ui.page)
    const ids = (await readRows(ui.page)).map((r) => r.id)
    expect(ids.length).toBeGreaterThan(1)
    const selected = async (): Promise<string | undefined> =>
      (await ui.page
        .getByRole('table', { name: 'Connections' })
        .locator('tr[aria-selected="true"]')
        .getAttribute('data-connection-id')
        .catch(() => null)) ?? undefined
    await rowLocator(ui.page, ids[0]).locator('[data-col="peer"]').click()
    await blurFocused(ui.page)
    await ui.page.keyboard.press('ArrowDown')
    await waitFor(async () => (await selected()) === ids[1], { what: 'the second row selected' })
    await ui.page.keyboard.press('ArrowUp')
    await waitFor(async () => (await selected()) === ids[0], { what: 'the first row selected again' })
    await ui.page.keyboard.press('s')
    await waitFor(async () => (await focusedId(ui.page)) === 'send-box', { what: 'send box focused' })
    await blurFocused(ui.page)
    await ui.page.keyboard.press('/')
    await waitFor(async () => (await focusedId(ui.page)) === 'connection-filter', { what: 'filter focused' })
  })

  it('renders the dark theme when the system prefers it, without page errors', async () => {
    await ui.page.emulateMedia({ colorScheme: 'dark' })
    const luminance = (): Promise<number> => pageLuminance(ui.page)
    await waitFor(async () => (await luminance()) < 40, { what: 'a dark background' })
    const header = ui.page.getByRole('banner')
    const headerBg = await backgroundOf(header)
    await ui.page.emulateMedia({ colorScheme: 'light' })
    await waitFor(async () => (await luminance()) > 200, { what: 'a light background again' })
    expect(await backgroundOf(header)).not.toBe(headerBg)
    expect(ui.browser.errors.filter((e) => /Content Security Policy|Refused to|Uncaught|Error/i.test(e))).toEqual([])
  })
})
