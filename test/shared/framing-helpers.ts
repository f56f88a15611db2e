import { createFramer } from '@shared/framing'
import type { FrameMessage, Framing } from '@shared/framing'

/** Text as bytes. */
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
/** Bytes as latin1 text. */
export const text = (b: Uint8Array): string => String.fromCharCode(...b)

/** Frames `stream` fed in the pieces cut at `cuts` (sorted offsets); returns messages, the break and the pending message. */
export function frameSplit(framing: Framing, stream: Uint8Array, cuts: number[] = [], end = false) {
  const f = createFramer(framing)
  const messages: FrameMessage[] = []
  let at = 0
  for (const c of [...cuts, stream.length]) {
    if (c < at) continue
    messages.push(...f.feed(stream.subarray(at, c)))
    at = c
  }
  if (end) messages.push(...f.end())
  return { messages, broken: f.broken, pending: f.pending(), framer: f }
}

/** A message reduced to what a split must not change. */
export function essence(m: FrameMessage) {
  return {
    start: m.start,
    end: m.end,
    dataStart: m.dataStart,
    dataSize: m.dataSize,
    data: text(m.data),
    oversize: m.oversize,
    summary: m.summary
  }
}
