import { formatBytes } from '@shared/byte-format'
import type { ConnectionInfo } from '@shared/model'
import { groupByDirection } from './traffic-window'
import type { KeptChunk } from './traffic-window'

/** One step of a connection's life as the sequence diagram draws it. */
export interface SeqEvent {
  kind: 'open' | 'data' | 'earlier' | 'fin' | 'rst' | 'error' | 'closed' | 'now'
  /** Who sends it; null for a note on the lab's lifeline. */
  from: 'peer' | 'lab' | null
  at: number | null
  label: string
}

/** Data turns drawn as arrows at most; older turns are summed into one dashed arrow. */
export const MAX_DATA_ARROWS = 24

function plural(n: number, one: string): string {
  return `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`
}

/**
 * The connection's life as ordered steps: handshake, data turns (consecutive chunks in one direction,
 * summed), FIN from either side, RST, close. `labEndedAt` is when the lab was seen half-closing.
 */
export function sequenceEvents(
  c: ConnectionInfo,
  chunks: readonly KeptChunk[],
  opts: { droppedBytes: number; labEndedAt: number | null; maxDataArrows?: number }
): SeqEvent[] {
  const events: SeqEvent[] = []
  const initiator = c.origin === 'accepted' ? 'peer' : 'lab'
  events.push({
    kind: 'open',
    from: initiator,
    at: c.openedAt,
    label:
      c.kind === 'udp'
        ? c.origin === 'accepted'
          ? 'first datagram (UDP: no handshake)'
          : 'connect() on a datagram socket: nothing is sent'
        : c.origin === 'accepted'
          ? `SYN → handshake → accept()${c.kind === 'tls' ? ' → TLS handshake' : ''}`
          : `connect() → SYN → handshake${c.kind === 'tls' ? ' → TLS handshake' : ''}`
  })
  const groups = groupByDirection(chunks)
  const max = opts.maxDataArrows ?? MAX_DATA_ARROWS
  const older = groups.length > max ? groups.slice(0, groups.length - max) : []
  const recent = groups.slice(older.length)
  if (opts.droppedBytes > 0 || older.length > 0) {
    const olderBytes = older.reduce((n, g) => n + g.bytes, 0)
    const parts = [opts.droppedBytes > 0 ? `${formatBytes(opts.droppedBytes)} no longer kept` : '', olderBytes > 0 ? `${formatBytes(olderBytes)} in ${plural(older.length, 'earlier turn')}` : '']
    events.push({ kind: 'earlier', from: null, at: recent[0]?.chunks[0].at ?? null, label: `… ${parts.filter(Boolean).join(', ')}` })
  }
  for (const g of recent) {
    const n = g.chunks.length
    events.push({
      kind: 'data',
      from: g.dir === 'in' ? 'peer' : 'lab',
      at: g.chunks[0].at,
      label: `${formatBytes(g.bytes)}${n > 1 ? ` (${plural(n, 'chunk')})` : ''}`
    })
  }
  const tail: SeqEvent[] = []
  if (c.peerEndedAt !== null) tail.push({ kind: 'fin', from: 'peer', at: c.peerEndedAt, label: 'FIN from the peer (we read EOF)' })
  const reason = c.closeReason
  // A UDP flow has no FIN or RST: it is only forgotten (its reason is in the header).
  const labFin =
    c.kind !== 'udp' &&
    (opts.labEndedAt !== null || c.state === 'lab-half-closed' || reason === 'lab-close' || reason === 'server-stopped' || reason === 'max-connections' || reason === 'peer-fin')
  if (labFin && reason !== 'lab-reset') {
    const why =
      reason === 'server-stopped' ? 'server stopped' : reason === 'max-connections' ? 'max connections' : opts.labEndedAt !== null || c.state === 'lab-half-closed' ? 'half-close' : 'close()'
    tail.push({ kind: 'fin', from: 'lab', at: opts.labEndedAt ?? c.closedAt, label: `FIN from the lab (${why})` })
  }
  if (reason === 'peer-reset') tail.push({ kind: 'rst', from: 'peer', at: c.closedAt, label: 'RST: peer reset the connection' })
  if (reason === 'lab-reset' && c.kind !== 'udp') tail.push({ kind: 'rst', from: 'lab', at: c.closedAt, label: 'RST: lab reset the connection' })
  if (reason === 'error') tail.push({ kind: 'error', from: null, at: c.closedAt, label: `error: ${c.error ?? 'unknown'}` })
  // Data and close steps interleave by time (a lab reply after the peer's FIN is normal).
  const all = events.concat(tail)
  const head = all.slice(0, 1)
  const rest = all
    .slice(1)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at ?? Infinity) - (b.e.at ?? Infinity) || a.i - b.i)
    .map((x) => x.e)
  const out = head.concat(rest)
  if (c.state === 'closed') out.push({ kind: 'closed', from: null, at: c.closedAt, label: 'closed' })
  else out.push({ kind: 'now', from: null, at: null, label: c.state === 'queued' ? 'waiting in the accept queue' : `now: ${c.state.replace(/-/g, ' ')}` })
  return out
}
