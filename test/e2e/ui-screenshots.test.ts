// README screenshots of the real UI in headless Chromium at 1440×900, with real nc/socat/telnet/curl
// peers. Written to a temp dir on every run (and checked); to docs/screenshots when
// TCP_LAB_SCREENSHOTS_DIR points there (`node scripts/screenshots.mjs`).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import { freePort, readRows, selectServer, serverCards, serverLabels, submitStartForm } from './helpers/ui'
import {
  connectionAction,
  openDockTab,
  selectConnection,
  sendFromBox,
  setTrafficView,
  trafficSection,
  waitKernel,
  waitPeerRow
} from './helpers/ui-more'

const OUT = process.env.TCP_LAB_SCREENSHOTS_DIR
  ? resolve(process.env.TCP_LAB_SCREENSHOTS_DIR)
  : mkdtempSync(join(tmpdir(), 'tcp-lab-shots-'))
const keep = process.env.TCP_LAB_SCREENSHOTS_DIR !== undefined

const ui = setupLabPage({
  viewport: { width: 1440, height: 900 },
  colorScheme: 'light',
  quietPeerStdin: true,
  failureScreenshots: false,
  afterStop: () => {
    if (!keep) rmSync(OUT, { recursive: true, force: true })
  }
})
const peer = ui.peer

/** A port that reads well in a picture when it is free, else 0 (any). */
async function preferred(port: number): Promise<number> {
  const s = createServer()
  const ok = await new Promise<boolean>((r) => {
    s.once('error', () => r(false))
    s.listen(port, '127.0.0.1', () => r(true))
  })
  if (ok) await new Promise<void>((r) => s.close(() => r()))
  return ok ? port : 0
}

/** Starts a server from the form on a preferred port; returns its label and bound port. */
async function start(host: string, want: number, behaviour: string): Promise<{ label: string; port: number }> {
  const before = new Set(await serverLabels(ui.page))
  await submitStartForm(ui.page, { host, port: String(await preferred(want)), behaviour })
  const label = await waitFor(async () => (await serverLabels(ui.page)).find((l) => !before.has(l)), {
    what: `the ${behaviour} server card`,
    timeoutMs: 10_000
  })
  return { label, port: Number(/:(\d+)$/.exec(label)?.[1]) }
}

/** PNG width and height from its header. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path)
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

/** Scrolls the panes so a picture shows what matters: sidebar and send box at their tops, the traffic of the selected connection under its diagram. */
async function frame({ trafficLead = 150 }: { trafficLead?: number } = {}): Promise<void> {
  await ui.page.getByRole('navigation', { name: 'Servers' }).evaluate((el) => (el.scrollTop = 0))
  await ui.page.getByRole('region', { name: 'Connection detail' }).evaluate((section, lead) => {
    const body = section.children[0]
    const send = section.children[1]
    if (send) send.scrollTop = 0
    const traffic = body?.querySelector('section[aria-label="Traffic"]')
    if (body && traffic) body.scrollTop += traffic.getBoundingClientRect().top - body.getBoundingClientRect().top - lead
  }, trafficLead)
}

async function shoot(name: string, viewport = { width: 1440, height: 900 }): Promise<string> {
  const path = join(OUT, name)
  // Let the charts and counters take their next sample so the picture is settled, not mid-update.
  await ui.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  await ui.page.screenshot({ path, animations: 'disabled', caret: 'hide' })
  const size = pngSize(path)
  expect(size).toEqual(viewport)
  return path
}

/** Shoots at another window size, then goes back to 1440×900. */
async function shootAt(name: string, viewport: { width: number; height: number }, lead?: number): Promise<void> {
  await ui.page.setViewportSize(viewport)
  await frame({ trafficLead: lead })
  await ui.page.mouse.move(0, viewport.height - 1)
  await shoot(name, viewport)
  await ui.page.setViewportSize({ width: 1440, height: 900 })
}

let selectedId = ''
let echo = { label: '', port: 0 }
let chatLabel = ''
let httpLabel = ''

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true })

  // A few servers, as someone exploring would have them.
  const http = await start('127.0.0.1', 8080, 'http')
  const chat = await start('127.0.0.1', 9000, 'chat')
  chatLabel = chat.label
  httpLabel = http.label
  echo = await start('127.0.0.1', 7007, 'echo')

  // http: a curl request (closed) and a raw request typed with nc.
  await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${http.port}/`])
  // chat: two people talking through nc.
  await selectServer(ui.page, chat.label)
  const alice = peer('nc', ['127.0.0.1', String(chat.port)])
  const bob = peer('nc', ['127.0.0.1', String(chat.port)])
  await waitFor(
    async () =>
      (await readRows(ui.page)).filter((r) => r.local.endsWith(`:${chat.port}`) && r.state.startsWith('open'))
        .length === 2,
    { what: 'two chat clients' }
  )
  alice.child.stdin.write('hi bob, can you see this?\n')
  await waitFor(() => bob.output().toString().includes('can you see'), { what: 'bob to hear alice' })
  bob.child.stdin.write('loud and clear\n')
  await waitFor(() => alice.output().toString().includes('loud and clear'), { what: 'alice to hear bob' })

  // echo: nc with text and a few control bytes, socat, telnet, and one nc that already left.
  await selectServer(ui.page, echo.label)
  const src = await freePort()
  const nc = peer('nc', ['-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(echo.port)])
  nc.child.stdin.write('hello, lab\n')
  const row = await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesOut === 11)
  selectedId = row.id
  const socat = peer('socat', ['-', `TCP:127.0.0.1:${echo.port}`])
  socat.child.stdin.write('socat says hi\n')
  const telnet = peer('telnet', ['127.0.0.1', String(echo.port)])
  telnet.child.stdin.write('GET / HTTP/1.0\n')
  await run('nc', ['-N', '127.0.0.1', String(echo.port)], { input: 'bye\n' })
  await selectConnection(ui.page, selectedId)
  await sendFromBox(ui.page, 'welcome!', { lineEnding: 'lf' })
  await waitFor(() => nc.output().toString().includes('welcome!'), { what: 'nc to get the welcome' })
  nc.child.stdin.write(Buffer.from([0x00, 0x01, 0x02, 0x68, 0x69, 0x0d, 0x0a, 0x1b, 0x5b, 0x41, 0xff]))
  await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesIn === 22)
  await waitFor(async () => (await readRows(ui.page)).filter((r) => r.local.endsWith(`:${echo.port}`)).length === 4, {
    what: 'four echo rows'
  })
})

describe('screenshots of the real UI', () => {
  it('overview: servers, connections, one selected with its hex view and sequence diagram', async () => {
    await selectConnection(ui.page, selectedId)
    await setTrafficView(ui.page, 'Hex')
    // The hex column has a wider gap after 8 bytes; compare with single spaces.
    const hex = (): Promise<string> =>
      trafficSection(ui.page)
        .locator('[data-part="hex"]')
        .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()).join(' '))
    await waitFor(async () => (await hex()).replace(/\s+/g, ' ').includes('00 01 02 68 69 0d 0a 1b 5b 41 ff'), {
      what: 'the hex of the control bytes'
    })
    await openDockTab(ui.page, 'Server life')
    await frame()
    await ui.page.mouse.move(0, 899)
    await shoot('overview.png')
    // The same at the smallest supported desktop width: every figure whole (issue 19).
    await shootAt('overview-1280.png', { width: 1280, height: 800 })
  })

  it('dark: the same lab in the dark theme', async () => {
    await ui.page.emulateMedia({ colorScheme: 'dark' })
    await selectServer(ui.page, chatLabel)
    const chatRow = (await readRows(ui.page)).find((r) => r.state.startsWith('open'))
    if (chatRow) {
      await selectConnection(ui.page, chatRow.id)
      await setTrafficView(ui.page, 'Text')
    }
    const tryThis = await openDockTab(ui.page, 'Try this')
    await tryThis.locator('[data-experiment="echo"] summary').click()
    await frame({ trafficLead: 200 })
    await ui.page.mouse.move(0, 899)
    await shoot('dark.png')
    expect(ui.browser.errors.filter((e) => /Content Security Policy|Refused to|Uncaught/i.test(e))).toEqual([])
  })

  it('kernel: the kernel’s view with a paused reader and a TIME-WAIT leftover', async () => {
    await ui.page.emulateMedia({ colorScheme: 'light' })
    // Only the echo server's story: stop the others and forget closed rows, so their ports leave the view.
    for (const label of [httpLabel, chatLabel]) {
      await serverCards(ui.page)
        .and(ui.page.getByLabel(label, { exact: true }))
        .getByRole('button', { name: 'Stop', exact: true })
        .click()
      await waitFor(async () => !(await serverLabels(ui.page)).includes(label), { what: `${label} stopped` })
    }
    await ui.page.getByRole('button', { name: 'All', exact: true }).click()
    await ui.page.getByRole('button', { name: 'Clear closed' }).click()
    await waitFor(async () => (await readRows(ui.page)).every((r) => !r.state.startsWith('closed')), {
      what: 'closed rows cleared'
    })
    // A stalled sender: reading paused while nc pushes 4 MB.
    const sink = await start('127.0.0.1', 5001, 'discard')
    await selectServer(ui.page, sink.label)
    const src = await freePort()
    const nc = peer('nc', ['-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(sink.port)])
    nc.child.stdin.write('x')
    const row = await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesIn === 1)
    await selectConnection(ui.page, row.id)
    await connectionAction(ui.page, 'Pause reading')
    nc.child.stdin.write(Buffer.alloc(4 * 1024 * 1024, 0x61))
    // The lab closes one echo connection first: TIME-WAIT once the peer closes too.
    await selectServer(ui.page, echo.label)
    const leaver = await freePort()
    const bye = peer('nc', ['-s', '127.0.0.1', '-p', String(leaver), '127.0.0.1', String(echo.port)])
    const byeRow = await waitPeerRow(ui.page, `127.0.0.1:${leaver}`)
    await selectConnection(ui.page, byeRow.id)
    await connectionAction(ui.page, 'Close')
    bye.child.stdin.end()
    await ui.page.getByRole('button', { name: 'All', exact: true }).click()
    await openDockTab(ui.page, 'Kernel sockets')
    await waitKernel(
      ui.page,
      (rs) =>
        rs.some((r) => r.state === 'TIME-WAIT') && rs.some((r) => r.local === `127.0.0.1:${sink.port}` && r.recvQ > 0),
      'TIME-WAIT and a full Recv-Q'
    )
    await selectConnection(ui.page, row.id)
    await frame({ trafficLead: 400 })
    await ui.page.getByRole('tabpanel', { name: 'Kernel sockets' }).evaluate((el) => (el.scrollTop = 0))
    await ui.page.mouse.move(0, 899)
    await shoot('kernel.png')
  })

  it('bulk: a connection that took 20 MiB of NUL opens at once, runs collapsed into one badge with a count', async () => {
    const sink = await start('127.0.0.1', 5002, 'discard')
    const s = connect({ host: '127.0.0.1', port: sink.port })
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve)
      s.once('error', reject)
    })
    const block = Buffer.alloc(256 * 1024)
    for (let i = 0; i < 80; i++) if (!s.write(block)) await new Promise((r) => s.once('drain', r))
    const row = await waitPeerRow(ui.page, `127.0.0.1:${s.localPort}`, (r) => r.bytesIn === 20 * 1024 * 1024, 30_000)
    await ui.page.getByRole('button', { name: 'All', exact: true }).click()
    await selectConnection(ui.page, row.id)
    await setTrafficView(ui.page, 'Text')
    await trafficSection(ui.page).locator('[data-ctl-run]').first().waitFor()
    await frame({ trafficLead: 260 })
    await ui.page.mouse.move(0, 899)
    await shoot('bulk.png')
    await shootAt('bulk-1280.png', { width: 1280, height: 800 }, 260)
    s.destroy()
  })
})
