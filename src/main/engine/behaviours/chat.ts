import type { LabConnection } from '../lab-connection'
import type { BehaviourFactory } from './behaviour'
import { baseBehaviour, peerLabel } from './behaviour'
import { LineBuffer } from './lines'
import { PacedQueue } from './paced-work'

// A peer that stops reading misses messages rather than making the lab buffer for it without limit.
const CHAT_MAX_PENDING = 1024 * 1024

/**
 * Newline-delimited chat: each complete line goes to every other active peer as `[ADDR:PORT] line`
 * (the sender's line ending kept); `* ADDR:PORT joined` / `left` tell the others who comes and goes.
 * A peer's FIN sends its unfinished line (with `\n`) and is answered with FIN.
 * The lines of one read go out as one write per recipient, and a flood of tiny lines is worked through in
 * bounded slices per turn of the event loop (the flooding peer's reading pauses meanwhile).
 */
export const chat: BehaviourFactory = (host) => {
  const peers = new Map<LabConnection, LineBuffer>()
  const toOthers = (from: LabConnection, bytes: Buffer): void => {
    for (const c of host.activeConnections()) {
      if (c === from || !peers.has(c) || !c.writable || c.pendingWriteBytes > CHAT_MAX_PENDING) continue
      c.send(bytes)
    }
  }
  const say = (from: LabConnection, lines: Buffer[]): void => {
    const prefix = Buffer.from(`[${peerLabel(from)}] `)
    const parts: Buffer[] = []
    for (const line of lines) parts.push(prefix, line)
    toOthers(from, Buffer.concat(parts))
  }
  const paced = new PacedQueue<Buffer>(say)
  return {
    ...baseBehaviour,
    onOpen(conn) {
      peers.set(conn, new LineBuffer())
      toOthers(conn, Buffer.from(`* ${peerLabel(conn)} joined\n`))
    },
    onData(conn, chunk) {
      paced.push(conn, peers.get(conn)?.push(chunk) ?? [])
    },
    onPeerEnd(conn) {
      paced.afterDrained(conn, () => {
        const tail = peers.get(conn)?.flush()
        if (tail) say(conn, [Buffer.concat([tail, Buffer.from('\n')])])
        conn.halfClose()
      })
    },
    onClose(conn) {
      paced.drop(conn)
      if (!peers.delete(conn)) return
      toOthers(conn, Buffer.from(`* ${peerLabel(conn)} left\n`))
    },
    dispose() {
      paced.clear()
      peers.clear()
    }
  }
}
