import type { LabConnection } from '../lab-connection'
import type { BehaviourFactory } from './behaviour'
import { baseBehaviour, peerLabel } from './behaviour'
import { LineBuffer } from './lines'

// A peer that stops reading misses messages rather than making the lab buffer for it without limit.
const CHAT_MAX_PENDING = 1024 * 1024

/**
 * Newline-delimited chat: each complete line goes to every other active peer as `[ADDR:PORT] line`
 * (the sender's line ending kept); `* ADDR:PORT joined` / `left` tell the others who comes and goes.
 * A peer's FIN sends its unfinished line (with `\n`) and is answered with FIN.
 */
export const chat: BehaviourFactory = (host) => {
  const peers = new Map<LabConnection, LineBuffer>()
  const toOthers = (from: LabConnection, bytes: Buffer): void => {
    for (const c of host.activeConnections()) {
      if (c === from || !peers.has(c) || !c.writable || c.pendingWriteBytes > CHAT_MAX_PENDING) continue
      c.send(bytes)
    }
  }
  const say = (from: LabConnection, line: Buffer): void => {
    toOthers(from, Buffer.concat([Buffer.from(`[${peerLabel(from)}] `), line]))
  }
  return {
    ...baseBehaviour,
    onOpen(conn) {
      peers.set(conn, new LineBuffer())
      toOthers(conn, Buffer.from(`* ${peerLabel(conn)} joined\n`))
    },
    onData(conn, chunk) {
      const lines = peers.get(conn)?.push(chunk) ?? []
      for (const line of lines) say(conn, line)
    },
    onPeerEnd(conn) {
      const tail = peers.get(conn)?.flush()
      if (tail) say(conn, Buffer.concat([tail, Buffer.from('\n')]))
      conn.halfClose()
    },
    onClose(conn) {
      if (!peers.delete(conn)) return
      toOthers(conn, Buffer.from(`* ${peerLabel(conn)} left\n`))
    },
    dispose() {
      peers.clear()
    }
  }
}
