import type { FrameMessage } from '../framing/types'
import type { CompiledResponder } from './rules'
import { matchMessage, MessageText } from './rules'
import { renderTemplate } from './template'

/** Per-connection counts a responder keeps for `{{counter}}`. */
export interface AnswerCounters {
  /** Hits of each rule on this connection. */
  perConnection: number[]
  fallbackOnConnection: number
}

/** Server-wide hit counters of a responder. */
export interface ResponderStats {
  hits: number[]
  fallback: number
  /** Messages no rule matched and no fallback answered. */
  unmatched: number
  messages: number
}

/** What a responder does with one message. */
export interface Answer {
  /** Index of the rule that fired, -1 for the fallback or no answer. */
  rule: number
  fallback: boolean
  reply: Uint8Array | null
  delayMs: number
  then: 'half-close' | 'close' | 'reset' | null
}

/** Answers one message: the first matching rule's reply (counters counted), else the fallback, else nothing. */
export function answerMessage(
  r: CompiledResponder,
  msg: Pick<FrameMessage, 'data' | 'oversize'>,
  counters: AnswerCounters,
  stats: ResponderStats,
  peer: string,
  now: Date = new Date()
): Answer {
  stats.messages++
  const text = new MessageText(msg.data, msg.oversize)
  const hit = matchMessage(r, text)
  if (hit.index >= 0) {
    const rule = r.rules[hit.index]
    counters.perConnection[hit.index] = (counters.perConnection[hit.index] ?? 0) + 1
    stats.hits[hit.index] = (stats.hits[hit.index] ?? 0) + 1
    const reply = renderTemplate(rule.reply, {
      captures: hit.captures,
      counter: counters.perConnection[hit.index],
      hits: stats.hits[hit.index],
      time: now,
      peer,
      message: text.bytes
    })
    return { rule: hit.index, fallback: false, reply, delayMs: rule.rule.delayMs ?? 0, then: rule.rule.then ?? null }
  }
  if (r.fallback) {
    counters.fallbackOnConnection++
    stats.fallback++
    const reply = renderTemplate(r.fallback, {
      captures: [text.bytes],
      counter: counters.fallbackOnConnection,
      hits: stats.fallback,
      time: now,
      peer,
      message: text.bytes
    })
    return { rule: -1, fallback: true, reply, delayMs: 0, then: null }
  }
  stats.unmatched++
  return { rule: -1, fallback: false, reply: null, delayMs: 0, then: null }
}

/** Fresh server-wide counters for `n` rules. */
export function emptyStats(n: number): ResponderStats {
  return { hits: new Array<number>(n).fill(0), fallback: 0, unmatched: 0, messages: 0 }
}
