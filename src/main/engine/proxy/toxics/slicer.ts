import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'
import { TimedQueue } from '../stage'

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

/**
 * Toxiproxy's `slicer`: each chunk cut into pieces of about `average_size` bytes (± `size_variation`),
 * `delay` µs apart, so the reader sees many partial reads instead of one.
 */
export function slicerStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let a = { ...attributes }
  const queue = new TimedQueue((chunk) => (chunk === null ? ctx.forwardEnd() : ctx.forward(chunk)))
  return {
    type: 'slicer',
    push(chunk: Chunk) {
      const average = a.average_size ?? 0
      if (average <= 0) return queue.length === 0 ? ctx.forward(chunk) : queue.add(chunk, queue.lastDue)
      const cuts = sliceBounds(chunk.data.length, average, a.size_variation ?? 0)
      if (cuts.length > 1) ctx.mark(`${chunk.data.length} bytes sliced into ${cuts.length} by slicer`)
      const gap = (a.delay ?? 0) / 1000
      let due = Math.max(Date.now(), queue.lastDue)
      let prev = 0
      for (const cut of cuts) {
        queue.add({ data: chunk.data.subarray(prev, cut), at: chunk.at }, due)
        prev = cut
        due += gap
      }
    },
    end() {
      queue.add(null, queue.lastDue)
    },
    update(next) {
      a = { ...next }
    },
    remove: () => queue.flush(),
    dispose: () => queue.clear()
  }
}
