import { z } from 'zod'
import { framingSchema } from '../framing/spec'
import { compileResponder } from './rules'
import { MAX_RULES, respondRuleSchema } from './schema'

/** What a proxy rule does with the message it matches: answer it back to its sender, or forward the reply instead. */
export const proxyRuleActionSchema = z.enum(['answer', 'replace'], {
  error: 'action is "answer" (reply to the sender, not forwarded) or "replace" (forward the reply instead)'
})
/** A proxy rule's action. */
export type ProxyRuleAction = z.infer<typeof proxyRuleActionSchema>

/** One rule of a proxy direction: a server rule plus what to do with the reply (default `answer`). */
export const proxyRuleSchema = respondRuleSchema.extend({ action: proxyRuleActionSchema.default('answer') })
/** A proxy rule as stored. */
export type ProxyRule = z.output<typeof proxyRuleSchema>
/** A proxy rule as written. */
export type ProxyRuleInput = z.input<typeof proxyRuleSchema>

/**
 * A responder on one direction of a proxy: the framing that cuts the stream into messages and ordered rules; a
 * message no rule matches (and every byte outside messages) is forwarded unchanged. No greeting or fallback: a
 * proxy passes on what it does not answer.
 */
export const proxyResponderSchema = z
  .strictObject({
    framing: framingSchema.default('line'),
    rules: z
      .array(proxyRuleSchema)
      .min(1, 'A proxy responder needs at least one rule (clear it with responder: null)')
      .max(MAX_RULES, `At most ${MAX_RULES} rules`)
  })
  .superRefine((opts, ctx) => {
    // A bad regex or template is refused here, with its position, before any pair sees it.
    const r = compileResponder(opts)
    if (!r.ok) ctx.addIssue({ code: 'custom', path: r.error.path, message: r.error.message })
  })
/** A proxy direction's responder as stored. */
export type ProxyResponder = z.output<typeof proxyResponderSchema>
/** A proxy direction's responder as written. */
export type ProxyResponderInput = z.input<typeof proxyResponderSchema>

/** A proxy direction's responder as `proxy:list` shows it: its settings and live counters over all its pairs. */
export const proxyResponderInfoSchema = z.object({
  framing: framingSchema,
  rules: z.array(proxyRuleSchema),
  stats: z.object({
    /** Messages each rule matched, by rule index. */
    hits: z.array(z.number().int()),
    /** Messages judged (matched or passed on). */
    messages: z.number().int(),
    /** Messages no rule matched (forwarded unchanged). */
    unmatched: z.number().int()
  })
})
/** A proxy direction's responder with its counters. */
export type ProxyResponderInfo = z.infer<typeof proxyResponderInfoSchema>
