import type { BehaviourOptions } from '@shared/model'
import type { LabConnection } from '../lab-connection'
import { hostPort } from '@shared/endpoint-format'
import type { HeldBytesBudget } from './held-bytes'

/** What a behaviour may use of the server it runs in. */
export interface BehaviourHost {
  readonly serverId: number
  /** When the server started (ms since the epoch), for uptimes. */
  readonly startedAt: number
  /** The server's connections that are open and not queued. */
  activeConnections(): Iterable<LabConnection>
  /** A line for the user's event log. */
  notice(level: 'info' | 'warning' | 'error', message: string): void
  /** The lab-wide budget for bytes held until a peer's FIN. */
  readonly heldBytes: HeldBytesBudget
}

/**
 * A server's automatic reaction to its peers. One instance per server; per-connection state lives
 * in the instance (so a behaviour change drops it cleanly). Factories must have no side effects:
 * a server whose listen fails discards its behaviour without disposing it.
 */
export interface ServerBehaviour {
  /** A connection became active (accepted, left the one-at-a-time queue, or the behaviour was switched to). */
  onOpen(conn: LabConnection): void
  /** A chunk arrived (already counted and recorded). */
  onData(conn: LabConnection, chunk: Buffer): void
  /** The peer half-closed (FIN): the default answer is to finish our side too. */
  onPeerEnd(conn: LabConnection): void
  /** The connection's write buffer emptied. */
  onDrain?(conn: LabConnection): void
  onClose(conn: LabConnection): void
  /** The server stops or changes behaviour: clear timers and per-connection state. */
  dispose(): void
}

/** Builds a behaviour for one server. */
export type BehaviourFactory = (host: BehaviourHost, options: BehaviourOptions) => ServerBehaviour

/** Defaults for the hooks most behaviours do not need. */
export const baseBehaviour: ServerBehaviour = {
  onOpen() {},
  onData() {},
  onPeerEnd(conn) {
    conn.halfClose()
  },
  onClose() {},
  dispose() {}
}

/** How a peer is named in chat lines and notices: `127.0.0.1:PORT`, `[::1]:PORT`, or `unix#ID`. */
export function peerLabel(conn: LabConnection): string {
  if (conn.family === 'unix') return `unix#${conn.id}`
  const { address, port } = conn.remote
  return hostPort(address, port)
}
