import type { ConnectionInfo, EventBatch, LabEvent, ServerCounters, ServerInfo, Snapshot } from '@shared/model'
import type { ProxyInfo } from '@shared/proxy-model'
import type { LabTransport } from '@renderer/transport/transport'
import type { LabState, Notice } from './lab-state'
import { initialLabState } from './lab-state'
import { applyCounters, mergeConnection } from './merge-connection'
import type { RateSeries } from './rate-history'
import { RATE_SAMPLE_MS, RATE_SAMPLES } from './rate-history'
import { RateTracker } from './rate-tracker'
import { tickWithViews } from './ticker'

/** Tuning and clock of a store (tests pass their own). */
export interface LabStoreOptions {
  now?: () => number
  /** Rate sampling period; 0 turns the timer off (call `sampleRates` by hand). */
  sampleMs?: number
  /** Delay before retrying a failed snapshot. */
  retryMs?: number
  /**
   * Views hear of batch and rate changes at most once per this many ms (state itself is current at
   * once); 0 tells them of every change synchronously (tests). Counters change faster than anyone
   * reads them, and each notification is a render, a layout and a paint on the page's main thread.
   */
  notifyMs?: number
}

/**
 * How often views are told about streamed changes: 2 Hz, the clock of the rate samples, what a person reads of
 * moving counters. Each notification is a frame (render, style, layout, paint, composite: ≈ 17 ms of the page's
 * CPU at 50 busy rows), so under a flood the frame rate is the page's cost; a change after a quiet spell still
 * shows at once, only a stream of them is paced.
 */
export const NOTIFY_MS = 500

const MAX_NOTICES = 20
// Batches held while a snapshot is on its way; more than this and a newer snapshot is cheaper.
const MAX_BUFFERED = 500

/**
 * The renderer's copy of the lab, fed by a transport: one snapshot, then numbered batches applied in
 * order, each in one update. A gap in the numbering or a `resync` batch brings a fresh snapshot.
 */
export class LabStore {
  private state: LabState = initialLabState()
  private readonly listeners = new Set<() => void>()
  private readonly now: () => number
  private readonly tracker: RateTracker
  private readonly cleanups: (() => void)[] = []
  private snapshotPending = false
  private buffered: EventBatch[] = []
  private started = false
  private noticeId = 0
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private notifyTimer: ReturnType<typeof setTimeout> | null = null
  private lastNotify = -Infinity
  private hiddenPending = false
  // Rate samples in a row with nothing moving: once the charts' whole window is flat, nothing is redrawn.
  private quietSamples = 0

  constructor(
    readonly transport: LabTransport,
    private readonly options: LabStoreOptions = {}
  ) {
    this.now = options.now ?? Date.now
    this.tracker = new RateTracker(this.now())
  }

  /** The current state (replaced, never mutated, except the big maps documented on LabState). */
  getState = (): LabState => this.state

  /** Listens for changes; returns the unsubscribe. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Subscribes to batches first (so none is missed), then asks for the snapshot. */
  start(): void {
    if (this.started) return
    this.started = true
    this.cleanups.push(this.transport.onBatch((b) => this.receive(b)))
    if (this.transport.onLinkChange) {
      this.cleanups.push(
        this.transport.onLinkChange((up) => {
          if (up) void this.takeSnapshot()
          else
            this.update({
              link: 'down',
              lastUpAt: this.state.link === 'up' ? this.now() : (this.state.lastUpAt ?? null)
            })
        })
      )
    }
    const sampleMs = this.options.sampleMs ?? RATE_SAMPLE_MS
    if (sampleMs > 0) {
      const timer = setInterval(() => this.sampleRates(), sampleMs)
      this.cleanups.push(() => clearInterval(timer))
    }
    void this.takeSnapshot()
  }

  /** Unsubscribes and stops every timer. */
  stop(): void {
    this.started = false
    for (const c of this.cleanups.splice(0)) c()
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    if (this.notifyTimer) clearTimeout(this.notifyTimer)
    this.notifyTimer = null
  }

  /** The sparkline samples of one connection, if it ever moved. */
  connectionSeries(id: number): RateSeries | undefined {
    return this.tracker.connectionSeries(id)
  }

  /** Shows a message (used by the UI for command failures). */
  addNotice(level: Notice['level'], message: string, hint?: string): void {
    this.update({ notices: this.withNotice(this.state.notices, level, message, hint, this.now()) })
  }

  /** Hides one message. */
  dismissNotice(id: number): void {
    this.update({ notices: this.state.notices.filter((n) => n.id !== id) })
  }

  /** Takes one rate sample now (the timer calls this at 2 Hz). */
  sampleRates(at = this.now()): void {
    const s = this.state
    const r = this.tracker.sample(at, s.totals, s.serverCounters, s.connections)
    const still =
      r.totalRate.in === 0 &&
      r.totalRate.out === 0 &&
      !r.connectionsChanged &&
      [...r.serverRates.values()].every((x) => x.in === 0 && x.out === 0)
    this.quietSamples = still ? this.quietSamples + 1 : 0
    // An idle lab: the history is all zeros already, so the page need not render anything.
    if (this.quietSamples > RATE_SAMPLES) return
    this.update(
      {
        totalRate: r.totalRate,
        totalHistory: r.totalHistory,
        serverRates: r.serverRates,
        serverHistory: r.serverHistory,
        connectionRates: this.tracker.connectionRates,
        ratesVersion: r.connectionsChanged ? s.ratesVersion + 1 : s.ratesVersion
      },
      'streamed'
    )
  }

  /** Asks for a fresh snapshot and ignores (holds) batches until it lands. */
  async takeSnapshot(): Promise<void> {
    if (this.snapshotPending) return
    this.snapshotPending = true
    this.update({ link: this.state.snapshots === 0 ? 'connecting' : 'resyncing' })
    let result: Awaited<ReturnType<LabTransport['request']>> | null = null
    try {
      result = await this.transport.request('lab:snapshot', {})
    } catch {
      result = null
    }
    this.snapshotPending = false
    if (!result || !result.ok) {
      this.buffered = []
      this.update({
        link: 'down',
        linkError: result && !result.ok ? result.error : { code: 'link-down', message: 'The lab did not answer' }
      })
      if (this.started) this.retryTimer = setTimeout(() => void this.takeSnapshot(), this.options.retryMs ?? 2_000)
      return
    }
    this.applySnapshot(result.value as Snapshot)
    const held = this.buffered
    this.buffered = []
    for (const b of held) this.receive(b, false)
  }

  private receive(batch: EventBatch, ackNow = true): void {
    if (this.snapshotPending) {
      if (this.buffered.length < MAX_BUFFERED) this.buffered.push(batch)
      // The snapshot will cover it either way; let the sender go on.
      if (ackNow) this.ack(batch.seq)
      return
    }
    if (batch.resync || batch.seq > this.state.seq + 1) {
      if (ackNow) this.ack(batch.seq)
      void this.takeSnapshot()
      return
    }
    if (batch.seq <= this.state.seq) {
      if (ackNow) this.ack(batch.seq)
      return
    }
    this.applyBatch(batch)
    this.ack(batch.seq)
  }

  private ack(seq: number): void {
    void this.transport.request('lab:ack', { seq }).catch(() => undefined)
  }

  private applySnapshot(snap: Snapshot): void {
    const now = this.now()
    const connections = new Map<number, ConnectionInfo>()
    const outgoingIds = new Set<number>()
    for (const c of snap.connections) {
      connections.set(c.id, c)
      if (c.origin === 'outgoing' && !c.proxy) outgoingIds.add(c.id)
    }
    const servers = new Map<number, ServerInfo>(snap.servers.map((s) => [s.id, s]))
    const serverCounters = new Map<number, ServerCounters>(snap.serverCounters.map((s) => [s.id, s]))
    this.tracker.reset(now, snap.totals, snap.connections, snap.serverCounters)
    this.update({
      link: 'up',
      linkError: null,
      seq: snap.seq,
      snapshots: this.state.snapshots + 1,
      servers,
      serverCounters,
      connections,
      outgoingIds,
      connectionsVersion: this.state.connectionsVersion + 1,
      membersVersion: this.state.membersVersion + 1,
      totals: snap.totals,
      connectionRates: this.tracker.connectionRates,
      ratesVersion: this.state.ratesVersion + 1,
      limits: snap.limits,
      proxies: new Map((snap.proxies ?? []).map((p) => [p.name, p]))
    })
  }

  private applyBatch(batch: EventBatch): void {
    const s = this.state
    // Mutated in place (see LabState); small maps are copied only if touched.
    const connections = s.connections as Map<number, ConnectionInfo>
    const outgoing = s.outgoingIds as Set<number>
    let servers: Map<number, ServerInfo> | null = null
    let counters: Map<number, ServerCounters> | null = null
    let notices = s.notices
    let proxies: Map<string, ProxyInfo> | null = null
    let rowsChanged = false
    let membersChanged = false

    const upsert = (next: ConnectionInfo): void => {
      const prev = connections.get(next.id)
      const merged = mergeConnection(prev, next)
      if (merged === prev) return
      this.tracker.touch(prev, next)
      connections.set(next.id, merged)
      if (merged.origin === 'outgoing' && !merged.proxy) outgoing.add(merged.id)
      rowsChanged = true
      membersChanged = true
    }

    for (const e of batch.events) {
      switch (e.type) {
        case 'server.listening':
        case 'server.updated':
          servers ??= new Map(s.servers)
          servers.set(e.server.id, e.server)
          break
        case 'server.stopped':
          servers ??= new Map(s.servers)
          servers.delete(e.serverId)
          counters ??= new Map(s.serverCounters)
          counters.delete(e.serverId)
          break
        case 'server.error':
          notices = this.withNotice(notices, 'error', e.message, undefined, e.at)
          break
        case 'connection.opened':
        case 'connection.updated':
        case 'connection.peer-ended':
        case 'connection.closed':
          upsert(e.connection)
          break
        case 'connections.removed':
          for (const id of e.ids) {
            if (connections.delete(id)) rowsChanged = membersChanged = true
            outgoing.delete(id)
            this.tracker.forget(id)
          }
          break
        case 'notice':
          notices = this.withNotice(notices, e.level, e.message, undefined, e.at)
          break
        case 'proxy.updated':
          proxies ??= new Map(s.proxies)
          proxies.set(e.proxy.name, e.proxy)
          break
        case 'proxy.removed':
          proxies ??= new Map(s.proxies)
          proxies.delete(e.name)
          break
        case 'sequence.progress':
        case 'workspace.updated':
        case 'api.updated':
          // Followed by their own stores (features/workspace, store/api-store).
          break
        default:
          // A newer engine may send events this renderer does not know: skip them.
          ignoreUnknown(e)
      }
    }

    const cols = batch.counters
    for (let i = 0; i < cols.ids.length; i++) {
      const prev = connections.get(cols.ids[i])
      if (!prev) continue
      const next = applyCounters(prev, cols, i)
      if (next === prev) continue
      this.tracker.touch(prev, next)
      connections.set(next.id, next)
      rowsChanged = true
    }

    for (const sc of batch.servers) {
      const known = (servers ?? s.servers).has(sc.id)
      if (!known) continue
      counters ??= new Map(s.serverCounters)
      counters.set(sc.id, sc)
    }

    this.update(
      {
        seq: batch.seq,
        lastBatchAt: batch.at,
        link: 'up',
        servers: servers ?? s.servers,
        serverCounters: counters ?? s.serverCounters,
        connectionsVersion: rowsChanged ? s.connectionsVersion + 1 : s.connectionsVersion,
        membersVersion: membersChanged ? s.membersVersion + 1 : s.membersVersion,
        totals: batch.totals,
        notices,
        proxies: proxies ?? s.proxies
      },
      notices === s.notices ? 'streamed' : 'now'
    )
  }

  private withNotice(
    list: readonly Notice[],
    level: Notice['level'],
    message: string,
    hint: string | undefined,
    at: number
  ): Notice[] {
    const n: Notice = { id: ++this.noticeId, level, message, at, ...(hint ? { hint } : {}) }
    return [...list, n].slice(-MAX_NOTICES)
  }

  /** Replaces the state; 'streamed' changes reach the views coalesced (NOTIFY_MS), others at once. */
  private update(patch: Partial<LabState>, how: 'now' | 'streamed' = 'now'): void {
    this.state = { ...this.state, ...patch }
    const ms = this.options.notifyMs ?? NOTIFY_MS
    if (how === 'now' || ms <= 0) return this.notify()
    if (this.notifyTimer !== null || this.hiddenPending) return
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') {
      // Nobody sees a hidden page: one catch-up when it is shown again.
      this.hiddenPending = true
      document.addEventListener('visibilitychange', () => this.notify(), { once: true })
      return
    }
    const wait = this.lastNotify + ms - Date.now()
    if (wait <= 0) this.notify()
    else this.notifyTimer = setTimeout(() => this.notify(), wait)
  }

  private notify(): void {
    if (this.notifyTimer !== null) clearTimeout(this.notifyTimer)
    this.notifyTimer = null
    this.hiddenPending = false
    this.lastNotify = Date.now()
    // The ages' clock ticks with this frame when it is nearly due, instead of in a frame of its own.
    tickWithViews()
    for (const l of this.listeners) l()
  }
}

function ignoreUnknown(e: never): void {
  void (e as LabEvent)
}

/** Creates a store over a transport (not started). */
export function createLabStore(transport: LabTransport, options?: LabStoreOptions): LabStore {
  return new LabStore(transport, options)
}
