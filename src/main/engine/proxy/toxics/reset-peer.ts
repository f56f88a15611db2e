import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'

/** Toxiproxy's `reset_peer`: on the first data (or end), waits `timeout` ms, then resets both legs (RST). */
export function resetPeerStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let ms = attributes.timeout ?? 0
  let timer: NodeJS.Timeout | null = null
  let triggered = false
  const trigger = (): void => {
    if (triggered) return
    triggered = true
    const fire = (): void => {
      timer = null
      ctx.mark(`reset both sides (RST) ${ms} ms after the first data, by reset_peer`)
      ctx.endPair('reset')
    }
    if (ms > 0) timer = setTimeout(fire, ms)
    else fire()
  }
  return {
    type: 'reset_peer',
    push(chunk: Chunk) {
      ctx.dropped(chunk.data.length)
      trigger()
    },
    end: trigger,
    update(a) {
      ms = a.timeout ?? 0
    },
    remove() {
      if (timer) clearTimeout(timer)
      timer = null
    },
    dispose() {
      if (timer) clearTimeout(timer)
      timer = null
    }
  }
}
