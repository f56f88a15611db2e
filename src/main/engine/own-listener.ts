import type { ServerInfo } from '@shared/model'
import { isWildcardAddress, normaliseAddress } from './kernel/ip-address'

/** One of the lab's own listeners that holds a port another start asked for. */
export interface OwnListener {
  id: number
  behaviour: ServerInfo['behaviour']
  /** `127.0.0.1:9000`, `[::]:9000`. */
  address: string
}

function conflicts(bound: string, host: string): boolean {
  if (host === '' || host === 'localhost') return true
  if (isWildcardAddress(host) || isWildcardAddress(bound)) return true
  return normaliseAddress(bound) === normaliseAddress(host)
}

/**
 * The lab's own listening server on `port` that a listen on `host` collides with, if any: then the
 * "port in use" message names that server rather than the lab's own process id.
 */
export function findOwnListener(
  servers: Iterable<{ info(): ServerInfo; accepting: boolean }>,
  port: number,
  host: string,
  exceptId: number
): OwnListener | undefined {
  if (port <= 0) return undefined
  for (const s of servers) {
    const i = s.info()
    if (i.id === exceptId || !s.accepting || i.family === 'unix' || i.bound.port !== port) continue
    if (!conflicts(i.bound.address, host)) continue
    const a = i.bound.address.includes(':') ? `[${i.bound.address}]` : i.bound.address
    return { id: i.id, behaviour: i.behaviour, address: `${a}:${i.bound.port}` }
  }
  return undefined
}
