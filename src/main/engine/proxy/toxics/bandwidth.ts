import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'
import { TimedQueue } from '../stage'

/** A slice of a big chunk: what `rate` KB/s lets through in 100 ms (Toxiproxy's slicing). */
const SLICE_MS = 100

/**
 * Toxiproxy's `bandwidth`: at most `rate` KB/s (1 KB = 1000 bytes), big chunks cut into 100 ms slices;
 * each piece leaves when the previous ones have used their share of time. `rate` 0 = no limit.
 */
export function bandwidthStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let rate = attributes.rate ?? 0
  let marked = false
  const queue = new TimedQueue((chunk) => (chunk === null ? ctx.forwardEnd() : ctx.forward(chunk)), ctx.crowded)
  return {
    type: 'bandwidth',
    push(chunk: Chunk) {
      if (rate <= 0 && queue.length === 0) return ctx.forward(chunk)
      if (!marked) {
        marked = true
        ctx.mark(`paced at ${rate} KB/s by bandwidth`)
      }
      const sliceBytes = Math.max(1, rate * SLICE_MS)
      let start = Math.max(Date.now(), queue.lastDue)
      // Bounded: a chunk is at most one socket read (64 KiB here), so at most 64 Ki slices at rate 1.
      for (let off = 0; off < chunk.data.length; off += sliceBytes) {
        const data = chunk.data.subarray(off, Math.min(chunk.data.length, off + sliceBytes))
        start += rate > 0 ? data.length / rate : 0
        queue.add({ data, at: chunk.at }, start)
      }
    },
    end() {
      queue.add(null, queue.lastDue)
    },
    update(a) {
      rate = a.rate ?? 0
    },
    remove: () => queue.flush(),
    dispose: () => queue.clear()
  }
}
