import { createFramer } from '@shared/framing/create-framer'
import type { FrameMessage, Framer } from '@shared/framing/types'
import { describeFraming } from '@shared/framing/spec'
import type { Answer, ResponderStats } from '@shared/responders/answer'
import { answerMessage, emptyStats } from '@shared/responders/answer'
import type { CompiledResponder } from '@shared/responders/rules'
import { compileResponder } from '@shared/responders/rules'
import { renderTemplate } from '@shared/responders/template'
import type { LabConnection } from '../lab-connection'
import type { BehaviourFactory } from './behaviour'
import { baseBehaviour, peerLabel } from './behaviour'

/** Messages answered per connection per turn of the event loop; the rest wait for the next turn (setImmediate). */
export const RESPOND_MESSAGES_PER_TURN = 256
/** Messages waiting per connection before the lab stops reading from that peer (until half of them are answered). */
export const RESPOND_MAX_QUEUED = 16_384
/** Kept payload bytes waiting per connection, same policy. */
export const RESPOND_MAX_QUEUED_BYTES = 4 * 1024 * 1024
// A safety net past the hold: a read already under way adds its chunk's messages (64 KiB of LFs = 65,536); beyond this
// they are dropped and counted.
const HARD_QUEUE_LIMIT = RESPOND_MAX_QUEUED + 160_000

/** Server-wide counters of a responder, as `respond:stats` reports them. */
export interface RespondStats extends ResponderStats {
  /** Messages dropped unanswered because far too many waited even after reading stopped. */
  dropped: number
}

interface PeerState {
  framer: Framer
  queue: FrameMessage[]
  head: number
  queuedBytes: number
  counters: { perConnection: number[]; fallbackOnConnection: number }
  timer: NodeJS.Timeout | null
  immediate: NodeJS.Immediate | null
  /** A `then` action ran: nothing more is answered. */
  done: boolean
  peerEnded: boolean
  noticedBroken: boolean
  noticedDrop: boolean
  held: boolean
}

/**
 * Answers by rule: each message (cut by the server's framing, default `line`) is matched against the
 * rules in order; the first match replies with its template (after `delayMs`), then may half-close,
 * close or reset. A fallback answers what no rule matches; a greeting goes out on connect. Replies
 * keep the messages' order; the replies of one turn go out as one write.
 */
export const respond: BehaviourFactory = (host, options) => {
  const compiled = compileResponder(options)
  // The contract validates options before they get here; an empty responder is the safe stand-in.
  const r: CompiledResponder = compiled.ok ? compiled.value : { rules: [], greeting: null, fallback: null }
  const framing = options.framing ?? 'line'
  const stats: RespondStats = { ...emptyStats(r.rules.length), dropped: 0 }
  const peers = new Map<LabConnection, PeerState>()

  const flush = (conn: LabConnection, out: Uint8Array[]): void => {
    if (out.length === 0 || !conn.writable) return
    const bytes = out.length === 1 ? Buffer.from(out[0].buffer, out[0].byteOffset, out[0].length) : Buffer.concat(out)
    out.length = 0
    conn.send(bytes)
  }

  const act = (conn: LabConnection, st: PeerState, then: Answer['then']): void => {
    if (then === null) return
    st.done = true
    st.queue = []
    st.head = 0
    st.queuedBytes = 0
    if (st.held) {
      st.held = false
      conn.holdReading(false)
    }
    if (then === 'half-close') conn.halfClose()
    else if (then === 'close') conn.close()
    else conn.reset()
  }

  const finishIfEnded = (conn: LabConnection, st: PeerState): void => {
    if (st.peerEnded && !st.done && st.head >= st.queue.length && st.timer === null && st.immediate === null) conn.halfClose()
  }

  const release = (conn: LabConnection, st: PeerState): void => {
    if (st.held && st.queue.length - st.head <= RESPOND_MAX_QUEUED / 2 && st.queuedBytes <= RESPOND_MAX_QUEUED_BYTES / 2) {
      st.held = false
      conn.holdReading(false)
    }
  }

  const pump = (conn: LabConnection, st: PeerState): void => {
    const out: Uint8Array[] = []
    let n = 0
    while (st.head < st.queue.length && n < RESPOND_MESSAGES_PER_TURN && !st.done) {
      const msg = st.queue[st.head++]
      st.queuedBytes -= msg.data.length
      n++
      const a = answerMessage(r, msg, st.counters, stats, peerLabel(conn))
      if (a.delayMs > 0) {
        flush(conn, out)
        st.timer = setTimeout(() => {
          st.timer = null
          if (!peers.has(conn)) return
          if (a.reply && a.reply.length > 0) flush(conn, [a.reply])
          act(conn, st, a.then)
          pump(conn, st)
        }, a.delayMs)
        return
      }
      if (a.reply && a.reply.length > 0) out.push(a.reply)
      if (a.then) {
        flush(conn, out)
        act(conn, st, a.then)
        return
      }
    }
    flush(conn, out)
    release(conn, st)
    if (st.head >= st.queue.length) {
      st.queue = []
      st.head = 0
    } else if (!st.done) {
      // Drop answered entries now and then, so a queue that never empties does not keep them all.
      if (st.head > 4096) {
        st.queue = st.queue.slice(st.head)
        st.head = 0
      }
      st.immediate = setImmediate(() => {
        st.immediate = null
        if (peers.has(conn)) pump(conn, st)
      })
      return
    }
    finishIfEnded(conn, st)
  }

  const stop = (conn: LabConnection): void => {
    const st = peers.get(conn)
    if (!st) return
    if (st.timer) clearTimeout(st.timer)
    if (st.immediate) clearImmediate(st.immediate)
    peers.delete(conn)
  }

  return {
    ...baseBehaviour,
    onOpen(conn) {
      stop(conn)
      const st: PeerState = {
        framer: createFramer(framing),
        queue: [],
        head: 0,
        queuedBytes: 0,
        counters: { perConnection: [], fallbackOnConnection: 0 },
        timer: null,
        immediate: null,
        done: false,
        peerEnded: false,
        noticedBroken: false,
        noticedDrop: false,
        held: false
      }
      peers.set(conn, st)
      // On connect only: a rules change re-opens live connections, which must not be greeted twice.
      if (r.greeting && conn.bytesOut === 0 && conn.chunksIn === 0) {
        const g = renderTemplate(r.greeting, { captures: [], counter: 0, hits: 0, time: new Date(), peer: peerLabel(conn), message: new Uint8Array(0) })
        if (g.length > 0) flush(conn, [g])
      }
    },
    onData(conn, chunk) {
      const st = peers.get(conn)
      if (!st || st.done) return
      const msgs = st.framer.feed(chunk)
      if (st.framer.broken && !st.noticedBroken) {
        st.noticedBroken = true
        const b = st.framer.broken
        host.notice('warning', `Server ${host.serverId}: connection ${conn.id} broke its ${describeFraming(framing)} framing at byte ${b.at}: ${b.reason}; answering raw chunks from there`)
      }
      for (const m of msgs) {
        if (st.queue.length - st.head >= HARD_QUEUE_LIMIT || st.queuedBytes + m.data.length > 4 * RESPOND_MAX_QUEUED_BYTES) {
          stats.dropped++
          if (!st.noticedDrop) {
            st.noticedDrop = true
            host.notice('warning', `Server ${host.serverId}: connection ${conn.id} sends messages faster than they are answered; dropping some unanswered`)
          }
          continue
        }
        st.queue.push(m)
        st.queuedBytes += m.data.length
      }
      if (!st.held && (st.queue.length - st.head > RESPOND_MAX_QUEUED || st.queuedBytes > RESPOND_MAX_QUEUED_BYTES)) {
        // Back-pressure instead of an ever-growing queue: the peer waits until we catch up.
        st.held = true
        conn.holdReading(true)
      }
      if (st.timer === null && st.immediate === null) pump(conn, st)
    },
    onPeerEnd(conn) {
      const st = peers.get(conn)
      if (!st) return conn.halfClose()
      st.peerEnded = true
      finishIfEnded(conn, st)
    },
    onClose: stop,
    dispose() {
      for (const c of [...peers.keys()]) stop(c)
    },
    stats(): RespondStats {
      return { ...stats, hits: [...stats.hits] }
    }
  }
}
