import type { ConnectionInfo } from '@shared/model'
import { CLOSE_REASON_TEXT, STATE_RANK, formatEndpoint, isActive } from '@renderer/store/describe'
import type { Rate } from '@renderer/store/rate-history'
import type { SortKey, StateFilter } from '@renderer/store/ui-store'

/** What decides which rows the table shows, and in which order. */
export interface RowQuery {
  serverId: number | null
  outgoingOnly: boolean
  stateFilter: StateFilter
  text: string
  sort: { key: SortKey; dir: 'asc' | 'desc' }
}

/** Whether a connection matches the text filter (peer, local, id, state words). */
export function matchesText(c: ConnectionInfo, needle: string): boolean {
  if (needle === '') return true
  if (String(c.id) === needle || `#${c.id}` === needle) return true
  return (
    formatEndpoint(c.remote, c.family).toLowerCase().includes(needle) ||
    formatEndpoint(c.local, c.family).toLowerCase().includes(needle) ||
    (c.closeReason !== null && CLOSE_REASON_TEXT[c.closeReason].includes(needle))
  )
}

function endpointKey(a: ConnectionInfo['remote'], b: ConnectionInfo['remote']): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port
}

function comparator(key: SortKey, rates: ReadonlyMap<number, Rate>): (a: ConnectionInfo, b: ConnectionInfo) => number {
  switch (key) {
    case 'id':
      return (a, b) => a.id - b.id
    case 'peer':
      return (a, b) => endpointKey(a.remote, b.remote)
    case 'local':
      return (a, b) => endpointKey(a.local, b.local)
    case 'state':
      return (a, b) =>
        STATE_RANK[a.state] - STATE_RANK[b.state] || (a.closeReason ?? '').localeCompare(b.closeReason ?? '')
    case 'bytes-in':
      return (a, b) => a.bytesIn - b.bytesIn
    case 'bytes-out':
      return (a, b) => a.bytesOut - b.bytesOut
    case 'chunks':
      return (a, b) => a.chunksIn + a.chunksOut - (b.chunksIn + b.chunksOut)
    case 'rate':
      return (a, b) => total(rates.get(a.id)) - total(rates.get(b.id))
    case 'age':
      // Older first when ascending by age: a smaller openedAt is a larger age.
      return (a, b) => b.openedAt - a.openedAt
  }
}

function total(r: Rate | undefined): number {
  return r ? r.in + r.out : 0
}

/** The ids of the rows to show, filtered and sorted (ties broken by id so the order is stable). */
export function deriveRowIds(
  connections: ReadonlyMap<number, ConnectionInfo>,
  rates: ReadonlyMap<number, Rate>,
  q: RowQuery
): number[] {
  const needle = q.text.trim().toLowerCase()
  const rows: ConnectionInfo[] = []
  for (const c of connections.values()) {
    if (q.serverId !== null && c.serverId !== q.serverId) continue
    if (q.outgoingOnly && c.origin !== 'outgoing') continue
    if (q.stateFilter === 'active' && !isActive(c)) continue
    if (q.stateFilter === 'closed' && isActive(c)) continue
    if (!matchesText(c, needle)) continue
    rows.push(c)
  }
  const cmp = comparator(q.sort.key, rates)
  const sign = q.sort.dir === 'asc' ? 1 : -1
  rows.sort((a, b) => sign * (cmp(a, b) || a.id - b.id))
  return rows.map((c) => c.id)
}
