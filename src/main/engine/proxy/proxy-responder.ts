import type { Framing } from '@shared/framing/spec'
import type { ToxicStream } from '@shared/proxy-model'
import type { ResponderStats } from '@shared/responders/answer'
import { emptyStats } from '@shared/responders/answer'
import type { ProxyResponder, ProxyResponderInfo } from '@shared/responders/proxy-schema'
import type { CompiledResponder } from '@shared/responders/rules'
import { compileResponder } from '@shared/responders/rules'
import type { StreamAction } from '@shared/responders/stream-responder'
import { StreamResponder } from '@shared/responders/stream-responder'
import type { LabConnection } from '../lab-connection'
import { LabFailure } from '../errors'
import { peerLabel } from '../behaviours/behaviour'

/** What an action waiting behind a delay counts in the pipe's held bytes beyond its own bytes (bounds empty ones). */
export const PARKED_ACTION_BYTES = 64
/**
 * Answers queued on a sender's socket that it does not read: past this, the lab stops reading from it and holds
 * further answers (counted in the pipe's held bytes) until its queue drains.
 */
export const ANSWER_HIGH_WATER = 256 * 1024
/** Answers joined into one write to their sender. */
export const ANSWER_BATCH_BYTES = 64 * 1024

/** One direction's responder as a proxy keeps it: shared by every pair, counters over all of them. */
export class DirectionResponder {
  readonly compiled: CompiledResponder
  readonly modes: ('answer' | 'replace')[]
  readonly stats: ResponderStats

  constructor(readonly settings: ProxyResponder) {
    const c = compileResponder(settings)
    // The contract validated the rules; this only guards a caller that skipped it.
    if (!c.ok) throw new LabFailure('invalid', `responder.${c.error.path.join('.')}: ${c.error.message}`)
    this.compiled = c.value
    this.modes = settings.rules.map((r) => r.action)
    this.stats = emptyStats(settings.rules.length)
  }

  get framing(): Framing {
    return this.settings.framing
  }

  /** The wire form, counters copied. */
  info(): ProxyResponderInfo {
    const s = this.stats
    return {
      framing: this.settings.framing,
      rules: this.settings.rules.map((r) => ({ ...r })),
      stats: { hits: [...s.hits], messages: s.messages, unmatched: s.unmatched }
    }
  }
}

/** What a responder uses of its pipe. */
export interface ResponderPipe {
  readonly stream: ToxicStream
  readonly source: LabConnection
  readonly sink: LabConnection
  /** Adds to (or, negative, takes from) the pipe's held bytes and re-checks its back-pressure. */
  holdBytes(n: number): void
  /** Bytes already counted as held enter the fault chain at its start, as a read chunk would. */
  forward(bytes: Buffer): void
  /** The source's end, behind everything the responder passed on, enters the fault chain. */
  forwardEnd(): void
  /** After a replaced message: its direction ends there (`half-close`), or the pair closes once it gets there. */
  endAfterReplace(how: 'half-close' | 'close'): void
  resetPair(): void
  /** Notes an answer (on the source leg) or a replacement (on the sink leg) on the timeline. */
  mark(leg: LabConnection, text: string, rule: number, action: 'answer' | 'replace'): void
  /** The responder has no rules and nothing in flight: the pipe goes back to plain forwarding. */
  detach(): void
}

type Queued = { action: StreamAction; waited: boolean } | { action: { kind: 'end' }; waited: boolean }

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length))

/**
 * The head of one pipe while a responder runs on its direction: the stream is cut into messages (StreamResponder);
 * a matched message is answered back to its sender or replaced by the reply; every other byte goes into the fault
 * chain unchanged and in order. One queue keeps that order: a delayed action holds everything behind it until it
 * is done (bounded: what waits counts in the pipe's held bytes, so back-pressure stops the source).
 */
export class PipeResponder {
  private sr: StreamResponder | null = null
  private readonly queue: Queued[] = []
  private timer: NodeJS.Timeout | null = null
  /** A `then` action ended what this direction carries: later bytes are dropped. */
  private done = false
  private answersHeld = false
  // Answers of one turn go back as one write (bounded by ANSWER_BATCH_BYTES).
  private batch: Buffer[] = []
  private batchBytes = 0

  constructor(
    private readonly pipe: ResponderPipe,
    settings: DirectionResponder | null
  ) {
    this.use(settings)
  }

  /** New rules (or none): what the old ones hold of an unfinished message goes on unjudged. */
  use(settings: DirectionResponder | null): void {
    if (this.sr) this.enqueue(this.sr.end())
    this.sr = settings
      ? new StreamResponder(
          settings.compiled,
          settings.framing,
          settings.modes,
          peerLabel(this.pipe.source),
          undefined,
          settings.stats
        )
      : null
    this.pump()
  }

  /** Rules set, or something still in flight. */
  get active(): boolean {
    return this.sr !== null || this.queue.length > 0 || this.timer !== null
  }

  /** A chunk read from the source. */
  push(data: Buffer): void {
    if (this.done) return
    this.pipe.holdBytes(data.length)
    const sr = this.sr
    if (!sr) {
      this.enqueue([{ kind: 'forward', bytes: data }])
      return this.pump()
    }
    const before = sr.heldBytes
    const actions = sr.push(data)
    let forwarded = 0
    for (const a of actions) if (a.kind === 'forward') forwarded += a.bytes.length
    // Matched messages are consumed here: their bytes leave the held count (replies are counted as they queue).
    const consumed = before + data.length - sr.heldBytes - forwarded
    if (consumed !== 0) this.pipe.holdBytes(-consumed)
    this.enqueue(actions)
    this.pump()
  }

  /** The source's end: what is held goes on, then the end, behind any delayed action. */
  end(): void {
    // After a `then` action the end still travels (it closes the other leg behind what went on).
    if (this.done) return this.pipe.forwardEnd()
    if (this.sr) this.enqueue(this.sr.end())
    this.queue.push({ action: { kind: 'end' }, waited: false })
    this.pump()
  }

  /** The source can take answers again. */
  sourceDrained(): void {
    if (!this.answersHeld) return
    this.answersHeld = false
    this.pipe.source.holdReading(false)
    this.pump()
  }

  /** Stops the timer and forgets what waits (the pipe's sink is gone or the pair ended). */
  dispose(): void {
    this.batch = []
    this.batchBytes = 0
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.queue.length = 0
    this.sr = null
    if (this.answersHeld) {
      this.answersHeld = false
      this.pipe.source.holdReading(false)
    }
  }

  private enqueue(actions: readonly StreamAction[]): void {
    for (const action of actions) {
      if (action.kind !== 'forward') this.pipe.holdBytes(action.bytes.length + PARKED_ACTION_BYTES)
      this.queue.push({ action, waited: false })
    }
  }

  private pump(): void {
    // Bounded: the queue holds at most the pipe's high water in bytes (each action counts at least
    // PARKED_ACTION_BYTES or its bytes), so one turn works through a few thousand actions at most.
    let k = 0
    for (; k < this.queue.length && this.timer === null && !this.done; k++) {
      const q = this.queue[k]
      const a = q.action
      // Answers wait while the sender's queue is full of earlier ones (resumed by sourceDrained).
      if (a.kind === 'answer' && this.answersHeld) break
      if (a.kind !== 'forward' && a.kind !== 'end' && a.delayMs > 0 && !q.waited) {
        q.waited = true
        this.timer = setTimeout(() => {
          this.timer = null
          this.pump()
        }, a.delayMs)
        break
      }
      this.apply(a)
    }
    this.flushAnswers()
    this.queue.splice(0, k)
    if (this.done) this.release()
    else if (!this.active) this.pipe.detach()
  }

  /** After a `then` action: what still waits is dropped and leaves the held count. */
  private release(): void {
    let n = this.sr?.heldBytes ?? 0
    for (const { action: a } of this.queue)
      if (a.kind === 'forward') n += a.bytes.length
      else if (a.kind !== 'end') n += a.bytes.length + PARKED_ACTION_BYTES
    const ended = this.queue.some((q) => q.action.kind === 'end')
    this.dispose()
    if (n > 0) this.pipe.holdBytes(-n)
    if (ended) this.pipe.forwardEnd()
  }

  private apply(a: StreamAction | { kind: 'end' }): void {
    if (a.kind === 'end') return this.pipe.forwardEnd()
    if (a.kind === 'forward') return this.pipe.forward(asBuffer(a.bytes))
    const rule = a.rule ?? -1
    const n = rule + 1
    if (a.kind === 'replace') {
      this.pipe.holdBytes(-PARKED_ACTION_BYTES)
      this.pipe.mark(this.pipe.sink, `replaced by rule ${n} (${a.bytes.length} B forwarded)`, rule, 'replace')
      if (a.bytes.length > 0) this.pipe.forward(asBuffer(a.bytes))
      if (a.then === 'reset') this.finish(() => this.pipe.resetPair())
      else if (a.then) this.finish(() => this.pipe.endAfterReplace(a.then as 'half-close' | 'close'))
      return
    }
    this.pipe.holdBytes(-(a.bytes.length + PARKED_ACTION_BYTES))
    const source = this.pipe.source
    this.pipe.mark(source, `answered by rule ${n} (${a.bytes.length} B back to the sender)`, rule, 'answer')
    if (a.bytes.length > 0) {
      this.batch.push(asBuffer(a.bytes))
      this.batchBytes += a.bytes.length
      if (this.batchBytes >= ANSWER_BATCH_BYTES) this.flushAnswers()
    }
    if (a.then) this.flushAnswers()
    if (a.then === 'half-close') source.halfClose()
    else if (a.then === 'close') this.finish(() => source.close('lab-close'))
    else if (a.then === 'reset') this.finish(() => this.pipe.resetPair())
  }

  private flushAnswers(): void {
    if (this.batch.length === 0) return
    const source = this.pipe.source
    const bytes = this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch)
    this.batch = []
    this.batchBytes = 0
    if (!source.writable) return
    source.send(bytes)
    // A sender that does not read its answers is not read from either, until they drain.
    if (!this.answersHeld && source.pendingWriteBytes > ANSWER_HIGH_WATER) {
      this.answersHeld = true
      source.holdReading(true)
    }
  }

  private finish(act: () => void): void {
    this.done = true
    act()
  }
}
