import { z } from 'zod'
import { labErrorSchema } from './contract'

// The WebSocket protocol of browser mode (`tcp-lab web`), JSON text frames on WS_PATH. Both sides parse what they
// receive with these schemas: src/main/web/ws-endpoint.ts (the lab) and src/renderer/src/transport/ws-transport.ts
// (the page).
//   page → lab: `auth` first (anything else closes with `policy`), then `request`s;
//   lab → page: `ready` after a good token, `batch` (numbered event batches, acked with the `lab:ack` command),
//   `result` (one per request id), `error` (a frame it could not read; id null when it had none).

/** The URL path of the endpoint. */
export const WS_PATH = '/ws'
/** Largest frame the lab accepts; larger ones close the socket with `tooBig`. */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024
/** How long a socket may stay open without presenting the token. */
export const WS_AUTH_TIMEOUT_MS = 10_000
/** Most commands one socket may have running at once, counted until each reply is flushed to the socket. */
export const WS_MAX_IN_FLIGHT = 256

/**
 * Close codes: `policy` = missing or wrong token (the page does not reconnect), `goingAway` = the lab shuts down,
 * `tooBig` = a frame over WS_MAX_MESSAGE_BYTES, `notReading` = a client that does not read what it is sent.
 */
export const WS_CLOSE = { normal: 1000, goingAway: 1001, policy: 1008, tooBig: 1009, notReading: 1013 } as const

/** The first frame: the token printed in the URL's `#token=…`. */
export const wsAuthSchema = z.object({ type: z.literal('auth'), token: z.string() })
/** One command; `name` is checked by the hub (unknown names get `unknown-command`). */
export const wsRequestSchema = z.object({
  type: z.literal('request'),
  id: z.number(),
  name: z.string(),
  payload: z.unknown()
})
/** What the page sends. */
export const wsClientMessageSchema = z.discriminatedUnion('type', [wsAuthSchema, wsRequestSchema])
/** A frame from the page. */
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>

/** A command's answer before its value is checked against the contract's response schema. */
export const resultEnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: labErrorSchema })
])

/** What the lab sends. */
export const wsServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  // The batch is checked apart (the renderer's transport/checks.ts, Electron mode too), so a bad one is dropped.
  z.object({ type: z.literal('batch'), batch: z.unknown() }),
  z.object({ type: z.literal('result'), id: z.number(), result: z.unknown() }),
  z.object({ type: z.literal('error'), id: z.number().nullable(), error: labErrorSchema })
])
/** A frame from the lab. */
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>
