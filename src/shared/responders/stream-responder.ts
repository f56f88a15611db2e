import { createFramer } from '../framing/create-framer'
import type { Framing, FramingInput } from '../framing/spec'
import type { Framer } from '../framing/types'
import type { AnswerCounters, ResponderStats } from './answer'
import { answerMessage, emptyStats } from './answer'
import type { CompiledResponder } from './rules'

/** Bytes of an unfinished message a stream responder holds before it passes them on unjudged. */
export const STREAM_HOLD_BYTES = 64 * 1024

/** What to do with a stretch of a proxied stream, in order. */
export type StreamAction =
  | { kind: 'forward'; bytes: Uint8Array }
  /** Send back to the side the message came from (the message is not forwarded). */
  | {
      kind: 'answer'
      bytes: Uint8Array
      delayMs: number
      then: 'half-close' | 'close' | 'reset' | null
      /** Index of the rule that fired. */
      rule?: number
    }
  /** Forward this instead of the message. */
  | {
      kind: 'replace'
      bytes: Uint8Array
      delayMs: number
      then: 'half-close' | 'close' | 'reset' | null
      rule?: number
    }

/**
 * A responder on one direction of a proxy: cuts the stream into messages; a message a rule matches is answered
 * (or replaced by the reply), every other byte is forwarded unchanged and in order. Unfinished messages are held
 * up to STREAM_HOLD_BYTES; past that, and after the framing breaks, bytes pass through untouched.
 */
export class StreamResponder {
  readonly stats: ResponderStats
  private readonly framer: Framer
  private readonly counters: AnswerCounters = { perConnection: [], fallbackOnConnection: 0 }
  /** Bytes not yet forwarded or consumed, starting at stream offset `heldFrom`. */
  private held: Uint8Array[] = []
  private heldSize = 0
  private heldFrom = 0
  /** Held bytes up to this stream offset are to be forwarded. */
  private forwardTo = 0

  constructor(
    private readonly r: CompiledResponder,
    framing: Framing | FramingInput,
    /** One mode for every rule, or one per rule (by index). */
    private readonly mode: 'answer' | 'replace' | readonly ('answer' | 'replace')[],
    private readonly peer: string,
    private readonly holdBytes = STREAM_HOLD_BYTES,
    /** Counters to count into, e.g. shared by every pair of a proxy direction; fresh ones when absent. */
    stats?: ResponderStats
  ) {
    this.framer = createFramer(framing)
    this.stats = stats ?? emptyStats(r.rules.length)
  }

  /** Bytes held now: the start of a message not yet complete. */
  get heldBytes(): number {
    return this.heldSize
  }

  /** The actions one chunk leads to. */
  push(chunk: Uint8Array): StreamAction[] {
    const out: StreamAction[] = []
    if (this.framer.broken) {
      out.push({ kind: 'forward', bytes: chunk })
      this.heldFrom += chunk.length
      return out
    }
    this.held.push(chunk)
    this.heldSize += chunk.length
    for (const m of this.framer.feed(chunk)) {
      if (m.raw || m.start < this.heldFrom) {
        // Not judged: its head already went on (held too long), or framing broke.
        this.forwardUpTo(m.end)
        continue
      }
      this.forwardUpTo(m.start)
      const a = m.oversize ? null : answerMessage(this.r, m, this.counters, this.stats, this.peer)
      if (!a || a.rule < 0) {
        this.forwardUpTo(m.end)
        continue
      }
      this.flushForward(out)
      this.dropUpTo(m.end)
      const kind = typeof this.mode === 'string' ? this.mode : (this.mode[a.rule] ?? 'answer')
      out.push({ kind, rule: a.rule, bytes: a.reply ?? new Uint8Array(0), delayMs: a.delayMs, then: a.then })
    }
    if (this.framer.broken) this.forwardUpTo(this.heldFrom + this.heldSize)
    else if (this.heldSize - Math.max(0, this.forwardTo - this.heldFrom) > this.holdBytes)
      this.forwardUpTo(this.heldFrom + this.heldSize)
    this.flushForward(out)
    return out
  }

  /** The stream ended: whatever is held goes on. */
  end(): StreamAction[] {
    const out: StreamAction[] = []
    this.forwardUpTo(this.heldFrom + this.heldSize)
    this.flushForward(out)
    return out
  }

  private take(upTo: number): Uint8Array {
    const n = upTo - this.heldFrom
    if (n <= 0) return new Uint8Array(0)
    if (this.held[0].length >= n) {
      // Within one piece: a view, no copy (the common case of a chunk passed on whole).
      const first = this.held[0]
      const view = first.subarray(0, n)
      if (first.length === n) this.held.shift()
      else this.held[0] = first.subarray(n)
      this.heldSize -= n
      this.heldFrom = upTo
      return view
    }
    const out = new Uint8Array(n)
    let at = 0
    while (at < n) {
      const first = this.held[0]
      const need = n - at
      if (first.length <= need) {
        out.set(first, at)
        at += first.length
        this.held.shift()
      } else {
        out.set(first.subarray(0, need), at)
        this.held[0] = first.subarray(need)
        at += need
      }
    }
    this.heldSize -= n
    this.heldFrom = upTo
    return out
  }

  // Forwards are only noted (up to a stream offset) and taken once, before the next answer or at the end of a
  // push: a chunk of unmatched messages leaves as one view of the chunk, not one copy per message.
  private forwardUpTo(upTo: number): void {
    if (upTo > this.forwardTo) this.forwardTo = upTo
  }

  private flushForward(out: StreamAction[]): void {
    const bytes = this.take(this.forwardTo)
    if (bytes.length > 0) out.push({ kind: 'forward', bytes })
  }

  private dropUpTo(upTo: number): void {
    this.take(upTo)
  }
}
