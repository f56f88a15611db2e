import type { ToxicAttributes, ToxicStream, ToxicType } from '@shared/proxy-model'

/** A piece of the stream on its way through a pipe; `at` is when the lab read it. */
export interface Chunk {
  data: Buffer
  at: number
}

/** What a fault may do to its pipe, besides passing chunks on. */
export interface StageContext {
  readonly stream: ToxicStream
  /** Passes a chunk to the next stage (or the other leg). */
  forward(chunk: Chunk): void
  /** Passes the end of the stream (FIN) on, after everything forwarded before. */
  forwardEnd(): void
  /** Bytes this stage threw away (they leave the pipe's accounting). */
  dropped(bytes: number): void
  /** Ends the pair: the stream ends here and both legs close (FIN) behind what was passed on; or both reset (RST) at once. */
  endPair(how: 'close' | 'reset'): void
  /** A line on the pair's timeline, on the leg the effect is seen at. */
  mark(text: string): void
  /** The stage holds too many pieces (true): the pipe stops reading its source until it says false. */
  crowded(on: boolean): void
}

/** One fault in one pipe. Chunks arrive in order and must leave in order. */
export interface FaultStage {
  readonly type: ToxicType
  push(chunk: Chunk): void
  /** The stream's end reached this stage. */
  end(): void
  /** New attributes, applied to what arrives from now on. */
  update(attributes: ToxicAttributes): void
  /** The fault is removed: pass on what it holds (or end the pair where Toxiproxy does) and stop its timers. */
  remove(): void
  /** The pair is gone: stop timers, keep nothing. */
  dispose(): void
}

/** Builds a stage for one pipe. */
export type StageFactory = (ctx: StageContext, attributes: ToxicAttributes) => FaultStage

/** Most items one queue releases in one turn of the event loop; the rest follow on the next turn. */
export const RELEASE_PER_TURN = 512
/** Pieces a stage may hold before its pipe stops reading (many tiny reads cost more than their bytes). */
export const STAGE_ITEMS_HIGH = 4096

/** A FIFO of chunks (and the end) each released at its own time, with one timer at a time. */
export class TimedQueue {
  private items: { chunk: Chunk | null; due: number }[] = []
  private head = 0
  private timer: NodeJS.Timeout | null = null
  private running = false
  private yielding = false

  private crowdedNow = false

  constructor(
    private readonly release: (chunk: Chunk | null, due: number) => void,
    private readonly crowded: (on: boolean) => void = () => {}
  ) {}

  /** Items waiting. */
  get length(): number {
    return this.items.length - this.head
  }

  /** The due time of the newest item, or 0 when empty. */
  get lastDue(): number {
    return this.length > 0 ? this.items[this.items.length - 1].due : 0
  }

  /** Queues a chunk (or the end, as null) due at `due` (ms since the epoch). */
  add(chunk: Chunk | null, due: number): void {
    this.items.push({ chunk, due })
    if (!this.crowdedNow && this.length > STAGE_ITEMS_HIGH) this.setCrowded(true)
    if (this.length === 1) this.schedule()
  }

  private setCrowded(on: boolean): void {
    this.crowdedNow = on
    this.crowded(on)
  }

  /** Releases everything now, in order. */
  flush(): void {
    this.stop()
    while (this.head < this.items.length) {
      const it = this.items[this.head++]
      this.release(it.chunk, it.due)
    }
    this.items = []
    this.head = 0
    if (this.crowdedNow) this.setCrowded(false)
  }

  /** Forgets everything. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  clear(): void {
    this.stop()
    this.items = []
    this.head = 0
    if (this.crowdedNow) this.setCrowded(false)
  }

  private schedule(): void {
    if (this.timer || this.running || this.length === 0) return
    const wait = this.items[this.head].due - Date.now()
    if (wait <= 0 && !this.yielding) {
      this.run()
      return
    }
    this.timer = setTimeout(() => {
      this.timer = null
      this.run()
    }, wait)
  }

  private run(): void {
    // Bounded: releases only what is due now; the rest waits for the next timer.
    const now = Date.now()
    this.running = true
    let released = 0
    try {
      while (this.head < this.items.length && this.items[this.head].due <= now + 0.5 && released < RELEASE_PER_TURN) {
        const it = this.items[this.head++]
        this.release(it.chunk, it.due)
        released++
      }
    } finally {
      this.running = false
    }
    if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    if (this.head >= this.items.length) {
      this.items = []
      this.head = 0
    }
    if (this.crowdedNow && this.length <= STAGE_ITEMS_HIGH / 2) this.setCrowded(false)
    // A full turn's worth released: the rest waits for the next turn, so one queue never freezes the lab.
    this.yielding = released >= RELEASE_PER_TURN
    this.schedule()
    this.yielding = false
  }
}
