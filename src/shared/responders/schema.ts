import { z } from 'zod'

/** Most rules one responder holds. */
export const MAX_RULES = 200
/** Longest match text, regex or reply template (characters). */
export const MAX_MATCH_CHARS = 4096
export const MAX_TEMPLATE_CHARS = 64 * 1024
/** Longest delay before a reply. */
export const MAX_DELAY_MS = 60_000

const matchText = z
  .string()
  .min(1, 'Match text must not be empty')
  .max(MAX_MATCH_CHARS, `Match text is over ${MAX_MATCH_CHARS} characters`)

/** What a rule matches on one message: exactly one of these keys. */
export const ruleMatchSchema = z.union(
  [
    z.strictObject({ contains: matchText }),
    z.strictObject({ prefix: matchText }),
    z.strictObject({ equals: z.string().max(MAX_MATCH_CHARS) }),
    z.strictObject({ regex: matchText }),
    z.strictObject({ hex: matchText }),
    z.strictObject({ any: z.literal(true) })
  ],
  { error: 'A match is one of {contains}, {prefix}, {equals}, {regex}, {hex} or {any: true}' }
)
/** A rule's match. */
export type RuleMatch = z.infer<typeof ruleMatchSchema>

/** What happens to the connection after a reply. */
export const ruleThenSchema = z.enum(['half-close', 'close', 'reset'])

/** One rule: a match and what to answer. */
export const respondRuleSchema = z.strictObject({
  match: ruleMatchSchema,
  /** A template: `$1`…, `{{counter}}`, `{{hits}}`, `{{time}}`, `{{peer}}`, escapes `\r\n` `\xNN`. */
  reply: z.string().max(MAX_TEMPLATE_CHARS, `Reply is over ${MAX_TEMPLATE_CHARS} characters`).default(''),
  delayMs: z.number().int().min(0).max(MAX_DELAY_MS, `Delay is at most ${MAX_DELAY_MS} ms`).optional(),
  then: ruleThenSchema.optional()
})
/** One rule as stored. */
export type RespondRule = z.output<typeof respondRuleSchema>
/** One rule as written. */
export type RespondRuleInput = z.input<typeof respondRuleSchema>

/** The rules of a responder. */
export const respondRulesSchema = z.array(respondRuleSchema).max(MAX_RULES, `At most ${MAX_RULES} rules`)

/** A template: greeting or fallback. */
export const templateSchema = z.string().max(MAX_TEMPLATE_CHARS, `Template is over ${MAX_TEMPLATE_CHARS} characters`)
