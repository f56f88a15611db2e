import type { ToxicAttributes } from '@shared/proxy-model'
import type { Chunk, FaultStage, StageContext } from '../stage'
import { TimedQueue } from '../stage'

/**
 * Toxiproxy's `latency`: each chunk leaves `latency` ms (± `jitter`) after the lab read it, pipelined
 * (chunks never overtake each other), and the end of the stream waits behind the last chunk.
 */
export function latencyStage(ctx: StageContext, attributes: ToxicAttributes): FaultStage {
  let latency = attributes.latency ?? 0
  let jitter = attributes.jitter ?? 0
  const queue = new TimedQueue((chunk) => {
    if (chunk === null) return ctx.forwardEnd()
    ctx.mark(`held ${Math.max(0, Date.now() - chunk.at)} ms by latency`)
    ctx.forward(chunk)
  }, ctx.crowded)
  const delay = (): number => latency + (jitter > 0 ? Math.floor(Math.random() * jitter * 2) - jitter : 0)
  return {
    type: 'latency',
    push(chunk: Chunk) {
      queue.add(chunk, Math.max(queue.lastDue, chunk.at + delay()))
    },
    end() {
      queue.add(null, queue.lastDue)
    },
    update(a) {
      latency = a.latency ?? 0
      jitter = a.jitter ?? 0
    },
    remove: () => queue.flush(),
    dispose: () => queue.clear()
  }
}
