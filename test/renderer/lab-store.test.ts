import { describe, expect, it, vi } from 'vitest'
import type { CommandResult } from '@shared/contract'
import type { Snapshot } from '@shared/model'
import { FakeTransport } from './fake-transport'
import { createLabStore } from '@renderer/store/lab-store'
import type { LabStore } from '@renderer/store/lab-store'
import { RATE_SAMPLES, RateRing } from '@renderer/store/rate-history'
import { counters, makeBatch, makeConn, makeServer, makeSnapshot } from './fixtures'

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** A store over a fake whose snapshots come from a queue (the last one repeats). */
function setup(...snaps: Snapshot[]): { fake: FakeTransport; store: LabStore; clock: { now: number } } {
  const fake = new FakeTransport()
  let i = 0
  fake.on('lab:snapshot', () => snaps[Math.min(i++, snaps.length - 1)])
  const clock = { now: 10_000 }
  const store = createLabStore(fake, { sampleMs: 0, notifyMs: 0, now: () => clock.now })
  return { fake, store, clock }
}

async function started(store: LabStore): Promise<void> {
  store.start()
  await vi.waitFor(() => expect(store.getState().link).toBe('up'))
}

describe('lab store', () => {
  it('subscribes to batches before it asks for the snapshot, then applies the snapshot', async () => {
    const fake = new FakeTransport()
    let listeningWhenAsked = false
    fake.on('lab:snapshot', () => {
      listeningWhenAsked = fake.listening
      return makeSnapshot({ seq: 4, servers: [makeServer()], connections: [makeConn(1, { bytesIn: 5 })] })
    })
    const store = createLabStore(fake, { sampleMs: 0, notifyMs: 0 })
    await started(store)
    expect(listeningWhenAsked).toBe(true)
    const s = store.getState()
    expect(s.seq).toBe(4)
    expect(s.snapshots).toBe(1)
    expect(s.servers.get(1)?.bound.port).toBe(8080)
    expect(s.connections.get(1)?.bytesIn).toBe(5)
    store.stop()
  })

  it('applies each batch in one update: events, then counters, server counters and totals; and acks it', async () => {
    const { fake, store } = setup(makeSnapshot({ seq: 0, servers: [makeServer()] }))
    await started(store)
    const updates = vi.fn()
    store.subscribe(updates)
    fake.emit(
      makeBatch(1, {
        events: [
          { type: 'connection.opened', at: 1, connection: makeConn(1) },
          { type: 'connection.opened', at: 1, connection: makeConn(2) }
        ],
        counters: counters([
          [1, 6, 6, 1, 1],
          [2, 3, 0, 1, 0]
        ]),
        servers: [{ id: 1, bytesIn: 9, bytesOut: 6, accepted: 2, open: 2 }],
        totals: { bytesIn: 9, bytesOut: 6, connectionsOpen: 2, connectionsEver: 2 }
      })
    )
    expect(updates).toHaveBeenCalledTimes(1)
    const s = store.getState()
    expect(s.seq).toBe(1)
    expect(s.connections.get(1)).toMatchObject({ bytesIn: 6, bytesOut: 6, chunksIn: 1, chunksOut: 1 })
    expect(s.connections.get(2)).toMatchObject({ bytesIn: 3, bytesOut: 0 })
    expect(s.serverCounters.get(1)?.accepted).toBe(2)
    expect(s.totals.bytesIn).toBe(9)
    await vi.waitFor(() => expect(fake.callsOf('lab:ack')).toContainEqual({ seq: 1 }))
    store.stop()
  })

  it('keeps the identity of rows a batch did not change', async () => {
    const { fake, store } = setup(makeSnapshot({ connections: [makeConn(1), makeConn(2)] }))
    await started(store)
    const before = store.getState().connections.get(2)
    const version = store.getState().connectionsVersion
    fake.emit(makeBatch(1, { counters: counters([[1, 10, 10, 1, 1]]) }))
    expect(store.getState().connections.get(2)).toBe(before)
    expect(store.getState().connectionsVersion).toBe(version + 1)
    store.stop()
  })

  it('is idempotent: events repeating what the snapshot holds never move a row back', async () => {
    const closed = makeConn(1, {
      state: 'closed',
      closeReason: 'peer-fin',
      bytesIn: 100,
      bytesOut: 100,
      chunksIn: 2,
      chunksOut: 2,
      closedAt: 5
    })
    const { fake, store } = setup(makeSnapshot({ seq: 2, connections: [closed] }))
    await started(store)
    const row = store.getState().connections.get(1)
    fake.emit(
      makeBatch(3, {
        events: [{ type: 'connection.opened', at: 1, connection: makeConn(1, { bytesIn: 40 }) }],
        counters: counters([[1, 50, 50, 1, 1]], 0)
      })
    )
    fake.emit(makeBatch(4, { events: [{ type: 'connection.closed', at: 1, connection: closed }] }))
    const s = store.getState()
    expect(s.seq).toBe(4)
    expect(s.connections.get(1)).toBe(row)
    expect(s.connections.get(1)).toMatchObject({ state: 'closed', closeReason: 'peer-fin', bytesIn: 100 })
    store.stop()
  })

  it('ignores batches the snapshot already covers', async () => {
    const { fake, store } = setup(makeSnapshot({ seq: 5, connections: [makeConn(1, { bytesIn: 10 })] }))
    await started(store)
    fake.emit(makeBatch(5, { counters: counters([[1, 3, 0, 1, 0]]) }))
    expect(store.getState().seq).toBe(5)
    expect(store.getState().connections.get(1)?.bytesIn).toBe(10)
    expect(store.getState().snapshots).toBe(1)
    store.stop()
  })

  it('detects a gap, takes a fresh snapshot, holds batches until it lands, then applies only the newer ones', async () => {
    const fake = new FakeTransport()
    const second = deferred<CommandResult<'lab:snapshot'>>()
    let asked = 0
    fake.on('lab:snapshot', () => {
      asked++
      return asked === 1 ? makeSnapshot({ seq: 0, servers: [makeServer()] }) : second.promise
    })
    const store = createLabStore(fake, { sampleMs: 0, notifyMs: 0 })
    await started(store)
    fake.emit(makeBatch(1, { events: [{ type: 'connection.opened', at: 1, connection: makeConn(1) }] }))
    // Batch 2 went missing.
    fake.emit(makeBatch(3, { events: [{ type: 'connection.opened', at: 1, connection: makeConn(3) }] }))
    expect(store.getState().link).toBe('resyncing')
    expect(store.getState().connections.has(3)).toBe(false)
    // While the snapshot is on its way, batches are held, not applied.
    fake.emit(makeBatch(4, { events: [{ type: 'connection.opened', at: 1, connection: makeConn(4) }] }))
    fake.emit(makeBatch(5, { events: [{ type: 'connection.opened', at: 1, connection: makeConn(5) }] }))
    expect(store.getState().connections.has(4)).toBe(false)
    second.resolve({
      ok: true,
      value: makeSnapshot({
        seq: 4,
        servers: [makeServer()],
        connections: [makeConn(1), makeConn(2), makeConn(3), makeConn(4)]
      })
    })
    await vi.waitFor(() => expect(store.getState().snapshots).toBe(2))
    const s = store.getState()
    expect(s.link).toBe('up')
    expect(s.seq).toBe(5)
    expect([...s.connections.keys()].sort()).toEqual([1, 2, 3, 4, 5])
    store.stop()
  })

  it('takes a snapshot when a batch says resync', async () => {
    const { fake, store } = setup(makeSnapshot({ seq: 0 }), makeSnapshot({ seq: 7, connections: [makeConn(9)] }))
    await started(store)
    fake.emit(makeBatch(1, { resync: true }))
    await vi.waitFor(() => expect(store.getState().snapshots).toBe(2))
    expect(store.getState().seq).toBe(7)
    expect(store.getState().connections.has(9)).toBe(true)
    store.stop()
  })

  it('shows the link down, and takes a snapshot when it comes back', async () => {
    const { fake, store } = setup(makeSnapshot({ seq: 3 }), makeSnapshot({ seq: 0, servers: [makeServer({ id: 2 })] }))
    await started(store)
    fake.setLink(false)
    expect(store.getState().link).toBe('down')
    fake.setLink(true)
    await vi.waitFor(() => expect(store.getState().snapshots).toBe(2))
    expect(store.getState().link).toBe('up')
    // The new link numbers batches from the new snapshot's seq.
    fake.emit(makeBatch(1, { events: [{ type: 'connection.opened', at: 1, connection: makeConn(1) }] }))
    expect(store.getState().connections.has(1)).toBe(true)
    store.stop()
  })

  it('removes stopped servers and cleared connections; turns notices and server errors into notices', async () => {
    const { fake, store } = setup(
      makeSnapshot({
        servers: [makeServer()],
        serverCounters: [{ id: 1, bytesIn: 0, bytesOut: 0, accepted: 1, open: 1 }],
        connections: [makeConn(1)]
      })
    )
    await started(store)
    fake.emit(
      makeBatch(1, {
        events: [
          { type: 'server.stopped', at: 1, serverId: 1 },
          { type: 'connections.removed', at: 1, ids: [1] },
          { type: 'notice', at: 1, level: 'warning', message: 'Careful' },
          { type: 'server.error', at: 1, serverId: 1, message: 'Boom' }
        ]
      })
    )
    const s = store.getState()
    expect(s.servers.size).toBe(0)
    expect(s.serverCounters.size).toBe(0)
    expect(s.connections.size).toBe(0)
    expect(s.notices.map((n) => [n.level, n.message])).toEqual([
      ['warning', 'Careful'],
      ['error', 'Boom']
    ])
    store.dismissNotice(s.notices[0].id)
    expect(store.getState().notices).toHaveLength(1)
    store.stop()
  })

  it('turns counter deltas into rates, and drops idle connections from the sampling work', async () => {
    const { fake, store, clock } = setup(
      makeSnapshot({ servers: [makeServer()], connections: [makeConn(1), makeConn(2)] })
    )
    await started(store)
    // A sparkline's history starts when the UI first asks for it (the detail panel shows connection 1).
    expect(store.connectionSeries(1)?.in).toEqual([])
    fake.emit(
      makeBatch(1, {
        counters: counters([[1, 1000, 500, 1, 1]]),
        servers: [{ id: 1, bytesIn: 1000, bytesOut: 500, accepted: 2, open: 2 }],
        totals: { bytesIn: 1000, bytesOut: 500, connectionsOpen: 2, connectionsEver: 2 }
      })
    )
    clock.now += 500
    store.sampleRates()
    let s = store.getState()
    expect(s.connectionRates.get(1)).toEqual({ in: 2000, out: 1000 })
    expect(s.connectionRates.has(2)).toBe(false)
    expect(s.totalRate).toEqual({ in: 2000, out: 1000 })
    expect(s.serverRates.get(1)).toEqual({ in: 2000, out: 1000 })
    expect(store.connectionSeries(1)?.in).toEqual([2000])
    clock.now += 500
    store.sampleRates()
    s = store.getState()
    expect(s.connectionRates.has(1)).toBe(false)
    expect(store.connectionSeries(1)?.in).toEqual([2000, 0])
    // Idle since: no more samples for it.
    clock.now += 500
    store.sampleRates()
    expect(store.connectionSeries(1)?.in).toEqual([2000, 0])
    expect(store.getState().totalHistory.t).toHaveLength(3)
    // Connection 2 was never shown: no history was kept for it.
    expect(store.connectionSeries(2)?.in).toEqual([])
    store.stop()
  })

  it('keeps a bounded history', () => {
    const ring = new RateRing()
    for (let i = 0; i < RATE_SAMPLES * 3; i++) ring.push(i, i, 0)
    const s = ring.series()
    expect(s.t).toHaveLength(RATE_SAMPLES)
    expect(s.t[0]).toBe(RATE_SAMPLES * 2)
    expect(s.in[RATE_SAMPLES - 1]).toBe(RATE_SAMPLES * 3 - 1)
    expect(ring.series()).toBe(s)
  })

  it('retries a failed snapshot and reports the link down meanwhile', async () => {
    const fake = new FakeTransport()
    let asked = 0
    fake.on('lab:snapshot', () => (++asked === 1 ? { code: 'boom', message: 'not yet' } : makeSnapshot({ seq: 1 })))
    const store = createLabStore(fake, { sampleMs: 0, notifyMs: 0, retryMs: 5 })
    store.start()
    await vi.waitFor(() => expect(store.getState().link).toBe('up'))
    expect(asked).toBe(2)
    store.stop()
  })
})
