import { FramerBase } from './framer-base'
import type { FramerOptions } from './types'

/** Raw: every chunk is one piece (what the socket delivered). */
export class RawFramer extends FramerBase {
  protected step(chunk: Uint8Array, i: number): number {
    this.begin(this.offset)
    this.keep(chunk.subarray(i))
    this.finish(this.offset + chunk.length - i)
    return chunk.length
  }
}

/** Lines: split on LF (`lf`, a trailing CR is stripped from the payload) or only on CRLF (`crlf`). */
export class LineFramer extends FramerBase {
  private lastCR = false

  constructor(
    private readonly eol: 'lf' | 'crlf',
    options?: FramerOptions
  ) {
    super(options)
  }

  protected step(chunk: Uint8Array, i: number): number {
    const base = this.offset - i
    if (this.msgStart < 0) this.begin(base + i)
    let from = i
    // indexOf is native: a 16 MiB line is scanned once, and only its first maxKept bytes are copied.
    for (;;) {
      const nl = chunk.indexOf(0x0a, from)
      if (nl < 0) {
        this.keep(chunk.subarray(i))
        this.lastCR = chunk[chunk.length - 1] === 0x0d
        return chunk.length
      }
      // At the chunk's first byte the CR, if any, ended the previous chunk of this same message.
      const crBefore = nl > i ? chunk[nl - 1] === 0x0d : this.dataSize > 0 && this.lastCR
      if (this.eol === 'crlf' && !crBefore) {
        from = nl + 1
        if (from >= chunk.length) {
          this.keep(chunk.subarray(i))
          this.lastCR = false
          return chunk.length
        }
        continue
      }
      this.keep(chunk.subarray(i, nl + 1))
      this.trimTail(crBefore ? 2 : 1)
      this.lastCR = false
      this.finish(base + nl + 1)
      return nl + 1
    }
  }
}

/** Messages ended by a byte sequence (the delimiter is not part of the payload). */
export class DelimiterFramer extends FramerBase {
  private matched = 0
  private readonly table: Int32Array

  constructor(
    private readonly delim: Uint8Array,
    options?: FramerOptions
  ) {
    super(options)
    // KMP failure table, so a partial match across chunks is never re-scanned.
    this.table = new Int32Array(delim.length)
    for (let k = 1, j = 0; k < delim.length; k++) {
      while (j > 0 && delim[k] !== delim[j]) j = this.table[j - 1]
      if (delim[k] === delim[j]) j++
      this.table[k] = j
    }
  }

  protected step(chunk: Uint8Array, i: number): number {
    const base = this.offset - i
    if (this.msgStart < 0) this.begin(base + i)
    const d = this.delim
    let k = i
    while (k < chunk.length) {
      if (this.matched === 0) {
        const next = chunk.indexOf(d[0], k)
        if (next < 0) break
        k = next
      }
      const b = chunk[k]
      while (this.matched > 0 && b !== d[this.matched]) this.matched = this.table[this.matched - 1]
      if (b === d[this.matched]) this.matched++
      k++
      if (this.matched === d.length) {
        this.matched = 0
        this.keep(chunk.subarray(i, k))
        this.trimTail(d.length)
        this.finish(base + k)
        return k
      }
    }
    this.keep(chunk.subarray(i))
    return chunk.length
  }
}

/** Fixed-size messages. */
export class FixedFramer extends FramerBase {
  constructor(
    private readonly size: number,
    options?: FramerOptions
  ) {
    super(options)
  }

  protected step(chunk: Uint8Array, i: number): number {
    const base = this.offset - i
    if (this.msgStart < 0) this.begin(base + i)
    const need = this.size - this.dataSize
    const take = Math.min(need, chunk.length - i)
    this.keep(chunk.subarray(i, i + take))
    if (this.dataSize === this.size) this.finish(base + i + take)
    return i + take
  }
}

/** Layout of a length-prefixed framing. */
export interface LengthLayout {
  bytes: 1 | 2 | 4 | 8
  endian: 'big' | 'little'
  offset: number
  includesHeader: boolean
  maxLength: number
}

/** Length-prefixed messages: `offset` header bytes, a 1/2/4/8-byte length, then the body (the payload). */
export class LengthFramer extends FramerBase {
  private readonly header: Uint8Array
  private headerGot = 0
  private body = -1

  constructor(
    private readonly layout: LengthLayout,
    options?: FramerOptions
  ) {
    super(options)
    this.header = new Uint8Array(layout.offset + layout.bytes)
  }

  protected step(chunk: Uint8Array, i: number): number {
    const base = this.offset - i
    if (this.msgStart < 0) {
      this.begin(base + i)
      this.headerGot = 0
      this.body = -1
    }
    if (this.body < 0) {
      const take = Math.min(this.header.length - this.headerGot, chunk.length - i)
      this.header.set(chunk.subarray(i, i + take), this.headerGot)
      this.headerGot += take
      i += take
      if (this.headerGot < this.header.length) return i
      const { bytes, offset, includesHeader, maxLength } = this.layout
      const value = this.readLength()
      const body = includesHeader ? value - this.header.length : value
      if (body < 0) {
        this.fail(
          this.msgStart + offset,
          `length ${value} is shorter than the ${this.header.length}-byte header it counts`
        )
        return i
      }
      if (body > maxLength) {
        this.fail(
          this.msgStart + offset,
          `length ${value} is over the bound of ${maxLength} bytes (${bytes}-byte field)`
        )
        return i
      }
      this.body = body
      this.dataStart = this.msgStart + this.header.length
      if (body === 0) {
        this.finish(base + i)
        return i
      }
      if (i >= chunk.length) return i
    }
    const take = Math.min(this.body - this.dataSize, chunk.length - i)
    this.keep(chunk.subarray(i, i + take))
    if (this.dataSize === this.body) this.finish(base + i + take)
    return i + take
  }

  private readLength(): number {
    const { bytes, endian, offset } = this.layout
    let v = 0
    for (let k = 0; k < bytes; k++) {
      const b = this.header[offset + (endian === 'big' ? k : bytes - 1 - k)]
      // Multiplication, not shifts: an 8-byte value stays exact up to 2^53 and only grows past the bound beyond.
      v = v * 256 + b
    }
    return v
  }
}
