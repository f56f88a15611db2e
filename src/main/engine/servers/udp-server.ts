import dgram from 'node:dgram'
import type { AcceptMode, Behaviour, BehaviourOptions, Endpoint, Family, ServerInfo } from '@shared/model'
import { UDP_BEHAVIOURS } from '@shared/model'
import type { BehaviourHost, ServerBehaviour } from '../behaviours/behaviour'
import type { ConnectionHandlers } from '../lab-connection'
import { LabConnection } from '../lab-connection'
import type { ServerOwner } from '../tcp-server'
import { describeSocketError, LabFailure } from '../errors'
import { UdpFlowSocket } from '../connections/udp-flow-socket'
import { describeDatagramError, udpTypeFor } from '../connections/udp-errors'
import type { LabServer } from './lab-server'
import { UDP_BEHAVIOUR_FACTORIES } from './udp-behaviours'
import type { HeldBytesBudget } from '../behaviours/held-bytes'

/** A flow with no datagram either way for this long is closed (documented default). */
export const UDP_IDLE_TIMEOUT_MS = 60_000
/** Flows open at once per UDP server unless maxConnections says otherwise; datagrams from further peers are dropped. */
export const UDP_MAX_FLOWS = 4_096
// Asked of the kernel so a burst waits in the socket rather than being dropped; Linux caps it at net.core.rmem_max.
const RECV_BUFFER_BYTES = 4 * 1024 * 1024

/** What the user asked for when starting a UDP server (validated). */
export interface UdpServerSpec {
  host: string
  port?: number
  behaviour: Behaviour
  options: BehaviourOptions
  maxConnections?: number | null
  udpIdleTimeoutMs?: number
}

function behaviourFor(name: Behaviour): NonNullable<(typeof UDP_BEHAVIOUR_FACTORIES)[Behaviour]> {
  const factory = UDP_BEHAVIOUR_FACTORIES[name]
  if (!factory) {
    throw new LabFailure(
      'unsupported',
      `The ${name} behaviour needs a stream connection and does not work over UDP`,
      `Over UDP choose one of ${UDP_BEHAVIOURS.join(', ')}.`
    )
  }
  return factory
}

/**
 * A UDP socket of the lab. UDP has no connections: each remote address:port it hears from becomes a
 * **flow**, a LabConnection of kind 'udp' whose chunks are datagrams (boundaries kept, sizes exact).
 * A flow ends after `idleTimeoutMs` without a datagram, when the user closes it, or with the server.
 * The kernel hands datagrams over in small batches per event-loop turn (libuv reads at most 32 per
 * wake-up), and each costs a map lookup, a count and a reference in the record, so a flood stays cheap.
 */
export class LabUdpServer implements LabServer, BehaviourHost {
  readonly startedAt = Date.now()
  readonly requestedHost: string
  readonly requestedPort: number
  readonly idleTimeoutMs: number
  bound: Endpoint = { address: '', port: 0 }
  family: Family = 'IPv4'
  behaviourName: Behaviour
  options: BehaviourOptions
  maxConnections: number | null
  notes: string[] = []
  readonly connections = new Set<LabConnection>()
  readonly totals = { bytesIn: 0, bytesOut: 0, dirty: false }
  accepted = 0
  droppedDatagrams = 0
  private readonly flows = new Map<string, { conn: LabConnection; socket: UdpFlowSocket }>()
  private behaviour: ServerBehaviour
  private socket: dgram.Socket | null = null
  private sweepTimer: NodeJS.Timeout | null = null
  private readonly handlers: ConnectionHandlers

  constructor(
    readonly serverId: number,
    spec: UdpServerSpec,
    private readonly owner: ServerOwner
  ) {
    this.requestedHost = spec.host
    this.requestedPort = spec.port ?? 0
    this.idleTimeoutMs = spec.udpIdleTimeoutMs ?? UDP_IDLE_TIMEOUT_MS
    this.behaviourName = spec.behaviour
    this.options = spec.options
    this.maxConnections = spec.maxConnections ?? null
    this.behaviour = behaviourFor(spec.behaviour)(this, spec.options)
    this.handlers = {
      onData: (c, datagram) => this.behaviour.onData(c, datagram),
      onPeerEnd: () => {},
      onClose: (c) => this.onFlowClosed(c)
    }
  }

  /** The most flows open at once. */
  get maxFlows(): number {
    return this.maxConnections ?? UDP_MAX_FLOWS
  }

  /** Binds the datagram socket; rejects with a LabFailure in words. */
  async listen(): Promise<void> {
    const port = this.bound.port || this.requestedPort
    const type = await udpTypeFor(this.requestedHost, 'listen', port)
    const socket = dgram.createSocket({ type, recvBufferSize: RECV_BUFFER_BYTES })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind({ address: this.requestedHost, port, exclusive: true }, () => {
        socket.removeListener('error', reject)
        resolve()
      })
    }).catch((err: unknown) => {
      socket.close()
      throw describeSocketError(err, { op: 'listen', host: this.requestedHost, port })
    })
    socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo))
    // Errors of a bound, unconnected socket concern one send; those are reported by the send's callback.
    socket.on('error', (err) => this.owner.notice('error', `Server ${this.serverId} (UDP): ${err.message}`))
    const addr = socket.address()
    this.bound = { address: addr.address, port: addr.port }
    this.family = addr.family === 'IPv6' ? 'IPv6' : 'IPv4'
    this.socket = socket
    const every = Math.max(50, Math.min(1_000, Math.floor(this.idleTimeoutMs / 4)))
    this.sweepTimer = setInterval(() => this.sweep(), every)
    this.sweepTimer.unref()
  }

  /** Closes the socket and every flow (a UDP flow cannot outlive its socket). */
  async stop(_keepConnections: boolean, abrupt = false): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    this.sweepTimer = null
    this.behaviour.dispose()
    for (const { conn } of [...this.flows.values()]) {
      if (abrupt) conn.reset('server-stopped')
      else conn.close('server-stopped')
    }
    const socket = this.socket
    this.socket = null
    socket?.close()
  }

  /** false closes the socket (and so its flows); true binds the same port again. */
  async setAccepting(accepting: boolean): Promise<void> {
    if (accepting === (this.socket !== null)) return
    if (accepting) {
      await this.listen()
      this.behaviour = behaviourFor(this.behaviourName)(this, this.options)
    } else await this.stop(false)
  }

  /** Swaps the behaviour (UDP ones only); live flows continue under the new one. */
  setBehaviour(name: Behaviour, options: BehaviourOptions): void {
    const next = behaviourFor(name)(this, options)
    this.behaviour.dispose()
    this.behaviourName = name
    this.options = options
    this.behaviour = next
    for (const c of this.connections) if (!c.closed) this.behaviour.onOpen(c)
  }

  /** UDP has no accept queue: every flow is served at once. */
  readonly acceptMode: AcceptMode = 'concurrent'

  /** Refuses every mode but concurrent, in words (there is nothing to accept). */
  setAcceptMode(mode: AcceptMode): void {
    if (mode !== 'concurrent') {
      throw new LabFailure(
        'unsupported',
        `Accept mode "${mode}" needs a listening TCP socket; a UDP server serves every flow at once`
      )
    }
  }

  /** Whether the datagram socket is bound. */
  get accepting(): boolean {
    return this.socket !== null
  }

  /** A UDP flow cannot be paused: always false. */
  get pauseOnAccept(): boolean {
    return false
  }

  /** Refuses true, in words. */
  set pauseOnAccept(on: boolean) {
    if (on)
      throw new LabFailure(
        'unsupported',
        'A UDP server cannot pause its flows: the peers are never told to wait, their datagrams would be lost'
      )
  }

  /** The behaviour's live counters (respond's rule hits), if it keeps any. */
  behaviourStats(): unknown {
    return this.behaviour.stats?.()
  }

  /** BehaviourHost: the lab-wide budget for bytes behaviours hold. */
  get heldBytes(): HeldBytesBudget {
    return this.owner.heldBytes
  }

  /** BehaviourHost: the open flows. */
  *activeConnections(): Iterable<LabConnection> {
    for (const c of this.connections) if (!c.closed) yield c
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
      state: this.socket !== null ? 'listening' : 'not-accepting',
      acceptMode: 'concurrent',
      maxConnections: this.maxConnections,
      backlog: 0,
      startedAt: this.startedAt,
      notes: this.notes,
      protocol: 'udp',
      udp: { idleTimeoutMs: this.idleTimeoutMs, maxFlows: this.maxFlows, droppedDatagrams: this.droppedDatagrams }
    }
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address} ${rinfo.port}`
    const flow = this.flows.get(key) ?? this.openFlow(key, rinfo)
    if (flow) flow.socket.deliver(msg)
  }

  private openFlow(key: string, rinfo: dgram.RemoteInfo): { conn: LabConnection; socket: UdpFlowSocket } | undefined {
    if (this.flows.size >= this.maxFlows) {
      this.droppedDatagrams++
      if (this.droppedDatagrams === 1) {
        this.owner.notice(
          'warning',
          `Server ${this.serverId} (UDP): ${this.maxFlows} flows are open; datagrams from further peers are dropped until some time out`
        )
        this.owner.serverChanged(this)
      }
      return undefined
    }
    const remote = { address: rinfo.address, port: rinfo.port }
    const family: Family = rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4'
    const flowSocket: UdpFlowSocket = new UdpFlowSocket(
      this.bound,
      remote,
      family,
      (datagram) => this.sendTo(conn, datagram, remote),
      () => this.flows.delete(key)
    )
    const conn = new LabConnection({
      id: this.owner.nextConnectionId(),
      serverId: this.serverId,
      origin: 'accepted',
      socket: flowSocket,
      budget: this.owner.budget,
      owner: this.owner,
      kind: 'udp'
    })
    conn.serverTotals = this.totals
    conn.handlers = this.handlers
    const flow = { conn, socket: flowSocket }
    this.flows.set(key, flow)
    this.connections.add(conn)
    this.accepted++
    this.totals.dirty = true
    this.owner.adopt(conn)
    this.behaviour.onOpen(conn)
    return flow
  }

  private sendTo(conn: LabConnection, datagram: Buffer, remote: Endpoint): void {
    const socket = this.socket
    if (!socket) return
    socket.send(datagram, remote.port, remote.address, (err) => {
      if (err) reportFlowError(conn, describeDatagramError(err, remote, datagram.length), this.owner)
    })
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleTimeoutMs
    for (const { conn } of [...this.flows.values()]) if (conn.lastActivity <= cutoff) conn.close('idle-timeout')
  }

  private onFlowClosed(conn: LabConnection): void {
    this.connections.delete(conn)
    this.totals.dirty = true
    this.behaviour.onClose(conn)
  }
}

/** Puts a datagram error on its flow and in the log, once per distinct message (a flood of failures is one line). */
export function reportFlowError(conn: LabConnection, words: string, owner: Pick<ServerOwner, 'notice'>): void {
  if (conn.error === words) return
  conn.error = words
  conn.announce()
  owner.notice('warning', `Connection ${conn.id}: ${words}`)
}
