/** One message found in a byte stream: exact offsets, and its payload kept up to a bound. */
export interface FrameMessage {
  /** Stream offset of its first byte. */
  start: number
  /** Stream offset just past its last byte. */
  end: number
  /** Stream offset where the payload starts (after a length header; equal to `start` for most framings). */
  dataStart: number
  /** Full payload size (a line without its terminator, a body without its length header, a whole HTTP/RESP message). */
  dataSize: number
  /** The payload's first bytes, at most the framer's `maxKept`. */
  data: Uint8Array
  /** The payload is longer than what is kept. */
  oversize: boolean
  /** A one-line reading, e.g. `SET k v` or `GET / HTTP/1.1`. */
  summary?: string
  /** A piece of stream after the framing broke: one per chunk, not a message of the protocol. */
  raw?: boolean
}

/** Where and why a stream stopped following its framing. */
export interface FrameBroken {
  /** Stream offset of the byte where it broke. */
  at: number
  reason: string
}

/** A message begun but not finished. */
export interface FramePending {
  start: number
  /** Bytes of it seen so far. */
  size: number
}

/** An incremental parser: feed chunks in order, get the messages they complete. */
export interface Framer {
  /** The messages this chunk completes (after a break: the chunk itself as one raw piece). */
  feed(chunk: Uint8Array): FrameMessage[]
  /** The stream ended: a message that runs to the end (an HTTP body without length) completes. */
  end(): FrameMessage[]
  /** Bytes consumed so far, as a stream offset. */
  readonly offset: number
  readonly broken: FrameBroken | null
  /** The unfinished message, if any. */
  pending(): FramePending | null
}

/** Bounds of a framer. */
export interface FramerOptions {
  /** Payload bytes kept per message (default 64 KiB); longer payloads are marked oversize. */
  maxKept?: number
  /** Offset of the first byte fed (when framing starts mid-stream). */
  startOffset?: number
}

/** Default payload bytes kept per message. */
export const DEFAULT_MAX_KEPT = 64 * 1024
