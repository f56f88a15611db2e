import type { TrafficRecord } from '@shared/model'
import { base64ToBytes } from '@shared/payload-codec'

/** One chunk as the detail view keeps it: decoded once. */
export interface KeptChunk {
  seq: number
  at: number
  dir: 'in' | 'out'
  /** The size of the read or write. */
  size: number
  /** The bytes still kept (a tail of the chunk when `bytes.length < size`). */
  bytes: Uint8Array
  /** The engine kept only this chunk's facts, not its bytes (its flood policy). */
  notKept?: 'flood'
}

/** The kept part of a connection's traffic on the renderer side, bounded like the engine's record. */
export interface TrafficWindow {
  chunks: KeptChunk[]
  keptBytes: number
  /** Every byte ever recorded (dropped or kept), as far as this window knows. */
  recordedBytes: number
  recordedChunks: number
  /** The last chunk seq seen, -1 before any. */
  lastSeq: number
}

/** Bounds of a window; the engine's defaults are 256 KiB and 4,096 chunks per connection. */
export interface WindowLimits {
  maxBytes: number
  maxChunks: number
}

/** The engine's documented defaults. */
export const DEFAULT_WINDOW_LIMITS: WindowLimits = { maxBytes: 256 * 1024, maxChunks: 4096 }

/** An empty window. */
export const EMPTY_WINDOW: TrafficWindow = {
  chunks: [],
  keptBytes: 0,
  recordedBytes: 0,
  recordedChunks: 0,
  lastSeq: -1
}

function decode(record: TrafficRecord): KeptChunk[] {
  return record.chunks.map((c) => {
    let bytes: Uint8Array
    try {
      bytes = base64ToBytes(c.data)
    } catch {
      bytes = new Uint8Array(0)
    }
    // `notKept` is optional in the record (the flood policy may leave it out entirely).
    const notKept = (c as { notKept?: unknown }).notKept === 'flood'
    return notKept
      ? { seq: c.seq, at: c.at, dir: c.dir, size: c.size, bytes, notKept: 'flood' as const }
      : { seq: c.seq, at: c.at, dir: c.dir, size: c.size, bytes }
  })
}

/**
 * Merges a traffic answer into the window. An answer that does not follow on from `lastSeq` (the first
 * one, or chunks dropped by the engine before we saw them) replaces the window: the engine drops oldest
 * first, so its answer is then its whole kept record. Chunks already seen are ignored.
 */
export function mergeTraffic(
  win: TrafficWindow,
  record: TrafficRecord,
  limits: WindowLimits = DEFAULT_WINDOW_LIMITS
): TrafficWindow {
  const fresh = decode(record).filter((c) => c.seq > win.lastSeq)
  // The engine's droppedBytes already counts the cut-off head of an oversized chunk.
  const firstSeq = fresh.length > 0 ? fresh[0].seq : record.nextSeq
  const continues = win.lastSeq >= 0 && firstSeq === win.lastSeq + 1
  let next: TrafficWindow
  if (!continues && (win.lastSeq < 0 || firstSeq > win.lastSeq + 1)) {
    const kept = fresh.reduce((n, c) => n + c.bytes.length, 0)
    next = {
      chunks: fresh,
      keptBytes: kept,
      recordedBytes: record.droppedBytes + kept,
      recordedChunks: record.droppedChunks + fresh.length,
      lastSeq: fresh.length > 0 ? fresh[fresh.length - 1].seq : record.nextSeq - 1
    }
  } else {
    if (fresh.length === 0) return win
    next = {
      chunks: win.chunks.concat(fresh),
      keptBytes: win.keptBytes + fresh.reduce((n, c) => n + c.bytes.length, 0),
      recordedBytes: win.recordedBytes + fresh.reduce((n, c) => n + c.size, 0),
      recordedChunks: win.recordedChunks + fresh.length,
      lastSeq: fresh[fresh.length - 1].seq
    }
  }
  return trimWindow(next, limits)
}

/** Drops the oldest chunks (keeping the newest bytes of a partly dropped one) until within the limits. */
export function trimWindow(win: TrafficWindow, limits: WindowLimits): TrafficWindow {
  if (win.keptBytes <= limits.maxBytes && win.chunks.length <= limits.maxChunks) return win
  const chunks = win.chunks.slice()
  let kept = win.keptBytes
  let head = 0
  while (head < chunks.length && (kept > limits.maxBytes || chunks.length - head > limits.maxChunks)) {
    const c = chunks[head]
    const excess = kept - limits.maxBytes
    if (excess > 0 && excess < c.bytes.length && chunks.length - head <= limits.maxChunks) {
      chunks[head] = { ...c, bytes: c.bytes.subarray(excess) }
      kept -= excess
      break
    }
    kept -= c.bytes.length
    head++
  }
  return { ...win, chunks: chunks.slice(head), keptBytes: kept }
}

/** Bytes and whole chunks recorded but no longer kept. */
export function droppedOf(win: TrafficWindow): { bytes: number; chunks: number } {
  return {
    bytes: Math.max(0, win.recordedBytes - win.keptBytes),
    chunks: Math.max(0, win.recordedChunks - win.chunks.length)
  }
}

/** A run of consecutive chunks in one direction: one turn of the conversation. */
export interface ChunkGroup {
  dir: 'in' | 'out'
  chunks: KeptChunk[]
  bytes: number
}

/** Groups consecutive chunks of the same direction. */
export function groupByDirection(chunks: readonly KeptChunk[]): ChunkGroup[] {
  const groups: ChunkGroup[] = []
  for (const c of chunks) {
    const last = groups[groups.length - 1]
    if (last && last.dir === c.dir) {
      last.chunks.push(c)
      last.bytes += c.size
    } else groups.push({ dir: c.dir, chunks: [c], bytes: c.size })
  }
  return groups
}

/** The kept bytes of some chunks, joined. */
export function joinBytes(chunks: readonly KeptChunk[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.bytes.length, 0))
  let o = 0
  for (const c of chunks) {
    out.set(c.bytes, o)
    o += c.bytes.length
  }
  return out
}

/**
 * The stream offset of each chunk's first kept byte, by seq. Each direction is its own byte stream
 * (in = what the peer sent, out = what the lab sent), so each counts from 0 on its own, across chunks:
 * that is what an offset in a TCP stream means, and it is what `xxd` on a capture of one side shows.
 * The count starts at the first chunk still kept; a chunk whose head was dropped starts later by the
 * dropped part. Once whole chunks have been dropped the offsets are relative to what is still kept.
 */
export function streamOffsets(chunks: readonly KeptChunk[]): Map<number, number> {
  const next = { in: 0, out: 0 }
  const offsets = new Map<number, number>()
  for (const c of chunks) {
    offsets.set(c.seq, next[c.dir] + Math.max(0, c.size - c.bytes.length))
    next[c.dir] += Math.max(c.size, c.bytes.length)
  }
  return offsets
}
