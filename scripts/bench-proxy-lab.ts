// The lab's proxy for scripts/bench-proxy.mjs (bundled by it): the real hub with one proxy and no
// faults, its event stream attached to a consumer that serialises every batch to JSON and acks it
// (what the browser mode's WebSocket does).
import net from 'node:net'
import { createLabHub } from '../src/main/engine/lab-hub'
import type { LabSession } from '../src/main/engine/lab-hub'
import type { ProxyInfo } from '../src/shared/proxy-model'

const hub = createLabHub({ limits: JSON.parse(process.env.BENCH_LAB_LIMITS ?? '{}') as Record<string, number> })
let bytes = 0
const session: LabSession = hub.connect((b) => {
  bytes += JSON.stringify({ type: 'batch', batch: b }).length
  setImmediate(() => void session.handle('lab:ack', { seq: b.seq }))
})

process.on('message', async (m: { id: number; cmd: string; upstream?: number }) => {
  if (m.cmd === 'start-inproc') {
    // A bare pipe proxy inside this very process (same heap, same garbage collector): the proxy's own
    // path measured against it tells the lab's per-chunk work apart from the cost of its process.
    const server = net.createServer((a) => {
      a.setNoDelay(true)
      const b = net.connect({ host: '127.0.0.1', port: m.upstream ?? 0 })
      b.setNoDelay(true)
      a.on('error', () => b.destroy())
      b.on('error', () => a.destroy())
      a.pipe(b)
      b.pipe(a)
    })
    server.listen(0, '127.0.0.1', () =>
      process.send?.({ id: m.id, ok: true, value: { port: (server.address() as net.AddressInfo).port } })
    )
  } else if (m.cmd === 'start') {
    const r = await hub.run('proxy:create', {
      name: 'bench',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${m.upstream}`
    })
    if (!r.ok) return process.send?.({ id: m.id, ok: false, error: r.error.message })
    const p = r.value as ProxyInfo
    process.send?.({ id: m.id, ok: true, value: { port: Number(p.listen.split(':').pop()) } })
  } else {
    let chunks = 0
    let read = 0
    for (const c of hub.lab.connections.values()) {
      chunks += c.chunksIn
      read += c.bytesIn
    }
    process.send?.({
      id: m.id,
      ok: true,
      value: { streamBytes: bytes, connections: hub.lab.connections.size, avgRead: read / Math.max(1, chunks) }
    })
  }
})
process.on('disconnect', () => void hub.dispose().then(() => process.exit(0)))
process.send?.({ type: 'ready' })
