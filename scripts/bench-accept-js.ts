// The lab's own JavaScript per short connection, apart from the kernel: `node scripts/bench-accept-js.mjs`.
// Stand-in sockets go through the real echo server's accept path (LabConnection, events, churn coalescing,
// the batcher) and a consumer that serialises every batch to JSON and acks it, at about 4,500 a second.
// A measuring tool, not a test: the tests use real sockets.
import { EventEmitter } from 'node:events'
import { createLabHub } from '../src/main/engine/lab-hub'
import type { EventBatch } from '../src/shared/model'

/** Just enough of a net.Socket for LabConnection: fixed addresses, writes swallowed, end → close. */
class StandInSocket extends EventEmitter {
  destroyed = false
  writableLength = 0
  localAddress = '127.0.0.1'
  localPort = 5000
  remoteAddress = '127.0.0.1'
  remotePort = 40000
  remoteFamily = 'IPv4'
  address(): unknown {
    return { address: '127.0.0.1', port: 5000, family: 'IPv4' }
  }
  write(): boolean {
    return true
  }
  end(cb?: () => void): void {
    queueMicrotask(() => {
      cb?.()
      this.destroy()
    })
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    queueMicrotask(() => this.emit('close'))
  }
  pause(): void {}
  resume(): void {}
}

const count = Number(process.argv[2] ?? 20_000)
const rounds = Number(process.argv[3] ?? 3)
const hub = createLabHub()
let bytes = 0
const session = hub.connect((b: EventBatch) => {
  bytes += JSON.stringify({ type: 'batch', batch: b }).length
  setImmediate(() => void session.handle('lab:ack', { seq: b.seq }))
})
const X = Buffer.from('x')

async function storm(server: { onConnection(s: unknown): void }, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = new StandInSocket()
    server.onConnection(s)
    s.emit('data', X)
    s.emit('end')
    // 50 every 10 ms: about the rate a 2-core machine reaches with real sockets.
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 10))
  }
  await new Promise((r) => setTimeout(r, 200))
}

async function main(): Promise<void> {
  await session.handle('lab:snapshot', {})
  const r = await hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
  if (!r.ok) throw new Error(r.error.message)
  // The accept handler is private: reached here on purpose, to feed it stand-in sockets.
  const server = hub.lab.servers.get(r.value.id) as unknown as { onConnection(s: unknown): void }
  await storm(server, 5_000)
  for (let k = 0; k < rounds; k++) {
    const b0 = bytes
    const c0 = process.cpuUsage()
    await storm(server, count)
    const c = process.cpuUsage(c0)
    const us = (c.user + c.system) / count
    console.log(
      `round ${k + 1}: ${us.toFixed(1)} µs CPU per connection, ${((bytes - b0) / count).toFixed(0)} JSON bytes`
    )
  }
  await hub.dispose()
  process.exit(0)
}

void main()
