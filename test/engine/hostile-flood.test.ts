import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventBatch } from '@shared/model'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'

// A flood from a separate process, so the lab's process holds only the lab. CI size by default;
// `npm run bench:stress` sets TCP_LAB_FLOOD_MIB=1024.
const FLOOD_MIB = Number(process.env.TCP_LAB_FLOOD_MIB ?? 128)
const FLOOD_BYTES = FLOOD_MIB * 1024 * 1024
// Growth of the lab process's RSS allowed during a flood, whatever its size: the traffic record is
// capped (256 KiB per connection), back-pressure bounds socket buffers, the rest is garbage not yet
// collected. Measured: about 20–60 MiB on Node 20.
const RSS_GROWTH_BOUND = 160 * 1024 * 1024
const TIMEOUT_MS = 20_000 + FLOOD_MIB * 120

/** The flood's content at each offset: a 65,521-byte (prime) block repeated, so no chunk lines up with it. */
const BLOCK = 65_521
function patternBlock(): Buffer {
  const b = Buffer.alloc(BLOCK)
  for (let j = 0; j < BLOCK; j++) b[j] = (Math.imul(j + 1, 2654435761) >>> 24) & 0xff
  return b
}
function expectedTail(total: number, n: number): Buffer {
  const block = patternBlock()
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i++) out[i] = block[(total - n + i) % BLOCK]
  return out
}

// The flooder: writes `total` bytes of the pattern as fast as back-pressure allows, reads (and hashes)
// whatever comes back, half-closes, waits for the server's FIN, prints a JSON line.
const FLOODER = `
const net = require('node:net'); const crypto = require('node:crypto');
const [host, port, total] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const BLOCK = ${BLOCK};
const block = Buffer.alloc(BLOCK);
for (let j = 0; j < BLOCK; j++) block[j] = (Math.imul(j + 1, 2654435761) >>> 24) & 0xff;
const big = Buffer.concat([block, ...Array(Math.ceil((1 << 20) / BLOCK) + 1).fill(block)]);
const sentHash = crypto.createHash('sha256'); const recvHash = crypto.createHash('sha256');
let sent = 0, received = 0;
const s = net.connect({ host, port, allowHalfOpen: true });
s.on('data', (d) => { received += d.length; recvHash.update(d); });
s.on('end', () => { process.stdout.write(JSON.stringify({ sent, received, sentHash: sentHash.digest('hex'), recvHash: recvHash.digest('hex') }) + '\\n'); s.destroy(); });
s.on('error', (e) => { console.error(e.message); process.exit(2); });
function pump() {
  while (sent < total) {
    const off = sent % BLOCK; const n = Math.min(256 * 1024, total - sent);
    const chunk = big.subarray(off, off + n);
    sent += n; sentHash.update(chunk);
    if (!s.write(chunk)) { s.once('drain', pump); return; }
  }
  s.end();
}
s.on('connect', pump);
`

interface FloodResult {
  sent: number
  received: number
  sentHash: string
  recvHash: string
}

function flood(port: number, total: number): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', FLOODER, '127.0.0.1', String(port), String(total)], { stdio: 'pipe' })
    let out = ''
    let err = ''
    const killer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('close', (code) => {
      clearTimeout(killer)
      if (code !== 0) reject(new Error(`flooder exited ${code}: ${err}`))
      else resolve(JSON.parse(out) as FloodResult)
    })
  })
}

/** Samples RSS while a promise runs; the peak is what the report quotes. */
async function withRssPeak<T>(work: Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  try {
    const value = await work
    return { value, peak: Math.max(peak, process.memoryUsage().rss) }
  } finally {
    clearInterval(timer)
  }
}

let lab: TestLab
afterEach(async () => lab?.dispose())

describe(`a ${FLOOD_MIB} MiB flood from another process, with a consumer attached and acking`, () => {
  for (const behaviour of ['echo', 'discard'] as const) {
    it(
      `${behaviour}: counters exact, traffic record within its cap, RSS growth < ${RSS_GROWTH_BOUND >> 20} MiB, batches keep coming`,
      async () => {
        lab = createTestLab({ batcher: { intervalMs: 66 } })
        const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour })
        const baseline = process.memoryUsage().rss
        const started = Date.now()
        const { value: result, peak } = await withRssPeak(flood(server.bound.port, FLOOD_BYTES))
        const seconds = (Date.now() - started) / 1000
        const conn = await lab.waitConn(
          (c) => c.serverId === server.id && c.state === 'closed',
          'the flood connection to close',
          10_000
        )

        // The peer's view: everything sent arrived, and for echo came back byte for byte.
        expect(result.sent).toBe(FLOOD_BYTES)
        expect(result.received).toBe(behaviour === 'echo' ? FLOOD_BYTES : 0)
        if (behaviour === 'echo') expect(result.recvHash).toBe(result.sentHash)

        // The lab's counters: exact, per connection, per server and in total.
        const out = behaviour === 'echo' ? FLOOD_BYTES : 0
        expect(conn.bytesIn).toBe(FLOOD_BYTES)
        expect(conn.bytesOut).toBe(out)
        const snap = lab.hub.lab.snapshot(0)
        expect(snap.serverCounters.find((s) => s.id === server.id)).toMatchObject({
          bytesIn: FLOOD_BYTES,
          bytesOut: out
        })
        // Soft: a failure here is reported without hiding the checks that follow.
        expect.soft(snap.totals).toMatchObject({ bytesIn: FLOOD_BYTES, bytesOut: out, connectionsOpen: 0 })

        // The traffic record: within both caps, nothing lost from the accounting, newest bytes exact.
        const limits = lab.hub.lab.limits
        expect(lab.hub.lab.budget.total).toBeLessThanOrEqual(limits.trafficBytesTotal)
        const record = await lab.ok('connection:traffic', { connectionId: conn.id })
        const kept = record.chunks.reduce((n, c) => n + c.keptBytes, 0)
        // The cap bounds the bytes held; an echo's reply is the buffer it read, held once, shown in both directions.
        for (const dir of ['in', 'out'] as const) {
          const keptDir = record.chunks.filter((c) => c.dir === dir).reduce((n, c) => n + c.keptBytes, 0)
          expect(keptDir).toBeLessThanOrEqual(limits.trafficBytesPerConnection)
        }
        expect(record.chunks.length).toBeLessThanOrEqual(limits.trafficChunksPerConnection)
        // Every byte is shown, dropped (caps) or marked not kept (flood policy): nothing unaccounted.
        expect(kept + record.droppedBytes + (record.floodBytes ?? 0)).toBe(FLOOD_BYTES + out)
        expect((record.gaps ?? []).length).toBeGreaterThan(0)
        // Each 'in' chunk shows the exact bytes at its place in the stream (its end = total - what came after).
        const lastIn = record.chunks.filter((c) => c.dir === 'in')
        let endAt = FLOOD_BYTES
        for (const c of [...lastIn].reverse()) {
          const shown = Buffer.from(c.data, 'base64')
          expect(shown.equals(expectedTail(endAt, shown.length))).toBe(true)
          endAt -= c.size
        }
        // The newest chunk still shows how the flood ended.
        expect(lastIn[lastIn.length - 1].keptBytes).toBeGreaterThan(0)

        // The consumer's view: batches came during the flood and end on the exact counters.
        const seen = lab.batches
          .map((b: EventBatch) => ({ at: b.at, i: b.counters.ids.indexOf(conn.id), b }))
          .filter((x) => x.i >= 0)
          .map((x) => ({ at: x.at, bytesIn: x.b.counters.bytesIn[x.i], bytesOut: x.b.counters.bytesOut[x.i] }))
        const during = seen.filter((s) => s.bytesIn > 0 && s.bytesIn < FLOOD_BYTES)
        expect(during.length).toBeGreaterThanOrEqual(Math.min(3, Math.floor(seconds * 5)))
        const gaps = during.slice(1).map((s, i) => s.at - during[i].at)
        expect(Math.max(0, ...gaps)).toBeLessThan(1_000)
        // Applying every batch in order (events' connection rows, then counter columns) ends on the exact counters.
        const consumerView = (): { bytesIn: number; bytesOut: number } | undefined => {
          let v: { bytesIn: number; bytesOut: number } | undefined
          for (const b of lab.batches) {
            for (const e of b.events)
              if ('connection' in e && e.connection.id === conn.id)
                v = { bytesIn: e.connection.bytesIn, bytesOut: e.connection.bytesOut }
            const i = b.counters.ids.indexOf(conn.id)
            if (i >= 0) v = { bytesIn: b.counters.bytesIn[i], bytesOut: b.counters.bytesOut[i] }
          }
          return v
        }
        await waitFor(() => consumerView()?.bytesIn === FLOOD_BYTES, {
          what: 'the consumer to see the final counters',
          timeoutMs: 3_000
        }).catch(() => undefined)
        expect(consumerView()).toEqual({ bytesIn: FLOOD_BYTES, bytesOut: out })
        expect(lab.batches.some((b) => b.resync)).toBe(false)

        const growth = peak - baseline
        console.log(
          `[hostile-flood] ${behaviour}: ${FLOOD_MIB} MiB in ${seconds.toFixed(2)} s (${(FLOOD_MIB / seconds).toFixed(0)} MiB/s), ` +
            `RSS baseline ${(baseline / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${(growth / 2 ** 20).toFixed(0)} MiB), ` +
            `${during.length} batches during the flood, largest gap ${Math.max(0, ...gaps)} ms`
        )
        expect(growth).toBeLessThan(RSS_GROWTH_BOUND)
      },
      TIMEOUT_MS
    )
  }
})
