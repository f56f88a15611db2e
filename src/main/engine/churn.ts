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
  // Each closed connection's closing event, sent where its first event of the batch stood, so
  // consumers meet connections in the order they opened (a table in insertion order stays in it).
  const closing = new Map<number, LabEvent>()
  const lastIndex = new Map<number, number>()
  events.forEach((e, i) => {
    if (e.type === 'connection.closed') {
      closing.set(e.connection.id, e)
      lastIndex.set(e.connection.id, i)
    }
  })
  const out: LabEvent[] = []
  const placed = new Set<number>()
  events.forEach((e, i) => {
    if (!('connection' in e)) return void out.push(e)
    const id = e.connection.id
    const last = lastIndex.get(id)
    // Events after the close (none in practice) keep their place.
    if (last === undefined || i > last) return void out.push(e)
    if (placed.has(id)) return
    placed.add(id)
    out.push(closing.get(id)!)
  })
  return { events: out, closed }
}
