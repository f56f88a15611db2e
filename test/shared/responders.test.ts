import { describe, expect, it } from 'vitest'
import { behaviourOptionsSchema } from '@shared/model'
import {
  answerMessage,
  compileResponder,
  emptyStats,
  MessageText,
  matchMessage,
  parseTemplate,
  renderTemplate
} from '@shared/responders'
import type { RespondRuleInput } from '@shared/responders'
import { respondRuleSchema } from '@shared/responders'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => Buffer.from(b).toString('latin1')

function compile(rules: RespondRuleInput[], extra: { greeting?: string; fallback?: string } = {}) {
  const r = compileResponder({ rules: rules.map((x) => respondRuleSchema.parse(x)), ...extra })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

describe('templates', () => {
  it('captures, $$, placeholders and escapes', () => {
    const t = parseTemplate('$1-$$-{{counter}}/{{hits}} {{peer}}\\x41\\r\\n{{ message }}')
    if (!t.ok) throw new Error(t.message)
    expect(t.maxGroup).toBe(1)
    const out = renderTemplate(t.parts, {
      captures: [enc('all'), enc('one')],
      counter: 2,
      hits: 9,
      time: new Date(0),
      peer: '1.2.3.4:5',
      message: enc('msg')
    })
    expect(dec(out)).toBe('one-$-2/9 1.2.3.4:5A\r\nmsg')
  })
  it.each([
    ['ok {{nope}}', 3, 'Unknown placeholder {{nope}} at position 3'],
    ['ab {{counter', 3, '"{{" at position 3 is not closed with "}}"'],
    ['xy\\q', 2, 'Unknown escape "\\q" at position 2'],
    ['$1 \\x4', 3, '"\\x" at position 3 needs exactly two hex digits']
  ])('%j is refused at %i', (text, position, message) => {
    const t = parseTemplate(text)
    expect(t.ok).toBe(false)
    if (!t.ok) {
      expect(t.position).toBe(position)
      expect(t.message).toContain(message)
    }
  })
})

describe('rules', () => {
  it('first match wins, in order; contains, prefix, equals, hex, any', () => {
    const r = compile([
      { match: { hex: '00 01' }, reply: 'bin' },
      { match: { prefix: 'GET' }, reply: 'p' },
      { match: { contains: 'x\\ty' }, reply: 'c' },
      { match: { equals: '' }, reply: 'empty' },
      { match: { any: true }, reply: 'any' }
    ])
    const which = (b: Uint8Array) => matchMessage(r, new MessageText(b)).index
    expect([Uint8Array.from([0, 1, 2]), enc('GET /'), enc('a x\ty'), enc(''), enc('zzz')].map(which)).toEqual([
      0, 1, 2, 3, 4
    ])
  })
  it('regex groups; a reference beyond them is refused with its position; equals skips an oversize message', () => {
    expect(
      compileResponder({ rules: [respondRuleSchema.parse({ match: { regex: '(a)(b)' }, reply: 'x $3' })] })
    ).toEqual({
      ok: false,
      error: {
        path: ['rules', 0, 'reply'],
        position: 2,
        message: '$3 at position 2: the regex has 2 groups (write $$ for a dollar sign)'
      }
    })
    expect(compileResponder({ rules: [respondRuleSchema.parse({ match: { prefix: 'a' }, reply: '$1' })] }).ok).toBe(
      false
    )
    const r = compile([
      { match: { equals: 'aaa' }, reply: 'eq' },
      { match: { regex: '^(a+)$' }, reply: 're' }
    ])
    expect(matchMessage(r, new MessageText(enc('aaa'), true)).index).toBe(-1)
    const utf = compile([{ match: { regex: '^caf(é)$' }, reply: '[$1]' }])
    const a = answerMessage(
      utf,
      { data: enc('café'), oversize: false },
      { perConnection: [], fallbackOnConnection: 0 },
      emptyStats(1),
      'p'
    )
    expect(new TextDecoder().decode(a.reply!)).toBe('[é]')
  })
  it('a hostile regex runs in linear time on the whole match budget', () => {
    const r = compile([
      { match: { regex: '^(a+)+$' }, reply: 'x' },
      { match: { regex: '(x+x+)+y' }, reply: 'y' }
    ])
    const t0 = performance.now()
    const a = matchMessage(r, new MessageText(enc('a'.repeat(64 * 1024 - 1) + '!')))
    const b = matchMessage(r, new MessageText(enc('x'.repeat(64 * 1024))))
    expect([a.index, b.index]).toEqual([-1, -1])
    expect(performance.now() - t0).toBeLessThan(3_000)
  })
  it('counters per rule per connection and per server; fallback and unmatched counted', () => {
    const r = compile([{ match: { prefix: 'a' }, reply: '{{counter}}/{{hits}}' }], { fallback: 'f{{counter}}' })
    const stats = emptyStats(1)
    const c1 = { perConnection: [], fallbackOnConnection: 0 }
    const c2 = { perConnection: [], fallbackOnConnection: 0 }
    const say = (c: typeof c1, s: string) =>
      dec(answerMessage(r, { data: enc(s), oversize: false }, c, stats, 'p').reply!)
    expect([say(c1, 'a'), say(c1, 'a'), say(c2, 'a'), say(c2, 'b'), say(c1, 'b')]).toEqual([
      '1/1',
      '2/2',
      '1/3',
      'f1',
      'f1'
    ])
    expect(stats).toEqual({ hits: [3], fallback: 2, unmatched: 0, messages: 5 })
  })
  it('the options schema refuses a bad rule with its path and position', () => {
    const bad = behaviourOptionsSchema.safeParse({
      framing: 'line',
      rules: [
        { match: { prefix: 'a' }, reply: 'ok' },
        { match: { regex: '[z-a]' }, reply: '' }
      ]
    })
    expect(bad.success).toBe(false)
    if (!bad.success) {
      expect(bad.error.issues[0].path).toEqual(['rules', 1, 'match', 'regex'])
      expect(bad.error.issues[0].message).toMatch(/^Bad regex at position 1: invalid character class range/)
    }
    expect(
      behaviourOptionsSchema.safeParse({ rules: [{ match: { contains: 'a', prefix: 'b' }, reply: '' }] }).success
    ).toBe(false)
    expect(behaviourOptionsSchema.safeParse({ framing: 'yaml' }).success).toBe(false)
  })
})
