import net from 'node:net'
import { describe, expect, it } from 'vitest'
import type { ConnectionInfo, EventBatch, LabEvent } from '@shared/model'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub, LabHubOptions } from '../../src/main/engine/lab-hub'
import { compactEvents } from '../../src/main/engine/event-batcher'
import type { Outlet } from '../../src/main/engine/event-batcher'
import { waitFor } from '../helpers/wait'
import { hubPerTest } from './support/per-test'

// The timer never fires within a test: each test flushes by hand, so batch contents are deterministic.
const MANUAL = 600_000

const { sockets, keep } = hubPerTest()

function makeHub(options: LabHubOptions = {}): LabHub {
  return keep(createLabHub({ ...options, batcher: { intervalMs: MANUAL, ...options.batcher } }))
}

/** An outlet that records its batches and acks only when told. */
function recorder(h: LabHub): { outlet: Outlet; got: EventBatch[] } {
  const got: EventBatch[] = []
  const outlet = h.batcher.openOutlet((b) => got.push(b))
  return { outlet, got }
}

function notices(events: LabEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'notice' ? [e.message] : []))
}

async function echoServer(h: LabHub): Promise<number> {
  const r = await h.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
  if (!r.ok) throw new Error(r.error.message)
  return (r.value as { bound: { port: number } }).bound.port
}

/** A real client that sends `count` chunks, one at a time, each after the previous one came back. */
async function pingPong(port: number, count: number, size: number): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1')
  sockets.push(sock)
  sock.setNoDelay(true)
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve)
    sock.once('error', reject)
  })
  let echoed = 0
  let sent = 0
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${echoed} bytes came back`)), 10_000)
    sock.on('data', (d: Buffer) => {
      echoed += d.length
      if (echoed === sent * size && sent < count) {
        sent++
        sock.write(Buffer.alloc(size, sent))
      }
      if (echoed === count * size) {
        clearTimeout(timer)
        resolve()
      }
    })
    sent++
    sock.write(Buffer.alloc(size, sent))
  })
  return sock
}

describe('event batcher: numbering, order and flow control', () => {
  it('numbers batches 1, 2, 3 with no gap and keeps event order across batches', () => {
    const h = makeHub()
    const { outlet, got } = recorder(h)
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) h.lab.notice('info', `r${round}-e${i}`)
      h.batcher.flush()
      outlet.ack(got[got.length - 1].seq)
    }
    expect(got.map((b) => b.seq)).toEqual([1, 2, 3])
    expect(got.flatMap((b) => notices(b.events))).toEqual([
      'r0-e0',
      'r0-e1',
      'r0-e2',
      'r0-e3',
      'r1-e0',
      'r1-e1',
      'r1-e2',
      'r1-e3',
      'r2-e0',
      'r2-e1',
      'r2-e2',
      'r2-e3'
    ])
    expect(got.every((b) => !b.resync)).toBe(true)
  })

  it('sends nothing when nothing changed', () => {
    const h = makeHub()
    const { got } = recorder(h)
    h.batcher.flush()
    h.batcher.flush()
    expect(got).toEqual([])
  })

  it('keeps one batch in flight per outlet until it is acknowledged (a wrong seq does not count)', () => {
    const h = makeHub()
    const { outlet, got } = recorder(h)
    h.lab.notice('info', 'a')
    h.batcher.flush()
    h.lab.notice('info', 'b')
    h.lab.notice('info', 'c')
    h.batcher.flush()
    expect(got).toHaveLength(1)
    outlet.ack(7)
    h.batcher.flush()
    expect(got).toHaveLength(1)
    outlet.ack(1)
    h.batcher.flush()
    expect(got.map((b) => b.seq)).toEqual([1, 2])
    expect(notices(got[1].events)).toEqual(['b', 'c'])
  })

  it('sends the next batch anyway once the ack is overdue', async () => {
    const h = makeHub({ batcher: { ackTimeoutMs: 60 } })
    const { got } = recorder(h)
    h.lab.notice('info', 'first')
    h.batcher.flush()
    const sentAt = Date.now()
    h.lab.notice('info', 'second')
    h.batcher.flush()
    expect(got).toHaveLength(1)
    await waitFor(
      () => {
        h.batcher.flush()
        return got.length === 2
      },
      { what: 'the overdue batch', timeoutMs: 2_000 }
    )
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(60)
    expect(got[1].seq).toBe(2)
    expect(notices(got[1].events)).toEqual(['second'])
  })

  it('numbers and paces each outlet on its own: a stalled consumer does not hold back another', () => {
    const h = makeHub()
    const fast = recorder(h)
    const slow = recorder(h)
    for (let i = 0; i < 3; i++) {
      h.lab.notice('info', `n${i}`)
      h.batcher.flush()
      fast.outlet.ack(fast.got[fast.got.length - 1].seq)
    }
    expect(fast.got.map((b) => b.seq)).toEqual([1, 2, 3])
    expect(slow.got.map((b) => b.seq)).toEqual([1])
    slow.outlet.ack(1)
    h.batcher.flush()
    // The slow one catches up in one batch holding everything it missed, in order.
    expect(slow.got.map((b) => b.seq)).toEqual([1, 2])
    expect(notices(slow.got[1].events)).toEqual(['n1', 'n2'])
    slow.outlet.close()
    h.lab.notice('info', 'after close')
    fast.outlet.ack(3)
    h.batcher.flush()
    expect(slow.got).toHaveLength(2)
    expect(fast.got).toHaveLength(4)
  })

  it('starts a new outlet clean: changes from before it opened are not replayed to it', () => {
    const h = makeHub()
    h.lab.notice('info', 'before anyone listened')
    const { got } = recorder(h)
    h.lab.notice('info', 'after')
    h.batcher.flush()
    expect(notices(got[0].events)).toEqual(['after'])
  })
})

describe('event batcher: counters from real connections', () => {
  it('coalesces 200 chunks of one connection into one row of absolute counters', async () => {
    const h = makeHub()
    const { outlet, got } = recorder(h)
    const port = await echoServer(h)
    h.batcher.flush()
    outlet.ack(got[got.length - 1].seq)
    await pingPong(port, 200, 100)
    h.batcher.flush()
    const b = got[got.length - 1]
    expect(b.counters.ids).toHaveLength(1)
    const [id] = b.counters.ids
    expect(b.counters.bytesIn[0]).toBe(20_000)
    expect(b.counters.bytesOut[0]).toBe(20_000)
    expect(b.counters.chunksIn[0]).toBe(200)
    expect(b.counters.chunksOut[0]).toBe(200)
    // No event per chunk: only the connection's opening is an event.
    expect(b.events.map((e) => e.type)).toEqual(['connection.opened'])
    expect(b.totals.bytesIn).toBe(20_000)
    expect(b.servers).toEqual([expect.objectContaining({ bytesIn: 20_000, bytesOut: 20_000, accepted: 1, open: 1 })])
    expect(h.lab.connections.get(id)?.bytesIn).toBe(20_000)
  })

  it('sends each changed connection once per batch, and again only after it changes again', async () => {
    const h = makeHub()
    const { outlet, got } = recorder(h)
    const port = await echoServer(h)
    const a = await pingPong(port, 3, 10)
    await pingPong(port, 2, 10)
    h.batcher.flush()
    outlet.ack(got[got.length - 1].seq)
    const first = got[got.length - 1]
    expect(first.counters.ids).toHaveLength(2)
    expect(first.counters.bytesIn.slice().sort()).toEqual([20, 30])
    // Only `a` moves now.
    a.write('xyz')
    await waitFor(
      () => (h.lab.connections.get(first.counters.ids[first.counters.bytesIn.indexOf(30)])?.bytesOut ?? 0) >= 33,
      {
        what: 'the echo of xyz'
      }
    )
    h.batcher.flush()
    const second = got[got.length - 1]
    expect(second.seq).toBe(first.seq + 1)
    expect(second.counters.ids).toHaveLength(1)
    expect(second.counters.bytesIn).toEqual([33])
    expect(second.counters.chunksIn).toEqual([4])
  })
})

describe('event batcher: bounded batches', () => {
  it('splits a long run of events over several batches, in order, one in flight at a time', () => {
    const h = makeHub({ batcher: { maxBatchEvents: 3 } })
    const { outlet, got } = recorder(h)
    for (let i = 0; i < 7; i++) h.lab.notice('info', `n${i}`)
    h.batcher.flush()
    h.batcher.flush()
    expect(got).toHaveLength(1)
    for (let i = 0; i < 3; i++) {
      outlet.ack(got[got.length - 1].seq)
      h.batcher.flush()
    }
    expect(got.map((b) => [b.seq, notices(b.events)])).toEqual([
      [1, ['n0', 'n1', 'n2']],
      [2, ['n3', 'n4', 'n5']],
      [3, ['n6']]
    ])
    expect(got.every((b) => !b.resync)).toBe(true)
  })

  it("holds a connection's counters back until the batch that carries its opening", async () => {
    const h = makeHub({ batcher: { maxBatchEvents: 1 } })
    const { outlet, got } = recorder(h)
    const port = await echoServer(h)
    h.batcher.flush()
    outlet.ack(got[got.length - 1].seq)
    await pingPong(port, 1, 10)
    await pingPong(port, 1, 20)
    h.batcher.flush()
    outlet.ack(got[got.length - 1].seq)
    h.batcher.flush()
    const [first, second] = got.slice(-2)
    const opened = (b: EventBatch): number[] =>
      b.events.flatMap((e) => (e.type === 'connection.opened' ? [e.connection.id] : []))
    expect(opened(first)).toHaveLength(1)
    expect(first.counters.ids).toEqual(opened(first))
    expect(first.counters.bytesIn).toEqual([10])
    expect(opened(second)).toHaveLength(1)
    expect(second.counters.ids).toEqual(opened(second))
    expect(second.counters.bytesIn).toEqual([20])
  })
})

describe('event batcher: caps and resync', () => {
  it('replaces too many events with a resync marker, followed by a snapshot that continues the numbering', () => {
    const h = makeHub({ batcher: { maxEvents: 5 } })
    const { outlet, got } = recorder(h)
    expect(outlet.snapshot().seq).toBe(0)
    h.lab.notice('info', 'small')
    h.batcher.flush()
    expect(got[0]).toMatchObject({ seq: 1, resync: false })
    outlet.ack(1)
    for (let i = 0; i < 6; i++) h.lab.notice('info', `flood ${i}`)
    h.batcher.flush()
    const marker = got[1]
    expect(marker).toMatchObject({ seq: 2, resync: true, events: [] })
    expect(marker.counters.ids).toEqual([])
    const snap = outlet.snapshot()
    expect(snap.seq).toBe(2)
    h.lab.notice('info', 'after the snapshot')
    h.batcher.flush()
    expect(got[2]).toMatchObject({ seq: 3, resync: false })
    expect(notices(got[2].events)).toEqual(['after the snapshot'])
    expect(h.batcher.stats.resyncs).toBe(1)
  })

  it('resyncs when more connections changed than a batch may list', async () => {
    const h = makeHub({ batcher: { maxRows: 2 } })
    const { outlet, got } = recorder(h)
    const port = await echoServer(h)
    h.batcher.flush()
    outlet.ack(got[got.length - 1].seq)
    await Promise.all([pingPong(port, 1, 5), pingPong(port, 1, 5), pingPong(port, 1, 5)])
    h.batcher.flush()
    const last = got[got.length - 1]
    expect(last.resync).toBe(true)
    expect(last.counters.ids).toEqual([])
    const snap = outlet.snapshot()
    expect(snap.seq).toBe(last.seq)
    expect(snap.connections.map((c) => c.bytesIn)).toEqual([5, 5, 5])
  })

  it("turns the lab's pending-events overflow into a resync", () => {
    const h = makeHub({ limits: { pendingEventsMax: 10 } })
    const { outlet, got } = recorder(h)
    for (let i = 0; i < 15; i++) h.lab.notice('info', `n${i}`)
    h.batcher.flush()
    expect(got).toHaveLength(1)
    expect(got[0]).toMatchObject({ seq: 1, resync: true, events: [] })
    expect(outlet.snapshot().seq).toBe(1)
    h.lab.notice('info', 'fresh')
    h.batcher.flush()
    expect(got[1]).toMatchObject({ seq: 2, resync: false })
    expect(notices(got[1].events)).toEqual(['fresh'])
  })

  it('a snapshot taken while a batch is in flight covers it; the next batch follows on from its seq', () => {
    const h = makeHub()
    const { outlet, got } = recorder(h)
    h.lab.notice('info', 'in flight')
    h.batcher.flush()
    const snap = outlet.snapshot()
    expect(snap.seq).toBe(got[0].seq)
    // No ack came, yet the snapshot released the outlet.
    h.lab.notice('info', 'next')
    h.batcher.flush()
    expect(got[1].seq).toBe(snap.seq + 1)
    expect(notices(got[1].events)).toEqual(['next'])
  })
})

function info(id: number, state: ConnectionInfo['state'], bytesIn = 0): ConnectionInfo {
  return {
    id,
    serverId: 1,
    origin: 'accepted',
    family: 'IPv4',
    local: { address: '127.0.0.1', port: 9000 },
    remote: { address: '127.0.0.1', port: 40000 + id },
    state,
    closeReason: state === 'closed' ? 'peer-fin' : null,
    error: null,
    openedAt: 1,
    peerEndedAt: null,
    closedAt: state === 'closed' ? 2 : null,
    lastActivity: 1,
    bytesIn,
    bytesOut: 0,
    chunksIn: 0,
    chunksOut: 0,
    paused: false
  }
}

describe('event batcher: the compact form', () => {
  it('keeps the last event of each connection, drops removed ones, merges removals and keeps the rest in order', () => {
    const events: LabEvent[] = [
      { type: 'server.listening', at: 1, server: {} as never },
      { type: 'connection.opened', at: 1, connection: info(1, 'open') },
      { type: 'connection.opened', at: 1, connection: info(2, 'open') },
      { type: 'notice', at: 2, level: 'info', message: 'hello' },
      { type: 'connection.peer-ended', at: 3, connection: info(1, 'peer-half-closed', 5) },
      { type: 'connection.closed', at: 4, connection: info(1, 'closed', 5) },
      { type: 'connections.removed', at: 5, ids: [7] },
      { type: 'connection.opened', at: 6, connection: info(3, 'open') },
      { type: 'connection.closed', at: 7, connection: info(3, 'closed') },
      { type: 'connections.removed', at: 8, ids: [3, 7, 8] }
    ]
    const out = compactEvents(events)
    expect(out.map((e) => [e.type, 'connection' in e ? e.connection.id : null])).toEqual([
      ['server.listening', null],
      ['connection.opened', 2],
      ['notice', null],
      ['connection.closed', 1],
      ['connections.removed', null]
    ])
    expect(out[3]).toMatchObject({ connection: { bytesIn: 5, state: 'closed' } })
    expect(out[4]).toEqual({ type: 'connections.removed', at: 8, ids: [7, 3, 8] })
  })

  it('lets a burst of real connections through without a resync when their compact form fits', async () => {
    const h = makeHub({ batcher: { maxEvents: 30 } })
    const { outlet, got } = recorder(h)
    const port = await echoServer(h)
    h.batcher.flush()
    outlet.ack(got[got.length - 1].seq)
    // 12 connections × (opened, peer-ended, closed) = 36 events > 30; compact: 12.
    const clients = await Promise.all(Array.from({ length: 12 }, () => pingPong(port, 1, 10)))
    for (const c of clients) c.end()
    await waitFor(() => [...h.lab.connections.values()].filter((c) => c.closed).length === 12, { what: '12 closed' })
    h.batcher.flush()
    const b = got[got.length - 1]
    expect(b.resync).toBe(false)
    expect(b.events).toHaveLength(12)
    expect(b.events.every((e) => e.type === 'connection.closed' && e.connection.bytesIn === 10)).toBe(true)
  })
})

describe('event batcher: the timer', () => {
  it('flushes on its own, at most once per interval, while a consumer acks at once', async () => {
    const h = keep(createLabHub({ batcher: { intervalMs: 40 } }))
    const got: EventBatch[] = []
    const outlet = h.batcher.openOutlet((b) => {
      got.push(b)
      outlet.ack(b.seq)
    })
    const started = Date.now()
    let n = 0
    // Keep changes coming for 400 ms; a bounded loop.
    await waitFor(
      () => {
        h.lab.notice('info', `tick ${n++}`)
        return Date.now() - started > 400
      },
      { intervalMs: 2, timeoutMs: 2_000, what: '400 ms of changes' }
    )
    await waitFor(() => notices(got.flatMap((b) => b.events)).length === n, { what: 'every notice to arrive' })
    const elapsed = Date.now() - started
    expect(got.length).toBeGreaterThanOrEqual(3)
    expect(got.length).toBeLessThanOrEqual(Math.ceil(elapsed / 40) + 1)
    expect(notices(got.flatMap((b) => b.events))).toEqual(Array.from({ length: n }, (_, i) => `tick ${i}`))
  })
})
