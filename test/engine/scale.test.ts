import net from 'node:net'
import { describe, expect, it } from 'vitest'
import type { ConnectionInfo, EventBatch, LabEvent, ServerCounters, Snapshot, Totals } from '@shared/model'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabSession } from '../../src/main/engine/lab-hub'
import { waitFor } from '../helpers/wait'
import { hubPerTest } from './support/per-test'

const CONNECTIONS = 300

/** What a mirror did with one batch. */
type BatchOutcome = 'applied' | 'stale' | 'needs-snapshot'

/**
 * A consumer that applies the event stream the way the renderer does: a snapshot first, then every
 * batch in order as idempotent upserts; a gap in the numbers or a resync marker asks for a snapshot.
 * The stand-in for a window in this test.
 */
class StreamMirror {
  /** The last batch covered; -1 until the first snapshot. */
  seq = -1
  readonly connections = new Map<number, ConnectionInfo>()
  readonly servers = new Map<number, ServerCounters>()
  totals: Totals = { bytesIn: 0, bytesOut: 0, connectionsOpen: 0, connectionsEver: 0 }
  readonly stats = { batches: 0, snapshots: 0, gaps: 0, resyncs: 0, stale: 0 }

  /** Replaces everything with a snapshot. */
  applySnapshot(s: Snapshot): void {
    this.stats.snapshots++
    this.seq = s.seq
    this.connections.clear()
    for (const c of s.connections) this.connections.set(c.id, c)
    this.servers.clear()
    for (const sc of s.serverCounters) this.servers.set(sc.id, sc)
    this.totals = s.totals
  }

  /** Applies one batch in one step, or says a snapshot is needed. */
  applyBatch(b: EventBatch): BatchOutcome {
    if (this.seq < 0) return 'needs-snapshot'
    if (b.seq <= this.seq) {
      // Sent before the snapshot we hold, which already covers it.
      this.stats.stale++
      return 'stale'
    }
    if (b.seq !== this.seq + 1) {
      this.stats.gaps++
      return 'needs-snapshot'
    }
    this.seq = b.seq
    if (b.resync) {
      this.stats.resyncs++
      return 'needs-snapshot'
    }
    this.stats.batches++
    for (const e of b.events) this.applyEvent(e)
    const k = b.counters
    for (let i = 0; i < k.ids.length; i++) {
      const c = this.connections.get(k.ids[i])
      if (!c) continue
      // Counters only grow: max() keeps an upsert idempotent whatever arrived first.
      c.bytesIn = Math.max(c.bytesIn, k.bytesIn[i])
      c.bytesOut = Math.max(c.bytesOut, k.bytesOut[i])
      c.chunksIn = Math.max(c.chunksIn, k.chunksIn[i])
      c.chunksOut = Math.max(c.chunksOut, k.chunksOut[i])
      c.lastActivity = Math.max(c.lastActivity, k.lastActivity[i])
    }
    for (const s of b.servers) this.servers.set(s.id, s)
    this.totals = b.totals
    return 'applied'
  }

  private applyEvent(e: LabEvent): void {
    switch (e.type) {
      case 'connection.opened':
      case 'connection.updated':
      case 'connection.peer-ended':
      case 'connection.closed': {
        const old = this.connections.get(e.connection.id)
        const c = { ...e.connection }
        if (old) {
          c.bytesIn = Math.max(c.bytesIn, old.bytesIn)
          c.bytesOut = Math.max(c.bytesOut, old.bytesOut)
          c.chunksIn = Math.max(c.chunksIn, old.chunksIn)
          c.chunksOut = Math.max(c.chunksOut, old.chunksOut)
          c.lastActivity = Math.max(c.lastActivity, old.lastActivity)
        }
        this.connections.set(c.id, c)
        break
      }
      case 'connections.removed':
        for (const id of e.ids) this.connections.delete(id)
        break
      case 'server.stopped':
        this.servers.delete(e.serverId)
        break
      default:
        break
    }
  }
}

/** The session calls a mirror needs (a LabSession satisfies it). */
interface MirrorSession {
  handle(
    name: unknown,
    payload: unknown
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: { message: string } }>
}

/**
 * Wires a mirror to a session: applies each batch, acks it, and takes a snapshot when told to.
 * Returns the function to pass as the session's `send`, and `start` to take the first snapshot.
 */
function mirrorConsumer(
  mirror: StreamMirror,
  session: () => MirrorSession,
  onBatch?: (b: EventBatch) => void
): { send(b: EventBatch): void; start(): Promise<void> } {
  let snapshotting = false
  async function snapshot(): Promise<void> {
    if (snapshotting) return
    snapshotting = true
    try {
      const r = await session().handle('lab:snapshot', {})
      if (!r.ok) throw new Error(r.error.message)
      mirror.applySnapshot(r.value as Snapshot)
    } finally {
      snapshotting = false
    }
  }
  return {
    send(b: EventBatch): void {
      onBatch?.(b)
      const outcome = mirror.applyBatch(b)
      void session().handle('lab:ack', { seq: b.seq })
      if (outcome === 'needs-snapshot') void snapshot()
    },
    start: snapshot
  }
}

const { sockets, keep } = hubPerTest()

/** A burst of `size` bytes in chunks of up to 4 KiB, as fast as the socket takes them; resolves when all came back. */
function burst(port: number, size: number, end: boolean): Promise<{ sock: net.Socket; localPort: number }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1')
    sockets.push(sock)
    let back = 0
    sock.on('error', reject)
    sock.on('data', (d: Buffer) => {
      back += d.length
      if (back === size) resolve({ sock, localPort: sock.localPort ?? 0 })
    })
    sock.once('connect', () => {
      for (let off = 0; off < size; off += 4_096) sock.write(Buffer.alloc(Math.min(4_096, size - off), off & 0xff))
      if (end) sock.end()
    })
  })
}

describe('scale: a few hundred real connections', () => {
  it(`${CONNECTIONS} connections bursting into an echo server end with exact counters in the consumer, at most 20 batches/s`, async () => {
    const h = keep(createLabHub())
    const mirror = new StreamMirror()
    const batchTimes: number[] = []
    let largest = 0
    const consumer = mirrorConsumer(
      mirror,
      () => session,
      (b: EventBatch) => {
        batchTimes.push(Date.now())
        largest = Math.max(largest, b.events.length + b.counters.ids.length)
      }
    )
    const session: LabSession = h.connect(consumer.send)
    await consumer.start()
    const started = await h.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    if (!started.ok) throw new Error(started.error.message)
    const { port } = (started.value as { bound: { port: number } }).bound

    const t0 = Date.now()
    const sizes = Array.from({ length: CONNECTIONS }, (_, i) => 1_000 + ((i * 7_919) % 60_000))
    // Half of the clients close after their burst, half stay open.
    const clients = await Promise.all(sizes.map((size, i) => burst(port, size, i % 2 === 0)))
    const byPort = new Map(clients.map((c, i) => [c.localPort, sizes[i]]))
    const sum = sizes.reduce((a, b) => a + b, 0)

    await waitFor(
      () => {
        const rows = [...mirror.connections.values()]
        return (
          rows.length === CONNECTIONS &&
          rows.every((c) => c.bytesIn === byPort.get(c.remote.port) && c.bytesOut === byPort.get(c.remote.port)) &&
          rows.filter((c) => c.state === 'closed').length === CONNECTIONS / 2
        )
      },
      { what: 'every connection with exact counters in the mirror', timeoutMs: 15_000 }
    )
    const elapsed = Date.now() - t0

    // Per connection: the mirror equals the engine equals what the peer sent.
    for (const c of mirror.connections.values()) {
      const engine = h.lab.connections.get(c.id)
      expect(engine?.bytesIn).toBe(c.bytesIn)
      expect(engine?.chunksIn).toBe(c.chunksIn)
      expect(engine?.chunksOut).toBe(c.chunksOut)
    }
    // Totals: lab-wide and per server.
    expect(mirror.totals).toMatchObject({ bytesIn: sum, bytesOut: sum })
    const [server] = mirror.servers.values()
    expect(server).toMatchObject({ bytesIn: sum, bytesOut: sum, accepted: CONNECTIONS, open: CONNECTIONS / 2 })
    expect(mirror.totals.connectionsEver).toBe(CONNECTIONS)
    expect(mirror.totals.connectionsOpen).toBe(CONNECTIONS / 2)

    // Pace: at most 20 batches in any one second, and no snapshot was needed.
    const perSecond = Math.max(...batchTimes.map((t) => batchTimes.filter((u) => u >= t && u < t + 1_000).length))
    expect(perSecond).toBeLessThanOrEqual(20)
    expect(batchTimes.length).toBeLessThanOrEqual(Math.ceil((elapsed + 1_000) / 50))
    expect(mirror.stats).toMatchObject({ snapshots: 1, gaps: 0, resyncs: 0 })
    expect(largest).toBeGreaterThan(0)
  })
})

describe('scale: the consumer side of the stream', () => {
  function batch(seq: number, resync = false): EventBatch {
    const counters = { ids: [], bytesIn: [], bytesOut: [], chunksIn: [], chunksOut: [], lastActivity: [] }
    return {
      seq,
      at: 0,
      resync,
      events: [],
      counters,
      servers: [],
      totals: { bytesIn: 0, bytesOut: 0, connectionsOpen: 0, connectionsEver: 0 }
    }
  }

  it('applies batches in order after a snapshot, ignores ones the snapshot covers, and asks again on a gap or resync', () => {
    const m = new StreamMirror()
    expect(m.applyBatch(batch(1))).toBe('needs-snapshot')
    m.applySnapshot({
      seq: 3,
      at: 0,
      servers: [],
      serverCounters: [],
      connections: [],
      totals: batch(0).totals,
      limits: { trafficBytesPerConnection: 1, trafficBytesTotal: 1, closedConnectionsKept: 1 }
    })
    expect(m.applyBatch(batch(3))).toBe('stale')
    expect(m.applyBatch(batch(4))).toBe('applied')
    expect(m.applyBatch(batch(6))).toBe('needs-snapshot')
    expect(m.stats.gaps).toBe(1)
    expect(m.applyBatch(batch(5, true))).toBe('needs-snapshot')
    expect(m.stats.resyncs).toBe(1)
  })
})
