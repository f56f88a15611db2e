import type { FramingInput } from '@shared/framing'
import type { BehaviourOptions } from '@shared/model'
import type { RespondRuleInput, RuleMatch } from '@shared/responders'

/** The kinds of match a rule row offers. */
export const MATCH_KINDS = ['contains', 'prefix', 'equals', 'regex', 'hex', 'any'] as const
/** A kind of match. */
export type MatchKind = (typeof MATCH_KINDS)[number]

/** One rule as the editor holds it: strings as typed. */
export interface RuleDraft {
  /** Stable key for React while rows move. */
  key: number
  kind: MatchKind
  value: string
  reply: string
  delayMs: string
  then: '' | 'half-close' | 'close' | 'reset'
}

/** A responder as the editor holds it. */
export interface RespondDraft {
  framing: FramingInput
  greeting: string
  fallback: string
  /** Whether a fallback is set (an empty fallback is different from none). */
  hasFallback: boolean
  rules: RuleDraft[]
}

let nextKey = 1
/** A fresh row. */
export function newRule(patch: Partial<RuleDraft> = {}): RuleDraft {
  return { key: nextKey++, kind: 'contains', value: '', reply: '', delayMs: '', then: '', ...patch }
}

/** A small starting responder: answers PING, echoes HELLO's name, says bye to QUIT. */
export function exampleDraft(): RespondDraft {
  return {
    framing: 'line',
    greeting: 'hello from the lab\\r\\n',
    fallback: 'unknown: $0\\r\\n',
    hasFallback: true,
    rules: [
      newRule({ kind: 'equals', value: 'PING', reply: 'PONG {{counter}}\\r\\n' }),
      newRule({ kind: 'regex', value: '^HELLO (\\w+)', reply: 'hi $1\\r\\n' }),
      newRule({ kind: 'equals', value: 'QUIT', reply: 'bye\\r\\n', then: 'close' })
    ]
  }
}

function matchOf(r: RuleDraft): RuleMatch {
  switch (r.kind) {
    case 'any':
      return { any: true }
    case 'contains':
      return { contains: r.value }
    case 'prefix':
      return { prefix: r.value }
    case 'equals':
      return { equals: r.value }
    case 'regex':
      return { regex: r.value }
    case 'hex':
      return { hex: r.value }
  }
}

/** The behaviour options a draft stands for (the engine validates them). */
export function draftToOptions(d: RespondDraft): BehaviourOptions {
  const rules: RespondRuleInput[] = d.rules.map((r) => {
    const rule: RespondRuleInput = { match: matchOf(r), reply: r.reply }
    if (r.delayMs.trim() !== '') rule.delayMs = Number(r.delayMs)
    if (r.then !== '') rule.then = r.then
    return rule
  })
  const out: Record<string, unknown> = { framing: d.framing, rules }
  if (d.greeting !== '') out.greeting = d.greeting
  if (d.hasFallback) out.fallback = d.fallback
  return out as BehaviourOptions
}

/** A draft of a server's options (e.g. to edit a running responder). */
export function optionsToDraft(o: BehaviourOptions): RespondDraft {
  return {
    framing: o.framing ?? 'line',
    greeting: o.greeting ?? '',
    fallback: o.fallback ?? '',
    hasFallback: o.fallback !== undefined,
    rules: (o.rules ?? []).map((r) => {
      const m = r.match
      const [kind, value] = Object.entries(m)[0] as [MatchKind, string | boolean]
      return newRule({
        kind,
        value: typeof value === 'string' ? value : '',
        reply: r.reply,
        delayMs: r.delayMs === undefined ? '' : String(r.delayMs),
        then: r.then ?? ''
      })
    })
  }
}

/** The rows with one moved by `by` (-1 up, +1 down). */
export function moveRule(rules: readonly RuleDraft[], index: number, by: -1 | 1): RuleDraft[] {
  const to = index + by
  if (to < 0 || to >= rules.length) return [...rules]
  const out = [...rules]
  const [r] = out.splice(index, 1)
  out.splice(to, 0, r)
  return out
}
