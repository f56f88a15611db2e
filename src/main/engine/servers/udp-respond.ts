import { normalizeFraming } from '@shared/framing/spec'
import type { BehaviourOptions } from '@shared/model'
import type { Answer } from '@shared/responders/answer'
import { answerMessage, emptyStats } from '@shared/responders/answer'
import { compileResponder } from '@shared/responders/rules'
import type { CompiledResponder } from '@shared/responders/rules'
import type { LabConnection } from '../lab-connection'
import type { BehaviourFactory } from '../behaviours/behaviour'
import { baseBehaviour, peerLabel } from '../behaviours/behaviour'
import type { RespondStats } from '../behaviours/respond'
import { LabFailure } from '../errors'

/** Delayed replies one UDP responder keeps waiting at once; datagrams past that are counted and not answered. */
export const UDP_RESPOND_MAX_PENDING = 4_096

/** Refuses, in words, what a UDP responder cannot do: a greeting, a framing, a half-close or reset after a reply. */
function checkUdpOptions(options: BehaviourOptions): void {
  if (options.greeting !== undefined) {
    throw new LabFailure(
      'unsupported',
      'greeting: a UDP responder has no connection to greet; the first datagram of a flow is its first message',
      'Leave the greeting out, or answer the first datagram with a rule.'
    )
  }
  if (options.framing !== undefined && normalizeFraming(options.framing).type !== 'raw') {
    throw new LabFailure(
      'unsupported',
      'framing: over UDP each datagram is one message; a stream framing does not apply',
      'Leave framing out (or set it to raw).'
    )
  }
  for (const [k, rule] of (options.rules ?? []).entries()) {
    if (rule.then === 'half-close' || rule.then === 'reset') {
      throw new LabFailure(
        'unsupported',
        `rules.${k}.then: "${rule.then}" needs a stream connection; UDP has no ${rule.then === 'reset' ? 'RST' : 'FIN'}`,
        'Over UDP a rule may only "close" its flow (the lab forgets it), or stay.'
      )
    }
  }
}

/**
 * `respond` over UDP: each datagram is one message, matched against the rules in order; the first match
 * answers that flow with one datagram (after its delay), then may close (forget) the flow. A fallback answers
 * what no rule matches. Delayed replies are bounded (UDP_RESPOND_MAX_PENDING); past that a datagram is counted
 * as dropped and not answered (a datagram flood cannot be held back: UDP has no back-pressure). A delayed reply
 * does not hold the flow's later datagrams: UDP keeps no order, and each datagram is answered on its own.
 */
export const udpRespond: BehaviourFactory = (host, options) => {
  checkUdpOptions(options)
  const compiled = compileResponder(options)
  // The contract validates options before they get here; an empty responder is the safe stand-in.
  const r: CompiledResponder = compiled.ok ? compiled.value : { rules: [], greeting: null, fallback: null }
  const stats: RespondStats = { ...emptyStats(r.rules.length), dropped: 0 }
  const flows = new Map<LabConnection, { perConnection: number[]; fallbackOnConnection: number }>()
  const timers = new Map<NodeJS.Timeout, LabConnection>()
  let noticedDrop = false

  const reply = (conn: LabConnection, a: Answer): void => {
    if (conn.closed) return
    if (a.reply && a.reply.length > 0) conn.send(Buffer.from(a.reply.buffer, a.reply.byteOffset, a.reply.length))
    if (a.then === 'close') conn.close()
  }

  return {
    ...baseBehaviour,
    onOpen(conn) {
      if (!flows.has(conn)) flows.set(conn, { perConnection: [], fallbackOnConnection: 0 })
    },
    onData(conn, datagram) {
      const counters = flows.get(conn)
      if (!counters) return
      const a = answerMessage(r, { data: datagram, oversize: false }, counters, stats, peerLabel(conn))
      if (a.delayMs <= 0) return reply(conn, a)
      if (timers.size >= UDP_RESPOND_MAX_PENDING) {
        stats.dropped++
        if (!noticedDrop) {
          noticedDrop = true
          host.notice(
            'warning',
            `Server ${host.serverId} (UDP): ${UDP_RESPOND_MAX_PENDING} delayed replies are waiting; further datagrams are not answered until some are sent`
          )
        }
        return
      }
      const t = setTimeout(() => {
        timers.delete(t)
        reply(conn, a)
      }, a.delayMs)
      timers.set(t, conn)
    },
    onPeerEnd() {},
    onClose(conn) {
      flows.delete(conn)
      for (const [t, c] of timers)
        if (c === conn) {
          clearTimeout(t)
          timers.delete(t)
        }
    },
    dispose() {
      for (const t of timers.keys()) clearTimeout(t)
      timers.clear()
      flows.clear()
    },
    stats(): RespondStats {
      return { ...stats, hits: [...stats.hits] }
    }
  }
}
