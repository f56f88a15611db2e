import type { CommandInput, CommandName, CommandResult, LabError } from '@shared/contract'
import type { EventBatch } from '@shared/model'
import { WS_CLOSE, WS_PATH, wsServerMessageSchema } from '@shared/ws-protocol'
import type { WsClientMessage } from '@shared/ws-protocol'
import { checkBatch, checkResult } from './checks'
import type { LabTransport } from './transport'

/** Where the token is kept so a reload of the page still works after the fragment was removed. */
export const TOKEN_STORAGE_KEY = 'tcp-lab:token'
/** Reconnection gives up after this many attempts in a row (about an hour at the longest delay). */
const MAX_RECONNECT_ATTEMPTS = 720
/** Commands waiting for the link are refused past this many. */
const MAX_QUEUED = 1_000

/** The part of a browser WebSocket this transport uses (the `ws` package's client fits too). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
}

/** What the transport needs from the page; tests pass their own. */
export interface WsTransportOptions {
  location?: Pick<Location, 'hash' | 'host' | 'protocol' | 'pathname' | 'search'>
  history?: Pick<History, 'replaceState'>
  storage?: Pick<Storage, 'getItem' | 'setItem'>
  WebSocketImpl?: new (url: string) => WebSocketLike
  /** A command with no answer after this long fails with `timeout`. */
  requestTimeoutMs?: number
  /** First and longest delay between reconnection attempts. */
  backoff?: { initialMs: number; maxMs: number }
}

/** The browser transport, plus what tests and the page's unload need. */
export interface WsTransport extends LabTransport {
  /** Whether the lab accepted this page's token and the link is up. */
  isUp(): boolean
  /** Closes the link for good. */
  dispose(): void
}

/** Takes the token from `#token=…` (then hides it from the address bar), or from an earlier load of this tab. */
export function readToken(
  location: Pick<Location, 'hash' | 'pathname' | 'search'>,
  history: Pick<History, 'replaceState'> | undefined,
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined
): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash)
  if (match) {
    const token = decodeURIComponent(match[1])
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, token)
    } catch {
      // Storage may be disabled; the token then lives only as long as this page.
    }
    history?.replaceState(null, '', `${location.pathname}${location.search}`)
    return token
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? null
  } catch {
    return null
  }
}

function failure<C extends CommandName>(code: string, message: string): CommandResult<C> {
  return { ok: false, error: { code, message } }
}

interface Pending {
  name: CommandName
  frame: string
  sent: boolean
  timer: ReturnType<typeof setTimeout>
  resolve: (r: CommandResult<CommandName>) => void
}

/** A LabTransport over the `/ws` endpoint of `tcp-lab web`: token first, then commands and batches. */
export function createWsTransport(options: WsTransportOptions = {}): WsTransport {
  const location = options.location ?? window.location
  const history = options.history ?? (typeof window !== 'undefined' ? window.history : undefined)
  const storage = options.storage ?? (typeof window !== 'undefined' ? window.sessionStorage : undefined)
  const WebSocketImpl = options.WebSocketImpl ?? (WebSocket as unknown as new (url: string) => WebSocketLike)
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 5_000 }
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`
  const token = readToken(location, history, storage)

  const batchListeners = new Set<(b: EventBatch) => void>()
  const linkListeners = new Set<(up: boolean) => void>()
  const pending = new Map<number, Pending>()
  let nextId = 1
  let socket: WebSocketLike | null = null
  let up = false
  let attempts = 0
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null
  // Set when the lab refused the token or the page was closed: no reconnection, commands fail at once.
  let deadReason: LabError | null = token
    ? null
    : {
        code: 'no-token',
        message: 'This page has no access token: open the full URL that `tcp-lab web` printed (it ends in #token=…)'
      }

  function setUp(value: boolean): void {
    if (up === value) return
    up = value
    for (const l of linkListeners) l(value)
  }

  function settle(id: number, result: CommandResult<CommandName>): void {
    const p = pending.get(id)
    if (!p) return
    pending.delete(id)
    clearTimeout(p.timer)
    p.resolve(result)
  }

  function failAll(onlySent: boolean, code: string, message: string): void {
    for (const [id, p] of [...pending]) if (!onlySent || p.sent) settle(id, failure(code, message))
  }

  function flush(): void {
    for (const p of pending.values()) {
      if (!p.sent && socket && up) {
        p.sent = true
        socket.send(p.frame)
      }
    }
  }

  function onResult(id: number, raw: unknown): void {
    const p = pending.get(id)
    if (p) settle(id, checkResult(p.name, raw))
  }

  function onMessage(data: unknown): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(typeof data === 'string' ? data : String(data))
    } catch {
      return
    }
    const msg = wsServerMessageSchema.safeParse(parsed)
    if (!msg.success) return
    const m = msg.data
    if (m.type === 'ready') {
      attempts = 0
      setUp(true)
      flush()
    } else if (m.type === 'batch') {
      // A batch that fails validation is dropped; the store sees the sequence gap and takes a snapshot.
      const batch = checkBatch(m.batch)
      if (batch) for (const l of batchListeners) l(batch)
    } else if (m.type === 'result') {
      onResult(m.id, m.result)
    } else if (m.id !== null) {
      settle(m.id, { ok: false, error: m.error })
    }
  }

  function scheduleReconnect(): void {
    if (deadReason || reconnectTimer) return
    if (attempts >= MAX_RECONNECT_ATTEMPTS) {
      deadReason = { code: 'link-down', message: 'The lab cannot be reached; reload the page to try again' }
      failAll(false, deadReason.code, deadReason.message)
      return
    }
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempts, 16))
    attempts++
    reconnectTimer = setTimeout(
      () => {
        reconnectTimer = null
        open()
      },
      delay * (0.8 + Math.random() * 0.4)
    )
  }

  function open(): void {
    if (deadReason || !token) return
    const ws = new WebSocketImpl(url)
    socket = ws
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token } satisfies WsClientMessage))
    ws.onmessage = (ev) => onMessage(ev.data)
    ws.onerror = () => undefined
    ws.onclose = (ev) => {
      if (socket !== ws) return
      socket = null
      setUp(false)
      failAll(true, 'link-down', 'The link to the lab dropped before it answered; the command may or may not have run')
      if (ev.code === WS_CLOSE.policy) {
        deadReason = {
          code: 'unauthorized',
          message: `The lab refused this page (${ev.reason || 'invalid token'}): open the URL that \`tcp-lab web\` printed for this run`
        }
        failAll(false, deadReason.code, deadReason.message)
        return
      }
      scheduleReconnect()
    }
  }

  open()

  return {
    kind: 'web',
    request<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>> {
      if (deadReason) return Promise.resolve(failure<C>(deadReason.code, deadReason.message))
      if (pending.size >= MAX_QUEUED)
        return Promise.resolve(failure<C>('busy', 'Too many commands are waiting for the lab'))
      const id = nextId++
      return new Promise<CommandResult<C>>((resolve) => {
        const timer = setTimeout(
          () => settle(id, failure('timeout', `The lab did not answer ${name} in time`)),
          requestTimeoutMs
        )
        const frame = JSON.stringify({ type: 'request', id, name, payload: input } satisfies WsClientMessage)
        pending.set(id, {
          name,
          frame,
          sent: false,
          timer,
          resolve: resolve as (r: CommandResult<CommandName>) => void
        })
        flush()
      })
    },
    onBatch(listener) {
      batchListeners.add(listener)
      return () => batchListeners.delete(listener)
    },
    onLinkChange(listener) {
      linkListeners.add(listener)
      return () => linkListeners.delete(listener)
    },
    isUp: () => up,
    dispose() {
      deadReason = { code: 'closed', message: 'The page closed its link to the lab' }
      if (reconnectTimer) clearTimeout(reconnectTimer)
      reconnectTimer = null
      const ws = socket
      socket = null
      ws?.close(WS_CLOSE.normal, 'page closed')
      setUp(false)
      failAll(false, deadReason.code, deadReason.message)
    }
  }
}
