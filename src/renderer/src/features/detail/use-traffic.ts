import { useEffect, useRef, useState } from 'react'
import type { ConnectionInfo } from '@shared/model'
import type { LabRequest } from '@renderer/transport/transport'
import { DEFAULT_WINDOW_LIMITS, EMPTY_WINDOW, mergeTraffic } from './traffic-window'
import type { TrafficWindow, WindowLimits } from './traffic-window'

/** How often the traffic of the shown connection is fetched. */
export const TRAFFIC_POLL_MS = 500

/** The traffic window of one connection and the last fetch error. */
export interface TrafficState {
  window: TrafficWindow
  error: string | null
}

/**
 * Fetches a connection's traffic now and every TRAFFIC_POLL_MS while it is open (only newer chunks
 * each time); once it is closed, one last fetch, then no more.
 */
export function useTraffic(
  connection: Pick<ConnectionInfo, 'id' | 'state'>,
  request: LabRequest,
  limits: WindowLimits = DEFAULT_WINDOW_LIMITS,
  pollMs = TRAFFIC_POLL_MS
): TrafficState {
  const [state, setState] = useState<TrafficState>({ window: EMPTY_WINDOW, error: null })
  const closedRef = useRef(connection.state === 'closed')
  closedRef.current = connection.state === 'closed'
  const kickRef = useRef<() => void>(() => {})
  // A new `request` function (an inline arrow in a parent) must not restart the record.
  const requestRef = useRef(request)
  requestRef.current = request
  const id = connection.id
  const { maxBytes, maxChunks } = limits

  useEffect(() => {
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let inFlight = false
    let finished = false
    let win = EMPTY_WINDOW
    setState({ window: EMPTY_WINDOW, error: null })

    const tick = async (): Promise<void> => {
      if (cancelled || inFlight || finished) return
      inFlight = true
      timer = undefined
      const last = closedRef.current
      const result = await requestRef.current('connection:traffic', win.lastSeq >= 0 ? { connectionId: id, afterSeq: win.lastSeq } : { connectionId: id })
      inFlight = false
      if (cancelled) return
      if (result.ok) {
        const merged = mergeTraffic(win, result.value, { maxBytes, maxChunks })
        if (merged !== win) {
          win = merged
          setState({ window: merged, error: null })
        } else setState((s) => (s.error ? { ...s, error: null } : s))
      } else {
        const message = result.error.hint ? `${result.error.message} ${result.error.hint}` : result.error.message
        setState((s) => ({ ...s, error: message }))
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

  return state
}
