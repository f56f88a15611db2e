// The bench's lab in "engine" mode, a child process of scripts/bench.mjs (bundled by it before the run):
// the real hub with an echo server, its event stream attached to a consumer that serialises every batch
// to JSON (what the browser mode's WebSocket does) and acks it on the next turn of the event loop.
import { createLabHub } from '../src/main/engine/lab-hub'
import type { LabSession } from '../src/main/engine/lab-hub'
import type { EventBatch } from '../src/shared/model'

interface Command {
  id: number
  cmd: string
}

// BENCH_LAB_LIMITS (JSON) overrides the lab's limits, to measure what a setting costs.
const hub = createLabHub({ limits: JSON.parse(process.env.BENCH_LAB_LIMITS ?? '{}') as Record<string, number> })
let session: LabSession | undefined
let batchTimes: number[] = []
let largest = 0
let largestBytes = 0
let resyncs = 0
let snapshots = 0

function onBatch(b: EventBatch): void {
  const json = JSON.stringify({ type: 'batch', batch: b })
  batchTimes.push(Date.now())
  largest = Math.max(largest, b.events.length + b.counters.ids.length)
  largestBytes = Math.max(largestBytes, json.length)
  setImmediate(() => {
    void session?.handle('lab:ack', { seq: b.seq })
    if (b.resync) {
      resyncs++
      void session?.handle('lab:snapshot', {}).then((r) => {
        snapshots++
        if (r.ok) JSON.stringify(r.value)
      })
    }
  })
}

function send(message: unknown): void {
  process.send?.(message)
}

async function main(): Promise<void> {
  session = hub.connect(onBatch)
  await session.handle('lab:snapshot', {})
  const r = await hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
  if (!r.ok) throw new Error(r.error.message)
  const port = (r.value as { bound: { port: number } }).bound.port
  process.on('message', (m: Command) => {
    if (m.cmd === 'mark') {
      batchTimes = []
      largest = 0
      largestBytes = 0
      resyncs = 0
      snapshots = 0
      send({ id: m.id, ok: true, value: {} })
    } else if (m.cmd === 'stats') {
      const perSecondMax = Math.max(
        0,
        ...batchTimes.map((t) => batchTimes.filter((u) => u >= t && u < t + 1_000).length)
      )
      send({
        id: m.id,
        ok: true,
        value: {
          connections: [...hub.lab.connections.values()].filter((c) => !c.closed).length,
          batches: batchTimes.length,
          spanMs: batchTimes.length > 1 ? batchTimes[batchTimes.length - 1] - batchTimes[0] : 0,
          perSecondMax,
          largest,
          largestBytes,
          resyncs,
          snapshots,
          trafficBytes: hub.lab.budget.total
        }
      })
    } else send({ id: m.id, ok: false, error: `unknown ${m.cmd}` })
  })
  process.on('disconnect', () => process.exit(0))
  send({ type: 'ready', port })
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-lab-server: ${String(err)}\n`)
  process.exit(1)
})
