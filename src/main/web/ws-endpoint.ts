import { WebSocket, WebSocketServer } from 'ws'
import type { RawData } from 'ws'
import {
  WS_AUTH_TIMEOUT_MS,
  WS_CLOSE,
  WS_MAX_IN_FLIGHT,
  WS_MAX_MESSAGE_BYTES,
  wsAuthSchema,
  wsRequestSchema
} from '@shared/ws-protocol'
import type { WsServerMessage } from '@shared/ws-protocol'
import type { LabHub, LabSession } from '../engine/lab-hub'
import { tokenMatches } from './web-security'

// The lab's side of the protocol in src/shared/ws-protocol.ts (the renderer's ws-transport speaks the other side).

/** Bytes queued for a socket past which batches are skipped (the page resyncs from a snapshot once it reads). */
export const WS_BATCH_HOLD_BYTES = 4 * 1024 * 1024
/** Bytes queued for a socket past which the client is taken to be hung and is disconnected. */
export const WS_MAX_BUFFERED_BYTES = 64 * 1024 * 1024
/** Most WebSockets that have not yet presented the token. */
export const WS_MAX_UNAUTHENTICATED = 16

/** The WebSocket side of browser mode. */
export interface WsEndpoint {
  readonly wss: WebSocketServer
  /** Closes every socket (1001, going away) and the server. */
  close(): Promise<void>
}

/** Sends unless the socket is gone or hung; a client that stopped reading is cut off instead of filling memory. */
function reply(ws: WebSocket, message: WsServerMessage, flushed?: () => void): void {
  if (ws.readyState !== WebSocket.OPEN) return flushed?.()
  if (ws.bufferedAmount > WS_MAX_BUFFERED_BYTES) {
    ws.terminate()
    return flushed?.()
  }
  ws.send(JSON.stringify(message), flushed ? () => flushed() : undefined)
}

function errorReply(ws: WebSocket, id: unknown, code: string, message: string): void {
  reply(ws, { type: 'error', id: typeof id === 'number' ? id : null, error: { code, message } })
}

/** Accepts authenticated WebSocket consumers of the hub; sockets come in through `wss.handleUpgrade`. */
export function createWsEndpoint(hub: LabHub, token: string): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false })

  let unauthenticated = 0
  wss.on('connection', (ws: WebSocket) => {
    let session: LabSession | null = null
    let inFlight = 0
    let counted = true
    unauthenticated++
    const authenticated = (): void => {
      if (counted) unauthenticated--
      counted = false
    }
    if (unauthenticated > WS_MAX_UNAUTHENTICATED) {
      authenticated()
      ws.close(WS_CLOSE.policy, 'Too many connections waiting to present the token')
      return
    }
    const authTimer = setTimeout(() => ws.close(WS_CLOSE.policy, 'No token presented'), WS_AUTH_TIMEOUT_MS)
    authTimer.unref()

    ws.on('error', () => ws.terminate())
    ws.on('close', () => {
      authenticated()
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
        if (!session) return ws.close(WS_CLOSE.policy, 'Present the token first')
        return errorReply(ws, null, 'bad-message', 'Messages must be JSON text')
      }
      if (!session) {
        const auth = wsAuthSchema.safeParse(msg)
        if (!auth.success || !tokenMatches(token, auth.data.token)) return ws.close(WS_CLOSE.policy, 'Invalid token')
        clearTimeout(authTimer)
        authenticated()
        session = hub.connect((batch) => {
          // A page that stopped reading gets no more batches; the next one it reads has a gap, and it resyncs.
          if (ws.bufferedAmount > WS_BATCH_HOLD_BYTES) return
          reply(ws, { type: 'batch', batch })
        })
        return reply(ws, { type: 'ready' })
      }
      const request = wsRequestSchema.safeParse(msg)
      if (!request.success) {
        const id = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as { id?: unknown }).id : null
        return errorReply(ws, id, 'bad-message', 'Expected {type:"request", id, name, payload}')
      }
      const { id, name, payload } = request.data
      if (inFlight >= WS_MAX_IN_FLIGHT) return errorReply(ws, id, 'busy', 'Too many commands at once; wait for answers')
      const current = session
      inFlight++
      void current
        .handle(name, payload)
        .catch((err: unknown) => ({ ok: false, error: { code: 'internal', message: String(err) } }))
        // A command counts as in flight until its reply has left for the socket.
        .then((result) => reply(ws, { type: 'result', id, result }, () => inFlight--))
    })
  })

  return {
    wss,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.close(WS_CLOSE.goingAway, 'TCP Lab is shutting down')
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
