import type { FramingInput } from '@shared/framing'
import type { BehaviourOptions } from '@shared/model'
import type { RespondRuleInput, RuleMatch } from '@shared/responders'
import type { ProxyResponderInfo, ProxyResponderInput, ProxyRuleInput } from '@shared/responders/proxy-schema'

/** What runs a responder: a stream server, a UDP server (a datagram is a message), or one direction of a proxy. */
export type RespondVariant = 'server' | 'udp' | 'proxy'

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
  /** On a proxy: answer back to the sender, or replace the message and forward the reply. */
  action?: 'answer' | 'replace'
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

function ruleOf(r: RuleDraft): RespondRuleInput {
  const rule: RespondRuleInput = { match: matchOf(r), reply: r.reply }
  if (r.delayMs.trim() !== '') rule.delayMs = Number(r.delayMs)
  if (r.then !== '') rule.then = r.then
  return rule
}

/** The behaviour options a draft stands for (the engine validates them); a UDP responder has no framing or greeting. */
export function draftToOptions(d: RespondDraft, variant: RespondVariant = 'server'): BehaviourOptions {
  const rules = d.rules.map(ruleOf)
  const out: Record<string, unknown> = variant === 'udp' ? { rules } : { framing: d.framing, rules }
  if (d.greeting !== '' && variant === 'server') out.greeting = d.greeting
  if (d.hasFallback && variant !== 'proxy') out.fallback = d.fallback
  return out as BehaviourOptions
}

/** The options `respond:test` judges a sample with, as the variant would cut it (UDP: the sample is one datagram). */
export function draftToTestOptions(d: RespondDraft, variant: RespondVariant): BehaviourOptions {
  const o = draftToOptions(d, variant)
  return variant === 'udp' ? { ...o, framing: 'raw' } : o
}

/** A proxy direction's responder a draft stands for (`proxy:respond`). */
export function draftToProxyResponder(d: RespondDraft): ProxyResponderInput {
  return {
    framing: d.framing,
    rules: d.rules.map((r): ProxyRuleInput => ({ ...ruleOf(r), action: r.action ?? 'answer' }))
  }
}

/** A draft of a proxy direction's responder; a starting one (answer PING) when it has none. */
export function proxyResponderToDraft(info: ProxyResponderInfo | undefined): RespondDraft {
  if (!info)
    return {
      framing: 'line',
      greeting: '',
      fallback: '',
      hasFallback: false,
      rules: [newRule({ kind: 'equals', value: 'PING', reply: 'PONG from the lab\\r\\n', action: 'answer' })]
    }
  const d = optionsToDraft({ framing: info.framing, rules: info.rules })
  d.rules = d.rules.map((r, k) => ({ ...r, action: info.rules[k]?.action ?? 'answer' }))
  return d
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
