import type { LabConnection } from '../lab-connection'
import type { BehaviourFactory } from './behaviour'
import { baseBehaviour, peerLabel } from './behaviour'
import type { HttpParseEvent, HttpParserLimits, HttpRequest } from './http-parser'
import { DEFAULT_HTTP_LIMITS, HttpRequestParser } from './http-parser'
import { PacedQueue } from './paced-work'

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported'
}

/** Bytes as readable text: printable ASCII as is, `\r` `\n` `\t` `\\` and `\xHH` for the rest; a real line break follows each `\n`. */
export function escapeBytes(bytes: Buffer): string {
  let out = ''
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\'
    else if (b === 0x0d) out += '\\r'
    else if (b === 0x0a) out += '\\n\n'
    else if (b === 0x09) out += '\\t'
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b)
    else out += `\\x${b.toString(16).padStart(2, '0')}`
  }
  return out
}

/** A complete response: status line, headers, blank line, and the body unless `omitBody` (HEAD). */
export function httpResponse(status: number, body: string, keepAlive: boolean, omitBody = false): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8')
  const head =
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}\r\n` +
    `Date: ${new Date().toUTCString()}\r\n` +
    'Server: tcp-lab\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${bodyBytes.length}\r\n` +
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`
  return omitBody ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes])
}

function describeRequest(conn: LabConnection, req: HttpRequest): string {
  const hidden = req.rawSize - req.raw.length
  return (
    `TCP Lab received this HTTP/${req.version} request on connection ${conn.id} from ${peerLabel(conn)}: ` +
    `${req.rawSize} bytes exactly as they came over TCP (\\r, \\n and other control bytes shown as escapes).\n\n` +
    escapeBytes(req.raw) +
    (hidden > 0 ? `\n... ${hidden} more bytes not shown\n` : '') +
    `\n\n(${req.keepAlive ? 'The connection stays open for the next request (keep-alive).' : 'The server closes the connection after this response.'})\n`
  )
}

/**
 * An HTTP/1.1 server that answers every request with 200 and a plain-text body showing the raw
 * request. Requests are parsed as they arrive and answered in order (pipelining); keep-alive by
 * default, `Connection: close` and HTTP/1.0 honoured; malformed → 400, oversized head → 431, then close.
 */
export function http(limits: HttpParserLimits = DEFAULT_HTTP_LIMITS): BehaviourFactory {
  return () => {
    const parsers = new Map<LabConnection, HttpRequestParser>()
    // The answers to one slice of pipelined requests leave as one write; a flood of tiny requests is paced.
    const answer = (conn: LabConnection, events: HttpParseEvent[]): void => {
      const out: Buffer[] = []
      let close = false
      for (const ev of events) {
        if (ev.kind === 'error') {
          out.push(httpResponse(ev.status, `${ev.status} ${STATUS_TEXT[ev.status]}: ${ev.reason}\n`, false))
          close = true
          break
        }
        const req = ev.request
        out.push(httpResponse(200, describeRequest(conn, req), req.keepAlive, req.method === 'HEAD'))
        if (!req.keepAlive) {
          close = true
          break
        }
      }
      if (out.length > 0) conn.send(out.length === 1 ? out[0] : Buffer.concat(out))
      if (close) {
        parsers.delete(conn)
        paced.drop(conn)
        conn.close()
      }
    }
    const paced = new PacedQueue<HttpParseEvent>(answer)
    return {
      ...baseBehaviour,
      onOpen(conn) {
        parsers.set(conn, new HttpRequestParser(limits))
      },
      onData(conn, chunk) {
        const parser = parsers.get(conn)
        if (!parser) return
        const events = parser.push(chunk)
        // Nothing after an error or a last request is answered: the parser is done with this connection.
        const last = events.findIndex((ev) => ev.kind === 'error' || !ev.request.keepAlive)
        if (last >= 0) parsers.delete(conn)
        paced.push(conn, last >= 0 ? events.slice(0, last + 1) : events)
      },
      onPeerEnd(conn) {
        // Everything complete is answered; a request cut short by the FIN gets no answer.
        parsers.delete(conn)
        paced.afterDrained(conn, () => conn.close())
      },
      onClose(conn) {
        parsers.delete(conn)
        paced.drop(conn)
      },
      dispose() {
        paced.clear()
        parsers.clear()
      }
    }
  }
}
