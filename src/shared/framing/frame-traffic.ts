import { createFramer } from './create-framer'
import { HttpFramer } from './http-framer'
import type { Framing, FramingInput } from './spec'
import { normalizeFraming } from './spec'
import type { FrameBroken, FrameMessage, FramePending } from './types'

/** A chunk as a viewer has it: its size, and the bytes still kept (a tail of it when shorter). */
export interface ViewChunk {
  seq: number
  dir: 'in' | 'out'
  size: number
  bytes: Uint8Array
}

/** One direction's stream cut into messages, with the chunk boundaries that fall across it. */
export interface FramedDirection {
  messages: FrameMessage[]
  /** Stream offset where each chunk starts, with its seq, in order. */
  chunkStarts: { seq: number; offset: number; size: number }[]
  broken: FrameBroken | null
  pending: FramePending | null
  /** Set when framing could not start at offset 0 (the head of the stream is no longer kept). */
  startsAt: number
  /** Framing stopped at this offset after `maxMessages` (a flood of tiny messages), or null. */
  stoppedAt: number | null
}

/** Most messages framed per direction for a view; past it the view stops (bounded work per refresh). */
export const VIEW_MAX_MESSAGES = 20_000

/** Both directions of a connection framed. */
export interface FramedTraffic {
  in: FramedDirection
  out: FramedDirection
}

/**
 * Frames the kept chunks of a connection, each direction on its own (in = from the peer). A chunk
 * whose head was dropped breaks the framing there (bytes missing), except at the start, where framing
 * begins at the first kept byte. Framing never changes the bytes; it only reads them.
 */
export function frameTraffic(
  chunks: readonly ViewChunk[],
  framing: Framing | FramingInput,
  ended = false,
  maxMessages = VIEW_MAX_MESSAGES
): FramedTraffic {
  const fin = frameDirection(chunks, 'in', framing, ended, maxMessages)
  const fout = frameDirection(chunks, 'out', framing, ended, maxMessages)
  if (normalizeFraming(framing).type !== 'http') return { in: fin, out: fout }
  // HTTP: responses to HEAD carry no body, which only the requests in the other direction tell.
  const methods = (d: FramedDirection): string[] =>
    d.messages.filter((m) => !m.raw && m.summary && !m.summary.startsWith('HTTP/')).map((m) => m.summary!.split(' ')[0])
  const inMethods = methods(fin)
  const outMethods = methods(fout)
  if (inMethods.includes('HEAD'))
    return { in: fin, out: frameDirection(chunks, 'out', framing, ended, maxMessages, inMethods) }
  if (outMethods.includes('HEAD'))
    return { in: frameDirection(chunks, 'in', framing, ended, maxMessages, outMethods), out: fout }
  return { in: fin, out: fout }
}

function frameDirection(
  chunks: readonly ViewChunk[],
  dir: 'in' | 'out',
  framing: Framing | FramingInput,
  ended: boolean,
  maxMessages: number,
  requestMethods?: string[]
): FramedDirection {
  const own = chunks.filter((c) => c.dir === dir)
  const result: FramedDirection = {
    messages: [],
    chunkStarts: [],
    broken: null,
    pending: null,
    startsAt: 0,
    stoppedAt: null
  }
  if (own.length === 0) return result
  const firstCut = Math.max(0, own[0].size - own[0].bytes.length)
  result.startsAt = firstCut
  const framer = createFramer(framing, { startOffset: firstCut })
  if (requestMethods && framer instanceof HttpFramer) framer.requestMethods = [...requestMethods]
  let offset = 0
  let gapBroken: FrameBroken | null = null
  for (const [k, c] of own.entries()) {
    const cut = Math.max(0, c.size - c.bytes.length)
    result.chunkStarts.push({ seq: c.seq, offset, size: c.size })
    const keptAt = offset + cut
    offset += Math.max(c.size, c.bytes.length)
    if (k > 0 && cut > 0 && !gapBroken && !framer.broken) {
      gapBroken = { at: keptAt - cut, reason: `${cut} bytes of this chunk are no longer kept` }
    }
    if (gapBroken) {
      result.messages.push({
        start: keptAt,
        end: keptAt + c.bytes.length,
        dataStart: keptAt,
        dataSize: c.bytes.length,
        data: c.bytes,
        oversize: false,
        raw: true
      })
      continue
    }
    if (result.stoppedAt !== null) continue
    for (const m of framer.feed(c.bytes)) result.messages.push(m)
    if (result.messages.length >= maxMessages) result.stoppedAt = offset
  }
  if (result.stoppedAt !== null) return result
  if (ended && !gapBroken) for (const m of framer.end()) result.messages.push(m)
  result.broken = gapBroken ?? framer.broken
  result.pending = gapBroken ? null : framer.pending()
  return result
}
