import { FramerBase, latin1 } from './framer-base'

/** Most bytes of a request/status line plus headers. */
export const HTTP_MAX_HEAD = 64 * 1024
const MAX_CHUNK_LINE = 1024
const MAX_BODY = 2 ** 40

const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d\.\d$/
const STATUS_LINE = /^HTTP\/\d\.\d \d{3}(?: .*)?$/

type State =
  | { kind: 'head' }
  | { kind: 'body'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-crlf'; got: number }
  | { kind: 'trailers' }
  | { kind: 'until-close' }

/**
 * HTTP/1.x requests and responses: a head (start line + headers, bounded), then a body by
 * Content-Length, chunked transfer coding, or (responses without either) until the stream ends.
 * A response to HEAD cannot be told apart from one direction alone: it is read as having the body its headers announce.
 */
export class HttpFramer extends FramerBase {
  /**
   * The methods of the requests the responses of this stream answer, oldest first (the other direction's), when
   * known: a response to HEAD has no body whatever its headers say. The framer takes one per response.
   */
  requestMethods: string[] | null = null

  private state: State = { kind: 'head' }
  private line: number[] = []
  /** Views of the head's bytes, in order (the chunks are not ours to change). */
  private head: Uint8Array[] = []
  private headSize = 0
  private lineLen = 0
  private lineFirst = 0
  private summary = ''
  private firstLineDone = false
  private lineStart = 0

  protected step(chunk: Uint8Array, i: number): number {
    const base = this.offset - i
    if (this.msgStart < 0) {
      this.begin(base + i)
      this.state = { kind: 'head' }
      this.head = []
      this.headSize = 0
      this.lineLen = 0
      this.line = []
      this.summary = ''
      this.firstLineDone = false
    }
    const st = this.state
    switch (st.kind) {
      case 'head':
        return this.stepHead(chunk, i, base)
      case 'body': {
        const take = Math.min(st.left, chunk.length - i)
        this.keep(chunk.subarray(i, i + take))
        st.left -= take
        if (st.left === 0) this.finish(base + i + take, this.summary)
        return i + take
      }
      case 'until-close':
        this.keep(chunk.subarray(i))
        return chunk.length
      case 'chunk-data': {
        const take = Math.min(st.left, chunk.length - i)
        this.keep(chunk.subarray(i, i + take))
        st.left -= take
        if (st.left === 0) this.state = { kind: 'chunk-crlf', got: 0 }
        return i + take
      }
      case 'chunk-crlf': {
        const b = chunk[i]
        const want = st.got === 0 ? 0x0d : 0x0a
        if (b !== want) {
          this.fail(base + i, 'chunk data is not followed by CRLF')
          return i
        }
        this.keep(chunk.subarray(i, i + 1))
        st.got++
        if (st.got === 2) this.state = { kind: 'chunk-size' }
        return i + 1
      }
      case 'chunk-size':
      case 'trailers':
        return this.stepLine(chunk, i, base)
    }
  }

  protected atEnd(): void {
    if (this.msgStart >= 0 && this.state.kind === 'until-close') this.finish(this.offset, this.summary)
  }

  /** Collects the head line by line up to its blank line (bounded), then decides how the body ends. */
  private stepHead(chunk: Uint8Array, i: number, base: number): number {
    const start = i
    while (i < chunk.length) {
      const nl = chunk.indexOf(0x0a, i)
      const end = nl < 0 ? chunk.length : nl + 1
      if (this.headSize + (end - i) > HTTP_MAX_HEAD) {
        const cut = i + (HTTP_MAX_HEAD - this.headSize) + 1
        this.keep(chunk.subarray(start, cut))
        this.fail(this.msgStart + HTTP_MAX_HEAD, `HTTP head is over ${HTTP_MAX_HEAD} bytes without a blank line`)
        return cut
      }
      if (this.lineLen === 0) this.lineFirst = chunk[i]
      this.head.push(chunk.subarray(i, end))
      this.headSize += end - i
      this.lineLen += end - i
      i = end
      if (nl < 0) break
      const len = this.lineLen
      this.lineLen = 0
      if (!this.firstLineDone) {
        this.firstLineDone = true
        const first = joinLatin1(this.head).replace(/\r?\n$/, '')
        if (!REQUEST_LINE.test(first) && !STATUS_LINE.test(first)) {
          this.keep(chunk.subarray(start, i))
          this.fail(this.msgStart, `not an HTTP/1.x request or status line: ${JSON.stringify(first.slice(0, 60))}`)
          return i
        }
        this.summary = first.slice(0, 120)
        continue
      }
      if (len === 1 || (len === 2 && this.lineFirst === 0x0d)) {
        this.keep(chunk.subarray(start, i))
        return this.startBody(i, base)
      }
    }
    this.keep(chunk.subarray(start))
    return i
  }

  private startBody(i: number, base: number): number {
    const text = joinLatin1(this.head)
    const lines = text.split(/\r?\n/)
    const first = lines[0]
    let length = -1
    let chunked = false
    for (const l of lines.slice(1)) {
      const m = /^([^:]+):\s*(.*?)\s*$/.exec(l)
      if (!m) continue
      const name = m[1].toLowerCase()
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(m[2]) || Number(m[2]) > MAX_BODY) {
          this.fail(this.msgStart, `bad Content-Length ${JSON.stringify(m[2].slice(0, 30))}`)
          return i
        }
        length = Number(m[2])
      } else if (name === 'transfer-encoding' && /(^|,)\s*chunked\s*$/i.test(m[2])) chunked = true
    }
    const status = /^HTTP\/\d\.\d (\d{3})/.exec(first)
    const code = status ? Number(status[1]) : 0
    // A 1xx is interim: the final response to the same request follows.
    const method = status !== null && code >= 200 && this.requestMethods ? this.requestMethods.shift() : undefined
    const noBody = status !== null && (code < 200 || code === 204 || code === 304 || method === 'HEAD')
    this.head = []
    if (noBody || (!chunked && length <= 0 && (!status || length === 0))) {
      this.finish(base + i, this.summary)
    } else if (chunked) this.state = { kind: 'chunk-size' }
    else if (length > 0) this.state = { kind: 'body', left: length }
    else this.state = { kind: 'until-close' }
    return i
  }

  /** A chunk-size line or a trailer line, bounded. */
  private stepLine(chunk: Uint8Array, i: number, base: number): number {
    const start = i
    while (i < chunk.length) {
      if (this.line.length === 0) this.lineStart = base + i
      const b = chunk[i++]
      this.line.push(b)
      if (this.line.length > (this.state.kind === 'trailers' ? HTTP_MAX_HEAD : MAX_CHUNK_LINE)) {
        this.keep(chunk.subarray(start, i))
        this.fail(
          base + i - 1,
          this.state.kind === 'trailers' ? 'HTTP trailers are too long' : 'chunk-size line is too long'
        )
        return i
      }
      if (b !== 0x0a) continue
      const text = latin1(Uint8Array.from(this.line), this.line.length).replace(/\r?\n$/, '')
      this.line = []
      this.keep(chunk.subarray(start, i))
      if (this.state.kind === 'trailers') {
        if (text === '') {
          this.finish(base + i, this.summary)
        }
        return i
      }
      const m = /^([0-9a-fA-F]{1,12})(?:\s*;.*)?$/.exec(text)
      if (!m) {
        this.fail(this.lineStart, `bad chunk size ${JSON.stringify(text.slice(0, 30))}`)
        return i
      }
      const size = parseInt(m[1], 16)
      this.state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: size }
      return i
    }
    this.keep(chunk.subarray(start))
    return i
  }
}

/** Byte pieces as one latin1 string (one char per byte). */
function joinLatin1(parts: readonly Uint8Array[]): string {
  let s = ''
  for (const p of parts) for (let k = 0; k < p.length; k += 8192) s += String.fromCharCode(...p.subarray(k, k + 8192))
  return s
}
