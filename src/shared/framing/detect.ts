import type { Framing } from './spec'

/** A suggested framing and why. */
export interface FramingGuess {
  framing: Framing
  /** What in the first bytes suggests it, in words. */
  reason: string
  /** Protocol recognised, for display: `HTTP request`, `TLS`, `SSH`, `Redis RESP`, `text lines`, `binary`. */
  protocol: string
}

const HTTP_METHODS = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|TRACE|CONNECT|PROPFIND|MKCOL|COPY|MOVE|LOCK|UNLOCK|PRI) /
/** How many first bytes detection looks at. */
export const DETECT_BYTES = 512

function ascii(bytes: Uint8Array, n: number): string {
  let s = ''
  for (let i = 0; i < Math.min(n, bytes.length); i++) s += String.fromCharCode(bytes[i])
  return s
}

/** Suggests a framing from a connection's first bytes (either direction's), or null when too little arrived to say. */
export function detectFraming(first: Uint8Array): FramingGuess | null {
  if (first.length === 0) return null
  const head = ascii(first, DETECT_BYTES)
  const firstLine = head.split('\n')[0].replace(/\r$/, '')
  const m = HTTP_METHODS.exec(head)
  if (m && / HTTP\/1\.[01]$/.test(firstLine)) {
    return {
      framing: 'http',
      protocol: 'HTTP request',
      reason: `starts with the request line "${firstLine.slice(0, 60)}"`
    }
  }
  if (/^HTTP\/1\.[01] \d{3}/.test(head)) {
    return {
      framing: 'http',
      protocol: 'HTTP response',
      reason: `starts with the status line "${firstLine.slice(0, 60)}"`
    }
  }
  if (first.length >= 3 && first[0] === 0x16 && first[1] === 0x03 && first[2] <= 0x04) {
    const hello =
      first.length >= 6 && first[5] === 0x01
        ? ' carrying a ClientHello'
        : first.length >= 6 && first[5] === 0x02
          ? ' carrying a ServerHello'
          : ''
    return {
      framing: { type: 'length', bytes: 2, endian: 'big', offset: 3, includesHeader: false, maxLength: 18432 },
      protocol: 'TLS',
      reason: `byte 0x16 then version 0x03${first[2].toString(16).padStart(2, '0')}: a TLS handshake record${hello}; records are 5-byte headers with a 2-byte length (contents encrypted after the handshake)`
    }
  }
  if (head.startsWith('SSH-')) {
    return {
      framing: 'crlf',
      protocol: 'SSH',
      reason: `starts with the SSH banner "${firstLine.slice(0, 60)}"; only the banner is a line, the binary packets after it are encrypted`
    }
  }
  const c = head[0]
  if ('*$+-:'.includes(c) && /^[*$:][-\d]+\r\n|^[+-][^\r\n]*\r\n/.test(head)) {
    const what =
      c === '*'
        ? 'an array (a command)'
        : c === '$'
          ? 'a bulk string'
          : c === '+'
            ? 'a simple string'
            : c === '-'
              ? 'an error'
              : 'an integer'
    return {
      framing: 'resp',
      protocol: 'Redis RESP',
      reason: `type byte "${c}" then a CRLF-ended header: RESP ${what}`
    }
  }
  let printable = 0
  let newline = -1
  let crlf = false
  const n = Math.min(first.length, DETECT_BYTES)
  for (let i = 0; i < n; i++) {
    const b = first[i]
    if (b === 0x0a) {
      if (newline < 0) newline = i
      if (i > 0 && first[i - 1] === 0x0d) crlf = true
      printable++
    } else if ((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0d || b >= 0x80) printable++
  }
  if (printable === n && newline >= 0) {
    return {
      framing: crlf ? 'crlf' : 'line',
      protocol: 'text lines',
      reason: `printable text with a line ending (${crlf ? 'CRLF' : 'LF'}) after ${newline} bytes`
    }
  }
  if (printable === n) {
    return { framing: 'line', protocol: 'text', reason: `${n} bytes of printable text and no line ending yet` }
  }
  return {
    framing: 'raw',
    protocol: 'binary',
    reason: `${n - printable} of the first ${n} bytes are not text; no known header — pick a length or fixed framing by hand`
  }
}
