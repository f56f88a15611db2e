import { formatBytes } from '@shared/byte-format'
import type { ConnectionInfo } from '@shared/model'
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

/** A data turn: consecutive chunks in one direction, split where a FIN fell between them. */
interface Turn {
  dir: 'in' | 'out'
  chunks: KeptChunk[]
  bytes: number
}

function turns(chunks: readonly KeptChunk[], breaks: readonly number[]): Turn[] {
  const out: Turn[] = []
  let prev: KeptChunk | null = null
  for (const c of chunks) {
    const last = out[out.length - 1]
    const split = prev !== null && breaks.some((b) => prev!.seq < b && b <= c.seq)
    if (last && last.dir === c.dir && !split) {
      last.chunks.push(c)
      last.bytes += c.size
    } else out.push({ dir: c.dir, chunks: [c], bytes: c.size })
    prev = c
  }
  return out
}

/**
 * The connection's life as ordered steps: handshake, data turns (consecutive chunks in one direction,
 * summed), FIN from either side, RST, close. Each FIN goes where the ordered record puts it
 * (`peerEndedSeq`/`labEndedSeq`: after every chunk with a lower seq), so a reply sent in the same
 * millisecond as the peer's FIN is still drawn after it; without those fields, by time.
 * `labEndedAt` is when the lab was seen half-closing (the engine's own time wins when it has one).
 */
export function sequenceEvents(
  c: ConnectionInfo,
  chunks: readonly KeptChunk[],
  opts: { droppedBytes: number; labEndedAt: number | null; maxDataArrows?: number }
): SeqEvent[] {
  const initiator = c.origin === 'accepted' ? 'peer' : 'lab'
  const open: SeqEvent = {
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
  }
  const labEndedAt = c.labEndedAt ?? opts.labEndedAt
  const peerSeq = c.peerEndedSeq ?? null
  const labSeq = c.labEndedSeq ?? null
  const breaks = [peerSeq, labSeq].filter((b): b is number => b !== null)
  const groups = turns(chunks, breaks)
  const max = opts.maxDataArrows ?? MAX_DATA_ARROWS
  const older = groups.length > max ? groups.slice(0, groups.length - max) : []
  const recent = groups.slice(older.length)
  // Each step carries its place: a seq position when the record gives one (x.5 = between chunks x and x+1).
  const placed: { e: SeqEvent; seq: number | null }[] = []
  if (opts.droppedBytes > 0 || older.length > 0) {
    const olderBytes = older.reduce((n, g) => n + g.bytes, 0)
    const parts = [
      opts.droppedBytes > 0 ? `${formatBytes(opts.droppedBytes)} no longer kept` : '',
      olderBytes > 0 ? `${formatBytes(olderBytes)} in ${plural(older.length, 'earlier turn')}` : ''
    ]
    const first = recent[0]?.chunks[0]
    placed.push({
      e: { kind: 'earlier', from: null, at: first?.at ?? null, label: `… ${parts.filter(Boolean).join(', ')}` },
      seq: first ? first.seq - 0.75 : null
    })
  }
  for (const g of recent) {
    const n = g.chunks.length
    placed.push({
      e: {
        kind: 'data',
        from: g.dir === 'in' ? 'peer' : 'lab',
        at: g.chunks[0].at,
        label: `${formatBytes(g.bytes)}${n > 1 ? ` (${plural(n, 'chunk')})` : ''}`
      },
      seq: g.chunks[0].seq
    })
  }
  if (c.peerEndedAt !== null)
    placed.push({
      e: { kind: 'fin', from: 'peer', at: c.peerEndedAt, label: 'FIN from the peer (we read EOF)' },
      seq: peerSeq === null ? null : peerSeq - 0.5
    })
  const reason = c.closeReason
  // A UDP flow has no FIN or RST: it is only forgotten (its reason is in the header).
  const labFin =
    c.kind !== 'udp' &&
    (labEndedAt !== null ||
      c.state === 'lab-half-closed' ||
      reason === 'lab-close' ||
      reason === 'server-stopped' ||
      reason === 'max-connections' ||
      reason === 'peer-fin')
  if (labFin && (reason !== 'lab-reset' || labSeq !== null)) {
    const halfClosed =
      c.state === 'lab-half-closed' ||
      (labEndedAt !== null && reason !== 'lab-close' && reason !== 'server-stopped' && reason !== 'max-connections')
    const why =
      reason === 'server-stopped'
        ? 'server stopped'
        : reason === 'max-connections'
          ? 'max connections'
          : halfClosed
            ? 'half-close'
            : 'close()'
    // Two FINs at the same place (no chunk between them) are ordered by time, then the peer's first.
    placed.push({
      e: { kind: 'fin', from: 'lab', at: labEndedAt ?? c.closedAt, label: `FIN from the lab (${why})` },
      seq: labSeq === null ? null : labSeq - 0.5
    })
  }
  const ordered = placed.every((p) => p.seq !== null || p.e.kind !== 'fin')
  const rest = placed
    .map((p, i) => ({ ...p, i }))
    .sort(
      (a, b) =>
        (ordered && a.seq !== null && b.seq !== null ? a.seq - b.seq : 0) ||
        (a.e.at ?? Infinity) - (b.e.at ?? Infinity) ||
        a.i - b.i
    )
    .map((x) => x.e)
  const out = [open, ...rest]
  if (reason === 'peer-reset')
    out.push({ kind: 'rst', from: 'peer', at: c.closedAt, label: 'RST: peer reset the connection' })
  if (reason === 'lab-reset' && c.kind !== 'udp')
    out.push({ kind: 'rst', from: 'lab', at: c.closedAt, label: 'RST: lab reset the connection' })
  if (reason === 'error')
    out.push({ kind: 'error', from: null, at: c.closedAt, label: `error: ${c.error ?? 'unknown'}` })
  if (c.state === 'closed') out.push({ kind: 'closed', from: null, at: c.closedAt, label: 'closed' })
  else
    out.push({
      kind: 'now',
      from: null,
      at: null,
      label: c.state === 'queued' ? 'waiting in the accept queue' : `now: ${c.state.replace(/-/g, ' ')}`
    })
  return out
}
