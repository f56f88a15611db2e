import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer, portOf, startUpstream } from '../helpers/proxy-peers'
import type { Peer, Upstream } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'
import { PIPE_HIGH_WATER } from '../../src/main/engine/proxy/pipe'
import { ANSWER_BATCH_BYTES, ANSWER_HIGH_WATER } from '../../src/main/engine/proxy/proxy-responder'
import { STREAM_HOLD_BYTES } from '@shared/responders/stream-responder'

let lab: TestLab
let up: Upstream
const clients: Peer[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy()
  await lab?.dispose()
  await up?.close()
})

/** Writes `piece` while the socket takes it; bounded by count and by the kernel's buffers. */
function flood(peer: Peer, piece: Buffer, maxBytes: number): { written: () => number } {
  let written = 0
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

async function setup(responder: unknown): Promise<{ c: Peer; server: Peer }> {
  lab = createTestLab()
  up = await startUpstream()
  const p = await lab.ok('proxy:create', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
  await lab.ok('proxy:respond', { proxy: 'p', stream: 'upstream', responder } as never)
  const c = await connectPeer(portOf(p.listen))
  clients.push(c)
  return { c, server: await up.peer() }
}

describe('a proxy responder stays within bounds', () => {
  it('a line that never ends, to an upstream that does not read: held bytes stay bounded', async () => {
    const { c, server } = await setup({ framing: 'line', rules: [{ match: { equals: 'x' }, reply: 'y' }] })
    server.socket.pause()
    const f = flood(c, Buffer.alloc(256 * 1024, 0x61), 32 * 1024 * 1024)
    const stalledAt = await settled(() => lab.hub.lab.connections.get(legs().client.id)!.info().bytesIn)
    const { client: cl, upstream: ul } = legs()
    const inLab = cl.bytesIn - ul.bytesOut
    const queued = lab.hub.lab.connections.get(ul.id)!.pendingWriteBytes
    // The unfinished message is held up to STREAM_HOLD_BYTES, then passed on unjudged like any bytes.
    expect(inLab + queued).toBeLessThanOrEqual(PIPE_HIGH_WATER + STREAM_HOLD_BYTES + 2 * 64 * 1024)
    expect(stalledAt).toBeLessThan(f.written())
    expect(stalledAt).toBeLessThan(24 * 1024 * 1024)
  })

  it('messages piling up behind a delayed answer stop the lab reading from their sender', async () => {
    const { c } = await setup({
      framing: 'line',
      rules: [{ match: { equals: 'x' }, reply: 'y\\n', delayMs: 5_000 }]
    })
    const f = flood(c, Buffer.from('x\n'.repeat(32 * 1024)), 16 * 1024 * 1024)
    const stalledAt = await settled(() => lab.hub.lab.connections.get(legs().client.id)!.info().bytesIn)
    // Each waiting answer counts its bytes plus 64 in the pipe's held bytes: ~4,000 of them reach the high water.
    expect(stalledAt).toBeLessThan(PIPE_HIGH_WATER)
    expect(stalledAt).toBeLessThan(f.written())
    expect(c.bytes().length).toBe(0)
  })

  it('a sender that never reads its answers: the lab stops reading from it, its queue stays bounded', async () => {
    const reply = 'R'.repeat(63) + '\n'
    const { c } = await setup({ framing: 'line', rules: [{ match: { equals: 'ping' }, reply }] })
    c.socket.pause()
    // 1.25 MiB of pings ask for 16 MiB of answers: more than the kernel's buffers hold.
    const f = flood(c, Buffer.from('ping\n'.repeat(8 * 1024)), 32 * 40_960)
    const stalledAt = await settled(() => lab.hub.lab.connections.get(legs().client.id)!.info().bytesIn)
    const leg = lab.hub.lab.connections.get(legs().client.id)!
    expect(leg.pendingWriteBytes).toBeLessThanOrEqual(ANSWER_HIGH_WATER + ANSWER_BATCH_BYTES + reply.length)
    expect(stalledAt).toBeLessThan(f.written())
    // Reading again drains the answers and the lab goes on: every ping is answered, in order, once.
    c.socket.resume()
    await waitFor(
      () => legs().client.bytesIn === f.written() && c.bytes().length === (f.written() / 5) * reply.length,
      {
        timeoutMs: 20_000,
        what: 'every ping answered'
      }
    )
    expect(legs().upstream.bytesOut).toBe(0)
  })
})
