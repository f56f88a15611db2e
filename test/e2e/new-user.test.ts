// Issue 19, items 2–5 and 7–9: what a new user trips over, end to end with real peers in Chromium.
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import {
  freePort,
  readRows,
  selectServer,
  serverCards,
  startServerFromUi,
  submitStartForm,
  waitRow
} from './helpers/ui'
import { connectionAction, openDockTab, selectConnection, waitKernel, waitPeerRow } from './helpers/ui-more'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 }, quietPeerStdin: true })
const sockets: Socket[] = []
afterAll(() => sockets.forEach((s) => s.destroy()))

/** The data-kind:from of every step of the selected connection's sequence diagram. */
async function diagramSteps(page: Page, id: string): Promise<string[]> {
  return page
    .getByRole('img', { name: new RegExp(`^Sequence diagram of connection ${id}:`) })
    .locator('[data-kind]')
    .evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-kind')}:${g.getAttribute('data-from') ?? '-'}`))
}

/** Elements whose text is cut (ellipsis or clipped), with their text; selects whose chosen option does not fit. */
async function cutTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = []
    const selectors = [
      'table[aria-label="Connections"] td',
      'table[aria-label="Connections"] td [data-col]',
      'table[aria-label="Connections"] th',
      'table[aria-label="Connections"] th button',
      'nav[aria-label="Servers"] dd',
      'nav[aria-label="Servers"] input',
      'header dd',
      'section[aria-label="Connection detail"] dd',
      'section[aria-label="Connection detail"] dd span'
    ]
    for (const el of document.querySelectorAll<HTMLElement>(selectors.join(','))) {
      if (el.offsetParent === null) continue
      const text = (el instanceof HTMLInputElement ? el.value : (el.textContent ?? '')).trim()
      if (!text) continue
      if (el instanceof HTMLInputElement) {
        if (el.scrollWidth > el.clientWidth + 1) out.push(`input: ${text}`)
      } else if (el.scrollWidth > el.clientWidth + 1) out.push(text)
    }
    // A select's chosen text, measured in its own font, against its inner width (less the arrow).
    const ctx = document.createElement('canvas').getContext('2d')
    for (const sel of document.querySelectorAll<HTMLSelectElement>('select')) {
      if (sel.offsetParent === null || !ctx) continue
      const style = getComputedStyle(sel)
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`
      const label = sel.selectedOptions[0]?.textContent ?? ''
      const room = sel.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      if (ctx.measureText(label).width > room + 1) out.push(`select: ${label}`)
    }
    return out
  })
}

describe('a new user’s path', () => {
  it('draws an interactive nc -N against echo-after-eof in the order it happened: data, FIN, reply, FIN', async () => {
    const server = await startServerFromUi(ui.page, '127.0.0.1', 'echo-after-eof')
    const src = await freePort()
    const nc = ui.peer('nc', ['-N', '-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(server.port)])
    nc.child.stdin.write('typed by a person\n')
    const row = await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesIn === 18)
    // Ctrl-D: nc half-closes, the lab replies with the 18 bytes and closes.
    nc.child.stdin.end()
    await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesOut === 18 && r.state.startsWith('closed'))
    await waitFor(() => nc.output().toString() === 'typed by a person\n', { what: 'nc to get the reply' })
    await selectConnection(ui.page, row.id)
    const steps = await waitFor(
      async () => {
        const s = await diagramSteps(ui.page, row.id)
        return s.includes('closed:-') ? s : undefined
      },
      { what: 'the whole diagram' }
    )
    expect(steps).toEqual(['open:peer', 'data:peer', 'fin:peer', 'data:lab', 'fin:lab', 'closed:-'])
  })

  it('Pause reading as printed: paused at accept, Recv-Q and Send-Q fill, Resume gives the exact 8,388,608 bytes', async () => {
    await ui.page.getByRole('form', { name: 'Start a server' }).locator('summary').click()
    await ui.page.getByLabel(/Pause new connections at accept/).check()
    const before = await serverCards(ui.page).count()
    await submitStartForm(ui.page, { host: '127.0.0.1', port: '0', behaviour: 'discard' })
    await waitFor(async () => (await serverCards(ui.page).count()) === before + 1, { what: 'the discard card' })
    const card = serverCards(ui.page).filter({ hasText: 'paused at accept' }).first()
    const label = (await card.getAttribute('aria-label')) ?? ''
    const port = Number(/:(\d+)$/.exec(label)?.[1])
    // The experiment's own command, read from the Try this panel.
    const tryThis = await openDockTab(ui.page, 'Try this')
    await tryThis.locator('[data-experiment="pause"] summary').click()
    const command = (await tryThis.locator('[data-experiment="pause"] code').allTextContents()).find((c) =>
      c.startsWith('head -c 8M')
    )
    expect(command).toBe(`head -c 8M /dev/zero | nc -N 127.0.0.1 ${port}`)
    const sender = ui.peer('sh', ['-c', command ?? 'false'])
    const row = await waitRow(ui.page, (r) => r.local === `127.0.0.1:${port}`, 'the paused connection')
    expect(row.state).toMatch(/paused/)
    await openDockTab(ui.page, 'Kernel sockets')
    const rows = await waitKernel(
      ui.page,
      (rs) =>
        rs.some(
          (r) => r.owner === 'own' && r.local === `127.0.0.1:${port}` && r.state === 'ESTABLISHED' && r.recvQ > 0
        ) && rs.some((r) => r.remote === `127.0.0.1:${port}` && r.sendQ > 0),
      'Recv-Q of the lab’s socket and Send-Q of nc’s socket to fill',
      15_000
    )
    expect(rows.find((r) => r.remote === `127.0.0.1:${port}`)?.sendQ).toBeGreaterThan(0)
    expect((await readRows(ui.page)).find((r) => r.id === row.id)?.bytesIn).toBe(0)
    await selectConnection(ui.page, row.id)
    await connectionAction(ui.page, 'Resume reading')
    await waitRow(
      ui.page,
      (r) => r.id === row.id && r.bytesIn === 8 * 1024 * 1024,
      'exactly 8 MiB after Resume',
      20_000
    )
    expect(await sender.exited).toBe(0)
  })

  it('starting a server leaves the table’s scope alone; a narrowed table says what hides rows and the detail says it too', async () => {
    await ui.page.getByRole('button', { name: 'All', exact: true }).click()
    const shownBefore = (await readRows(ui.page)).length
    const echo = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    expect(await ui.page.getByTestId('table-scope').count()).toBe(0)
    expect((await readRows(ui.page)).length).toBe(shownBefore)
    const c = connect({ host: '127.0.0.1', port: echo.port })
    sockets.push(c)
    const row = await waitRow(ui.page, (r) => r.local === `127.0.0.1:${echo.port}`, 'the echo client')
    await selectConnection(ui.page, row.id)
    // Narrow to the server explicitly: the scope is shown with a way out.
    await selectServer(ui.page, echo.label)
    expect(await ui.page.getByTestId('table-scope').textContent()).toContain(`only 127.0.0.1:${echo.port}`)
    await ui.page.getByLabel('Filter connections').fill('no-such-peer')
    const empty = ui.page.getByRole('table', { name: 'Connections' }).locator('xpath=..').getByRole('status')
    await empty.waitFor()
    expect(await empty.textContent()).toMatch(
      /No connection matches: the scope \(only server 127\.0\.0\.1:\d+\) and the filter “no-such-peer” hides/
    )
    const note = ui.page.getByTestId('selection-hidden')
    await note.waitFor()
    expect(await note.textContent()).toMatch(/not in the table right now/)
    await note.getByRole('button', { name: 'Show it in the table' }).click()
    await waitFor(async () => (await readRows(ui.page)).some((r) => r.id === row.id), {
      what: 'the row back in the table'
    })
    expect(await ui.page.getByLabel('Filter connections').inputValue()).toBe('')
    expect(await ui.page.getByTestId('table-scope').count()).toBe(0)
  })

  it('"port in use" by the lab itself names the lab’s server', async () => {
    const echo = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    await submitStartForm(ui.page, { host: '0.0.0.0', port: String(echo.port), behaviour: 'discard' })
    const alert = ui.page.getByRole('form', { name: 'Start a server' }).getByRole('alert')
    await alert.waitFor()
    const text = (await alert.textContent()) ?? ''
    expect(text).toMatch(
      new RegExp(
        `Port ${echo.port} is already in use by this lab: server #\\d+ \\(echo on 127\\.0\\.0\\.1:${echo.port}\\) listens there`
      )
    )
    expect(text).not.toMatch(/pid \d+/)
  })

  it('"Connect to…" sits above the server cards and shows its error beside its button, in view', async () => {
    const nav = ui.page.getByRole('navigation', { name: 'Servers' })
    const connectTo = nav.getByRole('button', { name: 'Connect to…' })
    const firstCard = serverCards(ui.page).first()
    expect((await connectTo.boundingBox())!.y).toBeLessThan((await firstCard.boundingBox())!.y)
    await connectTo.click()
    const closedPort = await freePort()
    await ui.page.getByLabel('Remote port').fill(String(closedPort))
    await nav.getByRole('button', { name: 'Connect', exact: true }).click()
    const alert = nav.getByRole('form', { name: 'Connect to a server' }).getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toMatch(/refused/i)
    expect(await alert.isVisible()).toBe(true)
    const box = (await alert.boundingBox())!
    expect(box.y).toBeGreaterThanOrEqual(0)
    expect(box.y + box.height).toBeLessThanOrEqual(900)
  })

  it('copy-ready commands: the /dev/tcp one-liner ends and closes its connection; 1 socket; LISTEN Send-Q words', async () => {
    const echo = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    const card = serverCards(ui.page).and(ui.page.getByLabel(echo.label, { exact: true }))
    const oneLiner = (await card.locator('code').allTextContents()).find((c) => c.startsWith('exec 3<>'))
    expect(oneLiner).toBe(
      `exec 3<>/dev/tcp/127.0.0.1/${echo.port}; printf 'hello\\n' >&3; timeout 1 cat <&3; exec 3>&-`
    )
    const r = await run('bash', ['-c', oneLiner ?? 'false'], { timeoutMs: 10_000 })
    expect(r.stdout.toString()).toBe('hello\n')
    // `timeout` ends the read after a second, then `exec 3>&-` closes the socket: the line finishes.
    expect(r.code).toBe(0)
    await waitRow(
      ui.page,
      (x) => x.local === `127.0.0.1:${echo.port}` && x.state.startsWith('closed'),
      'the /dev/tcp connection closed (no orphan cat)'
    )
    await selectServer(ui.page, echo.label)
    const life = await openDockTab(ui.page, 'Server life')
    await waitFor(async () => (await life.getByTestId('socket-count').textContent())?.startsWith('1 socket:'), {
      what: '"1 socket:"'
    })
    const kernel = await openDockTab(ui.page, 'Kernel sockets')
    expect(await kernel.textContent()).toMatch(
      /its Send-Q reads 0 here because \/proc\/net\/tcp does not report the backlog/
    )
  })

  it('outgoing client: the local, ephemeral port is the one marked', async () => {
    const target = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    const nav = ui.page.getByRole('navigation', { name: 'Servers' })
    if ((await nav.getByRole('form', { name: 'Connect to a server' }).count()) === 0)
      await nav.getByRole('button', { name: 'Connect to…' }).click()
    await ui.page.getByLabel('Remote port').fill(String(target.port))
    await nav.getByRole('button', { name: 'Connect', exact: true }).click()
    const detail = ui.page.getByRole('region', { name: 'Connection detail' })
    const tuple = detail.getByLabel('4-tuple')
    await waitFor(async () => ((await tuple.textContent()) ?? '').includes(`127.0.0.1:${target.port}`), {
      what: 'the outgoing detail'
    })
    const mark = tuple.locator('mark')
    expect(await mark.count()).toBe(1)
    const marked = Number(await mark.textContent())
    expect(marked).not.toBe(target.port)
    expect(await mark.getAttribute('data-ephemeral')).toBe('true')
  })

  it('numbers and labels are never cut at 1440 and 1280 px', async () => {
    await ui.page.getByRole('button', { name: 'All', exact: true }).click()
    const echo = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    const s = connect({ host: '127.0.0.1', port: echo.port })
    sockets.push(s)
    await new Promise((r) => s.once('connect', r))
    s.on('data', () => undefined)
    const block = Buffer.alloc(1 << 20, 0x61)
    for (let i = 0; i < 200; i++) if (!s.write(block)) await new Promise((r) => s.once('drain', r))
    const row = await waitRow(
      ui.page,
      (r) => r.local === `127.0.0.1:${echo.port}` && r.bytesOut === 200 << 20,
      'the 200 MiB echo',
      30_000
    )
    await selectConnection(ui.page, row.id)
    const send = ui.page.getByRole('region', { name: 'Send' })
    await send.getByLabel('Message', { exact: true }).fill('a history entry that is long enough to be cut')
    await send.getByRole('button', { name: 'Send', exact: true }).click()
    await send
      .getByRole('status')
      .filter({ hasText: /^Sent / })
      .first()
      .waitFor()
    const options = ui.page.getByRole('form', { name: 'Start a server' }).locator('details')
    if ((await options.getAttribute('open')) === null) await options.locator('summary').click()
    await ui.page.getByLabel('Accept mode').selectOption('one-at-a-time')
    // A sorted header carries its arrow: "Bytes out▼" must still fit beside "Bytes in".
    await ui.page.getByRole('table', { name: 'Connections' }).getByRole('button', { name: 'Bytes out' }).click()
    for (const width of [1440, 1280]) {
      await ui.page.setViewportSize({ width, height: 900 })
      await ui.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
      expect({ width, cut: await cutTexts(ui.page) }).toEqual({ width, cut: [] })
    }
    await ui.page.getByLabel('Accept mode').selectOption('concurrent')
    await ui.page.getByRole('table', { name: 'Connections' }).getByRole('button', { name: '#' }).click()
    await ui.page.setViewportSize({ width: 1440, height: 900 })
  })
})
