import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TrafficBudget, TrafficRecorder } from '../../src/main/engine/traffic-record'

type Op = { kind: 'add'; dir: 'in' | 'out'; size: number } | { kind: 'repeat' } | { kind: 'read' } | { kind: 'settle' }

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      dir: fc.constantFrom('in' as const, 'out' as const),
      size: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 700 }))
    })
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'repeat' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'read' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) }
)

describe('traffic record: invariants over any sequence (no flood policy)', () => {
  it('shows each kept chunk as the exact tail of what was recorded, within the caps, with exact accounting', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(op, { maxLength: 120 }),
        (cap, maxChunks, ops) => {
          const r = new TrafficRecorder(new TrafficBudget(cap, 1_000_000, maxChunks))
          // Everything ever recorded, by seq: the bytes a chunk stood for.
          const recorded: Buffer[] = []
          let total = 0
          let counter = 0
          const check = (): void => {
            const rec = r.read(1)
            let shown = 0
            let distinct = 0
            rec.chunks.forEach((c, i) => {
              if (i > 0) expect(c.seq).toBe(rec.chunks[i - 1].seq + 1)
              const bytes = Buffer.from(c.data, 'base64')
              expect(bytes.length).toBe(c.keptBytes)
              expect(c.size).toBe(recorded[c.seq].length)
              // What is shown is the newest part of the chunk, exactly.
              expect(bytes.equals(recorded[c.seq].subarray(recorded[c.seq].length - c.keptBytes))).toBe(true)
              shown += c.keptBytes
            })
            distinct = r.keptBytes
            expect(distinct).toBeLessThanOrEqual(cap)
            expect(rec.chunks.length).toBeLessThanOrEqual(maxChunks)
            expect(rec.nextSeq).toBe(recorded.length)
            if (rec.chunks.length > 0) expect(rec.chunks[rec.chunks.length - 1].seq).toBe(recorded.length - 1)
            expect(shown + rec.droppedBytes).toBe(total)
          }
          let lastWasAdd = false
          for (const o of ops) {
            if (o.kind === 'add') {
              const b = Buffer.alloc(o.size)
              for (let i = 0; i < o.size; i++) b[i] = counter++ & 0xff
              r.add(o.dir, b, recorded.length)
              recorded.push(b)
              total += o.size
              lastWasAdd = true
            } else if (o.kind === 'repeat') {
              // A repeat is only made right after an add (as LabConnection does for an echo).
              if (lastWasAdd && r.chunkCount > 0) {
                const before = r.lastSeq
                r.addRepeat('out', recorded.length)
                if (r.lastSeq !== before) {
                  recorded.push(recorded[recorded.length - 1])
                  total += recorded[recorded.length - 1].length
                }
              }
              lastWasAdd = false
            } else if (o.kind === 'settle') {
              r.settle()
            } else {
              check()
            }
          }
          check()
        }
      ),
      { numRuns: 400 }
    )
  })

  it('copies every kept byte at once: later changes to the socket buffer never reach the record', () => {
    const r = new TrafficRecorder(new TrafficBudget(256 * 1024, 64 * 1024 * 1024, 4096))
    const chunk = Buffer.from('hello')
    r.add('in', chunk, 0)
    chunk.fill(0x78)
    expect(Buffer.from(r.read(1).chunks[0].data, 'base64').toString()).toBe('hello')
  })
})
