import type { LabConnection } from '../lab-connection'
import type { BehaviourFactory } from './behaviour'
import { baseBehaviour } from './behaviour'
import { endOfLastLine, MAX_LINE_BYTES } from './lines'

/**
 * RFC 862 echo: every chunk goes back as it arrived; the peer's FIN is answered with ours. With `echoDelayMs`
 * each chunk goes back that much later (a server that does work per request), and the FIN waits for the last one.
 */
export const echo: BehaviourFactory = (_host, options) => {
  const delay = options.echoDelayMs ?? 0
  if (delay <= 0) {
    return {
      ...baseBehaviour,
      onData(conn, chunk) {
        conn.send(chunk)
      }
    }
  }
  const pending = new Map<LabConnection, { timers: Set<NodeJS.Timeout>; ended: boolean }>()
  const state = (conn: LabConnection): { timers: Set<NodeJS.Timeout>; ended: boolean } => {
    let s = pending.get(conn)
    if (!s) pending.set(conn, (s = { timers: new Set(), ended: false }))
    return s
  }
  return {
    ...baseBehaviour,
    onData(conn, chunk) {
      const s = state(conn)
      // Copied: the socket's buffer must not be kept across turns of the event loop.
      const bytes = Buffer.from(chunk)
      const timer = setTimeout(() => {
        s.timers.delete(timer)
        conn.send(bytes)
        if (s.ended && s.timers.size === 0) conn.halfClose()
      }, delay)
      s.timers.add(timer)
    },
    onPeerEnd(conn) {
      const s = state(conn)
      s.ended = true
      if (s.timers.size === 0) conn.halfClose()
    },
    onClose(conn) {
      for (const t of pending.get(conn)?.timers ?? []) clearTimeout(t)
      pending.delete(conn)
    },
    dispose() {
      for (const s of pending.values()) for (const t of s.timers) clearTimeout(t)
      pending.clear()
    }
  }
}

/** RFC 863 discard: read and count, reply nothing. */
export const discard: BehaviourFactory = () => ({ ...baseBehaviour })

/** Nothing automatic: the user replies, half-closes and closes by hand (a peer's FIN leaves the socket half-open). */
export const manual: BehaviourFactory = () => ({ ...baseBehaviour, onPeerEnd() {} })

/** Most bytes echo-after-eof holds per connection before it gives up (see `echoAfterEof`). */
export const ECHO_AFTER_EOF_MAX_BYTES = 16 * 1024 * 1024

/**
 * The lesson's server: read until the peer half-closes (EOF), then send everything back and close.
 * A peer that sends more than `maxBytes` before its FIN is reset (RST) with a notice, since the
 * server could no longer send back everything it read.
 */
export function echoAfterEof(maxBytes = ECHO_AFTER_EOF_MAX_BYTES): BehaviourFactory {
  return (host) => {
    const held = new Map<LabConnection, { chunks: Buffer[]; size: number }>()
    return {
      ...baseBehaviour,
      onOpen(conn) {
        held.set(conn, { chunks: [], size: 0 })
      },
      onData(conn, chunk) {
        const h = held.get(conn)
        if (!h) return
        if (h.size + chunk.length > maxBytes) {
          held.delete(conn)
          host.heldBytes.release(conn)
          conn.error = `echo-after-eof holds at most ${maxBytes} bytes before the peer's FIN; this peer sent more`
          host.notice(
            'warning',
            `Server ${host.serverId}: connection ${conn.id} sent over ${maxBytes} bytes without a FIN; reset it`
          )
          conn.reset()
          return
        }
        h.chunks.push(chunk)
        h.size += chunk.length
        // Past the lab-wide budget the largest holders are let go (this server's or another's), with the reason.
        for (const victim of host.heldBytes.add(conn, chunk.length)) {
          const limitMiB = Math.round(host.heldBytes.limit / (1024 * 1024))
          victim.error = `The lab holds at most ${limitMiB} MiB for all echo-after-eof peers before their FIN; this connection held the most, so it was reset`
          host.notice(
            'warning',
            `Connection ${victim.id} was reset: echo-after-eof's lab-wide budget of ${limitMiB} MiB is used up`
          )
          victim.reset()
        }
      },
      onPeerEnd(conn) {
        const h = held.get(conn)
        held.delete(conn)
        host.heldBytes.release(conn)
        if (h && h.size > 0) conn.send(h.chunks.length === 1 ? h.chunks[0] : Buffer.concat(h.chunks, h.size))
        conn.close()
      },
      onClose(conn) {
        held.delete(conn)
        host.heldBytes.release(conn)
      },
      dispose() {
        for (const conn of held.keys()) host.heldBytes.release(conn)
        held.clear()
      }
    }
  }
}

function upperAscii(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    out[i] = b >= 0x61 && b <= 0x7a ? b - 0x20 : b
  }
  return out
}

/**
 * Line by line, ASCII letters upper-cased (byte for byte, so counts in and out match and UTF-8 passes
 * through untouched): complete lines go back as soon as their `\n` arrives; the partial tail on FIN.
 */
export const uppercase: BehaviourFactory = () => {
  const tails = new Map<LabConnection, Buffer>()
  return {
    ...baseBehaviour,
    onOpen(conn) {
      tails.delete(conn)
    },
    onData(conn, chunk) {
      const prev = tails.get(conn)
      const data = prev ? Buffer.concat([prev, chunk]) : chunk
      let end = endOfLastLine(data)
      // A line longer than the bound is transformed in pieces rather than held without limit.
      if (data.length - end >= MAX_LINE_BYTES) end = data.length
      if (end > 0) conn.send(upperAscii(data.subarray(0, end)))
      if (end < data.length) tails.set(conn, Buffer.from(data.subarray(end)))
      else tails.delete(conn)
    },
    onPeerEnd(conn) {
      const tail = tails.get(conn)
      tails.delete(conn)
      if (tail) conn.send(upperAscii(tail))
      conn.halfClose()
    },
    onClose(conn) {
      tails.delete(conn)
    },
    dispose() {
      tails.clear()
    }
  }
}
