import type { CommandRequest, CommandValue } from '@shared/contract'
import type { LabEvent, ServerCounters, Snapshot, Totals, TrafficFloodPolicy } from '@shared/model'
import type { LabConnection, ConnectionOwner } from './lab-connection'
import { findOwnListener } from './own-listener'
import type { OwnListener } from './own-listener'
import type { ServerOwner } from './tcp-server'
import type { LabServer } from './servers/lab-server'
import { checkActionFits, checkDatagramSize, createServer, openClient } from './servers/create-server'
import { CertificateFolder } from './tls/certificate'
import { DEFAULT_FLOOD_POLICY, TrafficBudget } from './traffic-record'
import { LabFailure } from './errors'
import { localhostNotes } from './address-notes'
import { encodeForSend } from './send-payload'
import type { ProxyInfo } from '@shared/proxy-model'
import { ProxyRegistry } from './proxy/proxy-registry'
import { HELD_BYTES_TOTAL, HeldBytesBudget } from './behaviours/held-bytes'

/** Limits of one lab; the defaults are documented in the README. */
export interface LabLimits {
  trafficBytesPerConnection: number
  trafficBytesTotal: number
  trafficChunksPerConnection: number
  closedConnectionsKept: number
  /** Pending events kept for the batcher before it is told to resync instead. */
  pendingEventsMax: number
  /** Bytes held for all echo-after-eof peers together before the largest holder is reset. */
  heldBytesTotal: number
  /** What is kept of a flood's bytes (README, limits); null keeps every byte within the caps. */
  trafficFlood: TrafficFloodPolicy | null
}

/** The documented defaults. */
export const DEFAULT_LIMITS: LabLimits = {
  trafficBytesPerConnection: 256 * 1024,
  trafficBytesTotal: 64 * 1024 * 1024,
  trafficChunksPerConnection: 4096,
  closedConnectionsKept: 5_000,
  pendingEventsMax: 20_000,
  heldBytesTotal: HELD_BYTES_TOTAL,
  trafficFlood: DEFAULT_FLOOD_POLICY
}

/** Bytes already waiting in a connection's user-space queue past which connection:send refuses (or skips it). */
export const SEND_QUEUE_LIMIT = 32 * 1024 * 1024

/** Hooks a lab may be given by its host process. */
export interface LabOptions {
  limits?: Partial<LabLimits>
  /** Names who holds a port ("pid 1234 (nc)"), where the system tells. */
  whoHoldsPort?: (port: number, host: string) => Promise<string | undefined>
  /** Folder under which TLS servers' certificate files are written (default: a new temporary folder). */
  certDir?: string
}

/** What changed since the last collection: ordered events and the rows whose counters moved. */
export interface LabChanges {
  events: LabEvent[]
  connections: LabConnection[]
  servers: LabServer[]
  overflow: boolean
}

/** The registry of servers and connections, and the commands that act on them. The engine's source of truth. */
export class Lab implements ServerOwner, ConnectionOwner {
  readonly limits: LabLimits
  readonly budget: TrafficBudget
  readonly heldBytes: HeldBytesBudget
  readonly servers = new Map<number, LabServer>()
  readonly connections = new Map<number, LabConnection>()
  /** Where TLS servers write the certificate files clients trust. */
  readonly certificates: CertificateFolder
  // Closed connections, oldest first from closedHead: a queue, so evicting one costs O(1).
  private closedOrder: LabConnection[] = []
  private closedHead = 0
  // Ids evicted since the last collection: sent as one removal event at the end of the next batch.
  private evictedIds: number[] = []
  private nextServerId = 1
  // Servers between their id and their registration (binding, looking up notes).
  private readonly starting = new Set<LabServer>()
  private nextConnId = 1
  private readonly totals = { bytesIn: 0, bytesOut: 0, connectionsOpen: 0, connectionsEver: 0 }
  private pendingEvents: LabEvent[] = []
  private dirtyConnections: LabConnection[] = []
  private overflow = false
  private readonly changeListeners = new Set<() => void>()
  /** Called with every new connection before its first byte (the disk recorder attaches its tap here). */
  readonly adoptHooks = new Set<(conn: LabConnection) => void>()
  private disposed = false
  /** The proxies and their faults (`proxy:*`, `toxic:*`). */
  readonly proxies: ProxyRegistry = new ProxyRegistry(this)

  constructor(private readonly options: LabOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.certificates = new CertificateFolder(options.certDir)
    this.budget = new TrafficBudget(
      this.limits.trafficBytesPerConnection,
      this.limits.trafficBytesTotal,
      this.limits.trafficChunksPerConnection,
      undefined,
      this.limits.trafficFlood
    )
    this.heldBytes = new HeldBytesBudget(this.limits.heldBytesTotal)
  }

  // ---- ServerOwner / ConnectionOwner -------------------------------------------------------

  /** @internal */
  nextConnectionId(): number {
    return this.nextConnId++
  }

  /** @internal */
  whoHoldsPort(port: number, host: string): Promise<string | undefined> {
    return this.options.whoHoldsPort?.(port, host) ?? Promise.resolve(undefined)
  }

  /** @internal */
  ownListener(port: number, host: string, exceptServerId: number): OwnListener | undefined {
    // A UDP socket does not hold a TCP port of the same number.
    const streams = [...this.servers.values()].filter((s) => s.info().protocol !== 'udp')
    return findOwnListener(streams, port, host, exceptServerId)
  }

  /** @internal */
  adopt(conn: LabConnection): void {
    conn.labTotals = this.totals
    this.connections.set(conn.id, conn)
    for (const hook of this.adoptHooks) hook(conn)
    this.totals.connectionsOpen++
    this.totals.connectionsEver++
    this.emit({ type: 'connection.opened', at: conn.openedAt, connection: conn.info() })
  }

  /** @internal */
  markDirty(conn: LabConnection): void {
    conn.dirty = true
    this.dirtyConnections.push(conn)
    if (this.dirtyConnections.length === 1) this.notifyChange()
  }

  /** @internal */
  changed(conn: LabConnection, kind: 'updated' | 'peer-ended' | 'closed'): void {
    if (kind === 'closed') {
      this.totals.connectionsOpen--
      this.closedOrder.push(conn)
      this.evictClosed()
    }
    this.emit({ type: `connection.${kind}`, at: Date.now(), connection: conn.info() })
  }

  /** @internal */
  serverChanged(server: LabServer): void {
    this.emit({ type: 'server.updated', at: Date.now(), server: server.info() })
  }

  /** @internal */
  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.emit({ type: 'notice', at: Date.now(), level, message })
  }

  /** @internal */
  proxyChanged(info: ProxyInfo): void {
    this.emit({ type: 'proxy.updated', at: Date.now(), proxy: info })
  }

  /** @internal */
  proxyRemoved(name: string): void {
    this.emit({ type: 'proxy.removed', at: Date.now(), name })
  }

  /** Emits an event from a part of the engine beside the registry (the workspace, sequences). */
  publish(event: LabEvent): void {
    this.emit(event)
  }

  // ---- the stream ----------------------------------------------------------------------------

  /** Calls `listener` when changes become pending after a collection; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** Takes everything that changed since the last call. */
  collectChanges(): LabChanges {
    const connections = this.dirtyConnections
    for (const c of connections) c.dirty = false
    const servers: LabServer[] = []
    for (const s of this.servers.values()) {
      if (s.totals.dirty) {
        s.totals.dirty = false
        servers.push(s)
      }
    }
    if (this.evictedIds.length > 0) {
      // Always after the closed events of the same window: an id is only evicted once it closed.
      this.pendingEvents.push({ type: 'connections.removed', at: Date.now(), ids: this.evictedIds })
      this.evictedIds = []
    }
    const changes = { events: this.pendingEvents, connections, servers, overflow: this.overflow }
    this.pendingEvents = []
    this.dirtyConnections = []
    this.overflow = false
    return changes
  }

  /** Counters of one server. */
  serverCounters(s: LabServer): ServerCounters {
    return {
      id: s.serverId,
      bytesIn: s.totals.bytesIn,
      bytesOut: s.totals.bytesOut,
      accepted: s.accepted,
      open: s.connections.size
    }
  }

  /** Whole-lab totals, kept exact by every connection as it counts. */
  currentTotals(): Totals {
    return { ...this.totals }
  }

  /** The whole state; `seq` is the number of the last batch the receiver already covers. */
  snapshot(seq: number): Snapshot {
    return {
      seq,
      at: Date.now(),
      servers: [...this.servers.values()].map((s) => s.info()),
      serverCounters: [...this.servers.values()].map((s) => this.serverCounters(s)),
      connections: [...this.connections.values()].map((c) => c.info()),
      totals: this.currentTotals(),
      proxies: this.proxies.infos(),
      limits: {
        trafficBytesPerConnection: this.limits.trafficBytesPerConnection,
        trafficBytesTotal: this.limits.trafficBytesTotal,
        closedConnectionsKept: this.limits.closedConnectionsKept,
        ...(this.limits.trafficFlood ? { trafficFlood: this.limits.trafficFlood } : {})
      }
    }
  }

  // ---- commands ------------------------------------------------------------------------------

  /** Starts a listening server. */
  async startServer(req: CommandRequest<'server:start'>): Promise<CommandValue<'server:start'>> {
    this.assertLive()
    // The id is taken before any await: starts that overlap (two tabs, a script, an API) never share one.
    // createServer may refuse (a stream behaviour over UDP) before it takes the id; nothing awaits in between.
    const server = createServer(this.nextServerId, req, this, this.certificates)
    this.nextServerId++
    this.starting.add(server)
    try {
      await server.listen()
      server.notes = await localhostNotes(server.info())
    } catch (err) {
      await server.stop(false, true)
      // A failed start gives its id back when no later start took one, so ids stay dense for a person.
      if (this.nextServerId === server.serverId + 1) this.nextServerId = server.serverId
      throw err
    } finally {
      this.starting.delete(server)
    }
    if (this.disposed) {
      // The lab was closed while this one was binding: nobody could stop it later, so it stops now.
      await server.stop(false, true)
      throw new LabFailure('disposed', 'The lab is shutting down')
    }
    this.servers.set(server.serverId, server)
    this.emit({ type: 'server.listening', at: Date.now(), server: server.info() })
    return server.info()
  }

  /** Stops a server and closes its connections. */
  async stopServer(req: CommandRequest<'server:stop'>): Promise<CommandValue<'server:stop'>> {
    const server = this.server(req.serverId)
    this.servers.delete(server.serverId)
    await server.stop(false)
    this.emit({ type: 'server.stopped', at: Date.now(), serverId: server.serverId })
    return {}
  }

  /** Changes a running server's behaviour, limits, accept mode or accepting. */
  async configureServer(req: CommandRequest<'server:configure'>): Promise<CommandValue<'server:configure'>> {
    const server = this.server(req.serverId)
    // The one step that can fail goes first, so a failure changes nothing.
    if (req.accepting !== undefined) await server.setAccepting(req.accepting)
    if (req.behaviour !== undefined || req.options !== undefined) {
      server.setBehaviour(req.behaviour ?? server.behaviourName, req.options ?? server.options)
    }
    if (req.maxConnections !== undefined) server.maxConnections = req.maxConnections
    if (req.acceptMode !== undefined || req.poolSize !== undefined) {
      await server.setAcceptMode(req.acceptMode ?? server.acceptMode, req.poolSize)
    }
    if (req.pauseOnAccept !== undefined) server.pauseOnAccept = req.pauseOnAccept
    this.serverChanged(server)
    return server.info()
  }

  /** Closes every connection of a server, keeping it listening. */
  closeAll(req: CommandRequest<'server:close-all'>): CommandValue<'server:close-all'> {
    const server = this.server(req.serverId)
    const conns = [...server.connections]
    for (const c of conns) c.close('lab-close')
    return { closed: conns.length }
  }

  /** Opens an outgoing connection from the lab. */
  async connect(req: CommandRequest<'client:connect'>): Promise<CommandValue<'client:connect'>> {
    this.assertLive()
    const conn = await openClient(req, this)
    return conn.info()
  }

  /** Sends a payload to one connection or to every active connection of a server. */
  send(req: CommandRequest<'connection:send'>): CommandValue<'connection:send'> {
    const bytes = encodeForSend(req.payload)
    const targets =
      req.connectionId !== undefined
        ? [this.connection(req.connectionId)]
        : [...this.server(req.serverId ?? -1).activeConnections()]
    checkDatagramSize(targets, bytes.length)
    const writable = targets.filter((c) => c.writable)
    if (writable.length === 0) {
      throw new LabFailure(
        'not-writable',
        req.connectionId !== undefined
          ? `Connection ${req.connectionId} can no longer be written to`
          : 'That server has no open connection to send to',
        req.connectionId !== undefined ? 'It is closed, or the lab already half-closed it (sent FIN).' : undefined
      )
    }
    // A peer that does not read would make the lab queue without bound: such connections are skipped,
    // and the command is refused (changing nothing) when no target can take the bytes.
    const ready = writable.filter((c) => c.pendingWriteBytes < SEND_QUEUE_LIMIT)
    if (ready.length === 0) {
      const mib = (writable[0].pendingWriteBytes / (1024 * 1024)).toFixed(1)
      throw new LabFailure(
        'send-queue-full',
        writable.length === 1
          ? `Connection ${writable[0].id} already has ${mib} MiB waiting to be sent: the peer is not reading`
          : `Every connection of that server already has over ${SEND_QUEUE_LIMIT / (1024 * 1024)} MiB waiting to be sent: the peers are not reading`,
        'Its kernel buffers are full (back-pressure). Wait until the peer reads, or close the connection.'
      )
    }
    // One buffer for every target: traffic records keep references and nobody mutates it.
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (const c of ready) c.send(buf)
    return { bytes: bytes.length, connections: ready.length }
  }

  /** Half-close, reset, close, pause or resume one connection. */
  action(req: CommandRequest<'connection:action'>): CommandValue<'connection:action'> {
    const conn = this.connection(req.connectionId)
    if (conn.closed) throw new LabFailure('closed', `Connection ${conn.id} is already closed`)
    checkActionFits(conn, req.action)
    switch (req.action) {
      case 'half-close':
        conn.halfClose()
        break
      case 'reset':
        conn.reset()
        break
      case 'close':
        conn.close()
        break
      case 'pause':
        conn.setUserPaused(true)
        break
      case 'resume':
        conn.setUserPaused(false)
        break
    }
    return conn.info()
  }

  /** The kept traffic of one connection. */
  traffic(req: CommandRequest<'connection:traffic'>): CommandValue<'connection:traffic'> {
    const conn = this.connection(req.connectionId)
    const record = conn.traffic.read(req.connectionId, req.afterSeq)
    return conn.faultMarks ? { ...record, marks: conn.faultMarks.slice() } : record
  }

  /** Forgets closed connections (of one server, or all). */
  clearClosed(req: CommandRequest<'connection:clear-closed'>): CommandValue<'connection:clear-closed'> {
    const ids: number[] = []
    for (const c of this.connections.values()) {
      if (c.closed && (req.serverId === undefined || c.serverId === req.serverId)) ids.push(c.id)
    }
    this.forget(ids)
    return { removed: ids.length }
  }

  /** Closes everything at once (the app quits). */
  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    const servers = [...this.servers.values()]
    this.servers.clear()
    this.proxies.dispose()
    await Promise.all(servers.map((s) => s.stop(false, true)))
    for (const c of this.connections.values()) if (!c.closed) c.reset('server-stopped')
  }

  // ---- internals -----------------------------------------------------------------------------

  private emit(event: LabEvent): void {
    if (this.pendingEvents.length >= this.limits.pendingEventsMax) {
      // Nobody is collecting fast enough: drop the detail and make consumers take a snapshot.
      this.overflow = true
      this.pendingEvents = []
    }
    this.pendingEvents.push(event)
    if (this.pendingEvents.length === 1) this.notifyChange()
  }

  private notifyChange(): void {
    for (const l of this.changeListeners) l()
  }

  private evictClosed(): void {
    const cap = this.limits.closedConnectionsKept
    while (this.closedOrder.length - this.closedHead > cap) {
      const c = this.closedOrder[this.closedHead++]
      if (this.connections.get(c.id) !== c) continue
      const record = c.trafficIfAny
      if (record) this.budget.release(record)
      this.connections.delete(c.id)
      this.evictedIds.push(c.id)
    }
    if (this.closedHead > 1024 && this.closedHead * 2 > this.closedOrder.length) {
      this.closedOrder = this.closedOrder.slice(this.closedHead)
      this.closedHead = 0
    }
    if (this.evictedIds.length === 1) this.notifyChange()
    if (this.evictedIds.length > this.limits.pendingEventsMax) {
      // Nobody collects: consumers will take a snapshot instead of the list.
      this.overflow = true
      this.evictedIds = []
    }
  }

  private forget(ids: number[]): void {
    if (ids.length === 0) return
    const set = new Set(ids)
    for (const id of ids) {
      const c = this.connections.get(id)
      const record = c?.trafficIfAny
      if (record) this.budget.release(record)
      this.connections.delete(id)
    }
    this.closedOrder = this.closedOrder.slice(this.closedHead).filter((c) => !set.has(c.id))
    this.closedHead = 0
    this.emit({ type: 'connections.removed', at: Date.now(), ids })
  }

  private server(id: number): LabServer {
    const s = this.servers.get(id)
    if (!s) throw new LabFailure('not-found', `There is no server ${id}`, 'It may have been stopped already.')
    return s
  }

  private connection(id: number): LabConnection {
    const c = this.connections.get(id)
    if (!c) throw new LabFailure('not-found', `There is no connection ${id}`, 'It may have been cleared.')
    return c
  }

  private assertLive(): void {
    if (this.disposed) throw new LabFailure('disposed', 'The lab is shutting down')
  }
}
