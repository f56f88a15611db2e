import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionInfo, EventBatch, Snapshot } from '@shared/model'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub, LabSession } from '../../src/main/engine/lab-hub'
import { waitFor } from '../helpers/wait'

/** Opens `n` clients that send a line and half-close; resolves when every one has seen the server's FIN. */
async function churn(port: number, n: number): Promise<void> {
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port })
          s.on('error', reject)
          s.on('connect', () => s.end('x\n'))
          s.on('data', () => {})
          s.on('close', () => resolve())
        })
    )
  )
}

/** A consumer's model of the lab: a snapshot, then batches applied in order. */
class Mirror {
  rows = new Map<number, ConnectionInfo>()
  seq = 0
  needsSnapshot = false
  load(s: Snapshot): void {
    this.rows = new Map(s.connections.map((c) => [c.id, { ...c }]))
    this.seq = s.seq
    this.needsSnapshot = false
  }
  apply(b: EventBatch): void {
    if (b.resync) {
      this.needsSnapshot = true
      return
    }
    for (const e of b.events) {
      if ('connection' in e) this.rows.set(e.connection.id, { ...e.connection })
      if (e.type === 'connections.removed') for (const id of e.ids) this.rows.delete(id)
    }
    b.counters.ids.forEach((id, i) => {
      const r = this.rows.get(id)
      if (r) Object.assign(r, { bytesIn: b.counters.bytesIn[i], bytesOut: b.counters.bytesOut[i] })
    })
    this.seq = b.seq
  }
}

let hub: LabHub | undefined
afterEach(async () => {
  await hub?.dispose()
  hub = undefined
})

describe('faults: consumers that stall, vanish or come back', () => {
  it('a consumer that stops acking holds back no unbounded detail: it gets a resync marker, then a snapshot that is exact', async () => {
    hub = createLabHub({ batcher: { intervalMs: 10, maxEvents: 500, ackTimeoutMs: 60_000 } })
    const stalled: EventBatch[] = []
    const a = hub.connect((b) => stalled.push(b))
    const live: EventBatch[] = []
    const mirrorB = new Mirror()
    const b: LabSession = hub.connect((batch) => {
      live.push(batch)
      mirrorB.apply(batch)
      void b.handle('lab:ack', { seq: batch.seq })
    })
    const first = await b.handle('lab:snapshot', {})
    if (!first.ok) throw new Error(first.error.message)
    mirrorB.load(first.value as Snapshot)
    const server = await hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    if (!server.ok) throw new Error(server.error.message)
    const port = (server.value as { bound: { port: number } }).bound.port

    // Ten waves of 100 connections: about 300 events each, 3,000 in all on 1,000 rows, twice A's limit
    // even if its backlog is compacted to one event per connection.
    for (let wave = 0; wave < 10; wave++) {
      await churn(port, 100)
      const target = (wave + 1) * 100
      await waitFor(() => [...mirrorB.rows.values()].filter((r) => r.state === 'closed').length === target, {
        what: `consumer B to see ${target} closed rows`
      })
    }
    // B, which acks, saw every detail and never needed a resync.
    expect(live.some((x) => x.resync)).toBe(false)
    expect(live.every((x) => x.events.length <= 500)).toBe(true)
    // A got its first batch and nothing since: one batch in flight, never a second without an ack.
    expect(stalled.length).toBe(1)

    // A acks at last: its next batch is bounded (a resync marker carrying no backlog, or at most
    // maxEvents events), and applying it (or the snapshot it asks for) brings A back exactly.
    await a.handle('lab:ack', { seq: stalled[0].seq })
    await waitFor(() => stalled.length >= 2, { what: "A's next batch" })
    const next = stalled[1]
    expect(next.events.length).toBeLessThanOrEqual(500)
    const snap = await a.handle('lab:snapshot', {})
    if (!snap.ok) throw new Error(snap.error.message)
    const mirrorA = new Mirror()
    mirrorA.load(snap.value as Snapshot)
    if (next.resync) {
      expect(next.events).toEqual([])
      expect(next.counters.ids).toEqual([])
    }
    console.log(`[faults-consumer] stalled consumer's next batch: resync=${next.resync}, ${next.events.length} events`)
    const truth = hub.lab.snapshot(0).connections
    expect(mirrorA.rows.size).toBe(truth.length)
    for (const t of truth)
      expect(mirrorA.rows.get(t.id)).toMatchObject({ state: t.state, bytesIn: t.bytesIn, bytesOut: t.bytesOut })
    expect([...mirrorB.rows.values()].map((r) => [r.id, r.state, r.bytesIn])).toEqual(
      truth.map((t) => [t.id, t.state, t.bytesIn])
    )
  })

  it('a consumer that never acks is sent at most one batch per ack timeout', async () => {
    hub = createLabHub({ batcher: { intervalMs: 10, ackTimeoutMs: 250 } })
    const got: number[] = []
    hub.connect(() => got.push(Date.now()))
    const server = await hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    if (!server.ok) throw new Error(server.error.message)
    const port = (server.value as { bound: { port: number } }).bound.port
    const started = Date.now()
    // Keep the lab busy for about a second.
    for (let i = 0; i < 10; i++) await churn(port, 20)
    await waitFor(() => Date.now() - started >= 1_000 || undefined, { what: 'a second of activity', timeoutMs: 5_000 })
    const elapsed = Date.now() - started
    expect(got.length).toBeGreaterThanOrEqual(2)
    expect(got.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2)
    const gaps = got.slice(1).map((t, i) => t - got[i])
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(240)
  })

  it('a consumer that goes away mid-flood and comes back resyncs from a snapshot to the exact counters', async () => {
    hub = createLabHub({ batcher: { intervalMs: 20 } })
    const TOTAL = 64 * 1024 * 1024
    const server = await hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
    if (!server.ok) throw new Error(server.error.message)
    const port = (server.value as { bound: { port: number } }).bound.port
    const first = new Mirror()
    const s1: LabSession = hub.connect((batch) => {
      first.apply(batch)
      void s1.handle('lab:ack', { seq: batch.seq })
    })

    // A flood with back-pressure from this process.
    const client = net.connect({ host: '127.0.0.1', port })
    client.on('error', () => {})
    const chunk = Buffer.alloc(256 * 1024, 7)
    let sent = 0
    const done = new Promise<void>((resolve) => {
      const pump = (): void => {
        while (sent < TOTAL) {
          sent += chunk.length
          if (!client.write(chunk)) return void client.once('drain', pump)
        }
        client.end(() => resolve())
      }
      client.on('connect', pump)
    })
    const id = await waitFor(() => [...hub!.lab.connections.values()].find((c) => c.bytesIn > TOTAL / 4)?.id, {
      what: 'a quarter of the flood',
      timeoutMs: 10_000
    })
    // The window reloads: its session goes, a new one takes a snapshot and follows the stream.
    s1.close()
    const second = new Mirror()
    const s2: LabSession = hub.connect((batch) => {
      second.apply(batch)
      void s2.handle('lab:ack', { seq: batch.seq })
    })
    const snap = await s2.handle('lab:snapshot', {})
    if (!snap.ok) throw new Error(snap.error.message)
    second.load(snap.value as Snapshot)
    expect(second.rows.get(id)?.bytesIn).toBeGreaterThan(0)
    await done
    await waitFor(() => second.rows.get(id)?.state === 'closed' && second.rows.get(id)?.bytesIn === TOTAL, {
      what: 'the new consumer to see the final counters',
      timeoutMs: 10_000
    })
    expect(second.rows.get(id)).toMatchObject({ bytesIn: TOTAL, bytesOut: 0, state: 'closed' })
    expect(second.needsSnapshot).toBe(false)
    expect(hub.lab.connections.get(id)?.bytesIn).toBe(TOTAL)
  })
})
