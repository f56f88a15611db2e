import net from 'node:net'
import v8 from 'node:v8'
import vm from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'

const MiB = 1024 * 1024
const SIXTEEN_MIB_TEXT = 'A'.repeat(16 * MiB)

// Buffer memory is measured after a full collection, so it counts what is still held, not garbage.
v8.setFlagsFromString('--expose-gc')
const collect = vm.runInNewContext('gc') as () => void
/** Buffer memory still referenced, after a full collection. */
function heldBuffers(): number {
  collect()
  collect()
  return process.memoryUsage().arrayBuffers
}

let lab: TestLab
const cleanups: (() => void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await lab?.dispose()
})

/** A listener whose accepted sockets are never read (the kernel's buffers fill, then the sender's). */
async function nonReadingPeer(): Promise<{ port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = []
  const server = net.createServer({ pauseOnConnect: true }, (s) => {
    s.on('error', () => {})
    sockets.push(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  cleanups.push(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return { port: (server.address() as net.AddressInfo).port, sockets }
}

describe('a peer that never reads', () => {
  it('echo to a client that sends but never reads: the lab stops reading, its buffers stay small, nothing is lost', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const rss0 = process.memoryUsage().rss
    const client = net.connect({ host: '127.0.0.1', port: server.bound.port, allowHalfOpen: true })
    client.pause()
    client.on('error', () => {})
    cleanups.push(() => client.destroy())
    await new Promise<void>((r) => client.once('connect', () => r()))
    const conn = await lab.waitConn((c) => c.serverId === server.id && c.state === 'open', 'the accepted row')
    const live = lab.hub.lab.connections.get(conn.id)
    if (!live) throw new Error('no live row')

    // Send whenever the client's socket drains; stop when nothing moves any more (the whole path is full).
    const chunk = Buffer.alloc(64 * 1024, 0x5a)
    let sent = 0
    for (let round = 0; ; round++) {
      if (round > 100_000 || sent > 512 * MiB) throw new Error('no back-pressure after 512 MiB')
      while (client.write(chunk)) sent += chunk.length
      sent += chunk.length
      let drained = false
      const onDrain = (): void => void (drained = true)
      client.once('drain', onDrain)
      let last = live.bytesIn
      let since = Date.now()
      const outcome = await waitFor(
        () => {
          if (drained) return 'drain'
          if (live.bytesIn !== last) {
            last = live.bytesIn
            since = Date.now()
            return false
          }
          return Date.now() - since >= 400 ? 'stall' : false
        },
        { what: 'a drain or a stall', timeoutMs: 10_000, intervalMs: 20 }
      )
      client.off('drain', onDrain)
      if (outcome === 'stall') break
    }
    const atStall = { bytesIn: live.bytesIn, bytesOut: live.bytesOut, pending: live.pendingWriteBytes }
    const rssGrowth = process.memoryUsage().rss - rss0
    console.log(
      `[hostile-nonreader] echo stalled after the client wrote ${(sent / MiB).toFixed(1)} MiB: lab read ${(atStall.bytesIn / MiB).toFixed(1)} MiB, ` +
        `${atStall.pending} bytes waiting in the lab, RSS +${(rssGrowth / MiB).toFixed(0)} MiB`
    )
    expect(atStall.bytesOut).toBe(atStall.bytesIn)
    // The lab's own writes did back up (the peer's window is full)...
    expect(atStall.pending).toBeGreaterThan(0)
    // The lab stopped reading once its writes backed up: at most a few reads' worth waits in its buffer.
    expect(atStall.pending).toBeLessThanOrEqual(1 * MiB)
    expect(atStall.bytesIn).toBeLessThanOrEqual(sent)
    expect(rssGrowth).toBeLessThan(64 * MiB)

    // The client starts reading: the flow resumes and every byte comes back.
    let received = 0
    client.on('data', (d: Buffer) => (received += d.length))
    const ended = new Promise<void>((r) => client.once('end', () => r()))
    client.resume()
    client.end()
    await ended
    expect(received).toBe(sent)
    const done = await lab.waitConn((c) => c.id === conn.id && c.state === 'closed', 'the row to close')
    expect([done.bytesIn, done.bytesOut]).toEqual([sent, sent])
  })

  it('connection:send of 16 MiB again and again: the lab refuses to queue without bound, and what it accepted arrives exactly', async () => {
    lab = createTestLab()
    const peer = await nonReadingPeer()
    const client = await lab.ok('client:connect', { host: '127.0.0.1', port: peer.port })
    const live = lab.hub.lab.connections.get(client.id)
    if (!live) throw new Error('no live row')
    let accepted = 0
    const refusals: string[] = []
    for (let i = 0; i < 8; i++) {
      const r = await lab.session.handle('connection:send', {
        connectionId: client.id,
        payload: { format: 'text', text: SIXTEEN_MIB_TEXT }
      })
      if (r.ok) accepted += (r.value as { bytes: number }).bytes
      else refusals.push(`${r.error.code}: ${r.error.message}`)
    }
    const pending = live.pendingWriteBytes
    console.log(
      `[hostile-nonreader] 8 × 16 MiB to a non-reader: ${accepted / MiB} MiB accepted, ${pending / MiB} MiB waiting in the lab, refusals: ${refusals[0] ?? 'none'}`
    )
    // Bound: a send is refused while the connection already has tens of MiB waiting (say 32), so at most
    // one more 16 MiB payload can be queued on top.
    expect(pending).toBeLessThanOrEqual(48 * MiB)
    expect(refusals.length).toBeGreaterThan(0)
    expect(refusals.every((m) => m.length > 5)).toBe(true)

    // Once the peer reads, exactly what the lab accepted arrives, and the counters agree.
    const sock = await waitFor(() => peer.sockets[0], { what: 'the peer socket' })
    let received = 0
    sock.on('data', (d: Buffer) => (received += d.length))
    sock.resume()
    await waitFor(() => received === accepted, { what: `${accepted} bytes at the peer`, timeoutMs: 15_000 })
    expect(lab.conn(client.id).bytesOut).toBe(accepted)
  })

  it('connection:send to every connection of a server: one 16 MiB payload is not copied per connection', async () => {
    lab = createTestLab()
    const N = 20
    const clients: net.Socket[] = []
    cleanups.push(() => clients.forEach((s) => s.destroy()))
    /** A manual server with `n` clients that never read. */
    const serverWith = async (n: number): Promise<number> => {
      const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual' })
      for (let i = 0; i < n; i++) {
        const s = net.connect({ host: '127.0.0.1', port: server.bound.port })
        s.pause()
        s.on('error', () => {})
        clients.push(s)
      }
      await waitFor(() => lab.hub.lab.servers.get(server.id)?.connections.size === n, { what: `${n} open rows` })
      return server.id
    }
    const growthOfSend = async (serverId: number): Promise<number> => {
      const before = heldBuffers()
      await lab.ok('connection:send', { serverId, payload: { format: 'text', text: SIXTEEN_MIB_TEXT } })
      return heldBuffers() - before
    }
    const one = await serverWith(1)
    const many = await serverWith(N)
    const g1 = await growthOfSend(one)
    const gN = await growthOfSend(many)
    console.log(
      `[hostile-nonreader] 16 MiB to 1 non-reader: buffer memory +${(g1 / MiB).toFixed(0)} MiB; to ${N} at once: +${(gN / MiB).toFixed(0)} MiB`
    )
    // The same bytes go to every socket: sending to N must hold about what sending to one does
    // (one 16 MiB buffer until the slowest peer takes it), not N copies.
    expect(g1).toBeLessThanOrEqual(20 * MiB)
    expect(gN).toBeLessThanOrEqual(32 * MiB)
  })
})
