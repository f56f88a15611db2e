import type { ConnectionInfo } from '@shared/model'
import { describeState } from '../../store/describe'

/** `open`, or `closed — reset by peer (RST)` when closed (the UI contract's words, from the store's table). */
export function stateText(c: Pick<ConnectionInfo, 'state' | 'closeReason'>): string {
  return describeState(c)
}

/** Linux's default ephemeral range (net.ipv4.ip_local_port_range); other systems differ. */
export const EPHEMERAL_RANGE = { low: 32768, high: 60999 } as const

/** True when a port lies in a usual ephemeral range (Linux 32768–60999 or IANA 49152–65535). */
export function looksEphemeral(port: number): boolean {
  return port >= EPHEMERAL_RANGE.low && port <= 65535
}
