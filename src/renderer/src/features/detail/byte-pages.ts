// Pure pieces of the detail view's byte rendering: where a big chunk's pages start, and runs of one
// control byte collapsed into one token. What is drawn stays bounded per page, whatever a peer sent.

/** A run of at least this many identical control bytes is drawn as one badge with a count. */
export const RUN_MIN = 3

/** Text and escaped pages: at most this many printable bytes… */
export const TEXT_PAGE_BYTES = 4096
/** …and at most this many control badges (a run counts once). */
export const TEXT_PAGE_TOKENS = 256
/** Hex pages: a fixed number of bytes (64 lines of 16). */
export const HEX_PAGE_BYTES = 1024

/** A C0 control or DEL: what the text view draws as a badge. */
export function isControlByte(b: number): boolean {
  return b < 0x20 || b === 0x7f
}

/** One piece of a byte range: printable text (UTF-8, may hold C1/bidi), or a run of one control byte. */
export type ByteToken =
  { kind: 'text'; from: number; to: number } | { kind: 'control'; byte: number; from: number; to: number }

/** The end (exclusive) of the run of `bytes[from]` starting at `from`, bounded by `to`. */
function runEnd(bytes: Uint8Array, from: number, to: number): number {
  const b = bytes[from]
  let j = from + 1
  while (j < to && bytes[j] === b) j++
  return j
}

/**
 * Splits `bytes[from, to)` into text spans and control tokens. Consecutive identical control bytes
 * form one token when there are at least RUN_MIN of them; shorter runs are one token per byte.
 */
export function byteTokens(bytes: Uint8Array, from = 0, to = bytes.length): ByteToken[] {
  const out: ByteToken[] = []
  let i = from
  while (i < to) {
    if (isControlByte(bytes[i])) {
      const end = runEnd(bytes, i, to)
      if (end - i >= RUN_MIN) {
        out.push({ kind: 'control', byte: bytes[i], from: i, to: end })
      } else {
        for (let k = i; k < end; k++) out.push({ kind: 'control', byte: bytes[k], from: k, to: k + 1 })
      }
      i = end
    } else {
      let j = i + 1
      while (j < to && !isControlByte(bytes[j])) j++
      out.push({ kind: 'text', from: i, to: j })
      i = j
    }
  }
  return out
}

/** True for a UTF-8 lead byte of a C1 control (C2 80–9F) or of a bidi override (E2 80 AA–AE, E2 81 A6–A9). */
function specialAt(bytes: Uint8Array, i: number): boolean {
  const b = bytes[i]
  if (b === 0xc2) return bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9f
  if (b === 0xe2) {
    const c = bytes[i + 1]
    const d = bytes[i + 2]
    return (c === 0x80 && d >= 0xaa && d <= 0xae) || (c === 0x81 && d >= 0xa6 && d <= 0xa9)
  }
  return false
}

/** Limits of one page. */
export interface PageLimits {
  /** Printable bytes a page may hold. */
  maxBytes: number
  /** Badges a page may hold (a collapsed run is one). */
  maxTokens: number
}

/**
 * Where each text/escaped page of `bytes` starts (the first is 0). A page closes when it has
 * `maxBytes` printable bytes or `maxTokens` badges; a run never splits, and a cut inside text never
 * falls inside a UTF-8 sequence. One pass over the bytes, no allocation per byte.
 */
export function textPageStarts(
  bytes: Uint8Array,
  limits: PageLimits = { maxBytes: TEXT_PAGE_BYTES, maxTokens: TEXT_PAGE_TOKENS }
): number[] {
  const starts = [0]
  let textBytes = 0
  let tokens = 0
  let cont = 0
  const n = bytes.length
  let i = 0
  const cut = (at: number): void => {
    if (at > starts[starts.length - 1] && at < n) starts.push(at)
    textBytes = 0
    tokens = 0
  }
  while (i < n) {
    const b = bytes[i]
    if (isControlByte(b)) {
      const end = runEnd(bytes, i, n)
      // A long run is one badge; a short one is one badge per byte.
      const step = end - i >= RUN_MIN ? end - i : 1
      for (let k = i; k < end; k += step) {
        if (tokens + 1 > limits.maxTokens) cut(k)
        tokens++
      }
      i = end
      cont = 0
      continue
    }
    const continuation = (b & 0xc0) === 0x80
    if (specialAt(bytes, i)) {
      if (tokens + 1 > limits.maxTokens) cut(i)
      tokens++
    } else if (textBytes + 1 > limits.maxBytes && (!continuation || cont >= 3)) {
      // Not inside a UTF-8 sequence (at most 3 continuation bytes); a longer stray run is not one.
      cut(i)
    }
    cont = continuation ? cont + 1 : 0
    textBytes++
    i++
  }
  return starts
}

/** Where each hex page starts: every `pageBytes` bytes. */
export function hexPageStarts(length: number, pageBytes = HEX_PAGE_BYTES): number[] {
  const starts: number[] = []
  for (let s = 0; s < Math.max(1, length); s += pageBytes) starts.push(s)
  return starts
}

/** The byte range [from, to) of page `index` given its starts and the total length. */
export function pageRange(starts: readonly number[], index: number, length: number): { from: number; to: number } {
  const i = Math.max(0, Math.min(starts.length - 1, index))
  return { from: starts[i], to: i + 1 < starts.length ? starts[i + 1] : length }
}

/** A count in the badge: `NUL ×65,536`. */
export function runLabel(abbr: string, count: number): string {
  return count > 1 ? `${abbr} ×${count.toLocaleString('en-US')}` : abbr
}
