import { WebSocket, WebSocketServer } from 'ws'
import type { RawData } from 'ws'
import type { LabHub, LabSession } from '../engine/lab-hub'
import { tokenMatches } from './web-security'

/**
 * The wire protocol of `/ws` (JSON text frames; the renderer's ws-transport speaks the other side):
 * client → `{type:'auth', token}` first, then `{type:'request', id, name, payload}`;
 * server → `{type:'ready'}` after a good token, `{type:'batch', batch}`, `{type:'result', id, result}`,
 * `{type:'error', id, error}` for a message it cannot read.
 */
export const WS_PATH = '/ws'
/** Largest frame accepted; larger ones close the socket with 1009 (message too big). */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024
/** Close code for a missing or wrong token (policy violation). */
export const WS_CLOSE_POLICY = 1008
/** How long a socket may stay open without presenting the token. */
export const WS_AUTH_TIMEOUT_MS = 10_000
/** Most commands one socket may have running at once. */
export const WS_MAX_IN_FLIGHT = 256

/** The WebSocket side of browser mode. */
export interface WsEndpoint {
  readonly wss: WebSocketServer
  /** Closes every socket (1001, going away) and the server. */
  close(): Promise<void>
}

function reply(ws: WebSocket, message: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message))
}

function errorReply(ws: WebSocket, id: unknown, code: string, message: string): void {
  reply(ws, { type: 'error', id: typeof id === 'number' ? id : null, error: { code, message } })
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Accepts authenticated WebSocket consumers of the hub; sockets come in through `wss.handleUpgrade`. */
export function createWsEndpoint(hub: LabHub, token: string): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false })

  wss.on('connection', (ws: WebSocket) => {
    let session: LabSession | null = null
    let inFlight = 0
    const authTimer = setTimeout(() => ws.close(WS_CLOSE_POLICY, 'No token presented'), WS_AUTH_TIMEOUT_MS)
    authTimer.unref()

    ws.on('error', () => ws.terminate())
    ws.on('close', () => {
      clearTimeout(authTimer)
      session?.close()
      session = null
    })
    ws.on('message', (data: RawData, isBinary: boolean) => {
      let msg: unknown
      try {
        if (isBinary) throw new Error('binary')
        msg = JSON.parse(data.toString())
      } catch {
        // Before the token nothing is answered at all: the socket is simply refused.
        if (!session) return ws.close(WS_CLOSE_POLICY, 'Present the token first')
        return errorReply(ws, null, 'bad-message', 'Messages must be JSON text')
      }
      if (!session) {
        if (!isRecord(msg) || msg.type !== 'auth' || !tokenMatches(token, msg.token)) {
          return ws.close(WS_CLOSE_POLICY, 'Invalid token')
        }
        clearTimeout(authTimer)
        session = hub.connect((batch) => reply(ws, { type: 'batch', batch }))
        return reply(ws, { type: 'ready' })
      }
      if (!isRecord(msg) || msg.type !== 'request' || typeof msg.id !== 'number' || typeof msg.name !== 'string') {
        const id = isRecord(msg) ? msg.id : null
        return errorReply(ws, id, 'bad-message', 'Expected {type:"request", id, name, payload}')
      }
      if (inFlight >= WS_MAX_IN_FLIGHT) return errorReply(ws, msg.id, 'busy', 'Too many commands at once; wait for answers')
      const id = msg.id
      const current = session
      inFlight++
      void current
        .handle(msg.name, msg.payload)
        .then((result) => reply(ws, { type: 'result', id, result }))
        .catch((err: unknown) => reply(ws, { type: 'result', id, result: { ok: false, error: { code: 'internal', message: String(err) } } }))
        .finally(() => inFlight--)
    })
  })

  return {
    wss,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.close(1001, 'TCP Lab is shutting down')
        // Peers that do not answer the close handshake are cut off.
        const timer = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate()
        }, 500)
        timer.unref()
        wss.close(() => {
          clearTimeout(timer)
          resolve()
        })
      })
  }
}
