import { describe, expect, it } from 'vitest'
import type { TrafficRecord } from '@shared/model'
import { bytesToBase64 } from '@shared/payload-codec'
import { EMPTY_WINDOW, droppedOf, mergeTraffic } from '@renderer/features/detail/traffic-window'

function rec(chunks: [number, number][], droppedBytes: number, droppedChunks: number, nextSeq: number): TrafficRecord {
  return {
    connectionId: 1,
    droppedBytes,
    droppedChunks,
    nextSeq,
    chunks: chunks.map(([seq, size]) => ({
      seq,
      at: seq,
      dir: 'in',
      size,
      data: bytesToBase64(new Uint8Array(size)),
      keptBytes: size
    }))
  }
}

describe('traffic window', () => {
  it('appends newer chunks and ignores repeats', () => {
    let w = mergeTraffic(
      EMPTY_WINDOW,
      rec(
        [
          [0, 10],
          [1, 10]
        ],
        0,
        0,
        2
      )
    )
    w = mergeTraffic(
      w,
      rec(
        [
          [1, 10],
          [2, 5]
        ],
        0,
        0,
        3
      )
    )
    expect(w.chunks.map((c) => c.seq)).toEqual([0, 1, 2])
    expect(w.keptBytes).toBe(25)
    expect(droppedOf(w)).toEqual({ bytes: 0, chunks: 0 })
  })

  it('trims to its limits, keeping the newest bytes, and counts what it dropped', () => {
    let w = mergeTraffic(
      EMPTY_WINDOW,
      rec(
        [
          [0, 10],
          [1, 10]
        ],
        0,
        0,
        2
      ),
      { maxBytes: 25, maxChunks: 10 }
    )
    w = mergeTraffic(w, rec([[2, 10]], 0, 0, 3), { maxBytes: 25, maxChunks: 10 })
    expect(w.keptBytes).toBe(25)
    expect(w.chunks[0].bytes.length).toBe(5)
    expect(droppedOf(w)).toEqual({ bytes: 5, chunks: 0 })
    w = mergeTraffic(w, rec([[3, 20]], 0, 0, 4), { maxBytes: 25, maxChunks: 10 })
    expect(droppedOf(w)).toEqual({ bytes: 25, chunks: 2 })
  })

  it('replaces the window when the engine dropped chunks it never showed', () => {
    let w = mergeTraffic(EMPTY_WINDOW, rec([[0, 10]], 0, 0, 1))
    w = mergeTraffic(
      w,
      rec(
        [
          [5, 10],
          [6, 10]
        ],
        50,
        5,
        7
      )
    )
    expect(w.chunks.map((c) => c.seq)).toEqual([5, 6])
    expect(droppedOf(w)).toEqual({ bytes: 50, chunks: 5 })
  })
})
