import type { CloseReason, ConnectionInfo, ConnectionState, Endpoint, Family } from '@shared/model'

/** The state as the UI contract spells it. */
export const STATE_WORDS: Readonly<Record<ConnectionState, string>> = {
  open: 'open',
  queued: 'queued',
  'peer-half-closed': 'peer half-closed',
  'lab-half-closed': 'lab half-closed',
  closed: 'closed'
}

/** Why a connection closed, in the words of the UI contract. */
export const CLOSE_REASON_WORDS: Readonly<Record<CloseReason, string>> = {
  'peer-fin': 'peer closed (FIN)',
  'peer-reset': 'reset by peer (RST)',
  'lab-close': 'closed by the lab',
  'lab-reset': 'reset by the lab',
  'server-stopped': 'server stopped',
  error: 'error',
  'max-connections': 'max connections reached'
}

/** `open`, or `closed — reset by peer (RST)` when closed. */
export function stateText(c: Pick<ConnectionInfo, 'state' | 'closeReason'>): string {
  const state = STATE_WORDS[c.state]
  if (c.state === 'closed' && c.closeReason) return `${state} — ${CLOSE_REASON_WORDS[c.closeReason]}`
  return state
}

/** `127.0.0.1:8080`, `[::1]:8080` or `unix:/path`. */
export function endpointText(e: Endpoint, family: Family): string {
  if (family === 'unix') return `unix:${e.address}`
  return family === 'IPv6' || e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`
}

/** The address part only, IPv6 in brackets. */
export function hostText(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}

/** Linux's default ephemeral range (net.ipv4.ip_local_port_range); other systems differ. */
export const EPHEMERAL_RANGE = { low: 32768, high: 60999 } as const

/** True when a port lies in a usual ephemeral range (Linux 32768–60999 or IANA 49152–65535). */
export function looksEphemeral(port: number): boolean {
  return port >= EPHEMERAL_RANGE.low && port <= 65535
}
