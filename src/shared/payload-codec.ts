import type { Payload } from './contract'

// Pure and free of node imports: the renderer uses it to preview and validate as the person types,
// the engine uses it to produce the bytes it sends. Positions are indices into the JS string
// (UTF-16 code units), which is what a textarea's setSelectionRange expects.

/** Why a payload could not be turned into bytes; `position` is the 0-based string index of the culprit. */
export interface PayloadError {
  code: 'bad-payload'
  message: string
  position: number
}

/** The outcome of encoding a payload. */
export type EncodeResult = { ok: true; bytes: Uint8Array } | { ok: false; error: PayloadError }

const textEncoder = new TextEncoder()

/** The bytes each line ending appends. */
export const LINE_ENDING_BYTES: Readonly<Record<Payload['lineEnding'], readonly number[]>> = {
  none: [],
  lf: [0x0a],
  crlf: [0x0d, 0x0a]
}

/** A growable byte buffer, so big payloads are built without quadratic copying. */
class ByteBuilder {
  private buf: Uint8Array
  private len = 0

  constructor(initial: number) {
    this.buf = new Uint8Array(Math.max(16, initial))
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.len + extra) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  push(byte: number): void {
    this.ensure(1)
    this.buf[this.len++] = byte
  }

  pushAll(bytes: readonly number[]): void {
    for (const b of bytes) this.push(b)
  }

  pushText(text: string): void {
    if (text.length === 0) return
    // A UTF-16 code unit never needs more than 3 UTF-8 bytes.
    this.ensure(text.length * 3)
    const { written } = textEncoder.encodeInto(text, this.buf.subarray(this.len))
    this.len += written
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

/** A character shown safely inside an error message (controls and spaces as U+XXXX). */
function showChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0
  if (cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || (cp >= 0xd800 && cp <= 0xdfff)) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  }
  return `"${ch}"`
}

function failure(message: string, position: number): PayloadError {
  return { code: 'bad-payload', message, position }
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10
  return -1
}

function isHexSeparator(code: number): boolean {
  // whitespace (space, tab, LF, VT, FF, CR), and the usual byte separators : - ,
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x3a || code === 0x2d || code === 0x2c
}

/**
 * Writes hex as bytes. A byte is two adjacent hex digits (either case); a run of digits is read
 * in pairs (`48656c`). Runs may be separated by whitespace, `:`, `-` or `,` (`48:65`, `48-65`) and
 * a run may start with `0x`/`0X` (`0x48 0x65`, `0x4865`). An empty string is zero bytes.
 */
function writeHex(text: string, out: ByteBuilder): PayloadError | null {
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (isHexSeparator(c)) {
      i++
      continue
    }
    // `0x` prefix only at the start of a run, and only when a hex digit follows.
    if (c === 0x30 && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      if (i + 2 >= n || hexValue(text.charCodeAt(i + 2)) < 0) {
        return failure(`"0${text[i + 1]}" at position ${i} is not followed by hex digits`, i)
      }
      i += 2
    }
    let hi = -1
    let hiPos = -1
    while (i < n) {
      const code = text.charCodeAt(i)
      if (isHexSeparator(code)) break
      const v = hexValue(code)
      if (v < 0) {
        const ch = String.fromCodePoint(text.codePointAt(i) ?? code)
        return failure(`Not a hex digit ${showChar(ch)} at position ${i}`, i)
      }
      if (hi < 0) {
        hi = v
        hiPos = i
      } else {
        out.push((hi << 4) | v)
        hi = -1
      }
      i++
    }
    if (hi >= 0) {
      let rest = i
      while (rest < n && isHexSeparator(text.charCodeAt(rest))) rest++
      const digit = text[hiPos]
      if (rest >= n) {
        return failure(`Odd number of hex digits: the last byte "${digit}" at position ${hiPos} is incomplete`, hiPos)
      }
      return failure(
        `Incomplete byte "${digit}" at position ${hiPos}: each byte needs two hex digits (write 0${digit})`,
        hiPos
      )
    }
  }
  return null
}

/** The single-character escapes and the byte each stands for. */
export const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  r: 0x0d,
  n: 0x0a,
  t: 0x09,
  '0': 0x00,
  '\\': 0x5c,
  '"': 0x22,
  "'": 0x27,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  v: 0x0b,
  e: 0x1b
}

/** Reads exactly `count` hex digits at `at`, or -1. */
function readHexDigits(text: string, at: number, count: number): number {
  if (at + count > text.length) return -1
  let value = 0
  for (let k = 0; k < count; k++) {
    const v = hexValue(text.charCodeAt(at + k))
    if (v < 0) return -1
    value = value * 16 + v
  }
  return value
}

/**
 * Writes C-like escapes as bytes. `\r \n \t \0 \\ \" \' \a \b \f \v \e` are single bytes, `\xHH`
 * (exactly two hex digits) is one raw byte, `\uHHHH` and `\u{H..}` (1–6 digits, up to 10FFFF) are a
 * code point written as UTF-8 (a `\uD83D\uDE00` surrogate pair joins; a lone surrogate is refused).
 * Octal (`\012`) is refused rather than guessed: `\0` followed by a digit is an error. Every other
 * character is UTF-8. Errors point at the backslash of the bad escape.
 */
function writeEscapes(text: string, out: ByteBuilder): PayloadError | null {
  const n = text.length
  let i = 0
  while (i < n) {
    const slash = text.indexOf('\\', i)
    if (slash < 0) {
      out.pushText(text.slice(i))
      break
    }
    if (slash > i) out.pushText(text.slice(i, slash))
    if (slash + 1 >= n) {
      return failure(`Trailing "\\" at position ${slash} escapes nothing (write \\\\ for a backslash)`, slash)
    }
    const kind = text[slash + 1]
    if (Object.hasOwn(SIMPLE_ESCAPES, kind)) {
      const after = text.charCodeAt(slash + 2)
      if (kind === '0' && after >= 0x30 && after <= 0x39) {
        const octal = `\\0${text[slash + 2]}`
        return failure(`Octal escapes are not supported: "${octal}" at position ${slash} (use \\xHH)`, slash)
      }
      out.push(SIMPLE_ESCAPES[kind])
      i = slash + 2
      continue
    }
    if (kind === 'x') {
      const v = readHexDigits(text, slash + 2, 2)
      if (v < 0) return failure(`"\\x" at position ${slash} needs exactly two hex digits, as in \\x0a`, slash)
      out.push(v)
      i = slash + 4
      continue
    }
    if (kind === 'u') {
      const parsed = parseUnicodeEscape(text, slash)
      if (!parsed.ok) return failure(parsed.message, slash)
      out.pushText(String.fromCodePoint(parsed.cp))
      i = parsed.end
      continue
    }
    const ch = String.fromCodePoint(text.codePointAt(slash + 1) ?? 0)
    const shown = showChar(ch)
    const what = shown.startsWith('"') ? `"\\${ch}"` : `(backslash then ${shown})`
    return failure(`Unknown escape ${what} at position ${slash}`, slash)
  }
  return null
}

type UnicodeParse = { ok: true; cp: number; end: number } | { ok: false; message: string }

const refuse = (message: string): UnicodeParse => ({ ok: false, message })

/** Parses `\uHHHH`, a `\uHHHH\uHHHH` surrogate pair, or `\u{H..}` starting at the backslash. */
function parseUnicodeEscape(text: string, slash: number): UnicodeParse {
  const at = slash + 2
  if (text[at] === '{') {
    const close = text.indexOf('}', at + 1)
    const digits = close < 0 ? '' : text.slice(at + 1, close)
    if (close < 0 || digits.length < 1 || digits.length > 6 || readHexDigits(digits, 0, digits.length) < 0) {
      return refuse(`"\\u{" at position ${slash} needs 1 to 6 hex digits and a closing "}", as in \\u{1F600}`)
    }
    const cp = readHexDigits(digits, 0, digits.length)
    if (cp > 0x10ffff) return refuse(`\\u{${digits}} at position ${slash} is beyond U+10FFFF`)
    if (cp >= 0xd800 && cp <= 0xdfff) {
      return refuse(`\\u{${digits}} at position ${slash} is a surrogate, which UTF-8 cannot encode`)
    }
    return { ok: true, cp, end: close + 1 }
  }
  const cp = readHexDigits(text, at, 4)
  if (cp < 0) {
    return refuse(`"\\u" at position ${slash} needs exactly four hex digits (or \\u{H..}), as in \\u00e9`)
  }
  const unit = `\\u${text.slice(at, at + 4)}`
  if (cp >= 0xdc00 && cp <= 0xdfff) {
    return refuse(`${unit} at position ${slash} is a lone low surrogate, which UTF-8 cannot encode`)
  }
  if (cp >= 0xd800 && cp <= 0xdbff) {
    const low = text.startsWith('\\u', at + 4) ? readHexDigits(text, at + 6, 4) : -1
    if (low < 0xdc00 || low > 0xdfff) {
      return refuse(`${unit} at position ${slash} is a high surrogate without a following \\uDC00–\\uDFFF`)
    }
    return { ok: true, cp: 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00), end: at + 10 }
  }
  return { ok: true, cp, end: at + 4 }
}

/**
 * Turns a payload as typed by a person into the bytes to send; the line ending is appended for
 * every format. `text` is UTF-8. `hex` is pairs of digits, runs separated by whitespace, `:`, `-` or
 * `,`, each run optionally prefixed `0x`. `escapes` is C-like (see writeEscapes). Errors carry the
 * string index of the first offending character.
 */
export function encodePayload(p: Payload): EncodeResult {
  const ending = LINE_ENDING_BYTES[p.lineEnding] ?? []
  const out = new ByteBuilder(p.format === 'hex' ? (p.text.length >> 1) + 2 : p.text.length + 2)
  if (p.format === 'text') {
    out.pushText(p.text)
  } else {
    const error = p.format === 'hex' ? writeHex(p.text, out) : writeEscapes(p.text, out)
    if (error) return { ok: false, error }
  }
  out.pushAll(ending)
  return { ok: true, bytes: out.result() }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0))
const B64_LOOKUP = (() => {
  const t = new Int16Array(128).fill(-1)
  for (let k = 0; k < 64; k++) t[B64.charCodeAt(k)] = k
  // URL-safe alphabet accepted on input.
  t[0x2d] = 62
  t[0x5f] = 63
  return t
})()
const asciiDecoder = new TextDecoder()

/** Standard padded base64 of the bytes (no Buffer, linear time; works in the browser and Node). */
export function bytesToBase64(bytes: Uint8Array): string {
  const n = bytes.length
  const out = new Uint8Array(Math.ceil(n / 3) * 4)
  let o = 0
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    out[o++] = B64_CODES[v >> 18]
    out[o++] = B64_CODES[(v >> 12) & 63]
    out[o++] = B64_CODES[(v >> 6) & 63]
    out[o++] = B64_CODES[v & 63]
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0)
    out[o++] = B64_CODES[v >> 18]
    out[o++] = B64_CODES[(v >> 12) & 63]
    out[o++] = i + 1 < n ? B64_CODES[(v >> 6) & 63] : 0x3d
    out[o++] = 0x3d
  }
  // Every output byte is ASCII, so a UTF-8 decode is an exact, linear-time conversion.
  return asciiDecoder.decode(out)
}

/**
 * Decodes base64 (standard or URL-safe alphabet, padding optional, whitespace ignored).
 * Throws a RangeError on any other character or an impossible length.
 */
export function base64ToBytes(text: string): Uint8Array {
  const n = text.length
  const out = new Uint8Array(Math.floor((n * 3) / 4) + 3)
  let o = 0
  let acc = 0
  let bits = 0
  let digits = 0
  let padded = false
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue
    if (c === 0x3d) {
      padded = true
      continue
    }
    const v = c < 128 ? B64_LOOKUP[c] : -1
    if (v < 0 || padded) throw new RangeError(`Invalid base64 character at position ${i}`)
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    digits++
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
  }
  if (digits % 4 === 1) throw new RangeError('Invalid base64 length')
  return out.slice(0, o)
}
