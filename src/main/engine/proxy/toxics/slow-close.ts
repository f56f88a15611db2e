import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'

/** Toxiproxy's `slow_close`: data passes; the end of the stream (FIN) is held `delay` ms. */
export function slowCloseStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let delay = attributes.delay ?? 0
  let timer: NodeJS.Timeout | null = null
  let ending = false
  const release = (): void => {
    timer = null
    ctx.forwardEnd()
  }
  return {
    type: 'slow_close',
    push(chunk: Chunk) {
      ctx.forward(chunk)
    },
    end() {
      ending = true
      ctx.mark(`FIN held ${delay} ms by slow_close`)
      timer = setTimeout(release, delay)
    },
    update(a) {
      delay = a.delay ?? 0
    },
    remove() {
      if (timer) {
        clearTimeout(timer)
        release()
      } else if (ending) timer = null
    },
    dispose() {
      if (timer) clearTimeout(timer)
      timer = null
    }
  }
}
