import net from 'node:net'
import { describe, expect, it } from 'vitest'
import type { EventBatch, LabEvent } from '@shared/model'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import type { LabConnection } from '../../src/main/engine/lab-connection'
import { waitFor } from '../helpers/wait'
import { hubPerTest } from './support/per-test'

// What one short connection (connect, 1 byte there and back, close) may cost the lab, so an accept storm stays cheap.
const SHORT = 200

const { sockets, keep } = hubPerTest()

async function echoServer(hub: LabHub, host: string): Promise<{ id: number; port: number }> {
  const r = await hub.run('server:start', { host, port: 0, behaviour: 'echo' })
  if (!r.ok) throw new Error(r.error.message)
  return { id: r.value.id, port: r.value.bound.port }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    sockets.push(s)
    s.once('connect', () => resolve(s))
    s.once('error', reject)
  })
}

/** connect, one byte, wait for its echo, end; resolves once the socket is closed. */
async function oneShot(port: number): Promise<void> {
  const s = await connect(port)
  await new Promise<void>((resolve) => {
    s.once('data', () => s.end())
    s.once('close', () => resolve())
    s.write('x')
  })
}

function newestConnection(hub: LabHub): LabConnection | undefined {
  return [...hub.lab.connections.values()].at(-1)
}

describe('accept cost: what a connection allocates, and what a storm of short ones sends', () => {
  it('allocates no traffic record before the first byte, and records that byte exactly', async () => {
    const hub = keep(createLabHub())
    const { port } = await echoServer(hub, '127.0.0.1')
    const client = await connect(port)
    const conn = await waitFor(() => newestConnection(hub), { what: 'the accepted connection' })
    expect(conn.trafficIfAny).toBeNull()
    expect(conn.marks).toEqual([])
    // Reading what was recorded of a byte-less connection answers from nothing (and does not need a record).
    expect(conn.info().bytesIn).toBe(0)
    const echoed = new Promise<Buffer>((resolve) => client.once('data', resolve))
    client.write('x')
    expect((await echoed).toString()).toBe('x')
    const rec = await waitFor(() => conn.trafficIfAny, { what: 'the record made at the first byte' })
    expect(rec.chunkCount).toBe(2)
    const traffic = rec.read(conn.id)
    expect(traffic.chunks.map((c) => [c.dir, c.size, Buffer.from(c.data, 'base64').toString()])).toEqual([
      ['in', 1, 'x'],
      ['out', 1, 'x']
    ])
  })

  it('gives accepted sockets the local end of a one-address listener, and the kernel-named one on a wildcard', async () => {
    const hub = keep(createLabHub())
    const one = await echoServer(hub, '127.0.0.1')
    const any = await echoServer(hub, '0.0.0.0')
    await connect(one.port)
    await connect(any.port)
    await waitFor(() => hub.lab.connections.size === 2, { what: 'both accepted' })
    const [a, b] = [...hub.lab.connections.values()]
    expect(a.info().local).toEqual({ address: '127.0.0.1', port: one.port })
    // A wildcard listener cannot know which of its addresses a peer reached: the kernel says (getsockname).
    expect(b.info().local).toEqual({ address: '127.0.0.1', port: any.port })
    expect(a.info().remote.address).toBe('127.0.0.1')
    expect(a.info().remote.port).toBe((sockets[0].address() as net.AddressInfo).port)
  })

  it(`${SHORT} short connections: every one counted and closed in order, each one event in the stream, closed rows kept`, async () => {
    const hub = keep(createLabHub())
    const batches: EventBatch[] = []
    const session = hub.connect((b) => {
      batches.push(b)
      setImmediate(() => void session.handle('lab:ack', { seq: b.seq }))
    })
    await session.handle('lab:snapshot', {})
    const { port } = await echoServer(hub, '127.0.0.1')
    const deadline = Date.now() + 20_000
    // 8 at a time, like a small load generator; bounded in count and time.
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < SHORT && Date.now() < deadline) {
          next++
          await oneShot(port)
        }
      })
    )
    expect(next).toBe(SHORT)
    await waitFor(() => hub.lab.currentTotals().connectionsOpen === 0, { what: 'every connection closed' })
    const seen = (): LabEvent[] => batches.flatMap((b) => b.events)
    await waitFor(() => seen().filter((e) => e.type === 'connection.closed').length === SHORT, {
      what: 'a closing event for each',
      timeoutMs: 10_000
    })
    const totals = hub.lab.currentTotals()
    expect(totals.connectionsEver).toBe(SHORT)
    expect(totals.bytesIn).toBe(SHORT)
    expect(totals.bytesOut).toBe(SHORT)
    const conn = seen().filter((e) => 'connection' in e && e.type.startsWith('connection.'))
    // Most open and close within one batch (66 ms) and travel as their closing event alone; a connection that
    // straddles two batches adds an event or two. Three events each (opened, peer-ended, closed) would be 600.
    expect(conn.length).toBeLessThanOrEqual(SHORT * 1.5)
    // In order: connections first appear in the order they were accepted, each one's events in the order they
    // happened (opened → peer-ended → closed, any of the first two coalesced away), closed exactly once and last.
    const byId = new Map<number, string[]>()
    for (const e of conn)
      if ('connection' in e) byId.set(e.connection.id, [...(byId.get(e.connection.id) ?? []), e.type])
    expect([...byId.keys()]).toEqual(Array.from({ length: SHORT }, (_, i) => i + 1))
    const order = ['connection.opened', 'connection.peer-ended', 'connection.closed']
    for (const types of byId.values()) {
      expect(types.at(-1)).toBe('connection.closed')
      expect(types.map((t) => order.indexOf(t))).toEqual([...new Set(types.map((t) => order.indexOf(t)))].sort())
    }
    for (const e of seen()) {
      if (e.type !== 'connection.closed') continue
      expect(e.connection).toMatchObject({ bytesIn: 1, bytesOut: 1, chunksIn: 1, chunksOut: 1, state: 'closed' })
    }
    // The bytes that travel per short connection (its closing event, in JSON): bounded, so a storm stays cheap.
    const json = batches.reduce((n, b) => n + JSON.stringify({ type: 'batch', batch: b }).length, 0)
    expect(json / SHORT).toBeLessThan(1_200)
    // Closed rows stay for viewing, with their marks and bytes, though their sockets are gone.
    const kept = [...hub.lab.connections.values()]
    expect(kept).toHaveLength(SHORT)
    for (const c of kept) {
      expect(c.closed).toBe(true)
      expect(c.writable).toBe(false)
      expect(c.pendingWriteBytes).toBe(0)
      expect(c.marks.map((m) => m.kind)).toEqual(['peer-fin', 'lab-fin', 'closed'])
      expect(c.traffic.read(c.id).chunks.map((k) => k.size)).toEqual([1, 1])
    }
  })
})
