import net from 'node:net'
import { lstat } from 'node:fs/promises'
import type { AcceptMode, Behaviour, BehaviourOptions, Endpoint, Family, ServerInfo } from '@shared/model'
import type { BehaviourHost, ServerBehaviour } from './behaviours/behaviour'
import type { HeldBytesBudget } from './behaviours/held-bytes'
import { BEHAVIOUR_FACTORIES } from './behaviours'
import type { ConnectionHandlers, ConnectionOwner } from './lab-connection'
import { LabConnection } from './lab-connection'
import type { TrafficBudget } from './traffic-record'
import { describeSocketError, LabFailure } from './errors'
import type { LabServer } from './servers/lab-server'
import type { AcceptHolder } from './servers/accept-holder'
import { holdListening } from './servers/accept-holder'
import type { UnixSocketIdentity } from './unix-socket-path'
import { checkUnixPath, listenOn, listenUnixSafely, unlinkIfOurs } from './unix-socket-path'
import type { OwnListener } from './own-listener'

/** What a server needs from the lab that owns it. */
export interface ServerOwner extends ConnectionOwner {
  readonly budget: TrafficBudget
  /** The lab-wide budget for bytes behaviours hold until a FIN. */
  readonly heldBytes: HeldBytesBudget
  nextConnectionId(): number
  /** A new connection exists: register it and announce it. */
  adopt(conn: LabConnection): void
  serverChanged(server: LabServer): void
  notice(level: 'info' | 'warning' | 'error', message: string): void
  whoHoldsPort?(port: number, host: string): Promise<string | undefined>
  /** The lab's own listener that holds this port, if any (then the error names it). */
  ownListener?(port: number, host: string, exceptServerId: number): OwnListener | undefined
}

/** What the user asked for when starting a server (validated). */
export interface ServerSpec {
  host: string
  port?: number
  behaviour: Behaviour
  options: BehaviourOptions
  backlog?: number
  maxConnections?: number | null
  acceptMode?: AcceptMode
  poolSize?: number
  pauseOnAccept?: boolean
}

const DEFAULT_BACKLOG = 511
/** Workers of a `pool` server when none is given. */
export const DEFAULT_POOL_SIZE = 4

/** What occupies a Unix socket path: a socket someone listens on, a stale socket file, or another kind of file. */
async function probeUnixPath(path: string): Promise<'live' | 'stale' | 'not-socket'> {
  try {
    if (!(await lstat(path)).isSocket()) return 'not-socket'
  } catch {
    return 'live'
  }
  return new Promise((resolve) => {
    const probe = net.connect({ path })
    const done = (state: 'live' | 'stale'): void => {
      clearTimeout(timer)
      probe.destroy()
      resolve(state)
    }
    const timer = setTimeout(() => done('live'), 1_000)
    probe.once('connect', () => done('live'))
    probe.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'stale' : 'live'))
  })
}

/** A listening socket of the lab: accepts connections and hands them to its behaviour. */
export class LabTcpServer implements BehaviourHost, LabServer {
  readonly startedAt = Date.now()
  readonly requestedHost: string
  readonly requestedPort: number
  readonly unixPath: string | undefined
  readonly backlog: number
  bound: Endpoint = { address: '', port: 0 }
  family: Family = 'IPv4'
  behaviourName: Behaviour
  options: BehaviourOptions
  acceptMode: AcceptMode
  poolSize: number
  maxConnections: number | null
  /** New connections start with reading paused (the "Pause reading" experiment, done from the first byte). */
  pauseOnAccept: boolean
  accepting = false
  notes: string[] = []
  /** Open connections, queued ones included, in accept order. */
  readonly connections = new Set<LabConnection>()
  readonly totals = { bytesIn: 0, bytesOut: 0, dirty: false }
  accepted = 0
  private behaviour: ServerBehaviour
  private netServer: net.Server | null = null
  // Accept mode "never": the listener is held by a helper process that never accepts.
  private holder: AcceptHolder | null = null
  // The socket file this server created; only ever unlinked while the path is still that file.
  private unixIdentity: UnixSocketIdentity | null = null
  private readonly handlers: ConnectionHandlers

  constructor(
    readonly serverId: number,
    spec: ServerSpec,
    protected readonly owner: ServerOwner
  ) {
    // A unix: path is checked (length, NUL, blank) and made absolute before anything is bound.
    this.unixPath = spec.host.startsWith('unix:') ? checkUnixPath(spec.host.slice(5)) : undefined
    this.requestedHost = this.unixPath !== undefined ? `unix:${this.unixPath}` : spec.host
    this.requestedPort = spec.port ?? 0
    this.backlog = spec.backlog ?? DEFAULT_BACKLOG
    this.behaviourName = spec.behaviour
    this.options = spec.options
    this.acceptMode = spec.acceptMode ?? 'concurrent'
    this.poolSize = spec.poolSize ?? DEFAULT_POOL_SIZE
    if (this.acceptMode === 'never' && this.unixPath !== undefined) {
      throw new LabFailure(
        'invalid',
        'Accept mode "never" is for TCP servers',
        'A Unix socket server can use the other accept modes.'
      )
    }
    this.maxConnections = spec.maxConnections ?? null
    this.pauseOnAccept = spec.pauseOnAccept ?? false
    this.behaviour = BEHAVIOUR_FACTORIES[spec.behaviour](this, spec.options)
    // Handlers read `this.behaviour` at call time so a behaviour change applies to live connections.
    this.handlers = {
      onData: (c, chunk) => this.behaviour.onData(c, chunk),
      onPeerEnd: (c) => this.behaviour.onPeerEnd(c),
      onDrain: (c) => this.behaviour.onDrain?.(c),
      onClose: (c) => this.onConnectionClosed(c)
    }
  }

  /** Binds and listens; rejects with a LabFailure in words. */
  async listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true })
    server.on('connection', (socket) => this.onConnection(socket))
    const bound =
      this.acceptMode === 'never' && this.unixPath === undefined
        ? holdListening({
            host: this.requestedHost,
            port: this.bound.port || this.requestedPort,
            backlog: this.backlog
          }).then((holder) => {
            this.holder = holder
          })
        : this.unixPath !== undefined
          ? listenUnixSafely(server, this.unixPath, this.backlog).then((id) => {
              this.unixIdentity = id
            })
          : listenOn(server, {
              host: this.requestedHost,
              // A server that stopped accepting listens again on the port it had.
              port: this.bound.port || this.requestedPort,
              backlog: this.backlog
            })
    await bound.catch(async (err: unknown) => {
      if (err instanceof LabFailure) throw err
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      const port = this.bound.port || this.requestedPort
      const labServer =
        inUse && this.unixPath === undefined
          ? this.owner.ownListener?.(port, this.requestedHost, this.serverId)
          : undefined
      const holder =
        inUse && this.unixPath === undefined && !labServer
          ? await this.owner.whoHoldsPort?.(port, this.requestedHost).catch(() => undefined)
          : undefined
      throw describeSocketError(err, {
        op: 'listen',
        host: this.requestedHost,
        port: this.unixPath === undefined ? this.bound.port || this.requestedPort : undefined,
        holder,
        labServer,
        unixState: inUse && this.unixPath !== undefined ? await probeUnixPath(this.unixPath) : undefined
      })
    })
    this.accepting = true
    if (this.holder) {
      this.bound = { address: this.holder.address, port: this.holder.port }
      this.family = this.holder.family
      return
    }
    this.adoptListener(server)
  }

  /** Makes a listening net.Server this server's own: its connections come to the lab from now on. */
  private adoptListener(server: net.Server): void {
    server.on('error', (err) => this.owner.notice('error', `Server ${this.serverId}: ${err.message}`))
    this.netServer = server
    const addr = server.address()
    if (this.unixPath !== undefined || typeof addr === 'string' || addr === null) {
      this.bound = { address: this.unixPath ?? String(addr), port: 0 }
      this.family = 'unix'
    } else {
      this.bound = { address: addr.address, port: addr.port }
      this.family = addr.family === 'IPv6' || (addr.family as unknown) === 6 ? 'IPv6' : 'IPv4'
    }
  }

  /** Closes the listener; with `keepConnections` false, also closes every connection. */
  async stop(keepConnections: boolean, abrupt = false): Promise<void> {
    const server = this.netServer
    this.netServer = null
    this.holder?.close()
    this.holder = null
    this.accepting = false
    if (!keepConnections) {
      this.behaviour.dispose()
      for (const c of [...this.connections]) {
        if (abrupt) c.reset('server-stopped')
        else c.close('server-stopped')
      }
    }
    // close() stops listening at once (the port or socket path is free when it returns); its callback
    // would wait for the connections, which a lab that keeps them must not.
    server?.close()
    const identity = this.unixIdentity
    this.unixIdentity = null
    if (identity) await unlinkIfOurs(identity)
  }

  /** Starts or stops accepting while keeping the connections. */
  async setAccepting(accepting: boolean): Promise<void> {
    if (accepting === this.accepting) return
    if (accepting) await this.listen()
    else await this.stop(true)
  }

  /** Runs a behaviour made elsewhere (a replay's mock server) under the name it shows; live connections continue under it. */
  useBehaviour(behaviour: ServerBehaviour, name: Behaviour = 'manual'): void {
    this.behaviour.dispose()
    this.behaviourName = name
    this.behaviour = behaviour
    for (const c of this.connections) if (c.state !== 'queued' && !c.closed) this.behaviour.onOpen(c)
  }

  /** Swaps the behaviour; live connections continue under the new one. */
  setBehaviour(name: Behaviour, options: BehaviourOptions): void {
    this.behaviour.dispose()
    this.behaviourName = name
    this.options = options
    this.behaviour = BEHAVIOUR_FACTORIES[name](this, options)
    for (const c of this.connections) if (c.state !== 'queued' && !c.closed) this.behaviour.onOpen(c)
  }

  /** The behaviour's live counters, if it keeps any (respond's rule hits). */
  behaviourStats(): unknown {
    return this.behaviour.stats?.()
  }

  /**
   * Sets the accept mode. Leaving "never" takes the listening socket (and the clients waiting in its queue) from the
   * helper; entering it hands listening to a new helper on the same port. A wider mode activates queued connections.
   */
  async setAcceptMode(mode: AcceptMode, poolSize?: number): Promise<void> {
    if (poolSize !== undefined) this.poolSize = poolSize
    const was = this.acceptMode
    if (mode === 'never' && was !== 'never') {
      if (this.unixPath !== undefined) throw new LabFailure('invalid', 'Accept mode "never" is for TCP servers')
      if (this.accepting) {
        this.netServer?.close()
        this.netServer = null
        this.acceptMode = mode
        try {
          await this.listen()
        } catch (err) {
          this.acceptMode = was
          this.accepting = false
          throw err
        }
      }
    }
    this.acceptMode = mode
    if (was === 'never' && mode !== 'never' && this.holder) {
      const holder = this.holder
      const server = await holder.release()
      this.holder = null
      // The server Node made for the handed-over socket has default options: the lab's are set before any accept.
      Object.assign(server, { allowHalfOpen: true, pauseOnConnect: true })
      server.on('connection', (socket) => this.onConnection(socket))
      this.adoptListener(server)
    }
    this.activateQueued()
  }

  /** How many connections this server serves at once under its accept mode. */
  private activeLimit(): number {
    if (this.acceptMode === 'one-at-a-time') return 1
    if (this.acceptMode === 'pool') return this.poolSize
    return Number.POSITIVE_INFINITY
  }

  private activeCount(): number {
    let n = 0
    for (const c of this.connections) if (c.state !== 'queued' && !c.closed) n++
    return n
  }

  /** Moves queued connections to active, oldest first, while the accept mode has room. */
  private activateQueued(): void {
    let room = this.activeLimit() - this.activeCount()
    for (const c of this.connections) {
      if (room <= 0) break
      if (c.state === 'queued') {
        this.activate(c)
        room--
      }
    }
  }

  /** BehaviourHost: the connections a behaviour may talk to. */
  *activeConnections(): Iterable<LabConnection> {
    for (const c of this.connections) if (c.state !== 'queued' && !c.closed) yield c
  }

  /** BehaviourHost: the lab-wide budget for bytes held until a FIN. */
  get heldBytes(): HeldBytesBudget {
    return this.owner.heldBytes
  }

  /** BehaviourHost: a line for the user's log. */
  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.owner.notice(level, message)
  }

  /** The wire form. */
  info(): ServerInfo {
    return {
      id: this.serverId,
      requestedHost: this.requestedHost,
      requestedPort: this.requestedPort,
      bound: this.bound,
      family: this.family,
      behaviour: this.behaviourName,
      options: this.options,
      state: this.accepting ? 'listening' : 'not-accepting',
      acceptMode: this.acceptMode,
      poolSize: this.poolSize,
      holderPid: this.holder?.pid ?? null,
      maxConnections: this.maxConnections,
      backlog: this.backlog,
      startedAt: this.startedAt,
      notes: this.notes,
      ...(this.pauseOnAccept ? { pauseOnAccept: true } : {})
    }
  }

  /** Wraps an accepted socket; the TLS server (servers/tls-server.ts) adds its layer here. */
  protected wrapAccepted(socket: net.Socket, queued: boolean): LabConnection {
    return new LabConnection({
      id: this.owner.nextConnectionId(),
      serverId: this.serverId,
      origin: 'accepted',
      socket,
      budget: this.owner.budget,
      owner: this.owner,
      unixPath: this.unixPath,
      queued,
      local: this.acceptedLocal()
    })
  }

  /**
   * The local end of every socket this listener accepts, when its bound address says it (one address, not a
   * wildcard): saves a getsockname() per accept. Undefined for 0.0.0.0 / :: (the kernel picks per connection).
   */
  protected acceptedLocal(): Endpoint | undefined {
    if (this.unixPath !== undefined || this.holder !== null || this.bound.port === 0) return undefined
    const a = this.bound.address
    if (a === '' || a.includes('%') || net.isIP(a) === 0 || a === '0.0.0.0' || a === '::' || a === '::ffff:0.0.0.0')
      return undefined
    return this.bound
  }

  private onConnection(socket: net.Socket): void {
    // Counting the active ones walks every connection: only a mode with a limit needs it.
    const limit = this.activeLimit()
    const queued = limit !== Number.POSITIVE_INFINITY && this.activeCount() >= limit
    const conn = this.wrapAccepted(socket, queued)
    conn.serverTotals = this.totals
    conn.handlers = this.handlers
    this.accepted++
    this.totals.dirty = true
    this.connections.add(conn)
    this.owner.adopt(conn)
    if (this.maxConnections !== null && this.connections.size > this.maxConnections) {
      conn.close('max-connections')
      return
    }
    // In the same turn as the accept: no read can have happened yet.
    if (this.pauseOnAccept) conn.setUserPaused(true)
    if (!queued) this.behaviour.onOpen(conn)
  }

  private activate(conn: LabConnection): void {
    conn.activate()
    this.behaviour.onOpen(conn)
  }

  private onConnectionClosed(conn: LabConnection): void {
    this.connections.delete(conn)
    this.totals.dirty = true
    this.behaviour.onClose(conn)
    // Under "concurrent" nothing waits (entering it activated every queued one): no walk over the connections.
    if (this.activeLimit() !== Number.POSITIVE_INFINITY) this.activateQueued()
  }
}
