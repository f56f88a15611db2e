import type { ConnectionInfo, EventBatch, LabEvent, ServerCounters, Snapshot, Totals } from '../src/shared/model'

/** What a mirror did with one batch. */
export type BatchOutcome = 'applied' | 'stale' | 'needs-snapshot'

/**
 * A consumer that applies the event stream the way the renderer does: a snapshot first, then every
 * batch in order as idempotent upserts; a gap in the numbers or a resync marker asks for a snapshot.
 * Used by the scale test and the bench as the stand-in for a window.
 */
export class StreamMirror {
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
export interface MirrorSession {
  handle(name: unknown, payload: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: { message: string } }>
}

/**
 * Wires a mirror to a session: applies each batch, acks it, and takes a snapshot when told to.
 * Returns the function to pass as the session's `send`, and `start` to take the first snapshot.
 */
export function mirrorConsumer(mirror: StreamMirror, session: () => MirrorSession, onBatch?: (b: EventBatch) => void) {
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
