import type { CounterColumns, EventBatch, LabEvent, Snapshot } from '@shared/model'
import type { Lab } from './lab'
import type { LabConnection } from './lab-connection'
import type { LabServer } from './servers/lab-server'
import { coalesceChurn } from './churn'

/** Tuning of the batcher; defaults give about 15 batches a second. */
export interface BatcherOptions {
  intervalMs: number
  /** Events pending for one consumer past this → the compact form (last event per connection), and if still more, a resync marker. */
  maxEvents: number
  /** Most events one batch carries; the rest follow, in order, in the next batches (keeps each batch cheap to apply). */
  maxBatchEvents: number
  /** More changed connections than this in one batch → a resync marker instead. */
  maxRows: number
  /** A consumer that has not acknowledged a batch for this long is sent the next one anyway. */
  ackTimeoutMs: number
}

/** The documented defaults. */
export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = {
  intervalMs: 66,
  maxEvents: 5_000,
  maxBatchEvents: 1_000,
  maxRows: 20_000,
  ackTimeoutMs: 2_000
}

/** One consumer of the stream (a window, a browser tab) with its own numbering and flow control. */
export interface Outlet {
  /** The consumer applied batch `seq`: the next one may be sent. */
  ack(seq: number): void
  /** A fresh snapshot; batches after it continue from its `seq`. */
  snapshot(): Snapshot
  close(): void
}

class OutletState implements Outlet {
  seq = 0
  inFlightSince: number | null = null
  events: LabEvent[] = []
  connections = new Set<LabConnection>()
  servers = new Set<LabServer>()
  resync = false
  closed = false

  constructor(
    private readonly batcher: EventBatcher,
    readonly send: (batch: EventBatch) => void
  ) {}

  ack(seq: number): void {
    if (seq === this.seq) this.inFlightSince = null
    this.batcher.kick()
  }

  snapshot(): Snapshot {
    this.batcher.collect()
    this.clear()
    this.inFlightSince = null
    return this.batcher.lab.snapshot(this.seq)
  }

  close(): void {
    this.closed = true
    this.clear()
    this.batcher.remove(this)
  }

  clear(): void {
    this.events = []
    this.connections.clear()
    this.servers.clear()
    this.resync = false
  }

  get pending(): boolean {
    return this.resync || this.events.length > 0 || this.connections.size > 0 || this.servers.size > 0
  }
}

/**
 * The compact form of a long run of events, for when there are more than a batch may carry: the
 * consumer applies connection events as idempotent upserts, so only the last one per connection
 * matters (its info is the newest), a connection removed in the run needs none at all, and every
 * removal merges into one event at the end. Server events and notices are kept, in order.
 */
export function compactEvents(events: LabEvent[]): LabEvent[] {
  const removed: number[] = []
  const removedSet = new Set<number>()
  let removedAt = 0
  for (const e of events) {
    if (e.type !== 'connections.removed') continue
    removedAt = e.at
    for (const id of e.ids) {
      if (removedSet.has(id)) continue
      removedSet.add(id)
      removed.push(id)
    }
  }
  // The index of the last event of each connection: earlier ones are dropped.
  const last = new Map<number, number>()
  events.forEach((e, i) => {
    if ('connection' in e) last.set(e.connection.id, i)
  })
  const out: LabEvent[] = []
  events.forEach((e, i) => {
    if (e.type === 'connections.removed') return
    if ('connection' in e && (last.get(e.connection.id) !== i || removedSet.has(e.connection.id))) return
    out.push(e)
  })
  if (removed.length > 0) out.push({ type: 'connections.removed', at: removedAt, ids: removed })
  return out
}

/**
 * Coalesces the lab's changes into numbered batches on a timer: per-connection absolute counters and
 * the ordered discrete events, never more than one batch in flight per consumer.
 */
export class EventBatcher {
  private readonly options: BatcherOptions
  private readonly outlets = new Set<OutletState>()
  private timer: NodeJS.Timeout | null = null
  private readonly unsubscribe: () => void
  /** Batches sent, for the bench: count and the largest (events + rows). */
  readonly stats = { batches: 0, largestBatch: 0, resyncs: 0 }

  constructor(
    readonly lab: Lab,
    options: Partial<BatcherOptions> = {}
  ) {
    this.options = { ...DEFAULT_BATCHER_OPTIONS, ...options }
    this.unsubscribe = lab.onChange(() => this.kick())
  }

  /** Adds a consumer; `send` must not throw. */
  openOutlet(send: (batch: EventBatch) => void): Outlet {
    // Changes made before this consumer existed belong to the others; it starts from a snapshot.
    this.collect()
    const o = new OutletState(this, send)
    this.outlets.add(o)
    return o
  }

  /** Schedules a flush on the next tick of the timer (the timer only runs while there is work). */
  kick(): void {
    if (this.timer !== null || this.outlets.size === 0) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.flush()
    }, this.options.intervalMs)
    this.timer.unref?.()
  }

  /** Moves the lab's pending changes into every outlet's pending set. */
  collect(): void {
    const ch = this.lab.collectChanges()
    if (ch.events.length === 0 && ch.connections.length === 0 && ch.servers.length === 0 && !ch.overflow) return
    for (const o of this.outlets) {
      if (ch.overflow) o.resync = true
      if (!o.resync) {
        for (const e of ch.events) o.events.push(e)
        for (const c of ch.connections) o.connections.add(c)
        for (const s of ch.servers) o.servers.add(s)
        if (o.events.length > this.batchEventLimit) o.events = compactEvents(o.events)
        if (o.events.length > this.options.maxEvents || o.connections.size > this.options.maxRows) o.resync = true
      }
      if (o.resync) {
        o.events = []
        o.connections.clear()
        o.servers.clear()
      }
    }
  }

  /** Sends what is pending to every consumer that is free to receive. */
  flush(): void {
    this.collect()
    const now = Date.now()
    let waiting = false
    for (const o of this.outlets) {
      if (!o.pending) continue
      if (o.inFlightSince !== null && now - o.inFlightSince < this.options.ackTimeoutMs) {
        waiting = true
        continue
      }
      const { batch, restEvents, restConnections } = this.build(o, now)
      o.clear()
      o.events = restEvents
      o.connections = restConnections
      o.inFlightSince = now
      this.stats.batches++
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.events.length + batch.counters.ids.length)
      if (batch.resync) this.stats.resyncs++
      o.send(batch)
    }
    // Consumers still busy get their turn on a later tick.
    if (waiting) this.kick()
  }

  /** @internal */
  remove(o: OutletState): void {
    this.outlets.delete(o)
  }

  /** Stops the timer and detaches from the lab. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.unsubscribe()
    this.outlets.clear()
  }

  private get batchEventLimit(): number {
    return Math.max(1, Math.min(this.options.maxBatchEvents, this.options.maxEvents))
  }

  private build(
    o: OutletState,
    now: number
  ): { batch: EventBatch; restEvents: LabEvent[]; restConnections: Set<LabConnection> } {
    o.seq++
    const counters: CounterColumns = {
      ids: [],
      bytesIn: [],
      bytesOut: [],
      chunksIn: [],
      chunksOut: [],
      lastActivity: []
    }
    // An accept storm: connections opened and closed within this batch travel as one event each, no row.
    const churn = coalesceChurn(o.resync ? [] : o.events)
    let events = churn.events
    let restEvents: LabEvent[] = []
    const restConnections = new Set<LabConnection>()
    const limit = this.batchEventLimit
    // Connections whose events wait for a later batch keep their counters back too, so a row never
    // reaches a consumer before the event that introduces its connection.
    const waiting = new Set<number>()
    if (events.length > limit) {
      restEvents = events.slice(limit)
      events = events.slice(0, limit)
      for (const e of restEvents) if ('connection' in e) waiting.add(e.connection.id)
    }
    if (!o.resync) {
      for (const c of o.connections) {
        if (waiting.has(c.id)) {
          restConnections.add(c)
          continue
        }
        // Its closing event carries the final counters; a closed connection's counters never move again.
        if (churn.closed.has(c.id) && c.closed) continue
        counters.ids.push(c.id)
        counters.bytesIn.push(c.bytesIn)
        counters.bytesOut.push(c.bytesOut)
        counters.chunksIn.push(c.chunksIn)
        counters.chunksOut.push(c.chunksOut)
        counters.lastActivity.push(c.lastActivity)
      }
    }
    const batch: EventBatch = {
      seq: o.seq,
      at: now,
      resync: o.resync,
      events,
      counters,
      servers: o.resync
        ? []
        : [...o.servers].filter((s) => this.lab.servers.has(s.serverId)).map((s) => this.lab.serverCounters(s)),
      totals: this.lab.currentTotals()
    }
    return { batch, restEvents, restConnections }
  }
}
