import type { FrameBroken, FrameMessage, FramePending, Framer, FramerOptions } from './types'
import { DEFAULT_MAX_KEPT } from './types'

const EMPTY = new Uint8Array(0)

/** Bookkeeping every framing shares: offsets, the kept payload of the current message, the break. */
export abstract class FramerBase implements Framer {
  offset: number
  broken: FrameBroken | null = null
  protected readonly maxKept: number
  protected out: FrameMessage[] = []
  /** Start of the current message, or -1 between messages. */
  protected msgStart = -1
  protected dataStart = -1
  protected dataSize = 0
  private parts: Uint8Array[] = []
  private keptSize = 0

  constructor(options: FramerOptions = {}) {
    this.maxKept = options.maxKept ?? DEFAULT_MAX_KEPT
    this.offset = options.startOffset ?? 0
  }

  /** Consumes `chunk` from `i`; returns how far it got (the whole chunk unless it broke). */
  protected abstract step(chunk: Uint8Array, i: number): number

  feed(chunk: Uint8Array): FrameMessage[] {
    this.out = []
    if (chunk.length === 0) return this.out
    if (this.broken) {
      this.out.push(this.rawPiece(this.offset, chunk))
      this.offset += chunk.length
      return this.out
    }
    const base = this.offset
    let i = 0
    // Each step consumes at least one byte or breaks, so this ends.
    while (i < chunk.length && !this.broken) {
      const next = this.step(chunk, i)
      this.offset = base + next
      if (next <= i) break
      i = next
    }
    const broken = this.broken as FrameBroken | null
    if (broken) {
      // Fall back to raw from the start of the message that broke (or the break itself).
      const from = this.msgStart >= 0 ? Math.max(this.msgStart, base) : broken.at
      if (from < base + chunk.length) this.out.push(this.rawPiece(from, chunk.subarray(from - base)))
      this.offset = base + chunk.length
      this.reset()
    }
    return this.out
  }

  end(): FrameMessage[] {
    this.out = []
    if (!this.broken) this.atEnd()
    return this.out
  }

  pending(): FramePending | null {
    if (this.msgStart < 0 || this.broken) return null
    return { start: this.msgStart, size: this.offset - this.msgStart }
  }

  /** The stream ended with a message that may run to the end. */
  protected atEnd(): void {}

  /** Begins a message at stream offset `at`. */
  protected begin(at: number): void {
    this.msgStart = at
    this.dataStart = at
    this.dataSize = 0
    this.parts = []
    this.keptSize = 0
  }

  /** Adds payload bytes (kept up to the bound; counted always). */
  protected keep(bytes: Uint8Array): void {
    this.dataSize += bytes.length
    const room = this.maxKept - this.keptSize
    if (room <= 0 || bytes.length === 0) return
    const piece = bytes.length <= room ? bytes : bytes.subarray(0, room)
    // A view for now; copied once when the message is finished (see keptData), so a large chunk is not kept alive.
    this.parts.push(piece)
    this.keptSize += piece.length
  }

  /** Drops the last `n` payload bytes (a terminator that was kept as it arrived). */
  protected trimTail(n: number): void {
    this.dataSize -= n
    let over = this.keptSize - this.dataSize
    while (over > 0 && this.parts.length > 0) {
      const last = this.parts[this.parts.length - 1]
      if (last.length <= over) {
        this.parts.pop()
        this.keptSize -= last.length
        over -= last.length
      } else {
        this.parts[this.parts.length - 1] = last.subarray(0, last.length - over)
        this.keptSize -= over
        over = 0
      }
    }
  }

  /** The kept payload so far, joined into a copy of its own. */
  protected keptData(): Uint8Array {
    if (this.parts.length === 0) return EMPTY
    if (this.parts.length === 1) {
      this.parts[0] = this.parts[0].slice()
      return this.parts[0]
    }
    const all = new Uint8Array(this.keptSize)
    let at = 0
    for (const p of this.parts) {
      all.set(p, at)
      at += p.length
    }
    this.parts = [all]
    return all
  }

  /** Completes the current message, ending at stream offset `end`. */
  protected finish(end: number, summary?: string): void {
    const data = this.keptData()
    const msg: FrameMessage = {
      start: this.msgStart,
      end,
      dataStart: this.dataStart,
      dataSize: this.dataSize,
      data,
      oversize: this.dataSize > data.length
    }
    if (summary !== undefined) msg.summary = summary
    this.out.push(msg)
    this.reset()
  }

  /** Marks the framing broken at stream offset `at`. */
  protected fail(at: number, reason: string): void {
    this.broken = { at, reason }
  }

  private reset(): void {
    this.msgStart = -1
    this.dataStart = -1
    this.dataSize = 0
    this.parts = []
    this.keptSize = 0
  }

  private rawPiece(start: number, bytes: Uint8Array): FrameMessage {
    const kept = bytes.length <= this.maxKept ? bytes.slice() : bytes.slice(0, this.maxKept)
    return {
      start,
      end: start + bytes.length,
      dataStart: start,
      dataSize: bytes.length,
      data: kept,
      oversize: kept.length < bytes.length,
      raw: true
    }
  }
}

/** Bytes as latin1 text (one char per byte), for summaries and headers. */
export function latin1(bytes: Uint8Array, max = 200): string {
  const n = Math.min(bytes.length, max)
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i])
  return s
}
