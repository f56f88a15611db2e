import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { LabHub } from '../engine/lab-hub'
import { serveStatic } from './static-files'
import { WS_PATH } from '@shared/ws-protocol'
import { createWsEndpoint } from './ws-endpoint'
import { allowedHosts, contentSecurityPolicy, createToken, isWildcard, refuseReason } from './web-security'
import { hostPort } from '@shared/endpoint-format'

/** Options of the browser-mode server. */
export interface WebServerOptions {
  hub: LabHub
  /** Address to bind (default 127.0.0.1). */
  host?: string
  /** Port to bind; 0 picks a free one. */
  port: number
  /** The built renderer (index.html and assets). */
  staticDir: string
  /** A fixed token for tests; normally a fresh random one. */
  token?: string
}

/** A running browser-mode server. */
export interface WebServer {
  readonly host: string
  readonly port: number
  readonly token: string
  /** The URL to open, token in the fragment (never sent to the server by a browser). */
  readonly url: string
  /** The open WebSockets, for diagnostics (how much each has queued). */
  wsClients(): Iterable<import('ws').WebSocket>
  /** Closes the WebSocket sessions, every HTTP connection and the listener; the hub is left to the caller. */
  close(): Promise<void>
}

/** Most simultaneous TCP connections to the UI port; more are closed at once (a browser needs a handful). */
export const WEB_MAX_CONNECTIONS = 128

const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin'
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}

/** Serves the renderer and the `/ws` endpoint of one hub; resolves once listening. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? createToken()
  const endpoint = createWsEndpoint(options.hub, token)
  const sockets = new Set<Socket>()
  let allowed = new Set<string>()

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const refused = refuseReason(req, allowed)
    if (refused) {
      res.writeHead(403, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`${refused}\n`)
      return
    }
    const validHost = (req.headers.host ?? '').toLowerCase()
    const headers = { ...BASE_HEADERS, 'Content-Security-Policy': contentSecurityPolicy(validHost) }
    void serveStatic(options.staticDir, req, res, headers).catch(() => {
      if (!res.headersSent) res.writeHead(500, headers)
      res.end()
    })
  })
  server.on('connection', (s: Socket) => {
    if (sockets.size >= WEB_MAX_CONNECTIONS) {
      s.destroy()
      return
    }
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const refused = refuseReason(req, allowed)
    if (refused) return refuseUpgrade(socket, 403, refused)
    // Exactly /ws: a query string would invite putting the token where logs and history keep it.
    if (req.url !== WS_PATH) return refuseUpgrade(socket, 404, 'Not found')
    endpoint.wss.handleUpgrade(req, socket, head, (ws) => endpoint.wss.emit('connection', ws, req))
  })
  server.on('clientError', (_err, socket: Duplex) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  allowed = allowedHosts(host, port)

  let closing: Promise<void> | null = null
  return {
    host,
    port,
    token,
    // A wildcard bind is opened locally through loopback; its other addresses are in the warning.
    url: `http://${hostPort(isWildcard(host) ? '127.0.0.1' : host, port)}/#token=${token}`,
    wsClients: () => endpoint.wss.clients,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        await endpoint.close()
        server.closeIdleConnections()
        for (const s of sockets) s.destroy()
        await stopped
      })()
      return closing
    }
  }
}
