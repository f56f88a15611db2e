import type { LabEvent } from '@shared/model'

/**
 * Accept churn in one batch: a connection that opened and closed before the batch left needs only its
 * last event (its info carries every time stamp and the final counters; consumers upsert). Connections
 * still open keep every event, in order; server events and notices are never touched. Returns the
 * events to send and the ids of connections that closed in this batch (their counter rows add nothing).
 */
export function coalesceChurn(events: LabEvent[]): { events: LabEvent[]; closed: Set<number> } {
  const closed = new Set<number>()
  if (events.length < 2) {
    for (const e of events) if (e.type === 'connection.closed') closed.add(e.connection.id)
    return { events, closed }
  }
  for (const e of events) if (e.type === 'connection.closed') closed.add(e.connection.id)
  if (closed.size === 0) return { events, closed }
  // The index of each closed connection's closing event: its earlier events in this batch are dropped.
  const last = new Map<number, number>()
  events.forEach((e, i) => {
    if (e.type === 'connection.closed') last.set(e.connection.id, i)
  })
  const out: LabEvent[] = []
  events.forEach((e, i) => {
    if ('connection' in e && i < (last.get(e.connection.id) ?? -1)) return
    out.push(e)
  })
  return { events: out, closed }
}
