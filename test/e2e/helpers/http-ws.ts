import { request } from 'node:http'
import { WebSocket } from 'ws'

/** One raw HTTP answer. */
export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A plain HTTP GET with exactly the headers given (Host included), bounded in time. */
export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 5_000
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers, setHost: headers.Host === undefined },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      }
    )
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** How a WebSocket attempt ended: refused during the upgrade (HTTP status) or opened. */
export type WsOutcome = { kind: 'refused'; status: number } | { kind: 'open'; ws: WebSocket; messages: unknown[] }

/** Opens a WebSocket with the given headers; resolves once it is open or refused. */
export function openWs(
  port: number,
  headers: Record<string, string> = {},
  path = '/ws',
  timeoutMs = 5_000
): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers, handshakeTimeout: timeoutMs })
    const messages: unknown[] = []
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())))
    ws.once('unexpected-response', (_req, res) => {
      resolve({ kind: 'refused', status: res.statusCode ?? 0 })
      res.resume()
      ws.terminate()
    })
    ws.once('open', () => resolve({ kind: 'open', ws, messages }))
    ws.once('error', (e) => reject(e))
  })
}

/** Resolves with the close code and reason of a socket, bounded in time. */
export function closed(ws: WebSocket, timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) return reject(new Error('already closed'))
    const timer = setTimeout(() => reject(new Error('socket did not close in time')), timeoutMs)
    ws.once('close', (code, reason) => {
      clearTimeout(timer)
      resolve({ code, reason: reason.toString() })
    })
  })
}
