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

/** The WebSocket side of browser mode. */
export interface WsEndpoint {
  readonly wss: WebSocketServer
  /** Closes every socket (1001, going away) and the server. */
  close(): Promise<void>
}

function reply(ws: WebSocket, message: WsServerMessage): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message))
}

function errorReply(ws: WebSocket, id: unknown, code: string, message: string): void {
  reply(ws, { type: 'error', id: typeof id === 'number' ? id : null, error: { code, message } })
}

/** Accepts authenticated WebSocket consumers of the hub; sockets come in through `wss.handleUpgrade`. */
export function createWsEndpoint(hub: LabHub, token: string): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false })

  wss.on('connection', (ws: WebSocket) => {
    let session: LabSession | null = null
    let inFlight = 0
    const authTimer = setTimeout(() => ws.close(WS_CLOSE.policy, 'No token presented'), WS_AUTH_TIMEOUT_MS)
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
        if (!session) return ws.close(WS_CLOSE.policy, 'Present the token first')
        return errorReply(ws, null, 'bad-message', 'Messages must be JSON text')
      }
      if (!session) {
        const auth = wsAuthSchema.safeParse(msg)
        if (!auth.success || !tokenMatches(token, auth.data.token)) return ws.close(WS_CLOSE.policy, 'Invalid token')
        clearTimeout(authTimer)
        session = hub.connect((batch) => reply(ws, { type: 'batch', batch }))
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
        .then((result) => reply(ws, { type: 'result', id, result }))
        .catch((err: unknown) => reply(ws, { type: 'result', id, result: { ok: false, error: { code: 'internal', message: String(err) } } }))
        .finally(() => inFlight--)
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
