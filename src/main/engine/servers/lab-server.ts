import type { AcceptMode, Behaviour, BehaviourOptions, Endpoint, Family, ServerInfo } from '@shared/model'
import type { LabConnection } from '../lab-connection'

/** What the lab needs of any of its servers: a TCP or Unix listener, a TLS listener, or a UDP socket. */
export interface LabServer {
  readonly serverId: number
  readonly startedAt: number
  readonly totals: { bytesIn: number; bytesOut: number; dirty: boolean }
  /** Connections (or UDP flows) accepted so far. */
  readonly accepted: number
  /** Open connections (or UDP flows). */
  readonly connections: ReadonlySet<LabConnection>
  /** The address the socket is really bound to. */
  readonly bound: Endpoint
  readonly family: Family
  behaviourName: Behaviour
  options: BehaviourOptions
  maxConnections: number | null
  readonly acceptMode: AcceptMode
  /** Whether it takes new peers (a listening socket, or a bound UDP socket). */
  readonly accepting: boolean
  /** Every accepted connection starts with reading paused (TCP only). */
  pauseOnAccept: boolean
  notes: string[]
  listen(): Promise<void>
  stop(keepConnections: boolean, abrupt?: boolean): Promise<void>
  setAccepting(accepting: boolean): Promise<void>
  setBehaviour(name: Behaviour, options: BehaviourOptions): void
  setAcceptMode(mode: AcceptMode, poolSize?: number): void | Promise<void>
  activeConnections(): Iterable<LabConnection>
  info(): ServerInfo
}
