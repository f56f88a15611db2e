import { FramerBase, latin1 } from './framer-base'

/** Longest RESP line (type byte to CRLF) and inline command, as in Redis. */
export const RESP_MAX_LINE = 64 * 1024
/** Longest bulk string (Redis's proto-max-bulk-len default). */
export const RESP_MAX_BULK = 512 * 1024 * 1024
const MAX_DEPTH = 32
const MAX_COUNT = 2 ** 31
const SUMMARY_ITEMS = 8
const SUMMARY_ITEM_CHARS = 40

const SIMPLE = new Set(['+', '-', ':', '_', ',', '#', '('])
const BULK = new Set(['$', '!', '='])
const AGGREGATE = new Set(['*', '%', '~', '>', '|'])

/**
 * Redis RESP2/RESP3: one top-level value is one message (a command is an array of bulk strings,
 * summarised as `SET k v`); inline commands (`PING\r\n` typed by hand) are messages too.
 */
export class RespFramer extends FramerBase {
  private stack: number[] = []
  private line: Uint8Array[] = []
  private lineSize = 0
  private lineStart = 0
  private bulkLeft = -1
  private crlfGot = -1
  private items: string[] = []
  private extra = 0
  private top = ''
  private capture: number[] | null = null

  protected step(chunk: Uint8Array, i: number): number {
    const base = this.offset - i
    if (this.msgStart < 0) {
      this.begin(base + i)
      this.stack = []
      this.items = []
      this.extra = 0
      this.top = ''
    }
    if (this.bulkLeft >= 0) {
      const take = Math.min(this.bulkLeft, chunk.length - i)
      const piece = chunk.subarray(i, i + take)
      this.keep(piece)
      if (this.capture)
        for (let k = 0; k < piece.length && this.capture.length < SUMMARY_ITEM_CHARS; k++) this.capture.push(piece[k])
      this.bulkLeft -= take
      if (this.bulkLeft === 0) {
        this.bulkLeft = -1
        this.crlfGot = 0
      }
      return i + take
    }
    if (this.crlfGot >= 0) {
      const want = this.crlfGot === 0 ? 0x0d : 0x0a
      if (chunk[i] !== want) {
        this.fail(base + i, 'bulk string is not followed by CRLF')
        return i
      }
      this.keep(chunk.subarray(i, i + 1))
      if (++this.crlfGot === 2) {
        this.crlfGot = -1
        const text = this.capture ? latin1(Uint8Array.from(this.capture)) : ''
        this.capture = null
        this.valueDone(text, base + i + 1)
      }
      return i + 1
    }
    return this.stepLine(chunk, i, base)
  }

  private stepLine(chunk: Uint8Array, i: number, base: number): number {
    if (this.lineSize === 0) this.lineStart = base + i
    const nl = chunk.indexOf(0x0a, i)
    const end = nl < 0 ? chunk.length : nl + 1
    const piece = chunk.subarray(i, end)
    this.keep(piece)
    if (this.lineSize + piece.length > RESP_MAX_LINE) {
      this.fail(this.lineStart + RESP_MAX_LINE, `RESP line is over ${RESP_MAX_LINE} bytes`)
      return end
    }
    if (nl >= 0 && this.lineSize === 0) {
      // The whole line is in this chunk: read it in place.
      this.onLine(piece, base + end)
      return end
    }
    this.line.push(piece)
    this.lineSize += piece.length
    if (nl < 0) return end
    const bytes = new Uint8Array(this.lineSize)
    let at = 0
    for (const p of this.line) {
      bytes.set(p, at)
      at += p.length
    }
    this.line = []
    this.lineSize = 0
    this.onLine(bytes, base + end)
    return end
  }

  private onLine(bytes: Uint8Array, endOffset: number): void {
    const type = String.fromCharCode(bytes[0])
    const crlf = bytes.length >= 2 && bytes[bytes.length - 2] === 0x0d
    const bodyEnd = bytes.length - (crlf ? 2 : 1)
    if (crlf && (BULK.has(type) || AGGREGATE.has(type))) {
      const n = parseLength(bytes, 1, bodyEnd)
      if (n !== null) return this.onLength(type, n, endOffset)
    }
    const body = latin1(bytes.subarray(1, bodyEnd), RESP_MAX_LINE)
    const isType = SIMPLE.has(type) || BULK.has(type) || AGGREGATE.has(type)
    if (!isType) {
      const inline = this.stack.length === 0 && /^[A-Za-z]/.test(type)
      if (!inline) {
        this.fail(this.lineStart, `invalid RESP type byte 0x${bytes[0].toString(16).padStart(2, '0')}`)
        return
      }
      this.top = latin1(bytes.subarray(0, bytes.length - (crlf ? 2 : 1)), 120)
      this.finish(endOffset, this.top)
      return
    }
    if (!crlf) {
      this.fail(endOffset - 1, 'RESP line ends in LF without CR')
      return
    }
    if (SIMPLE.has(type)) {
      this.valueDone(type + body, endOffset)
      return
    }
    if (!/^-?\d{1,12}$/.test(body)) {
      this.fail(this.lineStart, `bad RESP length ${JSON.stringify(body.slice(0, 20))} after ${type}`)
      return
    }
    this.onLength(type, Number(body), endOffset)
  }

  /** A bulk or aggregate header with its length. */
  private onLength(type: string, n: number, endOffset: number): void {
    if (n === -1) return this.valueDone('(nil)', endOffset)
    if (n < -1) return this.fail(this.lineStart, `negative RESP length ${n}`)
    if (BULK.has(type)) {
      if (n > RESP_MAX_BULK) return this.fail(this.lineStart, `bulk length ${n} is over the bound of ${RESP_MAX_BULK}`)
      this.capture = this.stack.length <= 1 && this.items.length < SUMMARY_ITEMS ? [] : null
      if (n === 0) {
        this.crlfGot = 0
        return
      }
      this.bulkLeft = n
      return
    }
    const count = type === '%' ? 2 * n : type === '|' ? 2 * n + 1 : n
    if (count > MAX_COUNT) return this.fail(this.lineStart, `RESP aggregate of ${n} elements is over the bound`)
    if (this.stack.length >= MAX_DEPTH) return this.fail(this.lineStart, `RESP nesting is deeper than ${MAX_DEPTH}`)
    if (count === 0) return this.valueDone(type === '*' ? '(empty array)' : '(empty)', endOffset)
    this.stack.push(count)
  }

  /** A value ended at `endOffset`: count it in its aggregate, or end the message. */
  private valueDone(text: string, endOffset: number): void {
    if (this.stack.length === 1) {
      if (this.items.length < SUMMARY_ITEMS)
        this.items.push(text.length > SUMMARY_ITEM_CHARS ? `${text.slice(0, SUMMARY_ITEM_CHARS - 1)}…` : text)
      else this.extra++
    } else if (this.stack.length === 0) this.top = text
    while (this.stack.length > 0) {
      const last = this.stack.length - 1
      this.stack[last]--
      if (this.stack[last] > 0) return
      this.stack.pop()
    }
    const summary =
      this.items.length > 0 ? this.items.join(' ') + (this.extra > 0 ? ` … (+${this.extra})` : '') : this.top
    this.finish(endOffset, summary)
  }
}

/** A decimal length (optionally negative, at most 12 digits) in bytes[from, to), or null when it is not one. */
function parseLength(bytes: Uint8Array, from: number, to: number): number | null {
  let i = from
  const neg = bytes[i] === 0x2d
  if (neg) i++
  if (i >= to || to - i > 12) return null
  let v = 0
  for (; i < to; i++) {
    const d = bytes[i] - 0x30
    if (d < 0 || d > 9) return null
    v = v * 10 + d
  }
  return neg ? -v : v
}
