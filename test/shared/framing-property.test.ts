import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { framingSchema } from '@shared/framing'
import type { Framing } from '@shared/framing'
import { essence, frameSplit } from './framing-helpers'

const enc = (s: string): number[] => Array.from(new TextEncoder().encode(s))
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', ' ', '\r', '\u00e9', '\u0000'), maxLength: 12 })

/** Streams of each framing: well-formed messages, sometimes followed by junk. */
const streams: Record<string, { framing: Framing; gen: fc.Arbitrary<number[]> }> = {
  line: { framing: 'line', gen: fc.array(word, { maxLength: 8 }).map((ws) => ws.flatMap((w) => enc(`${w}\n`))) },
  crlf: { framing: 'crlf', gen: fc.array(word, { maxLength: 8 }).map((ws) => ws.flatMap((w) => enc(`${w}\r\n`))) },
  delimiter: {
    framing: { type: 'delimiter', hex: '0d0a0d' },
    gen: fc.array(fc.constantFrom(0x0d, 0x0a, 0x61), { maxLength: 60 })
  },
  fixed: { framing: { type: 'fixed', size: 3 }, gen: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }) },
  length: {
    framing: framingSchema.parse({ type: 'length', bytes: 2, endian: 'little', offset: 1, maxLength: 20 }),
    gen: fc
      .array(fc.uint8Array({ maxLength: 24 }), { maxLength: 5 })
      .map((bodies) => bodies.flatMap((b) => [7, b.length & 0xff, b.length >> 8, ...b]))
  },
  http: {
    framing: 'http',
    gen: fc
      .array(
        fc.oneof(
          word.map((w) => enc(`POST /p HTTP/1.1\r\nContent-Length: ${enc(w).length}\r\n\r\n${w}`)),
          fc
            .array(
              word.filter((w) => w.length > 0),
              { maxLength: 3 }
            )
            .map((parts) =>
              enc(
                `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${enc(p).length.toString(16)}\r\n${p}\r\n`).join('')}0\r\n\r\n`
              )
            ),
          fc.constant(enc('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
        ),
        { maxLength: 4 }
      )
      .map((ms) => ms.flat())
  },
  resp: {
    framing: 'resp',
    gen: fc
      .array(
        fc.oneof(
          fc
            .array(word, { minLength: 1, maxLength: 4 })
            .map((args) => enc(`*${args.length}\r\n${args.map((a) => `$${enc(a).length}\r\n${a}\r\n`).join('')}`)),
          fc.constantFrom('+OK\r\n', ':1\r\n', '$-1\r\n', '-ERR x\r\n', 'PING\r\n').map(enc)
        ),
        { maxLength: 5 }
      )
      .map((ms) => ms.flat())
  }
}

const junk = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 })

describe('framing property: any split of a stream into chunks yields the same messages', () => {
  for (const [name, { framing, gen }] of Object.entries(streams)) {
    it(name, () => {
      fc.assert(
        fc.property(gen, junk, fc.array(fc.nat(), { maxLength: 10 }), (good, tail, rawCuts) => {
          const stream = Uint8Array.from([...good, ...tail])
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
          const whole = frameSplit(framing, stream)
          const split = frameSplit(framing, stream, cuts)
          const bytewise = frameSplit(
            framing,
            stream,
            Array.from({ length: stream.length }, (_, k) => k)
          )
          const framed = (r: typeof whole) => r.messages.filter((m) => !m.raw).map(essence)
          expect(framed(split)).toEqual(framed(whole))
          expect(framed(bytewise)).toEqual(framed(whole))
          expect(split.broken).toEqual(whole.broken)
          expect(split.pending).toEqual(whole.pending)
          // The well-formed part is read in full; offsets tile the stream without gaps.
          const ms = framed(whole)
          for (let k = 1; k < ms.length; k++) expect(ms[k].start).toBe(ms[k - 1].end)
          if (tail.length === 0 && name !== 'delimiter' && name !== 'fixed') {
            expect(whole.broken).toBeNull()
            expect(ms.length === 0 ? 0 : ms[ms.length - 1].end).toBe(good.length)
          }
        }),
        { numRuns: 300 }
      )
    })
  }
})
