import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { startPeer } from '../helpers/processes'
import { connectPeer } from './support/node-peer'
import type { NodePeer } from './support/node-peer'
import { disposeAfterEach } from './support/per-test'

let lab: TestLab
const { peers, procs } = disposeAfterEach(() => lab)

async function server(
  behaviour: 'manual' | 'echo' = 'manual',
  extra: { maxConnections?: number; acceptMode?: 'one-at-a-time' } = {}
): Promise<number> {
  lab = createTestLab()
  const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour, ...extra })
  return s.bound.port
}

async function peer(port: number): Promise<NodePeer> {
  const p = await connectPeer({ port })
  peers.push(p)
  return p
}

/** Tries a plain connect: 'connected' or the error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve('connected')
    })
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
  })
}

describe('connection actions', () => {
  it('half-close: the peer sees EOF and the lab still reads what it sends afterwards', async () => {
    const port = await server()
    const p = await peer(port)
    await lab.waitConn((c) => c.state === 'open', 'open')
    const info = await lab.ok('connection:action', { connectionId: 1, action: 'half-close' })
    expect(info.state).toBe('lab-half-closed')
    await p.ended
    p.socket.write('still talking')
    await lab.waitConn((c) => c.bytesIn === 13, 'the lab to read after its FIN')
    p.socket.end()
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.closeReason).toBe('peer-fin')
  })

  it("half-close with nc: nc keeps sending after the lab's FIN, the lab reads it", async () => {
    const port = await server()
    const nc = startPeer('nc', ['127.0.0.1', String(port)])
    procs.push(nc)
    await lab.waitConn((c) => c.state === 'open', 'open')
    await lab.ok('connection:action', { connectionId: 1, action: 'half-close' })
    nc.child.stdin.write('after fin\n')
    await lab.waitConn((c) => c.bytesIn === 10, 'the lab to read what nc sent after the FIN')
    nc.child.stdin.end()
    await lab.waitConn((c) => c.state === 'closed', 'close')
  })

  it('reset: socat reports "Connection reset by peer"', async () => {
    const port = await server()
    // socat 1.7 logs a reset as a warning, which -d makes visible.
    const socat = startPeer('socat', ['-d', '-', `TCP:127.0.0.1:${port}`])
    procs.push(socat)
    await lab.waitConn((c) => c.state === 'open', 'open')
    await lab.ok('connection:action', { connectionId: 1, action: 'reset' })
    await socat.exited
    expect(socat.stderr()).toMatch(/Connection reset by peer/)
    expect(lab.conn(1)).toMatchObject({ state: 'closed', closeReason: 'lab-reset' })
  })

  it('close: a graceful FIN; nc exits, reason lab-close', async () => {
    const port = await server()
    // -d: nc does not read stdin, so the lab's FIN is what ends it.
    const nc = startPeer('nc', ['-d', '127.0.0.1', String(port)])
    procs.push(nc)
    await lab.waitConn((c) => c.state === 'open', 'open')
    await lab.ok('connection:send', { connectionId: 1, payload: { format: 'text', text: 'bye', lineEnding: 'lf' } })
    await lab.ok('connection:action', { connectionId: 1, action: 'close' })
    await nc.exited
    expect(nc.output().toString()).toBe('bye\n')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.closeReason).toBe('lab-close')
    const again = await lab.session.handle('connection:action', { connectionId: 1, action: 'close' })
    expect(again).toMatchObject({ ok: false, error: { code: 'closed' } })
  })

  it("pause: the peer's writes pile up (write() returns false) while bytesIn stops; resume delivers every byte", async () => {
    const port = await server('manual')
    const p = await peer(port)
    await lab.waitConn((c) => c.state === 'open', 'open')
    const paused = await lab.ok('connection:action', { connectionId: 1, action: 'pause' })
    expect(paused.paused).toBe(true)
    const block = Buffer.alloc(64 * 1024, 0x70)
    let sent = 0
    let stalled = false
    // Write with flow control until a 'drain' stops coming: the kernel buffers on both sides are full.
    for (let i = 0; i < 4096 && !stalled; i++) {
      sent += block.length
      if (p.socket.write(block)) continue
      stalled = !(await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 500)
        p.socket.once('drain', () => {
          clearTimeout(t)
          resolve(true)
        })
      }))
    }
    expect(stalled).toBe(true)
    expect(p.socket.writableLength).toBeGreaterThan(0)
    // Nothing was read while paused: the bytes sit in the kernel's buffers and the peer's queue.
    expect(lab.conn(1).bytesIn).toBe(0)
    expect(sent).toBeGreaterThan(p.socket.writableLength)
    await lab.ok('connection:action', { connectionId: 1, action: 'resume' })
    const c = await lab.waitConn((c) => c.bytesIn === sent, `all ${sent} bytes to arrive`, 10_000)
    expect(c.paused).toBe(false)
    expect(p.socket.writableLength).toBe(0)
  })
})

describe('server actions', () => {
  it('accepting:false refuses new clients but keeps existing ones; accepting:true listens again on the same port', async () => {
    const port = await server('echo')
    const p = await peer(port)
    const s = await lab.ok('server:configure', { serverId: 1, accepting: false })
    expect(s.state).toBe('not-accepting')
    expect(await tryConnect(port)).toBe('ECONNREFUSED')
    p.socket.write('still here\n')
    await p.waitFor('still here\n')
    const again = await lab.ok('server:configure', { serverId: 1, accepting: true })
    expect(again).toMatchObject({ state: 'listening', bound: { port } })
    expect(await tryConnect(port)).toBe('connected')
  })

  it('close-all closes every connection and keeps listening', async () => {
    const port = await server('echo')
    const a = await peer(port)
    const b = await peer(port)
    await lab.waitConn((c) => c.id === 2, 'two')
    expect(await lab.ok('server:close-all', { serverId: 1 })).toEqual({ closed: 2 })
    await a.ended
    await b.ended
    expect(await tryConnect(port)).toBe('connected')
  })

  it('server:stop closes the listener and its connections (reason server-stopped)', async () => {
    const port = await server('echo')
    const a = await peer(port)
    await lab.waitConn((c) => c.state === 'open', 'open')
    await lab.ok('server:stop', { serverId: 1 })
    await a.ended
    expect(await tryConnect(port)).toBe('ECONNREFUSED')
    a.socket.end()
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.closeReason).toBe('server-stopped')
  })

  it('maxConnections: the extra client is closed with reason max-connections', async () => {
    const port = await server('echo', { maxConnections: 2 })
    await peer(port)
    await peer(port)
    const third = await peer(port)
    await third.ended
    const c = await lab.waitConn((c) => c.id === 3 && c.state === 'closed', 'the third to close')
    expect(c.closeReason).toBe('max-connections')
    expect(lab.conn(1).state).toBe('open')
  })

  it('one-at-a-time: the second client is queued and unanswered until the first leaves', async () => {
    const port = await server('echo', { acceptMode: 'one-at-a-time' })
    const a = await peer(port)
    await lab.waitConn((c) => c.id === 1 && c.state === 'open', 'first open')
    const b = await peer(port)
    const queued = await lab.waitConn((c) => c.id === 2, 'second accepted')
    expect(queued.state).toBe('queued')
    b.socket.write('waiting\n')
    a.socket.write('first\n')
    await a.waitFor('first\n')
    expect(b.received().length).toBe(0)
    expect(lab.conn(2).bytesIn).toBe(0)
    a.socket.end()
    await b.waitFor('waiting\n', 'the queued client to be served')
    expect(lab.conn(2).state).toBe('open')
  })
})
