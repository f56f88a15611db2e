// The pure pieces of the virtualised detail view: control runs collapsed, page offsets exact and bounded.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  HEX_PAGE_BYTES,
  RUN_MIN,
  byteTokens,
  hexPageStarts,
  isControlByte,
  pageRange,
  runLabel,
  textPageStarts
} from '@renderer/features/detail/byte-pages'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('control runs', () => {
  it('collapse 65,536 NUL into one token and label it with the count', () => {
    const tokens = byteTokens(new Uint8Array(65_536))
    expect(tokens).toEqual([{ kind: 'control', byte: 0, from: 0, to: 65_536 }])
    expect(runLabel('NUL', 65_536)).toBe('NUL ×65,536')
    expect(runLabel('LF', 1)).toBe('LF')
  })

  it('keep short runs as one token per byte and text spans whole', () => {
    const tokens = byteTokens(enc('ab\r\n\n\n\ncd\0\0'))
    expect(tokens).toEqual([
      { kind: 'text', from: 0, to: 2 },
      { kind: 'control', byte: 0x0d, from: 2, to: 3 },
      { kind: 'control', byte: 0x0a, from: 3, to: 7 },
      { kind: 'text', from: 7, to: 9 },
      { kind: 'control', byte: 0, from: 9, to: 10 },
      { kind: 'control', byte: 0, from: 10, to: 11 }
    ])
    expect(RUN_MIN).toBe(3)
  })

  it('cover every byte exactly once, in order, for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(50), (bytes, cut) => {
        const from = Math.min(cut, bytes.length)
        const tokens = byteTokens(bytes, from)
        let at = from
        for (const t of tokens) {
          expect(t.from).toBe(at)
          expect(t.to).toBeGreaterThan(t.from)
          if (t.kind === 'control') for (let i = t.from; i < t.to; i++) expect(bytes[i]).toBe(t.byte)
          else for (let i = t.from; i < t.to; i++) expect(isControlByte(bytes[i])).toBe(false)
          at = t.to
        }
        expect(at).toBe(bytes.length)
      })
    )
  })
})

describe('pages', () => {
  it('put a 256 KiB NUL chunk on one page (one badge) and lines on pages of at most 256 badges', () => {
    expect(textPageStarts(new Uint8Array(256 * 1024))).toEqual([0])
    const lines = enc('y\n'.repeat(4096))
    const starts = textPageStarts(lines)
    // 256 line feeds a page; a page starts at a line feed.
    expect(starts.slice(0, 3)).toEqual([0, 513, 1025])
    expect(starts.length).toBe(16)
  })

  it('cut text at 4,096 bytes, never inside a UTF-8 sequence', () => {
    const text = enc('é'.repeat(3000))
    const starts = textPageStarts(text, { maxBytes: 4095, maxTokens: 256 })
    for (const s of starts) expect(text[s] & 0xc0).not.toBe(0x80)
    expect(starts[1]).toBe(4096)
  })

  it('page ranges tile the bytes exactly, and each page stays within its limits', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 16 }),
        (bytes, maxBytes, maxTokens) => {
          const starts = textPageStarts(bytes, { maxBytes, maxTokens })
          expect(starts[0]).toBe(0)
          let at = 0
          for (let p = 0; p < starts.length; p++) {
            const { from, to } = pageRange(starts, p, bytes.length)
            expect(from).toBe(at)
            expect(to).toBeGreaterThan(from - (bytes.length === 0 ? 1 : 0))
            const tokens = byteTokens(bytes, from, to)
            const badges = tokens.filter((t) => t.kind === 'control').length
            // C1/bidi lead bytes count as badges too; never more than the limit in C0 badges alone.
            expect(badges).toBeLessThanOrEqual(maxTokens)
            const text = tokens.filter((t) => t.kind === 'text').reduce((n, t) => n + t.to - t.from, 0)
            // A page may run over by the rest of one UTF-8 sequence.
            expect(text).toBeLessThanOrEqual(maxBytes + 3)
            at = to
          }
          expect(at).toBe(bytes.length)
        }
      ),
      { numRuns: 500 }
    )
  })

  it('hex pages every 1 KiB with exact ranges', () => {
    expect(HEX_PAGE_BYTES).toBe(1024)
    const starts = hexPageStarts(2500)
    expect(starts).toEqual([0, 1024, 2048])
    expect(pageRange(starts, 2, 2500)).toEqual({ from: 2048, to: 2500 })
    expect(pageRange(starts, 9, 2500)).toEqual({ from: 2048, to: 2500 })
    expect(hexPageStarts(0)).toEqual([0])
  })
})

describe('flood markers', () => {
  it('one marker for a run of chunks whose bytes the engine did not keep, in both modes', async () => {
    const { entriesOf } = await import('@renderer/features/detail/chunk-list')
    const k = (seq: number, dir: 'in' | 'out', size: number, notKept = false) => ({
      seq,
      at: seq,
      dir,
      size,
      bytes: new Uint8Array(notKept ? 0 : size),
      ...(notKept ? { notKept: 'flood' as const } : {})
    })
    const chunks = [k(0, 'in', 10), k(1, 'in', 1000, true), k(2, 'in', 2000, true), k(3, 'out', 5), k(4, 'in', 7, true)]
    const entries = entriesOf(chunks, false)
    expect(entries.map((e) => [e.key, e.dir, e.size, e.chunks.length])).toEqual([
      [0, 'in', 10, 1],
      [1, 'in', 3000, 2],
      [3, 'out', 5, 1],
      [4, 'in', 7, 1]
    ])
    // Joined: the kept chunk and the run are one turn with mixed bytes, so no marker merge there.
    expect(entriesOf(chunks, true).map((e) => e.size)).toEqual([3010, 5, 7])
  })
})
