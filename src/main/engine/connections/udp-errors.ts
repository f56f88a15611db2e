import { lookup } from 'node:dns/promises'
import net from 'node:net'
import type { Endpoint } from '@shared/model'
import { describeSocketError } from '../errors'

/** The largest UDP payload over IPv4: 65,535 − 20 (IP header) − 8 (UDP header). */
export const MAX_UDP_PAYLOAD_IPV4 = 65_507
/** The largest UDP payload over IPv6 without jumbograms: 65,535 − 8 (the IPv6 length field excludes its header). */
export const MAX_UDP_PAYLOAD_IPV6 = 65_527

/** The largest datagram payload a family can carry. */
export function maxUdpPayload(family: string): number {
  return family === 'IPv6' ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4
}

function where(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`
}

/** Words for a datagram socket's error about one peer (a failed send, or an ICMP error reported later). */
export function describeDatagramError(err: NodeJS.ErrnoException, peer: Endpoint, size?: number): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `Nothing listens on UDP ${where(peer)}: its host answered with ICMP "port unreachable" (seen as ECONNREFUSED); that datagram was lost`
    case 'EMSGSIZE':
      return `A datagram${size !== undefined ? ` of ${size} bytes` : ''} is too large to send (EMSGSIZE): one UDP datagram carries at most ${MAX_UDP_PAYLOAD_IPV4} bytes over IPv4 and ${MAX_UDP_PAYLOAD_IPV6} over IPv6, and the socket's send buffer may be smaller`
    case 'ENOBUFS':
    case 'EAGAIN':
      return `The socket's send buffer is full (${err.code}): a datagram was dropped — UDP has no back-pressure`
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `No route to ${where(peer)} (${err.code})`
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message
  }
}

/** Which datagram socket type reaches or binds a host: udp6 for an IPv6 address, or what a name resolves to first. */
export async function udpTypeFor(host: string, op: 'listen' | 'connect', port?: number): Promise<'udp4' | 'udp6'> {
  const ip = net.isIP(host)
  if (ip === 4) return 'udp4'
  if (ip === 6) return 'udp6'
  try {
    const { family } = await lookup(host)
    return family === 6 ? 'udp6' : 'udp4'
  } catch (err) {
    throw describeSocketError(err, { op, host, port })
  }
}
