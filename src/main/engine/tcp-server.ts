import net from 'node:net'
import { lstat } from 'node:fs/promises'
import type { AcceptMode, Behaviour, BehaviourOptions, Endpoint, Family, ServerInfo } from '@shared/model'
import type { BehaviourHost, ServerBehaviour } from './behaviours/behaviour'
import { BEHAVIOUR_FACTORIES } from './behaviours'
import type { ConnectionHandlers, ConnectionOwner } from './lab-connection'
import { LabConnection } from './lab-connection'
import type { TrafficBudget } from './traffic-record'
import { describeSocketError } from './errors'
import type { LabServer } from './servers/lab-server'

/** What a server needs from the lab that owns it. */
export interface ServerOwner extends ConnectionOwner {
  readonly budget: TrafficBudget
  nextConnectionId(): number
  /** A new connection exists: register it and announce it. */
  adopt(conn: LabConnection): void
  serverChanged(server: LabServer): void
  notice(level: 'info' | 'warning' | 'error', message: string): void
  whoHoldsPort?(port: number, host: string): Promise<string | undefined>
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
}

const DEFAULT_BACKLOG = 511

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
  maxConnections: number | null
  accepting = false
  notes: string[] = []
  /** Open connections, queued ones included, in accept order. */
  readonly connections = new Set<LabConnection>()
  readonly totals = { bytesIn: 0, bytesOut: 0, dirty: false }
  accepted = 0
  private behaviour: ServerBehaviour
  private netServer: net.Server | null = null
  private readonly handlers: ConnectionHandlers

  constructor(
    readonly serverId: number,
    spec: ServerSpec,
    protected readonly owner: ServerOwner
  ) {
    this.requestedHost = spec.host
    this.requestedPort = spec.port ?? 0
    this.unixPath = spec.host.startsWith('unix:') ? spec.host.slice(5) : undefined
    this.backlog = spec.backlog ?? DEFAULT_BACKLOG
    this.behaviourName = spec.behaviour
    this.options = spec.options
    this.acceptMode = spec.acceptMode ?? 'concurrent'
    this.maxConnections = spec.maxConnections ?? null
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
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        server.removeListener('listening', onListening)
        reject(err)
      }
      const onListening = (): void => {
        server.removeListener('error', onError)
        resolve()
      }
      server.once('error', onError)
      server.once('listening', onListening)
      if (this.unixPath !== undefined) server.listen({ path: this.unixPath, backlog: this.backlog })
      else
        server.listen({
          host: this.requestedHost,
          // A server that stopped accepting listens again on the port it had.
          port: this.bound.port || this.requestedPort,
          backlog: this.backlog
        })
    }).catch(async (err: unknown) => {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      const holder =
        inUse && this.unixPath === undefined
          ? await this.owner.whoHoldsPort?.(this.bound.port || this.requestedPort, this.requestedHost).catch(() => undefined)
          : undefined
      throw describeSocketError(err, {
        op: 'listen',
        host: this.requestedHost,
        port: this.unixPath === undefined ? this.bound.port || this.requestedPort : undefined,
        holder,
        unixState: inUse && this.unixPath !== undefined ? await probeUnixPath(this.unixPath) : undefined
      })
    })
    server.on('error', (err) => this.owner.notice('error', `Server ${this.serverId}: ${err.message}`))
    this.netServer = server
    this.accepting = true
    const addr = server.address()
    if (typeof addr === 'string' || addr === null) {
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
  }

  /** Starts or stops accepting while keeping the connections. */
  async setAccepting(accepting: boolean): Promise<void> {
    if (accepting === this.accepting) return
    if (accepting) await this.listen()
    else await this.stop(true)
  }

  /** Swaps the behaviour; live connections continue under the new one. */
  setBehaviour(name: Behaviour, options: BehaviourOptions): void {
    this.behaviour.dispose()
    this.behaviourName = name
    this.options = options
    this.behaviour = BEHAVIOUR_FACTORIES[name](this, options)
    for (const c of this.connections) if (c.state !== 'queued' && !c.closed) this.behaviour.onOpen(c)
  }

  /** Sets the accept mode; leaving one-at-a-time activates every queued connection. */
  setAcceptMode(mode: AcceptMode): void {
    this.acceptMode = mode
    if (mode === 'concurrent') for (const c of this.connections) if (c.state === 'queued') this.activate(c)
  }

  /** BehaviourHost: the connections a behaviour may talk to. */
  *activeConnections(): Iterable<LabConnection> {
    for (const c of this.connections) if (c.state !== 'queued' && !c.closed) yield c
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
      maxConnections: this.maxConnections,
      backlog: this.backlog,
      startedAt: this.startedAt,
      notes: this.notes
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
      queued
    })
  }

  private onConnection(socket: net.Socket): void {
    const queued = this.acceptMode === 'one-at-a-time' && this.hasActive()
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
    if (!queued) this.behaviour.onOpen(conn)
  }

  private hasActive(): boolean {
    for (const c of this.connections) if (c.state !== 'queued' && !c.closed) return true
    return false
  }

  private activate(conn: LabConnection): void {
    conn.activate()
    this.behaviour.onOpen(conn)
  }

  private onConnectionClosed(conn: LabConnection): void {
    this.connections.delete(conn)
    this.totals.dirty = true
    this.behaviour.onClose(conn)
    if (this.acceptMode === 'one-at-a-time' && !this.hasActive()) {
      for (const c of this.connections) {
        if (c.state === 'queued') {
          this.activate(c)
          break
        }
      }
    }
  }
}
