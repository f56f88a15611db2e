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
import { PacedQueue } from './paced-work'

/** Messages waiting behind a delayed reply before the lab stops reading from that peer (until the delay ends). */
export const RESPOND_MAX_DELAYED = 16_384
// A safety net past the hold: a read already under way adds its chunk's messages (64 KiB of LFs = 65,536); beyond
// this they are dropped and counted.
const HARD_DELAYED_LIMIT = RESPOND_MAX_DELAYED + 160_000

/** Server-wide counters of a responder, as `respond:stats` reports them. */
export interface RespondStats extends ResponderStats {
  /** Messages dropped unanswered because far too many waited behind a delay even after reading stopped. */
  dropped: number
}

interface PeerState {
  framer: Framer
  counters: { perConnection: number[]; fallbackOnConnection: number }
  /** A delayed reply is pending: messages wait here, in order, until it is sent. */
  timer: NodeJS.Timeout | null
  delayed: FrameMessage[]
  /** Reading held by this behaviour (too many messages behind a delay). */
  held: boolean
  /** A `then` action ran: nothing more is answered. */
  done: boolean
  peerEnded: boolean
  noticedBroken: boolean
  noticedDrop: boolean
}

/**
 * Answers by rule: each message (cut by the server's framing, default `line`) is matched against the
 * rules in order; the first match replies with its template (after `delayMs`), then may half-close,
 * close or reset. A fallback answers what no rule matches; a greeting goes out on connect. Replies
 * keep the messages' order; the replies of one slice go out as one write. Messages are worked through
 * under the lab-wide per-turn budget (paced-work.ts): a flood pauses its own peer, nobody else.
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
    st.delayed = []
    paced.drop(conn)
    if (st.held) {
      st.held = false
      conn.holdReading(false)
    }
    if (then === 'half-close') conn.halfClose()
    else if (then === 'close') conn.close()
    else conn.reset()
  }

  const finishIfEnded = (conn: LabConnection, st: PeerState): void => {
    if (st.peerEnded && !st.done && st.timer === null && st.delayed.length === 0 && paced.pending(conn) === 0)
      conn.halfClose()
  }

  /** Answers a slice of messages in order; a delayed reply parks the rest until it is sent. */
  const answer = (conn: LabConnection, items: FrameMessage[]): void => {
    const st = peers.get(conn)
    if (!st || st.done) return
    if (st.timer !== null) {
      for (const m of items) st.delayed.push(m)
      return
    }
    const out: Uint8Array[] = []
    for (let k = 0; k < items.length; k++) {
      const a = answerMessage(r, items[k], st.counters, stats, peerLabel(conn))
      if (a.delayMs > 0) {
        flush(conn, out)
        for (let j = k + 1; j < items.length; j++) st.delayed.push(items[j])
        st.timer = setTimeout(() => afterDelay(conn, st, a), a.delayMs)
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
  }

  const afterDelay = (conn: LabConnection, st: PeerState, a: Answer): void => {
    st.timer = null
    if (peers.get(conn) !== st) return
    if (a.reply && a.reply.length > 0) flush(conn, [a.reply])
    act(conn, st, a.then)
    if (st.done) return
    const waiting = st.delayed
    st.delayed = []
    if (st.held) {
      st.held = false
      conn.holdReading(false)
    }
    // Back through the paced queue, so a long wait does not become one long turn.
    paced.push(conn, waiting)
    paced.afterDrained(conn, () => finishIfEnded(conn, st))
  }

  const paced = new PacedQueue<FrameMessage>(answer)

  const stop = (conn: LabConnection): void => {
    const st = peers.get(conn)
    if (!st) return
    if (st.timer) clearTimeout(st.timer)
    paced.drop(conn)
    peers.delete(conn)
  }

  return {
    ...baseBehaviour,
    onOpen(conn) {
      stop(conn)
      const st: PeerState = {
        framer: createFramer(framing),
        counters: { perConnection: [], fallbackOnConnection: 0 },
        timer: null,
        delayed: [],
        held: false,
        done: false,
        peerEnded: false,
        noticedBroken: false,
        noticedDrop: false
      }
      peers.set(conn, st)
      // On connect only: a rules change re-opens live connections, which must not be greeted twice.
      if (r.greeting && conn.bytesOut === 0 && conn.chunksIn === 0) {
        const g = renderTemplate(r.greeting, {
          captures: [],
          counter: 0,
          hits: 0,
          time: new Date(),
          peer: peerLabel(conn),
          message: new Uint8Array(0)
        })
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
        host.notice(
          'warning',
          `Server ${host.serverId}: connection ${conn.id} broke its ${describeFraming(framing)} framing at byte ${b.at}: ${b.reason}; answering raw chunks from there`
        )
      }
      if (st.timer === null) return paced.push(conn, msgs)
      // Behind a delayed reply: park them, bounded, holding the peer back rather than growing without limit.
      for (const m of msgs) {
        if (st.delayed.length >= HARD_DELAYED_LIMIT) {
          stats.dropped++
          if (!st.noticedDrop) {
            st.noticedDrop = true
            host.notice(
              'warning',
              `Server ${host.serverId}: connection ${conn.id} sends far more than it waits for; dropping some messages unanswered`
            )
          }
          continue
        }
        st.delayed.push(m)
      }
      if (!st.held && st.delayed.length > RESPOND_MAX_DELAYED) {
        st.held = true
        conn.holdReading(true)
      }
    },
    onPeerEnd(conn) {
      const st = peers.get(conn)
      if (!st) return conn.halfClose()
      st.peerEnded = true
      paced.afterDrained(conn, () => finishIfEnded(conn, st))
    },
    onClose: stop,
    dispose() {
      for (const c of [...peers.keys()]) stop(c)
      paced.clear()
    },
    stats(): RespondStats {
      return { ...stats, hits: [...stats.hits] }
    }
  }
}
