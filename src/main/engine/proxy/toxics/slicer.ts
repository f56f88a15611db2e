import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'
import { RELEASE_PER_TURN, STAGE_ITEMS_HIGH } from '../stage'

/** Most pieces one read is cut into: a tiny average_size on a big read is raised to keep the work bounded. */
export const MAX_SLICES_PER_CHUNK = 1024

/** Toxiproxy's split: halve (± size_variation) until a piece is within size_variation of average_size. */
export function sliceBounds(length: number, average: number, variation: number): number[] {
  const cuts: number[] = []
  // Depth is log2(length / average): bounded by the chunk size.
  const split = (start: number, end: number, depth: number): void => {
    if (end - start - average <= variation || depth > 40 || end - start < 2) {
      cuts.push(end)
      return
    }
    let mid = start + Math.floor((end - start) / 2)
    if (variation > 0) mid += Math.floor(Math.random() * variation * 2) - variation
    mid = Math.min(end - 1, Math.max(start + 1, mid))
    split(start, mid, depth + 1)
    split(mid, end, depth + 1)
  }
  if (length > 0) split(0, length, 0)
  return cuts
}

/** A chunk being sliced: its cut points and how far it got (one entry a chunk, not one a piece). */
interface Slicing {
  chunk: Chunk
  cuts: number[]
  next: number
  from: number
}

/**
 * Toxiproxy's `slicer`: each chunk cut into pieces of about `average_size` bytes (± `size_variation`),
 * `delay` µs apart, so the reader sees many partial reads instead of one. The end of the stream waits
 * behind the last piece.
 */
export function slicerStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let a = { ...attributes }
  const queue: (Slicing | null)[] = []
  let timer: NodeJS.Timeout | null = null
  let crowded = false
  const crowd = (): void => {
    const on = crowded ? queue.length > STAGE_ITEMS_HIGH / 2 : queue.length > STAGE_ITEMS_HIGH
    if (on !== crowded) ctx.crowded((crowded = on))
  }

  const pump = (): void => {
    timer = null
    const gap = (a.delay ?? 0) / 1000
    // Bounded: at most RELEASE_PER_TURN pieces a turn; with a delay, one piece a timer.
    for (let n = 0; n < RELEASE_PER_TURN && queue.length > 0; n++) {
      const s = queue[0]
      if (s === null) {
        queue.shift()
        ctx.forwardEnd()
        continue
      }
      const cut = s.cuts[s.next++]
      ctx.forward({ data: s.chunk.data.subarray(s.from, cut), at: s.chunk.at })
      s.from = cut
      if (s.next >= s.cuts.length) queue.shift()
      if (gap > 0 && queue.length > 0) {
        timer = setTimeout(pump, gap)
        return
      }
    }
    if (queue.length > 0) timer = setTimeout(pump, 0)
    crowd()
  }
  const kick = (): void => {
    if (timer === null) pump()
  }

  return {
    type: 'slicer',
    push(chunk: Chunk) {
      const average = a.average_size ?? 0
      if (average <= 0) {
        if (queue.length === 0) return ctx.forward(chunk)
        queue.push({ chunk, cuts: [chunk.data.length], next: 0, from: 0 })
        return kick()
      }
      const floor = Math.ceil(chunk.data.length / MAX_SLICES_PER_CHUNK)
      const cuts = sliceBounds(
        chunk.data.length,
        Math.max(average, floor),
        average >= floor ? (a.size_variation ?? 0) : 0
      )
      if (cuts.length > 1) ctx.mark(`${chunk.data.length} bytes sliced into ${cuts.length} by slicer`)
      queue.push({ chunk, cuts, next: 0, from: 0 })
      crowd()
      kick()
    },
    end() {
      queue.push(null)
      kick()
    },
    update(next) {
      a = { ...next }
    },
    remove() {
      if (timer) clearTimeout(timer)
      timer = null
      // What is left goes on at once, in order.
      for (const s of queue.splice(0)) {
        if (s === null) ctx.forwardEnd()
        else if (s.from < s.chunk.data.length) ctx.forward({ data: s.chunk.data.subarray(s.from), at: s.chunk.at })
      }
    },
    dispose() {
      if (timer) clearTimeout(timer)
      timer = null
      queue.length = 0
      if (crowded) ctx.crowded((crowded = false))
    }
  }
}
