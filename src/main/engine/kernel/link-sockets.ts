import type { KernelSocket } from '@shared/kernel-model'
import type { ConnectionInfo, ServerInfo } from '@shared/model'
import { isWildcardAddress, normaliseAddress } from './ip-address'

type Tuple = Pick<KernelSocket, 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>

function key(la: string, lp: number, ra: string, rp: number): string {
  return `${normaliseAddress(la)}|${lp}|${normaliseAddress(ra)}|${rp}`
}

function rank(c: ConnectionInfo): number {
  // A live connection wins over a closed one that once had the same 4-tuple; then the newest.
  return (c.state === 'closed' ? 0 : 1) * 1e12 + c.id
}

function connectionIndex(connections: readonly ConnectionInfo[]): Map<string, ConnectionInfo> {
  const byTuple = new Map<string, ConnectionInfo>()
  for (const c of connections) {
    if (c.family === 'unix') continue
    const k = key(c.local.address, c.local.port, c.remote.address, c.remote.port)
    const prev = byTuple.get(k)
    if (!prev || rank(c) > rank(prev)) byTuple.set(k, c)
  }
  return byTuple
}

function listenerFor(s: KernelSocket, servers: readonly ServerInfo[]): ServerInfo | undefined {
  const candidates = servers.filter(
    (v) => v.family !== 'unix' && v.state === 'listening' && v.bound.port === s.localPort
  )
  const addr = normaliseAddress(s.localAddress)
  const exact = candidates.find((v) => normaliseAddress(v.bound.address) === addr)
  if (exact) return exact
  // A wildcard listener may show up under the other family's wildcard (`::` dual-stack vs `0.0.0.0`).
  return isWildcardAddress(s.localAddress) ? candidates.find((v) => isWildcardAddress(v.bound.address)) : undefined
}

/**
 * Fills `labServerId` on LISTEN sockets of lab servers, and `labConnectionId` on sockets whose
 * local and remote ends equal a lab connection's. Only the lab's own side is linked: the other end of
 * a loopback connection has the reversed tuple (see isPeerSideOf). Returns new objects.
 */
export function linkKernelSockets(
  sockets: readonly KernelSocket[],
  servers: readonly ServerInfo[],
  connections: readonly ConnectionInfo[]
): KernelSocket[] {
  const byTuple = connectionIndex(connections)
  return sockets.map((s) => {
    if (s.state === 'LISTEN') {
      return { ...s, labServerId: listenerFor(s, servers)?.id ?? null, labConnectionId: null }
    }
    const c = byTuple.get(key(s.localAddress, s.localPort, s.remoteAddress, s.remotePort))
    return { ...s, labServerId: null, labConnectionId: c?.id ?? null }
  })
}

/** True when the socket is the far end of this lab connection (its tuple is the connection's, reversed). */
export function isPeerSideOf(socket: Tuple, connection: Pick<ConnectionInfo, 'local' | 'remote'>): boolean {
  return (
    socket.localPort === connection.remote.port &&
    socket.remotePort === connection.local.port &&
    normaliseAddress(socket.localAddress) === normaliseAddress(connection.remote.address) &&
    normaliseAddress(socket.remoteAddress) === normaliseAddress(connection.local.address)
  )
}

/** The lab connection this socket is the far end of (on this machine, e.g. an `nc` client's socket), or null. */
export function peerConnectionId(socket: KernelSocket, connections: readonly ConnectionInfo[]): number | null {
  if (socket.state === 'LISTEN') return null
  const c = connectionIndex(connections).get(
    key(socket.remoteAddress, socket.remotePort, socket.localAddress, socket.localPort)
  )
  return c?.id ?? null
}
