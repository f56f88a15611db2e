import type { ConnectionInfo, Endpoint, Family } from '@shared/model'
import { describeState, formatEndpoint } from '../../store/describe'

/** `open`, or `closed — reset by peer (RST)` when closed (the UI contract's words, from the store's table). */
export function stateText(c: Pick<ConnectionInfo, 'state' | 'closeReason'>): string {
  return describeState(c)
}

/** `127.0.0.1:8080`, `[::1]:8080` or `unix:/path`. */
export function endpointText(e: Endpoint, family: Family): string {
  return family === 'unix' ? `unix:${e.address}` : formatEndpoint(e, family)
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
