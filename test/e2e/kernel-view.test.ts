// The kernel's view (issue 7) through the UI's kernel panel, with real nc peers: N+1 sockets,
// TIME-WAIT after the lab closes first, Recv-Q/Send-Q while reading is paused, who holds a port.
import { describe, expect, it } from 'vitest'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { setupLabPage } from './helpers/lab-page'
import { freePort, readRows, selectServer, startServerFromUi, submitStartForm } from './helpers/ui'
import {
  connectionAction,
  openDockTab,
  rowLocator,
  selectConnection,
  waitKernel,
  waitListening,
  waitPeerRow
} from './helpers/ui-more'

const ui = setupLabPage({ viewport: { width: 1440, height: 900 }, quietPeerStdin: true })
const peer = ui.peer
/** An nc client from a source port chosen in advance, so its side can be recognised in the kernel table. */
async function ncClient(port: number): Promise<{ nc: LivePeer; src: number }> {
  const src = await freePort()
  return { nc: peer('nc', ['-s', '127.0.0.1', '-p', String(src), '127.0.0.1', String(port)]), src }
}

describe('the kernel view, end to end', () => {
  let port = 0
  const clients: { nc: LivePeer; src: number; id: string }[] = []

  it('shows one LISTEN plus 2 ESTABLISHED on the lab side, linked to its rows, and the peers’ sides as not the lab’s', async () => {
    const started = await startServerFromUi(ui.page, '127.0.0.1', 'echo')
    port = started.port
    await selectServer(ui.page, started.label)
    for (let i = 0; i < 2; i++) {
      const c = await ncClient(port)
      c.nc.child.stdin.write(`client ${i}\n`)
      const row = await waitPeerRow(ui.page, `127.0.0.1:${c.src}`, (r) => r.bytesIn === 9)
      clients.push({ ...c, id: row.id })
    }
    await openDockTab(ui.page, 'Kernel sockets')
    await expect(ui.page.getByTestId('kernel-source').textContent()).resolves.toContain('/proc/net/tcp')
    const local = `127.0.0.1:${port}`
    const rows = await waitKernel(
      ui.page,
      (rs) =>
        rs.filter((r) => r.owner === 'own' && r.local === local).length === 3 &&
        clients.every((c) => rs.some((r) => r.owner === 'other' && r.local === `127.0.0.1:${c.src}`)),
      'N+1 = 3 lab sockets and both peer sides'
    )
    const own = rows.filter((r) => r.owner === 'own' && r.local === local)
    expect(own.filter((r) => r.state === 'LISTEN')).toHaveLength(1)
    expect(own.find((r) => r.state === 'LISTEN')?.remote).toBe('*')
    expect(own.find((r) => r.state === 'LISTEN')?.lab).toMatch(/^server #\d+$/)
    for (const c of clients) {
      const mine = own.find((r) => r.state === 'ESTABLISHED' && r.remote === `127.0.0.1:${c.src}`)
      expect(mine?.lab).toBe(`#${c.id}`)
      expect(mine?.process).toMatch(/^\d+ \(/)
      const theirs = rows.find((r) => r.local === `127.0.0.1:${c.src}`)
      expect(theirs).toMatchObject({
        state: 'ESTABLISHED',
        remote: local,
        owner: 'other',
        lab: `peer side of #${c.id}`
      })
      expect(theirs?.process).toMatch(/^\d+ \(nc\)$/)
    }
    // The lab's link selects the connection's row.
    const table = ui.page.getByRole('table', { name: 'Kernel sockets' })
    await table.getByRole('button', { name: `#${clients[1].id}`, exact: true }).click()
    await waitFor(async () => (await rowLocator(ui.page, clients[1].id).getAttribute('aria-selected')) === 'true', {
      what: 'the linked row selected'
    })
  })

  it('shows TIME-WAIT on the lab’s side after the lab closes a connection first', async () => {
    const c = clients[0]
    await selectConnection(ui.page, c.id)
    await connectionAction(ui.page, 'Close')
    await waitPeerRow(ui.page, `127.0.0.1:${c.src}`, (r) => r.state.startsWith('closed'))
    // nc has read EOF but keeps its side open while its stdin is open: FIN-WAIT-2 here, CLOSE-WAIT there.
    await waitKernel(
      ui.page,
      (rs) =>
        rs.some(
          (r) => r.state === 'FIN-WAIT-2' && r.local === `127.0.0.1:${port}` && r.remote === `127.0.0.1:${c.src}`
        ) && rs.some((r) => r.state === 'CLOSE-WAIT' && r.local === `127.0.0.1:${c.src}`),
      'FIN-WAIT-2 on the lab side, CLOSE-WAIT on nc’s'
    )
    // Ctrl-D in nc: it closes its side too; the side that closed first then waits in TIME-WAIT.
    c.nc.child.stdin.end()
    const rows = await waitKernel(
      ui.page,
      (rs) =>
        rs.some((r) => r.state === 'TIME-WAIT' && r.local === `127.0.0.1:${port}` && r.remote === `127.0.0.1:${c.src}`),
      'a TIME-WAIT socket on the lab side'
    )
    // The leftover keeps the closed connection's 4-tuple, so it still links to its (greyed) row.
    expect(rows.find((r) => r.state === 'TIME-WAIT' && r.local === `127.0.0.1:${port}`)?.lab).toBe(`#${c.id}`)
    expect(rows.some((r) => r.local === `127.0.0.1:${c.src}` && r.state === 'TIME-WAIT')).toBe(false)
    await waitFor(() => c.nc.child.exitCode !== null || undefined, { what: 'nc to exit after EOF' })
    // The other client is untouched.
    expect(rows.filter((r) => r.state === 'ESTABLISHED' && r.local === `127.0.0.1:${port}`)).toHaveLength(1)
  })

  it('shows Recv-Q growing on the lab’s socket and Send-Q on nc’s while reading is paused, then exact counts after resume', async () => {
    const { label, port: sink } = await startServerFromUi(ui.page, '127.0.0.1', 'discard')
    await selectServer(ui.page, label)
    const { nc, src } = await ncClient(sink)
    nc.child.stdin.write('x')
    const row = await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesIn === 1)
    await selectConnection(ui.page, row.id)
    await connectionAction(ui.page, 'Pause reading')
    await ui.page
      .getByRole('list', { name: 'Connection actions' })
      .getByRole('button', { name: 'Resume reading' })
      .waitFor()
    const total = 20 * 1024 * 1024
    // One write; nc copies it as the kernel lets it, so it stalls once both buffers are full.
    nc.child.stdin.write(Buffer.alloc(total - 1, 0x61))
    await openDockTab(ui.page, 'Kernel sockets')
    const labSide = (r: { local: string; remote: string }): boolean =>
      r.local === `127.0.0.1:${sink}` && r.remote === `127.0.0.1:${src}`
    const ncSide = (r: { local: string; remote: string }): boolean => r.local === `127.0.0.1:${src}`
    const stalled = await waitKernel(
      ui.page,
      (rs) => rs.some((r) => labSide(r) && r.recvQ > 0) && rs.some((r) => ncSide(r) && r.sendQ > 0),
      'Recv-Q > 0 on the lab socket and Send-Q > 0 on nc’s',
      15_000
    )
    expect(stalled.find(labSide)?.owner).toBe('own')
    expect(stalled.find(ncSide)?.owner).toBe('other')
    // Nothing is read while paused: the row's count stays below what nc was given.
    expect((await readRows(ui.page)).find((r) => r.id === row.id)?.bytesIn).toBeLessThan(total)
    await connectionAction(ui.page, 'Resume reading')
    await waitPeerRow(ui.page, `127.0.0.1:${src}`, (r) => r.bytesIn === total, 20_000)
    await waitKernel(
      ui.page,
      (rs) => rs.some((r) => labSide(r) && r.recvQ === 0) && rs.some((r) => ncSide(r) && r.sendQ === 0),
      'both queues drained'
    )
  })

  it('names nc and its pid when the port is held by `nc -l`', async () => {
    const port = await freePort()
    const holder = peer('nc', ['-l', '127.0.0.1', String(port)])
    await waitListening(port)
    // Stop the kernel panel's polling first: the engine reuses its inode→process scan for a moment, and a
    // scan taken just before `nc -l` started can miss it once (see the report); a second try rescans.
    await openDockTab(ui.page, 'Try this')
    const form = ui.page.getByRole('form', { name: 'Start a server' })
    let text = ''
    for (let attempt = 0; attempt < 3 && !text.includes(`pid ${holder.child.pid} (nc)`); attempt++) {
      if (attempt > 0) {
        await form.getByRole('button', { name: 'Dismiss error' }).click()
        await form.getByRole('alert').waitFor({ state: 'detached' })
      }
      await submitStartForm(ui.page, { host: '127.0.0.1', port: String(port) })
      const alert = form.getByRole('alert').filter({ hasText: `Port ${port} is already in use` })
      await alert.waitFor()
      text = (await alert.textContent()) ?? ''
    }
    expect(text).toContain(`It is held by pid ${holder.child.pid} (nc)`)
    holder.kill()
  })

  it('ran without page errors', async () => {
    expect(ui.browser.errors.filter((e) => /Content Security Policy|Refused to|Uncaught/i.test(e))).toEqual([])
  })
})
