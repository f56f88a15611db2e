import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'

/** Toxiproxy's `limit_data`: passes exactly `bytes` bytes in its direction, then closes the pair. */
export function limitDataStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let limit = attributes.bytes ?? 0
  let sent = 0
  let done = false
  const finish = (): void => {
    done = true
    ctx.mark(`${sent} bytes passed, then closed by limit_data`)
    ctx.endPair('close')
  }
  return {
    type: 'limit_data',
    push(chunk: Chunk) {
      if (done) return ctx.dropped(chunk.data.length)
      const room = Math.max(0, limit - sent)
      const pass = Math.min(room, chunk.data.length)
      if (pass > 0) {
        sent += pass
        ctx.forward(pass === chunk.data.length ? chunk : { data: chunk.data.subarray(0, pass), at: chunk.at })
      }
      if (pass < chunk.data.length) ctx.dropped(chunk.data.length - pass)
      if (sent >= limit) finish()
    },
    end() {
      if (!done) ctx.forwardEnd()
    },
    update(a) {
      limit = a.bytes ?? 0
    },
    remove() {},
    dispose() {}
  }
}
