import { useEffect, useMemo, useRef, useState } from 'react'
import { useLab, useLabStore } from '@renderer/store/use-lab'
import { useUi } from '@renderer/store/ui-store'
import type { RowQuery } from './derive-rows'
import { deriveRowIds } from './derive-rows'
import { groupPairs } from '@renderer/store/pair-rows'

/** Above this many rows the order is recomputed at most every THROTTLE_MS, not on every batch. */
export const THROTTLE_ROWS = 2_000
const THROTTLE_MS = 400

/** A value that follows `value` at most once per `ms` (immediately when `ms` is 0). */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value)
  const last = useRef(0)
  useEffect(() => {
    if (Object.is(value, shown)) return
    const wait = ms - (Date.now() - last.current)
    if (ms === 0 || wait <= 0) {
      last.current = Date.now()
      setShown(value)
      return
    }
    const t = setTimeout(() => {
      last.current = Date.now()
      setShown(value)
    }, wait)
    return () => clearTimeout(t)
  }, [value, shown, ms])
  return ms === 0 ? value : shown
}

/**
 * The ids of the rows the table shows, in order. Rows themselves are read live from the store; only
 * the order (filter + sort, O(n log n)) is throttled when there are thousands of rows.
 */
export function useVisibleRowIds(): { ids: number[]; total: number } {
  const store = useLabStore()
  const size = useLab((s) => s.connections.size)
  const serverId = useUi((s) => s.selectedServerId)
  const outgoingOnly = useUi((s) => s.outgoingSelected)
  const stateFilter = useUi((s) => s.stateFilter)
  const text = useUi((s) => s.filterText)
  const sort = useUi((s) => s.sort)
  const expandedPairs = useUi((s) => s.expandedPairs)
  // Only an order by counters changes when counters move; the rest (and every filter) follow the members, so a
  // flood's batches do not even re-render the table around the rows.
  const byCounters = sort.key === 'bytes-in' || sort.key === 'bytes-out' || sort.key === 'chunks'
  const version = useLab((s) => (byCounters ? s.connectionsVersion : s.membersVersion))
  const ratesVersion = useLab((s) => (sort.key === 'rate' ? s.ratesVersion : 0))
  const trigger = `${version}:${ratesVersion}`
  const throttled = useThrottled(trigger, size > THROTTLE_ROWS ? THROTTLE_MS : 0)
  const previous = useRef<number[]>([])
  const ids = useMemo(() => {
    const q: RowQuery = { serverId, outgoingOnly, stateFilter, text, sort }
    const s = store.getState()
    const next = groupPairs(deriveRowIds(s.connections, s.connectionRates, q), s.connections, expandedPairs)
    // Under a flood every batch changes counters, not the order: the same rows keep the same array, so the
    // table (header, virtualiser, every row's props) does not render again; the rows follow their own data.
    return sameIds(previous.current, next) ? previous.current : next
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `throttled` says when to re-derive; the map is updated in place
  }, [store, throttled, serverId, outgoingOnly, stateFilter, text, sort, expandedPairs])
  previous.current = ids
  return { ids, total: size }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
