import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import type { KernelSocket } from '@shared/kernel-model'

let lab: TestLab | undefined
const sockets: net.Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await lab?.dispose()
  lab = undefined
})

function client(port: number): { socket: net.Socket; connected: () => boolean; got: () => string } {
  let ok = false
  let text = ''
  const socket = net.connect({ port, host: '127.0.0.1' })
  socket.on('connect', () => (ok = true))
  socket.on('data', (d) => (text += d.toString()))
  socket.on('error', () => undefined)
  sockets.push(socket)
  return { socket, connected: () => ok, got: () => text }
}

async function listener(port: number): Promise<KernelSocket | undefined> {
  const view = await lab!.ok('kernel:sockets', { scope: 'lab' })
  return view.sockets.find((s) => s.state === 'LISTEN' && s.localPort === port)
}

describe.runIf(process.platform === 'linux')('accept mode "never": the kernel\'s accept queue, visible', () => {
  it('fills to backlog + 1, later clients stay in SYN-SENT, and all are served once the lab accepts', async () => {
    lab = createTestLab()
    const backlog = 3
    const s = await lab.ok('server:start', { port: 0, backlog, acceptMode: 'never', behaviour: 'echo' })
    expect(s.acceptMode).toBe('never')
    expect(s.holderPid).toBeGreaterThan(0)
    const clients = Array.from({ length: backlog + 3 }, () => client(s.bound.port))
    // backlog + 1 handshakes complete in the kernel; nobody accepted them.
    await waitFor(() => clients.filter((c) => c.connected()).length === backlog + 1, { what: 'the queue to fill' })
    const l = await waitFor(
      async () => {
        const x = await listener(s.bound.port)
        return x && x.recvQ === backlog + 1 ? x : undefined
      },
      { what: 'LISTEN Recv-Q = backlog + 1' }
    )
    expect(l.pid).toBe(s.holderPid)
    // The others get no answer at all: their SYNs are dropped and retried (SYN-SENT), no error.
    const view = await lab.ok('kernel:sockets', { scope: 'lab' })
    const waiting = view.sockets.filter((k) => k.state === 'SYN-SENT' && k.remotePort === s.bound.port)
    expect(waiting.length).toBe(2)
    expect(clients.filter((c) => c.connected()).length).toBe(backlog + 1)
    expect(lab.hub.lab.connections.size).toBe(0)

    const configured = await lab.ok('server:configure', { serverId: s.id, acceptMode: 'concurrent' })
    expect(configured).toMatchObject({ acceptMode: 'concurrent', holderPid: null })
    for (const [i, c] of clients.entries()) c.socket.write(`client ${i}\n`)
    // The queued ones at once; the dropped ones when their SYN is retried (about 1 s, then 3 s on Linux).
    await waitFor(() => clients.every((c, i) => c.got() === `client ${i}\n`), {
      what: 'every client served',
      timeoutMs: 10_000
    })
    expect(lab.hub.lab.connections.size).toBe(backlog + 3)
    await waitFor(async () => (await listener(s.bound.port))?.pid === process.pid, {
      what: 'the lab owns the listener'
    })
  })

  it('switching back to "never" stops accepting on the same port; stop closes the helper', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { port: 0, backlog: 2 })
    const back = await lab.ok('server:configure', { serverId: s.id, acceptMode: 'never' })
    expect(back.bound.port).toBe(s.bound.port)
    expect(back.holderPid).toBeGreaterThan(0)
    const c = client(s.bound.port)
    await waitFor(() => c.connected(), { what: 'handshake done by the kernel' })
    expect((await listener(s.bound.port))?.recvQ).toBe(1)
    expect(lab.hub.lab.connections.size).toBe(0)
    await lab.ok('server:stop', { serverId: s.id })
    await waitFor(async () => !(await listener(s.bound.port)), { what: 'listener gone' })
  })

  it('is refused for a Unix socket server, in words', async () => {
    lab = createTestLab()
    const r = await lab.session.handle('server:start', { host: 'unix:/tmp/never-here.sock', acceptMode: 'never' })
    expect(r).toMatchObject({ ok: false, error: { message: 'Accept mode "never" is for TCP servers' } })
  })
})

describe('accept mode "pool": at most K served at once', () => {
  it('a pool of 3 serves 3 at a time; answer times come in waves (sequential: one by one; event loop: all at once)', async () => {
    lab = createTestLab()
    const delay = 150
    const pool = await lab.ok('server:start', {
      port: 0,
      acceptMode: 'pool',
      poolSize: 3,
      options: { echoDelayMs: delay }
    })
    let most = 0
    const watch = setInterval(() => {
      const active = [...lab!.hub.lab.connections.values()].filter(
        (c) => c.serverId === pool.id && c.state === 'open'
      ).length
      most = Math.max(most, active)
    }, 5)
    const run = await lab.ok('lesson:load', { port: pool.bound.port, clients: 9 })
    clearInterval(watch)
    expect(run.clients.every((c) => c.error === null)).toBe(true)
    expect(most).toBe(3)
    const times = run.clients.map((c) => c.answerMs ?? 0).sort((a, b) => a - b)
    // Three waves: the 7th answer comes at least two delays after the first.
    expect(times[6] - times[0]).toBeGreaterThanOrEqual(2 * delay - 30)
    expect(times[2] - times[0]).toBeLessThan(delay)

    const seq = await lab.ok('server:start', { port: 0, acceptMode: 'one-at-a-time', options: { echoDelayMs: delay } })
    const s = await lab.ok('lesson:load', { port: seq.bound.port, clients: 4 })
    const st = s.clients.map((c) => c.answerMs ?? 0).sort((a, b) => a - b)
    expect(st[3] - st[0]).toBeGreaterThanOrEqual(3 * delay - 30)

    const loop = await lab.ok('server:start', { port: 0, options: { echoDelayMs: delay } })
    const l = await lab.ok('lesson:load', { port: loop.bound.port, clients: 9 })
    const lt = l.clients.map((c) => c.answerMs ?? 0).sort((a, b) => a - b)
    expect(lt[8] - lt[0]).toBeLessThan(delay)
  })

  it('pool size is live: widening the pool serves waiting clients at once', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { port: 0, acceptMode: 'pool', poolSize: 1, behaviour: 'manual' })
    const cs = Array.from({ length: 3 }, () => client(s.bound.port))
    await lab.waitConn(() => [...lab!.hub.lab.connections.values()].length === 3, 'three rows')
    expect([...lab.hub.lab.connections.values()].filter((c) => c.state === 'queued').length).toBe(2)
    await lab.ok('server:configure', { serverId: s.id, poolSize: 3 })
    expect([...lab.hub.lab.connections.values()].filter((c) => c.state === 'queued').length).toBe(0)
    expect(cs.length).toBe(3)
  })
})
