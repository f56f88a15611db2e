import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeTransport } from './fake-transport'
import { createLabStore, NOTIFY_MS } from '@renderer/store/lab-store'
import { counters, makeBatch, makeConn, makeServer, makeSnapshot } from './fixtures'

afterEach(() => vi.useRealTimers())

describe('lab store: views hear of streamed changes a few times a second', () => {
  it('coalesces 40 batches in a second into a few notifications (NOTIFY_MS apart), the state current throughout', async () => {
    vi.useFakeTimers()
    const fake = new FakeTransport()
    fake.on('lab:snapshot', () => makeSnapshot({ seq: 0, servers: [makeServer()], connections: [makeConn(1)] }))
    const store = createLabStore(fake, { sampleMs: 0 })
    store.start()
    await vi.waitFor(() => expect(store.getState().link).toBe('up'))
    const heard = vi.fn()
    store.subscribe(heard)
    for (let i = 1; i <= 40; i++) {
      fake.emit(makeBatch(i, { counters: counters([[1, i * 10, 0, i, 0]]) }))
      // The store's own state is never behind, only the views' notifications are coalesced.
      expect(store.getState().connections.get(1)?.bytesIn).toBe(i * 10)
      vi.advanceTimersByTime(25)
    }
    vi.advanceTimersByTime(NOTIFY_MS)
    // At the pace of NOTIFY_MS (2 Hz): never silent for a second of changes, never one per batch.
    expect(heard.mock.calls.length).toBeGreaterThanOrEqual(Math.floor(1_000 / NOTIFY_MS))
    expect(heard.mock.calls.length).toBeLessThanOrEqual(1_000 / NOTIFY_MS + 1)
    // Nothing more once nothing changes: no timer keeps notifying an idle page.
    const n = heard.mock.calls.length
    vi.advanceTimersByTime(10_000)
    expect(heard.mock.calls.length).toBe(n)
    store.stop()
  })

  it('tells views of a notice at once', async () => {
    const fake = new FakeTransport()
    fake.on('lab:snapshot', () => makeSnapshot({ seq: 0 }))
    const store = createLabStore(fake, { sampleMs: 0 })
    store.start()
    await vi.waitFor(() => expect(store.getState().link).toBe('up'))
    const heard = vi.fn()
    store.subscribe(heard)
    store.addNotice('error', 'x')
    fake.emit(makeBatch(1, { events: [{ type: 'notice', at: 1, level: 'warning', message: 'y' }] }))
    expect(heard).toHaveBeenCalledTimes(2)
    store.stop()
  })
})

describe('lab store: an idle lab costs the page nothing', () => {
  it('stops notifying rate samples once the whole chart window is flat, and starts again on traffic', async () => {
    const fake = new FakeTransport()
    fake.on('lab:snapshot', () => makeSnapshot({ seq: 0, servers: [makeServer()], connections: [makeConn(1)] }))
    let now = 100_000
    const store = createLabStore(fake, { sampleMs: 0, notifyMs: 0, now: () => now })
    store.start()
    await vi.waitFor(() => expect(store.getState().link).toBe('up'))
    const heard = vi.fn()
    store.subscribe(heard)
    for (let i = 0; i < 200; i++) store.sampleRates((now += 500))
    // One minute of samples (120) fills the window with zeros; after that, nothing.
    expect(heard.mock.calls.length).toBeLessThanOrEqual(122)
    const n = heard.mock.calls.length
    for (let i = 0; i < 50; i++) store.sampleRates((now += 500))
    expect(heard.mock.calls.length).toBe(n)
    fake.emit(
      makeBatch(1, {
        counters: counters([[1, 1_000, 0, 1, 0]]),
        totals: { bytesIn: 1_000, bytesOut: 0, connectionsOpen: 1, connectionsEver: 1 }
      })
    )
    store.sampleRates((now += 500))
    expect(heard.mock.calls.length).toBeGreaterThan(n + 1)
    store.stop()
  })
})
