/** Limits of the HTTP request parser. */
export interface HttpParserLimits {
  /** Request line + headers (and chunked trailers); more → 431. */
  maxHeadBytes: number
  /** Wire bytes of one request kept to show back; the rest is counted only. */
  maxShownBytes: number
}

/** The defaults: 16 KiB of head, 64 KiB shown. */
export const DEFAULT_HTTP_LIMITS: HttpParserLimits = { maxHeadBytes: 16 * 1024, maxShownBytes: 64 * 1024 }

/** One complete request as it came over the wire. */
export interface HttpRequest {
  method: string
  target: string
  version: '1.0' | '1.1'
  headers: Array<[name: string, value: string]>
  keepAlive: boolean
  /** The first `maxShownBytes` wire bytes: head, then the body exactly as framed. */
  raw: Buffer
  /** Every wire byte of the request, shown or not. */
  rawSize: number
}

/** What the parser found: a request, or a protocol error after which it reads nothing more. */
export type HttpParseEvent =
  { kind: 'request'; request: HttpRequest } | { kind: 'error'; status: 400 | 431 | 501 | 505; reason: string }

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'failed'

const EMPTY = Buffer.alloc(0)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^\s]+) HTTP\/(\d)\.(\d)$/

class Failure {
  constructor(
    readonly status: 400 | 431 | 501 | 505,
    readonly reason: string
  ) {}
}

/** The index just past the first blank line (`\n\n` or `\n\r\n`) at or after `from`, or -1. */
function findBlankLine(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(0x0a, from); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (buf[i + 1] === 0x0a) return i + 2
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3
  }
  return -1
}

/**
 * An incremental HTTP/1.x request parser: feed it chunks as they arrive, get complete requests in
 * order (pipelining). Lines may end in CRLF or a bare LF (what `nc` sends); bodies are framed by
 * Content-Length or chunked transfer coding.
 */
export class HttpRequestParser {
  private buf: Buffer = EMPTY
  private phase: Phase = 'head'
  private scanFrom = 0
  private remaining = 0
  private trailerBytes = 0
  private current: Omit<HttpRequest, 'raw' | 'rawSize'> | null = null
  private shown: Buffer[] = []
  private shownSize = 0
  private rawSize = 0

  constructor(private readonly limits: HttpParserLimits = DEFAULT_HTTP_LIMITS) {}

  /** Whether part of a request has arrived but not all of it. */
  get midRequest(): boolean {
    return this.phase !== 'head' || this.buf.length > 0
  }

  /** Feeds one chunk; returns what it completed. */
  push(chunk: Buffer): HttpParseEvent[] {
    if (this.phase === 'failed') return []
    this.buf = this.buf.length > 0 ? Buffer.concat([this.buf, chunk]) : chunk
    const out: HttpParseEvent[] = []
    try {
      // Each pass consumes bytes or returns; the count bound is only a guard.
      for (let guard = 0; guard < 1_000_000; guard++) {
        const done = this.step()
        if (done === 'more') break
        if (done !== null) out.push({ kind: 'request', request: done })
      }
    } catch (err) {
      if (!(err instanceof Failure)) throw err
      this.phase = 'failed'
      this.buf = EMPTY
      out.push({ kind: 'error', status: err.status, reason: err.reason })
    }
    return out
  }

  /** One state transition: a finished request, null (progress, continue) or 'more' (needs bytes). */
  private step(): HttpRequest | null | 'more' {
    switch (this.phase) {
      case 'head':
        return this.stepHead()
      case 'length': {
        if (this.buf.length === 0) return 'more'
        const n = Math.min(this.remaining, this.buf.length)
        this.consume(n)
        this.remaining -= n
        return this.remaining === 0 ? this.finish() : 'more'
      }
      case 'chunk-size': {
        const nl = this.buf.indexOf(0x0a)
        if (nl < 0) {
          if (this.buf.length > 1024) throw new Failure(400, 'A chunk-size line is too long')
          return 'more'
        }
        const line = this.buf.subarray(0, nl).toString('latin1').replace(/\r$/, '')
        const m = /^([0-9A-Fa-f]{1,12})[ \t]*(;.*)?$/.exec(line)
        if (!m) throw new Failure(400, `Bad chunk size line ${JSON.stringify(line.slice(0, 40))}`)
        this.consume(nl + 1)
        this.remaining = parseInt(m[1], 16)
        this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data'
        this.trailerBytes = 0
        return null
      }
      case 'chunk-data': {
        if (this.buf.length === 0) return 'more'
        const n = Math.min(this.remaining, this.buf.length)
        this.consume(n)
        this.remaining -= n
        if (this.remaining === 0) this.phase = 'chunk-end'
        return this.remaining === 0 ? null : 'more'
      }
      case 'chunk-end': {
        if (this.buf.length === 0 || (this.buf[0] === 0x0d && this.buf.length < 2)) return 'more'
        const len = this.buf[0] === 0x0a ? 1 : this.buf[0] === 0x0d && this.buf[1] === 0x0a ? 2 : 0
        if (len === 0) throw new Failure(400, 'Chunk data is not followed by CRLF')
        this.consume(len)
        this.phase = 'chunk-size'
        return null
      }
      case 'trailers': {
        const nl = this.buf.indexOf(0x0a)
        if (nl < 0) {
          if (this.trailerBytes + this.buf.length > this.limits.maxHeadBytes)
            throw new Failure(431, 'Trailer fields are too large')
          return 'more'
        }
        const blank = nl === 0 || (nl === 1 && this.buf[0] === 0x0d)
        this.trailerBytes += nl + 1
        if (this.trailerBytes > this.limits.maxHeadBytes) throw new Failure(431, 'Trailer fields are too large')
        this.consume(nl + 1)
        return blank ? this.finish() : null
      }
      case 'failed':
        return 'more'
    }
  }

  private stepHead(): HttpRequest | null | 'more' {
    // RFC 9112 §2.2: ignore empty lines before a request line.
    let skip = 0
    while (
      skip < this.buf.length &&
      (this.buf[skip] === 0x0a || (this.buf[skip] === 0x0d && this.buf[skip + 1] === 0x0a))
    ) {
      skip += this.buf[skip] === 0x0d ? 2 : 1
    }
    if (skip > 0) {
      this.buf = this.buf.subarray(skip)
      this.scanFrom = Math.max(0, this.scanFrom - skip)
    }
    if (this.buf.length === 0) return 'more'
    const end = findBlankLine(this.buf, Math.max(0, this.scanFrom - 2))
    if (end < 0) {
      if (this.buf.length > this.limits.maxHeadBytes)
        throw new Failure(431, `Request line and headers are over ${this.limits.maxHeadBytes} bytes`)
      this.scanFrom = this.buf.length
      return 'more'
    }
    if (end > this.limits.maxHeadBytes)
      throw new Failure(431, `Request line and headers are over ${this.limits.maxHeadBytes} bytes`)
    this.scanFrom = 0
    const head = this.buf.subarray(0, end).toString('latin1')
    this.consume(end)
    this.current = parseHead(head)
    const framing = bodyFraming(this.current.headers)
    if (framing === 'chunked') {
      this.phase = 'chunk-size'
      return null
    }
    this.remaining = framing
    if (framing === 0) return this.finish()
    this.phase = 'length'
    return null
  }

  private consume(n: number): void {
    if (this.shownSize < this.limits.maxShownBytes) {
      const take = Math.min(n, this.limits.maxShownBytes - this.shownSize)
      this.shown.push(Buffer.from(this.buf.subarray(0, take)))
      this.shownSize += take
    }
    this.rawSize += n
    this.buf = n >= this.buf.length ? EMPTY : this.buf.subarray(n)
  }

  private finish(): HttpRequest {
    const req = {
      ...(this.current as Omit<HttpRequest, 'raw' | 'rawSize'>),
      raw: Buffer.concat(this.shown, this.shownSize),
      rawSize: this.rawSize
    }
    this.current = null
    this.shown = []
    this.shownSize = 0
    this.rawSize = 0
    this.phase = 'head'
    return req
  }
}

function parseHead(head: string): Omit<HttpRequest, 'raw' | 'rawSize'> {
  const lines = head.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const requestLine = lines[0] ?? ''
  const m = REQUEST_LINE.exec(requestLine)
  if (!m)
    throw new Failure(
      400,
      `Malformed request line ${JSON.stringify(requestLine.slice(0, 80))} (expected METHOD TARGET HTTP/1.1)`
    )
  if (m[3] !== '1')
    throw new Failure(505, `HTTP/${m[3]}.${m[4]} is not supported; this server speaks HTTP/1.0 and HTTP/1.1`)
  const version = m[4] === '0' ? '1.0' : '1.1'
  const headers: Array<[string, string]> = []
  for (const line of lines.slice(1)) {
    if (line.startsWith(' ') || line.startsWith('\t'))
      throw new Failure(400, 'Folded header lines (starting with whitespace) are not allowed')
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon) : ''
    if (!TOKEN.test(name))
      throw new Failure(400, `Malformed header line ${JSON.stringify(line.slice(0, 80))} (expected Name: value)`)
    const value = line.slice(colon + 1).trim()
    if (/[\r\n\0]/.test(value)) throw new Failure(400, `Header ${name} contains a control character`)
    headers.push([name, value])
  }
  const hosts = headers.filter(([n]) => n.toLowerCase() === 'host')
  if (version === '1.1' && hosts.length !== 1)
    throw new Failure(400, 'An HTTP/1.1 request needs exactly one Host header')
  const tokens = headerTokens(headers, 'connection')
  const keepAlive = version === '1.1' ? !tokens.includes('close') : tokens.includes('keep-alive')
  return { method: m[1], target: m[2], version, headers, keepAlive }
}

function headerTokens(headers: Array<[string, string]>, name: string): string[] {
  return headers
    .filter(([n]) => n.toLowerCase() === name)
    .flatMap(([, v]) => v.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '')
}

/** 'chunked', or the Content-Length (0 when neither is given). */
function bodyFraming(headers: Array<[string, string]>): 'chunked' | number {
  const te = headerTokens(headers, 'transfer-encoding')
  const lengths = headers
    .filter(([n]) => n.toLowerCase() === 'content-length')
    .flatMap(([, v]) => v.split(',').map((x) => x.trim()))
  if (te.length > 0) {
    if (lengths.length > 0) throw new Failure(400, 'A request must not have both Transfer-Encoding and Content-Length')
    if (te.length !== 1 || te[0] !== 'chunked')
      throw new Failure(501, `Transfer-Encoding ${te.join(', ')} is not supported (only chunked)`)
    return 'chunked'
  }
  if (lengths.length === 0) return 0
  if (!lengths.every((l) => /^\d{1,15}$/.test(l)) || new Set(lengths.map(Number)).size !== 1) {
    throw new Failure(400, `Invalid Content-Length ${JSON.stringify(lengths.join(', '))}`)
  }
  return Number(lengths[0])
}
