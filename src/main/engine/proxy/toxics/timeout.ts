import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'

/**
 * Toxiproxy's `timeout`: nothing passes; after `timeout` ms the pair is closed. `timeout` 0 holds the
 * connection open, passing nothing, until the toxic is removed, which then closes it.
 */
export function timeoutStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let timer: NodeJS.Timeout | null = null
  let dropped = 0
  const start = (ms: number): void => {
    if (timer) clearTimeout(timer)
    timer = null
    if (ms > 0) {
      timer = setTimeout(() => {
        timer = null
        ctx.mark(`closed after ${ms} ms by timeout (${dropped} bytes swallowed)`)
        ctx.endPair('close')
      }, ms)
    }
  }
  start(attributes.timeout ?? 0)
  ctx.mark(
    attributes.timeout
      ? `timeout: nothing passes; closing in ${attributes.timeout} ms`
      : 'timeout: black hole, nothing passes until removed'
  )
  return {
    type: 'timeout',
    push(chunk: Chunk) {
      dropped += chunk.data.length
      ctx.dropped(chunk.data.length)
    },
    end() {
      ctx.forwardEnd()
    },
    update(a) {
      start(a.timeout ?? 0)
    },
    remove() {
      if (timer) clearTimeout(timer)
      timer = null
      ctx.mark(`timeout removed: closed (${dropped} bytes swallowed)`)
      ctx.endPair('close')
    },
    dispose() {
      if (timer) clearTimeout(timer)
      timer = null
    }
  }
}
