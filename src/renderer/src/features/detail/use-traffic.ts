import { useEffect, useRef, useState } from 'react'
import type { LabError } from '@shared/contract'
import type { ConnectionInfo } from '@shared/model'
import { useCommand } from '@renderer/store/use-command'
import type { LabRequest } from '@renderer/transport/transport'
import { DEFAULT_WINDOW_LIMITS, EMPTY_WINDOW, mergeTraffic } from './traffic-window'
import type { TrafficWindow, WindowLimits } from './traffic-window'

/** How often the traffic of the shown connection is fetched. */
export const TRAFFIC_POLL_MS = 500

/** The traffic window of one connection and the last fetch error. */
export interface TrafficState {
  window: TrafficWindow
  error: LabError | null
}

/**
 * Fetches a connection's traffic now and every TRAFFIC_POLL_MS while it is open (only newer chunks
 * each time); once it is closed, one last fetch, then no more.
 */
export function useTraffic(
  connection: Pick<ConnectionInfo, 'id' | 'state'>,
  request: LabRequest | undefined,
  limits: WindowLimits = DEFAULT_WINDOW_LIMITS,
  pollMs = TRAFFIC_POLL_MS
): TrafficState {
  const [win, setWindow] = useState<TrafficWindow>(EMPTY_WINDOW)
  const { run, error } = useCommand(request, { trackBusy: false })
  const closedRef = useRef(connection.state === 'closed')
  closedRef.current = connection.state === 'closed'
  const kickRef = useRef<() => void>(() => {})
  // A new `request` function (an inline arrow in a parent) must not restart the record.
  const runRef = useRef(run)
  runRef.current = run
  const id = connection.id
  const { maxBytes, maxChunks } = limits

  useEffect(() => {
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let inFlight = false
    let finished = false
    let shown = EMPTY_WINDOW
    setWindow(EMPTY_WINDOW)

    const tick = async (): Promise<void> => {
      if (cancelled || inFlight || finished) return
      inFlight = true
      timer = undefined
      const last = closedRef.current
      const result = await runRef.current(
        'connection:traffic',
        shown.lastSeq >= 0 ? { connectionId: id, afterSeq: shown.lastSeq } : { connectionId: id }
      )
      inFlight = false
      if (cancelled) return
      // A failure is kept by useCommand (shown until the next answer); the window stays as it was.
      if (result.ok) {
        const merged = mergeTraffic(shown, result.value, { maxBytes, maxChunks })
        if (merged !== shown) {
          shown = merged
          setWindow(merged)
        }
      }
      if (last) {
        finished = true
        return
      }
      timer = setTimeout(() => void tick(), pollMs)
    }
    // A close seen between ticks gets its final fetch at once.
    kickRef.current = () => {
      if (timer !== undefined) {
        clearTimeout(timer)
        void tick()
      }
    }
    void tick()
    return () => {
      cancelled = true
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [id, maxBytes, maxChunks, pollMs])

  useEffect(() => {
    if (connection.state === 'closed') kickRef.current()
  }, [connection.state])

  return { window: win, error }
}
