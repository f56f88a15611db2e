import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TrafficFloodPolicy, TrafficRecord } from '../../src/shared/model'
import { DEFAULT_FLOOD_POLICY, TrafficBudget, TrafficRecorder } from '../../src/main/engine/traffic-record'
import { trafficRecordSchema } from '../../src/shared/model'

type Op =
  { kind: 'add'; dir: 'in' | 'out'; size: number; dt: number } | { kind: 'repeat' } | { kind: 'read'; after: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      dir: fc.constantFrom('in' as const, 'out' as const),
      size: fc.oneof(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 9_000 })),
      // Mostly a flood (same millisecond), sometimes a pause that refills the keep rate.
      dt: fc.oneof(
        { weight: 5, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000 }) }
      )
    })
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'repeat' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), after: fc.integer({ min: -1, max: 60 }) }) }
)

const policy: fc.Arbitrary<TrafficFloodPolicy> = fc.record({
  headBytes: fc.integer({ min: 0, max: 3_000 }),
  keepBytesPerSecond: fc.integer({ min: 0, max: 5_000 }),
  keepBurstBytes: fc.integer({ min: 0, max: 10_000 }),
  labKeepBytesPerSecond: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 20_000 }))
})

/** The invariants of one read: chunk bytes are exact tails, gaps are exactly the runs not kept. */
function checkRead(rec: TrafficRecord, recorded: Buffer[], afterSeq: number): void {
  expect(trafficRecordSchema.safeParse(rec).success).toBe(true)
  type Run = { from: number; to: number; chunks: number; bytes: number }
  const runs: Run[] = []
  let run = null as Run | null
  rec.chunks.forEach((c, i) => {
    expect(c.seq).toBeGreaterThan(afterSeq)
    if (i > 0) expect(c.seq).toBe(rec.chunks[i - 1].seq + 1)
    const bytes = Buffer.from(c.data, 'base64')
    expect(bytes.length).toBe(c.keptBytes)
    expect(c.size).toBe(recorded[c.seq].length)
    expect(bytes.equals(recorded[c.seq].subarray(recorded[c.seq].length - c.keptBytes))).toBe(true)
    if (c.notKept === 'flood') {
      if (run === null || run.to !== c.seq - 1) runs.push((run = { from: c.seq, to: c.seq, chunks: 0, bytes: 0 }))
      run.to = c.seq
      run.chunks++
      run.bytes += c.size - c.keptBytes
    } else run = null
  })
  expect((rec.gaps ?? []).map((g) => ({ from: g.fromSeq, to: g.toSeq, chunks: g.chunks, bytes: g.bytes }))).toEqual(
    runs
  )
}

describe('traffic record under the flood policy: any sequence of chunks', () => {
  it('keeps counters exact, shows exact tails, and its markers sum to exactly what was not kept', () => {
    fc.assert(
      fc.property(
        policy,
        fc.integer({ min: 1, max: 6_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(op, { maxLength: 150 }),
        (flood, cap, maxChunks, ops) => {
          const budget = new TrafficBudget(cap, 1_000_000, maxChunks, undefined, flood)
          const r = new TrafficRecorder(budget)
          const recorded: Buffer[] = []
          let total = 0
          let counter = 0
          let now = 1_000
          let lastWasAdd = false
          const checkAll = (): void => {
            const rec = r.read(1)
            checkRead(rec, recorded, -1)
            const shown = rec.chunks.reduce((n, c) => n + c.keptBytes, 0)
            // Exact accounting: every byte ever recorded is shown, dropped (caps) or not kept (flood).
            expect(shown + rec.droppedBytes + (rec.floodBytes ?? 0)).toBe(total)
            expect(rec.nextSeq).toBe(recorded.length)
            expect(rec.chunks.length).toBeLessThanOrEqual(maxChunks)
            expect(r.keptBytes).toBeLessThanOrEqual(cap)
            // The gaps listed cover exactly what the listed chunks did not keep; floodBytes covers them and more.
            const gapBytes = (rec.gaps ?? []).reduce((n, g) => n + g.bytes, 0)
            expect(gapBytes).toBeLessThanOrEqual(rec.floodBytes ?? 0)
            expect(rec.floodChunks ?? 0).toBeGreaterThanOrEqual((rec.gaps ?? []).reduce((n, g) => n + g.chunks, 0))
          }
          for (const o of ops) {
            if (o.kind === 'add') {
              now += o.dt
              const b = Buffer.alloc(o.size)
              for (let i = 0; i < o.size; i++) b[i] = counter++ & 0xff
              r.add(o.dir, b, now)
              // The record must have copied what it keeps: scribbling over the socket's buffer changes nothing.
              const copy = Buffer.from(b)
              b.fill(0xee)
              recorded.push(copy)
              total += o.size
              lastWasAdd = true
            } else if (o.kind === 'repeat') {
              if (lastWasAdd && r.chunkCount > 0) {
                const before = r.lastSeq
                r.addRepeat('out', now)
                if (r.lastSeq !== before) {
                  recorded.push(recorded[recorded.length - 1])
                  total += recorded[recorded.length - 1].length
                }
              }
              lastWasAdd = false
            } else {
              checkRead(r.read(1, o.after), recorded, o.after)
              lastWasAdd = false
            }
          }
          checkAll()
        }
      ),
      { numRuns: 500 }
    )
  })

  it('a flood copies a bounded share: the head, the keep rate, and one small tail per direction', () => {
    const budget = new TrafficBudget(256 * 1024, 64 * 1024 * 1024, 4096, undefined, DEFAULT_FLOOD_POLICY)
    const r = new TrafficRecorder(budget)
    const chunk = Buffer.alloc(64 * 1024, 7)
    const original = Buffer.prototype.copy
    let copied = 0
    Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>): number {
      const n = original.apply(this, args)
      copied += n
      return n
    }
    try {
      // 1,000 chunks (62.5 MiB) in and echoed out within one simulated second.
      for (let i = 0; i < 1_000; i++) {
        r.add('in', chunk, 1_000 + i)
        r.addRepeat('out', 1_000 + i)
      }
    } finally {
      Buffer.prototype.copy = original
    }
    const p = DEFAULT_FLOOD_POLICY
    // Head + burst + one second at the keep rate (+ a chunk of slack), the ring's growth copies (< its cap),
    // and a 2 KiB tail a chunk read (the echo mirrors it).
    const bound = p.headBytes + p.keepBurstBytes + p.keepBytesPerSecond + chunk.length + 256 * 1024 + 1_000 * 2048
    expect(copied).toBeLessThanOrEqual(bound)
    expect(copied).toBeLessThan((1_000 * chunk.length) / 6)
    const rec = r.read(1)
    expect(rec.floodChunks).toBeGreaterThan(1_500)
    expect(rec.gaps!.length).toBeGreaterThan(0)
    // The newest chunk shows how the flood ended: its last 2 KiB.
    const last = rec.chunks[rec.chunks.length - 1]
    expect(last.notKept).toBe('flood')
    expect(last.keptBytes).toBe(2048)
  })

  it('bytes at human rates are kept in full', () => {
    const r = new TrafficRecorder(
      new TrafficBudget(256 * 1024, 64 * 1024 * 1024, 4096, undefined, DEFAULT_FLOOD_POLICY)
    )
    // A typed line every 200 ms for ten minutes, and a 200 KiB burst (a page) in the middle.
    for (let i = 0; i < 3_000; i++) {
      r.add('in', Buffer.from(`line ${i}\n`), i * 200)
      if (i === 1_500) r.add('out', Buffer.alloc(200 * 1024, 1), i * 200)
    }
    const rec = r.read(1)
    expect(rec.floodChunks).toBeUndefined()
    expect(rec.gaps).toBeUndefined()
    expect(rec.chunks.every((c) => c.keptBytes === c.size)).toBe(true)
  })
})
