import type { ConnectionInfo } from '@shared/model'

/**
 * A proxied pair is one row (its client leg) that expands to its two legs: upstream legs leave the
 * list and come back right under their client leg when its pair is expanded. A leg whose partner is
 * gone (cleared) stays a row of its own. O(n) over the shown ids.
 */
export function groupPairs(
  ids: readonly number[],
  connections: ReadonlyMap<number, ConnectionInfo>,
  expanded: ReadonlySet<number>
): number[] {
  const upstreamOf = new Map<number, number>()
  for (const id of ids) {
    const c = connections.get(id)
    if (c?.proxy?.leg === 'upstream') upstreamOf.set(c.proxy.pairId, id)
  }
  if (upstreamOf.size === 0) return ids as number[]
  const out: number[] = []
  for (const id of ids) {
    const c = connections.get(id)
    const p = c?.proxy
    if (p?.leg === 'upstream') {
      if (!connections.has(p.pairId)) out.push(id)
      continue
    }
    out.push(id)
    if (p?.leg === 'client' && expanded.has(p.pairId)) {
      const up = upstreamOf.get(p.pairId)
      if (up !== undefined) out.push(up)
    }
  }
  return out
}
