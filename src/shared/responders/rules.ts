import { RE2JS } from 're2js'
import { encodePayload } from '../payload-codec'
import type { RespondRule, RuleMatch } from './schema'
import type { TemplatePart } from './template'
import { parseTemplate } from './template'

/** Bytes of a message a rule looks at; the rest of a longer message is not matched (documented budget). */
export const MATCH_INPUT_BYTES = 64 * 1024

type Matcher = (m: MessageText) => (Uint8Array | null)[] | null

/** A compiled rule. */
export interface CompiledRule {
  rule: RespondRule
  test: Matcher
  reply: TemplatePart[]
}

/** Rules, greeting and fallback, compiled. */
export interface CompiledResponder {
  rules: CompiledRule[]
  greeting: TemplatePart[] | null
  fallback: TemplatePart[] | null
}

/** Where a responder's options are wrong. */
export interface ResponderError {
  /** Path in the options, e.g. `rules.2.match.regex`. */
  path: (string | number)[]
  position: number
  message: string
}

/** A message's bytes as the matchers read them. */
export class MessageText {
  private latin: string | null = null
  private utf8: string | null | undefined = undefined
  readonly bytes: Uint8Array

  constructor(
    data: Uint8Array,
    /** The message is longer than `data` (only its head was kept). */
    readonly oversize = false
  ) {
    this.bytes = data.length > MATCH_INPUT_BYTES ? data.subarray(0, MATCH_INPUT_BYTES) : data
  }

  /** One char per byte: exact for byte matches. */
  get binary(): string {
    if (this.latin === null) this.latin = latin1(this.bytes)
    return this.latin
  }

  /** UTF-8 text when the bytes are valid UTF-8 (so a regex may use non-ASCII letters), else null. */
  get text(): string | null {
    if (this.utf8 === undefined) {
      try {
        this.utf8 = new TextDecoder('utf-8', { fatal: true }).decode(this.bytes)
      } catch {
        this.utf8 = null
      }
    }
    return this.utf8
  }
}

function latin1(bytes: Uint8Array): string {
  let s = ''
  // In slices: String.fromCharCode with a huge argument list overflows the stack.
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192))
  return s
}

const fromLatin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))

function startsWith(data: Uint8Array, want: Uint8Array): boolean {
  if (data.length < want.length) return false
  for (let i = 0; i < want.length; i++) if (data[i] !== want[i]) return false
  return true
}
const utf8 = new TextEncoder()

function escapes(text: string): { ok: true; bin: string } | { ok: false; message: string; position: number } {
  const r = encodePayload({ format: 'escapes', text, lineEnding: 'none' })
  if (!r.ok) return { ok: false, message: r.error.message, position: r.error.position }
  return { ok: true, bin: latin1(r.bytes) }
}

/** Compiles one match; `groups` is how many capture groups it offers. */
function compileMatch(
  match: RuleMatch
):
  | { ok: true; test: Matcher; groups: number; key: string }
  | { ok: false; key: string; message: string; position: number } {
  if ('any' in match) return { ok: true, key: 'any', groups: 0, test: (m) => [m.bytes] }
  if ('hex' in match) {
    const r = encodePayload({ format: 'hex', text: match.hex, lineEnding: 'none' })
    if (!r.ok) return { ok: false, key: 'hex', message: r.error.message, position: r.error.position }
    const want = r.bytes
    return { ok: true, key: 'hex', groups: 0, test: (m) => (startsWith(m.bytes, want) ? [m.bytes] : null) }
  }
  if ('regex' in match) {
    let re: RE2JS
    try {
      re = RE2JS.compile(match.regex)
    } catch (err) {
      const e = err as { message?: string; input?: string }
      const at = typeof e.input === 'string' && e.input !== '' ? Math.max(0, match.regex.indexOf(e.input)) : 0
      const why = String(e.message ?? err).replace(/^error parsing regexp: /, '')
      return { ok: false, key: 'regex', position: at, message: `Bad regex at position ${at}: ${why}` }
    }
    const groups = re.groupCount()
    return {
      ok: true,
      key: 'regex',
      groups,
      test: (m) => {
        // Only the head of an oversize message is kept: a regex (which may anchor at the end) does not judge it.
        if (m.oversize) return null
        // re2js runs in linear time, so a hostile pattern cannot freeze the lab; input is capped at MATCH_INPUT_BYTES.
        const text = m.text
        const input = text ?? m.binary
        const matcher = re.matcher(input)
        if (!matcher.find()) return null
        const out: (Uint8Array | null)[] = []
        for (let g = 0; g <= groups; g++) {
          const s = matcher.group(g)
          out.push(s === null ? null : text !== null ? utf8.encode(s) : fromLatin1(s))
        }
        return out
      }
    }
  }
  const key = 'contains' in match ? 'contains' : 'prefix' in match ? 'prefix' : 'equals'
  const raw = 'contains' in match ? match.contains : 'prefix' in match ? match.prefix : match.equals
  const r = escapes(raw)
  if (!r.ok) return { ok: false, key, message: r.message, position: r.position }
  const want = r.bin
  const bytes = fromLatin1(want)
  if (key === 'contains') return { ok: true, key, groups: 0, test: (m) => (m.binary.includes(want) ? [m.bytes] : null) }
  // Byte by byte over the pattern's length only: a long message is not turned into a string to judge its start.
  if (key === 'prefix')
    return { ok: true, key, groups: 0, test: (m) => (startsWith(m.bytes, bytes) ? [m.bytes] : null) }
  return {
    ok: true,
    key,
    groups: 0,
    test: (m) => (!m.oversize && m.bytes.length === bytes.length && startsWith(m.bytes, bytes) ? [m.bytes] : null)
  }
}

/** Compiles a responder's rules and templates, or names the first thing wrong with its position. */
export function compileResponder(opts: {
  rules?: readonly RespondRule[]
  greeting?: string
  fallback?: string
}): { ok: true; value: CompiledResponder } | { ok: false; error: ResponderError } {
  const rules: CompiledRule[] = []
  for (const [k, rule] of (opts.rules ?? []).entries()) {
    const m = compileMatch(rule.match)
    if (!m.ok)
      return { ok: false, error: { path: ['rules', k, 'match', m.key], position: m.position, message: m.message } }
    const t = parseTemplate(rule.reply)
    if (!t.ok) return { ok: false, error: { path: ['rules', k, 'reply'], position: t.position, message: t.message } }
    if (t.maxGroup > m.groups) {
      const at = rule.reply.indexOf(`$${t.maxGroup}`)
      const offers =
        m.key === 'regex'
          ? `the regex has ${m.groups} group${m.groups === 1 ? '' : 's'}`
          : `only a regex has groups; use $0 for the whole message`
      return {
        ok: false,
        error: {
          path: ['rules', k, 'reply'],
          position: at,
          message: `$${t.maxGroup} at position ${at}: ${offers} (write $$ for a dollar sign)`
        }
      }
    }
    rules.push({ rule, test: m.test, reply: t.parts })
  }
  const one = (name: 'greeting' | 'fallback'): TemplatePart[] | null | ResponderError => {
    const text = opts[name]
    if (text === undefined) return null
    const t = parseTemplate(text)
    if (!t.ok) return { path: [name], position: t.position, message: t.message }
    if (t.maxGroup > (name === 'greeting' ? -1 : 0)) {
      const at = text.indexOf(`$${t.maxGroup}`)
      const why =
        name === 'greeting'
          ? 'a greeting has no message to capture from'
          : 'the fallback has no groups; use $0 for the whole message'
      return {
        path: [name],
        position: at,
        message: `$${t.maxGroup} at position ${at}: ${why} (write $$ for a dollar sign)`
      }
    }
    return t.parts
  }
  const greeting = one('greeting')
  if (greeting && !Array.isArray(greeting)) return { ok: false, error: greeting }
  const fallback = one('fallback')
  if (fallback && !Array.isArray(fallback)) return { ok: false, error: fallback }
  return { ok: true, value: { rules, greeting, fallback } }
}

/** Which rule fires for a message (index into rules, or -1 for none) and its captures. */
export function matchMessage(
  r: CompiledResponder,
  msg: MessageText
): { index: number; captures: (Uint8Array | null)[] } {
  for (const [k, rule] of r.rules.entries()) {
    const captures = rule.test(msg)
    if (captures) return { index: k, captures }
  }
  return { index: -1, captures: [msg.bytes] }
}
