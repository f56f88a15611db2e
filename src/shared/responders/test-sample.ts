import { createFramer } from '../framing/create-framer'
import type { Framing } from '../framing/spec'
import type { FrameBroken, FramePending } from '../framing/types'
import type { Answer } from './answer'
import { answerMessage, emptyStats } from './answer'
import type { CompiledResponder } from './rules'

/** One message of a sample and what the responder would do with it. */
export interface SampleAnswer extends Answer {
  start: number
  end: number
  summary?: string
}

/** Frames a sample the way the server would and answers each message, as if on a new connection. */
export function testSample(
  r: CompiledResponder,
  framing: Framing,
  sample: Uint8Array,
  peer = '127.0.0.1:50000'
): { messages: SampleAnswer[]; pending: FramePending | null; broken: FrameBroken | null } {
  const framer = createFramer(framing)
  const stats = emptyStats(r.rules.length)
  const counters = { perConnection: [] as number[], fallbackOnConnection: 0 }
  const messages: SampleAnswer[] = []
  // Bounded: a sample is at most 16 MiB and each message's match input is capped.
  for (const m of [...framer.feed(sample)].slice(0, 1000)) {
    const a = answerMessage(r, m, counters, stats, peer)
    const one: SampleAnswer = { ...a, start: m.start, end: m.end }
    if (m.summary !== undefined) one.summary = m.summary
    messages.push(one)
  }
  return { messages, pending: framer.pending(), broken: framer.broken }
}
