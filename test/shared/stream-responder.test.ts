import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFramer } from '@shared/framing'
import { compileResponder, respondRuleSchema, StreamResponder } from '@shared/responders'
import type { RespondRuleInput, StreamAction } from '@shared/responders'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => Buffer.from(b).toString('latin1')

function responder(rules: RespondRuleInput[], mode: 'answer' | 'replace', hold?: number) {
  const c = compileResponder({ rules: rules.map((r) => respondRuleSchema.parse(r)) })
  if (!c.ok) throw new Error(c.error.message)
  return new StreamResponder(c.value, 'resp', mode, 'p', hold)
}

function runSplit(s: StreamResponder, stream: Uint8Array, cuts: number[]): StreamAction[] {
  const out: StreamAction[] = []
  let at = 0
  for (const c of [...cuts, stream.length]) {
    if (c <= at) continue
    out.push(...s.push(stream.subarray(at, c)))
    at = c
  }
  out.push(...s.end())
  return out
}

const forwarded = (acts: StreamAction[]) =>
  acts
    .filter((a) => a.kind !== 'answer')
    .map((a) => dec(a.bytes))
    .join('')
const answered = (acts: StreamAction[]) => acts.filter((a) => a.kind === 'answer').map((a) => dec(a.bytes))

const cmd = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`

describe('StreamResponder (a responder on a proxy direction)', () => {
  it('answers GET of a mocked key and forwards everything else unchanged, in order', () => {
    const s = responder(
      [{ match: { regex: '^\\*2\\r\\n\\$3\\r\\nGET\\r\\n\\$4\\r\\nmock\\r\\n$' }, reply: '$$6\\r\\nmocked\\r\\n' }],
      'answer'
    )
    const stream = enc(cmd('SET', 'k', 'v') + cmd('GET', 'mock') + cmd('GET', 'k'))
    const acts = runSplit(s, stream, [3, 20, 31, 40])
    expect(forwarded(acts)).toBe(cmd('SET', 'k', 'v') + cmd('GET', 'k'))
    expect(answered(acts)).toEqual(['$6\r\nmocked\r\n'])
    expect(s.stats.hits).toEqual([1])
  })

  it('property: whatever the split, output = input with matched messages replaced', () => {
    const arg = fc.constantFrom('a', 'bb', 'mock', 'GET', 'x\r\ny')
    const msgs = fc.array(fc.array(arg, { minLength: 1, maxLength: 3 }), { maxLength: 6 })
    fc.assert(
      fc.property(
        msgs,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
        (ms, rawCuts, junk) => {
          const body = ms.map((m) => cmd(...m)).join('')
          const stream = Uint8Array.from([...enc(body), ...junk])
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
          const s = responder([{ match: { contains: 'mock' }, reply: '+REPLACED\\r\\n' }], 'replace')
          const acts = runSplit(s, stream, cuts)
          // Expected: frame the whole stream at once; matched messages become the reply, every other byte stays.
          const f = createFramer('resp')
          const whole = f.feed(stream)
          let expected = ''
          let at = 0
          for (const m of whole) {
            if (m.raw) break
            if (dec(m.data).includes('mock')) {
              expected += dec(stream.subarray(at, m.start)) + '+REPLACED\r\n'
              at = m.end
            }
          }
          expected += dec(stream.subarray(at))
          expect(forwarded(acts)).toBe(expected)
        }
      ),
      { numRuns: 300 }
    )
  })

  it('holds at most the bound: a huge message passes through unjudged', () => {
    const s = responder([{ match: { any: true }, reply: '+no\\r\\n' }], 'answer', 100)
    const big = cmd('SET', 'k', 'v'.repeat(1000))
    const acts = runSplit(s, enc(big + cmd('PING')), [50, 200, 900])
    expect(forwarded(acts)).toBe(big)
    expect(answered(acts)).toEqual(['+no\r\n'])
  })

  it('a chunk of unmatched messages is forwarded as one view of the chunk, not a copy per message', () => {
    const s = responder([{ match: { equals: 'never' }, reply: 'x' }], 'answer')
    const chunk = enc(cmd('GET', 'k').repeat(2000))
    const acts = s.push(chunk)
    expect(acts).toHaveLength(1)
    // The same memory: no per-message join (which made a 64 KiB chunk of small messages quadratic).
    expect(acts[0].bytes.buffer).toBe(chunk.buffer)
    expect(acts[0].bytes.length).toBe(chunk.length)
    expect(s.stats.messages).toBe(2000)
  })
})
