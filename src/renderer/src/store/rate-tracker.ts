import type { ConnectionInfo, ServerCounters, Totals } from '@shared/model'
import type { CounterBaseline, Rate, RateSeries } from './rate-history'
import { RATE_SAMPLES, RateRing, rateSince } from './rate-history'

/** Samples of connections kept per connection: 30 s at 2 Hz (the sparkline of one row). */
export const CONNECTION_SAMPLES = 60
/** Connections whose sparkline history is kept (the ones the UI has shown). */
const WATCHED_MAX = 32

/** What one sampling tick produced, ready to merge into the lab state. */
export interface RateSample {
  totalRate: Rate
  totalHistory: RateSeries
  serverRates: Map<number, Rate>
  serverHistory: Map<number, RateSeries>
  /** Whether any connection's rate changed (then `connectionRates` was updated in place). */
  connectionsChanged: boolean
}

/**
 * Turns absolute counters into rates at a fixed tick. Work per tick is proportional to the
 * connections that moved since the last tick (plus the ones still moving), never to all rows.
 */
export class RateTracker {
  private lastAt: number
  private totalBase: CounterBaseline
  private readonly totalRing = new RateRing(RATE_SAMPLES)
  private readonly serverBase = new Map<number, CounterBaseline>()
  private readonly serverRings = new Map<number, RateRing>()
  private readonly connBase = new Map<number, CounterBaseline>()
  private readonly connRings = new Map<number, RateRing>()
  /** Connections that moved since the last tick or had a non-zero rate at it. */
  private readonly active = new Set<number>()
  /** The newest non-zero rate per connection; shared with the state (updated in place). */
  readonly connectionRates = new Map<number, Rate>()

  constructor(now: number) {
    this.lastAt = now
    this.totalBase = { at: now, bytesIn: 0, bytesOut: 0 }
  }

  /** Forgets connection baselines after a snapshot: rates restart from the snapshot's counters. */
  reset(now: number, totals: Totals, connections: Iterable<ConnectionInfo>, servers: Iterable<ServerCounters>): void {
    this.lastAt = now
    this.totalBase = { at: now, bytesIn: totals.bytesIn, bytesOut: totals.bytesOut }
    this.connBase.clear()
    this.active.clear()
    this.connectionRates.clear()
    for (const c of connections) this.connBase.set(c.id, { at: now, bytesIn: c.bytesIn, bytesOut: c.bytesOut })
    this.serverBase.clear()
    for (const s of servers) this.serverBase.set(s.id, { at: now, bytesIn: s.bytesIn, bytesOut: s.bytesOut })
    for (const id of [...this.connRings.keys()]) if (!this.connBase.has(id)) this.connRings.delete(id)
  }

  /** A connection is about to change from `prev` (undefined: first seen with `next`'s counters). */
  touch(prev: ConnectionInfo | undefined, next: ConnectionInfo): void {
    if (this.active.has(next.id)) return
    // The baseline is the counters as they stood at the last tick, so the first rate is not diluted.
    const from = prev ?? next
    this.connBase.set(next.id, { at: this.lastAt, bytesIn: from.bytesIn, bytesOut: from.bytesOut })
    this.active.add(next.id)
  }

  /** A connection left the store. */
  forget(id: number): void {
    this.connBase.delete(id)
    this.connRings.delete(id)
    this.active.delete(id)
    this.connectionRates.delete(id)
  }

  /**
   * The sparkline samples of one connection (the same object until its next sample). Its history starts
   * when it is first asked for: keeping a ring for each of 10,000 connections cost a 40–100 ms task when
   * thousands opened at once, and only a shown connection needs one. At most WATCHED_MAX are kept.
   */
  connectionSeries(id: number): RateSeries | undefined {
    let ring = this.connRings.get(id)
    if (!ring) {
      ring = new RateRing(CONNECTION_SAMPLES)
      this.connRings.set(id, ring)
      // Map order is the order rings were first asked for: the oldest go first.
      for (const old of this.connRings.keys()) {
        if (this.connRings.size <= WATCHED_MAX) break
        this.connRings.delete(old)
      }
    }
    return ring.series()
  }

  /** Takes one sample at `at`. */
  sample(
    at: number,
    totals: Totals,
    servers: ReadonlyMap<number, ServerCounters>,
    connections: ReadonlyMap<number, ConnectionInfo>
  ): RateSample {
    const totalRate = rateSince(this.totalBase, at, totals.bytesIn, totals.bytesOut)
    this.totalBase = { at, bytesIn: totals.bytesIn, bytesOut: totals.bytesOut }
    this.totalRing.push(at, totalRate.in, totalRate.out)

    const serverRates = new Map<number, Rate>()
    const serverHistory = new Map<number, RateSeries>()
    for (const [id, s] of servers) {
      // A server first seen after the snapshot started from zero.
      const base = this.serverBase.get(id) ?? { at: this.lastAt, bytesIn: 0, bytesOut: 0 }
      const r = rateSince(base, at, s.bytesIn, s.bytesOut)
      this.serverBase.set(id, { at, bytesIn: s.bytesIn, bytesOut: s.bytesOut })
      let ring = this.serverRings.get(id)
      if (!ring) this.serverRings.set(id, (ring = new RateRing(RATE_SAMPLES)))
      ring.push(at, r.in, r.out)
      serverRates.set(id, r)
      serverHistory.set(id, ring.series())
    }
    for (const id of [...this.serverRings.keys()]) if (!servers.has(id)) this.serverRings.delete(id)
    for (const id of [...this.serverBase.keys()]) if (!servers.has(id)) this.serverBase.delete(id)

    let connectionsChanged = false
    for (const id of [...this.active]) {
      const c = connections.get(id)
      if (!c) {
        this.forget(id)
        connectionsChanged = true
        continue
      }
      const base = this.connBase.get(id) ?? { at: this.lastAt, bytesIn: c.bytesIn, bytesOut: c.bytesOut }
      const r = rateSince(base, at, c.bytesIn, c.bytesOut)
      this.connBase.set(id, { at, bytesIn: c.bytesIn, bytesOut: c.bytesOut })
      this.connRings.get(id)?.push(at, r.in, r.out)
      const moving = r.in > 0 || r.out > 0
      if (moving) {
        this.connectionRates.set(id, r)
        connectionsChanged = true
      } else {
        // Idle: one zero sample recorded above closes the sparkline; it drops out of the tick's work.
        if (this.connectionRates.delete(id)) connectionsChanged = true
        this.active.delete(id)
      }
    }
    this.lastAt = at
    return { totalRate, totalHistory: this.totalRing.series(), serverRates, serverHistory, connectionsChanged }
  }
}
