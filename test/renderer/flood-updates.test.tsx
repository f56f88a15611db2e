import { screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { createLabStore } from '@renderer/store/lab-store'
import { FakeTransport } from './fake-transport'
import { renderApp } from './render-app'
import { counters, makeBatch, makeConn, makeServer, makeSnapshot } from './fixtures'

// Under a flood only counters move: views without counters (selection, state lists, row order by id) follow
// `membersVersion` and stay still, while every counter shown stays exact.
describe('a flood of counters', () => {
  it('moves connectionsVersion but not membersVersion; an open, a close and a removal move both', async () => {
    const fake = new FakeTransport()
    fake.on('lab:snapshot', () => makeSnapshot({ seq: 0, servers: [makeServer()], connections: [makeConn(1)] }))
    const store = createLabStore(fake, { sampleMs: 0, notifyMs: 0 })
    store.start()
    await vi.waitFor(() => expect(store.getState().link).toBe('up'))
    const { connectionsVersion: c0, membersVersion: m0 } = store.getState()
    fake.emit(makeBatch(1, { counters: counters([[1, 100, 100, 1, 1]]) }))
    expect(store.getState().connections.get(1)?.bytesIn).toBe(100)
    expect(store.getState().connectionsVersion).toBe(c0 + 1)
    expect(store.getState().membersVersion).toBe(m0)
    fake.emit(makeBatch(2, { events: [{ type: 'connection.opened', at: 2, connection: makeConn(2) }] }))
    expect(store.getState().membersVersion).toBe(m0 + 1)
    fake.emit(
      makeBatch(3, { events: [{ type: 'connection.closed', at: 3, connection: makeConn(2, { state: 'closed' }) }] })
    )
    expect(store.getState().membersVersion).toBe(m0 + 2)
    fake.emit(makeBatch(4, { events: [{ type: 'connections.removed', at: 4, ids: [2] }] }))
    expect(store.getState().membersVersion).toBe(m0 + 3)
    expect(store.getState().connectionsVersion).toBe(c0 + 4)
    store.stop()
  })

  it('keeps the rows in order and their counters exact through counter-only batches, and re-sorts by bytes', async () => {
    const conns = [1, 2, 3].map((id) => makeConn(id))
    const { fake } = await renderApp(makeSnapshot({ seq: 0, servers: [makeServer()], connections: conns }))
    const ids = (): string[] =>
      [...screen.getByRole('table', { name: 'Connections' }).querySelectorAll('tr[data-connection-id]')].map(
        (r) => r.getAttribute('data-connection-id') ?? ''
      )
    expect(ids()).toEqual(['3', '2', '1'])
    for (let seq = 1; seq <= 5; seq++)
      fake.emit(
        makeBatch(seq, {
          counters: counters([
            [1, seq * 3_000, 0, seq, 0],
            [2, seq * 2_000, 0, seq, 0],
            [3, seq * 1_000, 0, seq, 0]
          ])
        })
      )
    const row = (id: number): HTMLElement =>
      screen.getByRole('table', { name: 'Connections' }).querySelector(`tr[data-connection-id="${id}"]`) as HTMLElement
    await vi.waitFor(() =>
      expect(row(1).querySelector('[data-col="bytes-in"]')?.getAttribute('data-value')).toBe('15000')
    )
    expect(row(3).querySelector('[data-col="bytes-in"]')?.getAttribute('data-value')).toBe('5000')
    expect(ids()).toEqual(['3', '2', '1'])
    // An order by counters follows them: the most bytes in first.
    within(screen.getByRole('table', { name: 'Connections' }))
      .getByRole('button', { name: 'Bytes in' })
      .click()
    await vi.waitFor(() => expect(ids()).toEqual(['1', '2', '3']))
    fake.emit(
      makeBatch(6, {
        counters: counters([
          [1, 15_000, 0, 6, 0],
          [3, 99_000, 0, 6, 0]
        ])
      })
    )
    await vi.waitFor(() => expect(ids()).toEqual(['3', '1', '2']))
  })
})
