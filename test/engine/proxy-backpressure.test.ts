import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer, portOf, startUpstream } from '../helpers/proxy-peers'
import type { Peer, Upstream } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'
import { PIPE_HIGH_WATER } from '../../src/main/engine/proxy/pipe'

let lab: TestLab
let up: Upstream
const clients: Peer[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy()
  await lab?.dispose()
  await up?.close()
})

/** Writes 256 KiB pieces while the socket takes them; bounded by count and by the kernel's buffers. */
function flood(peer: Peer, maxBytes: number): { written: () => number } {
  let written = 0
  const piece = Buffer.alloc(256 * 1024, 0x61)
  const pump = (): void => {
    // Bounded: stops at maxBytes, or when the socket says its buffers are full (resumes on drain).
    while (written < maxBytes && !peer.socket.destroyed) {
      written += piece.length
      if (!peer.socket.write(piece)) return void peer.socket.once('drain', pump)
    }
  }
  pump()
  return { written: () => written }
}

/** Waits until a number stops changing for `quietMs`. */
async function settled(read: () => number, quietMs = 300, timeoutMs = 8_000): Promise<number> {
  let last = read()
  let since = Date.now()
  return waitFor(
    () => {
      const now = read()
      if (now !== last) {
        last = now
        since = Date.now()
        return null
      }
      return Date.now() - since >= quietMs ? now + 1 : null
    },
    { timeoutMs, intervalMs: 25, what: 'the flood to stall' }
  ).then((v) => v - 1)
}

function legs(): { client: ReturnType<TestLab['conn']>; upstream: ReturnType<TestLab['conn']> } {
  const all = [...lab.hub.lab.connections.values()].map((c) => c.info())
  return {
    client: all.find((c) => c.proxy?.leg === 'client')!,
    upstream: all.find((c) => c.proxy?.leg === 'upstream')!
  }
}

describe('back-pressure through the proxy', () => {
  for (const withLatency of [false, true]) {
    it(`a client that does not read stops the upstream, memory bounded${withLatency ? ' (with a latency holding bytes)' : ''}`, async () => {
      lab = createTestLab()
      up = await startUpstream()
      const p = await lab.ok('proxy:create', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
      if (withLatency)
        await lab.ok('toxic:add', { proxy: 'p', toxic: { type: 'latency', attributes: { latency: 50 } } })
      const client = await connectPeer(portOf(p.listen))
      clients.push(client)
      client.socket.pause()
      const server = await up.peer()
      // A latency caps throughput at the held bytes per latency (256 KiB / 50 ms): a smaller flood.
      const maxBytes = (withLatency ? 20 : 64) * 1024 * 1024
      const f = flood(server, maxBytes)
      const stalledAt = await settled(() => lab.hub.lab.connections.get(legs().upstream.id)!.info().bytesIn)
      const { client: cl, upstream: ul } = legs()
      const inLab = ul.bytesIn - cl.bytesOut
      const queued = lab.hub.lab.connections.get(cl.id)!.pendingWriteBytes
      // Held in the pipe plus queued on the client socket: at most the high-water mark plus two reads.
      // Everything else waits in the kernels, and the writer is stopped.
      expect(inLab).toBeLessThanOrEqual(PIPE_HIGH_WATER + 64 * 1024)
      expect(inLab + queued).toBeLessThanOrEqual(PIPE_HIGH_WATER + 2 * 64 * 1024)
      expect(f.written()).toBeLessThan(maxBytes)
      expect(stalledAt).toBeLessThan(16 * 1024 * 1024)
      // Once the client reads, everything flows, exactly.
      client.socket.resume()
      await waitFor(() => f.written() >= maxBytes, { timeoutMs: 15_000, what: 'the whole flood written' })
      await client.waitBytes(maxBytes, 15_000)
      expect(client.bytes().length).toBe(maxBytes)
      await waitFor(() => legs().client.bytesOut === maxBytes && legs().upstream.bytesIn === maxBytes, {
        what: 'exact counters'
      })
    })
  }

  it('many tiny reads held by a latency: the pipe stops reading at its piece budget, then delivers every byte in order', async () => {
    lab = createTestLab()
    up = await startUpstream()
    const p = await lab.ok('proxy:create', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
    await lab.ok('toxic:add', {
      proxy: 'p',
      toxic: { type: 'latency', stream: 'upstream', attributes: { latency: 100 } }
    })
    const client = await connectPeer(portOf(p.listen))
    clients.push(client)
    const n = 20_000
    const sent = Buffer.alloc(n)
    // Bounded: n one-byte writes, each its own segment (no Nagle), most arriving as their own read.
    for (let i = 0; i < n; i++) {
      sent[i] = i % 256
      client.socket.write(sent.subarray(i, i + 1))
    }
    const server = await up.peer()
    await server.waitBytes(n, 20_000)
    expect(server.bytes().equals(sent)).toBe(true)
    await waitFor(() => legs().upstream.bytesOut === n, { what: 'exact counters' })
  })
})
