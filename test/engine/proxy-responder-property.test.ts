import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { proxyResponderSchema } from '@shared/responders/proxy-schema'
import type { ProxyResponderInput } from '@shared/responders/proxy-schema'
import type { LabConnection } from '../../src/main/engine/lab-connection'
import { DirectionResponder, PipeResponder } from '../../src/main/engine/proxy/proxy-responder'
import type { ResponderPipe } from '../../src/main/engine/proxy/proxy-responder'
import { waitFor } from '../helpers/wait'

// The head of a pipe, in memory: what the responder forwards (into the faults), answers (to the source) and
// holds (the pipe's held count, which a forward leaves once it reaches the sink, as toSink does).
function harness(settings: ProxyResponderInput) {
  const sent: Buffer[] = []
  const source = {
    family: 'IPv4',
    remote: { address: '127.0.0.1', port: 5000 },
    writable: true,
    pendingWriteBytes: 0,
    send: (b: Buffer) => sent.push(Buffer.from(b)),
    holdReading: () => {},
    halfClose: () => {},
    close: () => {}
  } as unknown as LabConnection
  const out = { forwarded: [] as Buffer[], held: 0, maxHeld: 0, ended: 0, marks: [] as string[] }
  const pipe: ResponderPipe = {
    stream: 'upstream',
    source,
    sink: source,
    holdBytes: (n) => {
      out.held += n
      out.maxHeld = Math.max(out.maxHeld, out.held)
    },
    forward: (b) => {
      out.forwarded.push(Buffer.from(b))
      out.held -= b.length
    },
    forwardEnd: () => out.ended++,
    endAfterReplace: () => {},
    resetPair: () => {},
    mark: (_leg, text) => out.marks.push(text),
    detach: () => {}
  }
  const d = new DirectionResponder(proxyResponderSchema.parse(settings))
  return { r: new PipeResponder(pipe, d), out, answers: () => Buffer.concat(sent).toString('latin1'), d }
}

const RULES: ProxyResponderInput = {
  framing: 'line',
  rules: [
    { match: { equals: 'ping' }, reply: 'pong {{counter}}\\n' },
    { match: { equals: 'secret' }, reply: 'public\\n', action: 'replace' },
    { match: { equals: 'drop' }, reply: '', action: 'replace' }
  ]
}

describe('PipeResponder: any split of the stream gives the same bytes, answers and held count', () => {
  it('forwards exactly the unmatched lines and the replacements, in order; answers in order; holds nothing after', () => {
    const line = fc.constantFrom('ping', 'secret', 'drop', 'hello', 'a longer line of text', '', 'pingpong')
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.array(fc.nat(2000), { maxLength: 12 }), (lines, cuts) => {
        const stream = Buffer.from(lines.map((l) => `${l}\n`).join('') + 'tail without newline', 'latin1')
        const { r, out, answers, d } = harness(RULES)
        let at = 0
        for (const c of [...cuts.map((x) => x % (stream.length + 1)).sort((a, b) => a - b), stream.length]) {
          if (c <= at) continue
          r.push(stream.subarray(at, c))
          at = c
        }
        r.end()
        let pings = 0
        const expectAnswers = lines
          .filter((l) => l === 'ping')
          .map(() => `pong ${++pings}\n`)
          .join('')
        const expectForward =
          lines
            .filter((l) => l !== 'ping' && l !== 'drop')
            .map((l) => (l === 'secret' ? 'public\n' : `${l}\n`))
            .join('') + 'tail without newline'
        expect(Buffer.concat(out.forwarded).toString('latin1')).toBe(expectForward)
        expect(answers()).toBe(expectAnswers)
        expect(out.held).toBe(0)
        expect(out.ended).toBe(1)
        expect(d.stats.hits).toEqual([
          pings,
          lines.filter((l) => l === 'secret').length,
          lines.filter((l) => l === 'drop').length
        ])
      }),
      { numRuns: 300 }
    )
  })

  it('a delayed answer holds the forwards behind it until it is sent, then everything moves on in order', async () => {
    const { r, out, answers } = harness({
      framing: 'line',
      rules: [{ match: { equals: 'slow' }, reply: 'done\\n', delayMs: 30 }]
    })
    r.push(Buffer.from('before\nslow\nafter\n'))
    expect(Buffer.concat(out.forwarded).toString()).toBe('before\n')
    // Held: "after\n" (6) plus the waiting reply (5 + 64).
    expect(out.held).toBe(6 + 5 + 64)
    r.end()
    expect(out.ended).toBe(0)
    await waitFor(() => out.ended === 1, { what: 'the delayed answer and the end', timeoutMs: 2_000 })
    expect(answers()).toBe('done\n')
    expect(Buffer.concat(out.forwarded).toString()).toBe('before\nafter\n')
    expect([out.held, out.ended]).toEqual([0, 1])
  })
})
