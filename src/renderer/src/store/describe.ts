import type { CloseReason, ConnectionInfo, ConnectionState, Endpoint, Family, ServerInfo } from '@shared/model'
import { hostPort } from '@shared/endpoint-format'

/** How each state reads in the table (the UI contract's words). */
export const STATE_TEXT: Record<ConnectionState, string> = {
  queued: 'queued',
  open: 'open',
  'peer-half-closed': 'peer half-closed',
  'lab-half-closed': 'lab half-closed',
  closed: 'closed'
}

/** Why a connection closed, in words. */
export const CLOSE_REASON_TEXT: Record<CloseReason, string> = {
  'peer-fin': 'peer closed (FIN)',
  'peer-reset': 'reset by peer (RST)',
  'lab-close': 'closed by the lab',
  'lab-reset': 'reset by the lab',
  'server-stopped': 'server stopped',
  error: 'error',
  'max-connections': 'max connections reached',
  'idle-timeout': 'idle timeout (UDP flow)'
}

/** `127.0.0.1:8080`, `[::1]:8080`, or a Unix path as is. */
export function formatEndpoint(e: Endpoint, family: Family): string {
  if (family === 'unix') return e.address
  return hostPort(e.address, e.port)
}

/** `127.0.0.1:8080`, `[::1]:8080` or `unix:/path`. */
export function endpointText(e: Endpoint, family: Family): string {
  return family === 'unix' ? `unix:${e.address}` : formatEndpoint(e, family)
}

/** The address a server is really bound to: `127.0.0.1:8080`, `[::]:8080`, `unix:/tmp/x.sock`. */
export function serverAddress(server: ServerInfo): string {
  return endpointText(server.bound, server.family)
}

/** The State cell's text: the state, and for a closed connection the reason after a dash. */
export function describeState(c: Pick<ConnectionInfo, 'state' | 'closeReason'>): string {
  if (c.state !== 'closed') return STATE_TEXT[c.state]
  return c.closeReason ? `closed — ${CLOSE_REASON_TEXT[c.closeReason]}` : 'closed'
}

/** Whether a connection still counts as live (anything but closed). */
export function isActive(c: Pick<ConnectionInfo, 'state'>): boolean {
  return c.state !== 'closed'
}

/** Where a connection's lifecycle state ranks: a later state never goes back to an earlier one. */
export const STATE_RANK: Record<ConnectionState, number> = {
  queued: 0,
  open: 1,
  'peer-half-closed': 2,
  'lab-half-closed': 2,
  closed: 3
}
