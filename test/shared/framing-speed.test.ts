import { describe, expect, it } from 'vitest'
import { createFramer } from '@shared/framing'
import type { FramingInput } from '@shared/framing'

/** 8 MiB of a framing's typical traffic in 64 KiB chunks; prints MiB/s and asserts only a generous floor. */
function speed(framing: FramingInput, message: Uint8Array): { mibPerS: number; messages: number } {
  const total = 8 * 1024 * 1024
  const stream = new Uint8Array(total - (total % message.length))
  for (let at = 0; at < stream.length; at += message.length) stream.set(message, at)
  const f = createFramer(framing)
  let messages = 0
  const t0 = performance.now()
  for (let at = 0; at < stream.length; at += 65536) messages += f.feed(stream.subarray(at, at + 65536)).length
  const ms = performance.now() - t0
  return { mibPerS: stream.length / 1024 / 1024 / (ms / 1000), messages }
}

const enc = (s: string) => new TextEncoder().encode(s)

describe('framing speed (8 MiB each, 64 KiB chunks)', () => {
  it.each<[string, FramingInput, Uint8Array]>([
    ['lines of 100 B', 'line', enc('x'.repeat(99) + '\n')],
    ['2-byte length, 1 KiB bodies', { type: 'length', bytes: 2 }, Uint8Array.from([4, 0, ...new Uint8Array(1024)])],
    ['RESP SET commands', 'resp', enc('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$64\r\n' + 'v'.repeat(64) + '\r\n')],
    ['HTTP requests', 'http', enc('GET /index.html HTTP/1.1\r\nHost: example\r\nUser-Agent: lab\r\n\r\n')]
  ])('%s', (name, framing, message) => {
    const r = speed(framing, message)
    console.log(`framing ${name}: ${r.mibPerS.toFixed(0)} MiB/s, ${r.messages} messages`)
    expect(r.messages).toBe(Math.floor((8 * 1024 * 1024) / message.length))
    // A floor far under the measured rate: only a regression to quadratic work would fail it.
    expect(r.mibPerS).toBeGreaterThan(2)
  })
})
