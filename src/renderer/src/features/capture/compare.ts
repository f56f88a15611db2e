import type { ConnectionInfo, TrafficChunk } from '@shared/model'

/** Which way bytes went in a conversation: from the side that connected, or from the side that accepted. */
export type ConversationSide = 'client' | 'server'

/** The side that sent a chunk of a connection the lab read ('in') or wrote ('out'). */
export function sideOfChunk(origin: ConnectionInfo['origin'], dir: TrafficChunk['dir']): ConversationSide {
  return (origin === 'accepted') === (dir === 'in') ? 'client' : 'server'
}

/** Decodes base64 without node (the renderer). */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** A connection's kept bytes per conversation side, so an accepted and an outgoing run compare side by side. */
export function sideBytes(
  origin: ConnectionInfo['origin'],
  chunks: readonly TrafficChunk[]
): Record<ConversationSide, Uint8Array> {
  const parts: Record<ConversationSide, Uint8Array[]> = { client: [], server: [] }
  for (const c of chunks) parts[sideOfChunk(origin, c.dir)].push(fromBase64(c.data))
  const join = (list: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of list) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
  return { client: join(parts.client), server: join(parts.server) }
}

/** How two byte streams differ. */
export interface ByteDiff {
  identical: boolean
  lengthA: number
  lengthB: number
  /** The first offset where they differ (or where the shorter ends), null when identical. */
  firstDiff: number | null
  /** Bytes at the same offset that differ, over the common length. */
  differing: number
}

/** Compares two streams byte by byte at the same offsets (a replay sends the same bytes in the same order). */
export function diffBytes(a: Uint8Array, b: Uint8Array): ByteDiff {
  const n = Math.min(a.length, b.length)
  let first: number | null = null
  let differing = 0
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      differing++
      if (first === null) first = i
    }
  }
  if (first === null && a.length !== b.length) first = n
  return { identical: first === null, lengthA: a.length, lengthB: b.length, firstDiff: first, differing }
}

/** One row of the side-by-side hex view: 16 bytes of each run, and which of them differ. */
export interface DiffRow {
  offset: number
  a: (number | null)[]
  b: (number | null)[]
  differs: boolean[]
}

/** Rows of 16 bytes around the first difference (or from the start), at most `maxRows`. */
export function diffRows(a: Uint8Array, b: Uint8Array, from: number, maxRows: number): DiffRow[] {
  const rows: DiffRow[] = []
  const end = Math.max(a.length, b.length)
  for (let off = from - (from % 16); off < end && rows.length < maxRows; off += 16) {
    const row: DiffRow = { offset: off, a: [], b: [], differs: [] }
    for (let i = off; i < off + 16; i++) {
      const x = i < a.length ? a[i] : null
      const y = i < b.length ? b[i] : null
      row.a.push(x)
      row.b.push(y)
      row.differs.push((x !== null || y !== null) && x !== y)
    }
    rows.push(row)
  }
  return rows
}
