import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'

let lab: TestLab
afterEach(async () => lab?.dispose())

/** Opens and closes `n` real clients one after another. */
async function churn(port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.end())
      s.on('error', reject)
      s.on('close', () => resolve())
      s.resume()
    })
  }
}

describe('closed connections kept up to a cap', () => {
  it('evicts the oldest closed first and tells consumers in removal events after their closed events', async () => {
    lab = createTestLab({ limits: { closedConnectionsKept: 3 } })
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0 })
    await churn(s.bound.port, 8)
    await waitFor(
      () => lab.hub.lab.connections.size === 3 && [...lab.hub.lab.connections.values()].every((c) => c.closed),
      { what: 'eight closes' }
    )
    expect([...lab.hub.lab.connections.keys()]).toEqual([6, 7, 8])
    await waitFor(
      () =>
        lab.batches
          .flatMap((b) => b.events)
          .filter((e) => e.type === 'connections.removed')
          .flatMap((e) => (e.type === 'connections.removed' ? e.ids : [])).length === 5,
      { what: 'the removals' }
    )
    const events = lab.batches.flatMap((b) => b.events)
    const removed = events.flatMap((e) => (e.type === 'connections.removed' ? e.ids : []))
    expect(removed).toEqual([1, 2, 3, 4, 5])
    // Each removal comes after that connection's closed event.
    for (const id of removed) {
      const closedAt = events.findIndex((e) => e.type === 'connection.closed' && e.connection.id === id)
      const removedAt = events.findIndex((e) => e.type === 'connections.removed' && e.ids.includes(id))
      expect(closedAt).toBeGreaterThanOrEqual(0)
      expect(removedAt).toBeGreaterThan(closedAt)
    }
    const snap = await lab.ok('lab:snapshot', {})
    expect(snap.connections.map((c) => c.id)).toEqual([6, 7, 8])
  })

  it('clears closed connections on request and keeps counting the cap from what is left', async () => {
    lab = createTestLab({ limits: { closedConnectionsKept: 3 } })
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0 })
    await churn(s.bound.port, 2)
    await waitFor(
      () => lab.hub.lab.connections.size === 2 && [...lab.hub.lab.connections.values()].every((c) => c.closed),
      { what: 'two closes' }
    )
    expect(await lab.ok('connection:clear-closed', {})).toEqual({ removed: 2 })
    await churn(s.bound.port, 3)
    await waitFor(
      () => lab.hub.lab.connections.size === 3 && [...lab.hub.lab.connections.values()].every((c) => c.closed),
      { what: 'three more closes' }
    )
    // Nothing was evicted: the cleared ones no longer count.
    expect([...lab.hub.lab.connections.keys()]).toEqual([3, 4, 5])
  })
})
