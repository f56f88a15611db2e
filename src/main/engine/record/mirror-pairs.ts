import type { Endpoint, Family } from '@shared/model'

/** What identifies one end of a connection for pairing. */
interface End {
  id: number
  origin: 'accepted' | 'outgoing'
  family: Family
  local: Endpoint
  remote: Endpoint
}

function same(a: Endpoint, b: Endpoint): boolean {
  return a.address === b.address && a.port === b.port
}

/** Whether two lab connections are the two ends of one TCP connection (the lab's client talking to the lab's server). */
export function isMirror(a: End, b: End): boolean {
  if (a.family === 'unix' || a.family !== b.family || a.origin === b.origin) return false
  return same(a.local, b.remote) && same(a.remote, b.local)
}

/**
 * The ids to leave out of a capture because their other end is in it: one TCP connection written
 * twice would be one 4-tuple with two handshakes interleaved, which no reader can follow. The
 * outgoing end is kept (its handshake is the real order of things).
 */
export function mirroredIds(conns: readonly End[]): Map<number, number> {
  const outgoing = new Map<string, End>()
  const key = (local: Endpoint, remote: Endpoint) => `${local.address}|${local.port}|${remote.address}|${remote.port}`
  for (const c of conns) if (c.origin === 'outgoing' && c.family !== 'unix') outgoing.set(key(c.local, c.remote), c)
  const skip = new Map<number, number>()
  for (const c of conns) {
    if (c.origin !== 'accepted') continue
    const twin = outgoing.get(key(c.remote, c.local))
    if (twin && isMirror(twin, c)) skip.set(c.id, twin.id)
  }
  return skip
}
