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
  const version = useLab((s) => s.connectionsVersion)
  const ratesVersion = useLab((s) => s.ratesVersion)
  const size = useLab((s) => s.connections.size)
  const serverId = useUi((s) => s.selectedServerId)
  const outgoingOnly = useUi((s) => s.outgoingSelected)
  const stateFilter = useUi((s) => s.stateFilter)
  const text = useUi((s) => s.filterText)
  const sort = useUi((s) => s.sort)
  const expandedPairs = useUi((s) => s.expandedPairs)
  const trigger = `${version}:${sort.key === 'rate' ? ratesVersion : 0}`
  const throttled = useThrottled(trigger, size > THROTTLE_ROWS ? THROTTLE_MS : 0)
  const ids = useMemo(() => {
    const q: RowQuery = { serverId, outgoingOnly, stateFilter, text, sort }
    const s = store.getState()
    return groupPairs(deriveRowIds(s.connections, s.connectionRates, q), s.connections, expandedPairs)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `throttled` says when to re-derive; the map is updated in place
  }, [store, throttled, serverId, outgoingOnly, stateFilter, text, sort, expandedPairs])
  return { ids, total: size }
}
