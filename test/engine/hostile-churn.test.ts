import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'

// Connections opened and dropped with RST in a burst. CI size by default; `npm run bench:stress`
// sets TCP_LAB_CHURN=5000.
const CHURN = Number(process.env.TCP_LAB_CHURN ?? 1500)
const WAVE = 250
const TIMEOUT_MS = 30_000 + CHURN * 10

/** Opens one client and resolves once it is connected (bounded by the test's timeout). */
function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.once('connect', () => resolve(s))
    s.once('error', reject)
  })
}

function countSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length
}

let lab: TestLab
const unhandled: unknown[] = []
const onUnhandled = (err: unknown): void => void unhandled.push(err)
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled)
  await lab?.dispose()
})

describe(`${CHURN} connections opened, then reset by their peers in one burst`, () => {
  it(
    'leaves no row open, no error unhandled and no socket handle behind',
    async () => {
      process.on('unhandledRejection', onUnhandled)
      lab = createTestLab({ batcher: { intervalMs: 66 } })
      const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
      const port = server.bound.port
      const baseline = countSockets()
      const started = Date.now()

      // Phase 1: all open at once (in waves, so the accept queue never overflows), then RST together.
      const clients: net.Socket[] = []
      for (let i = 0; i < CHURN; i += WAVE) {
        clients.push(...(await Promise.all(Array.from({ length: Math.min(WAVE, CHURN - i) }, () => open(port)))))
      }
      for (const c of clients) c.on('error', () => {})
      await waitFor(() => lab.hub.lab.currentTotals().connectionsOpen === CHURN, {
        what: `${CHURN} open rows`,
        timeoutMs: 10_000
      })
      // Both ends of each connection are handles of this process: the count below is meaningful.
      const peakHandles = countSockets()
      expect(peakHandles).toBeGreaterThanOrEqual(baseline + 2 * CHURN)
      // One tick, every peer aborts.
      for (const c of clients) c.resetAndDestroy()
      await waitFor(() => lab.hub.lab.currentTotals().connectionsOpen === 0, {
        what: 'every row to close',
        timeoutMs: 10_000
      })
      const opened = Date.now() - started

      // Phase 2: connect and abort at once, often before the lab has even accepted.
      const quick = Math.floor(CHURN / 2)
      for (let i = 0; i < quick; i += WAVE) {
        await Promise.all(
          Array.from({ length: Math.min(WAVE, quick - i) }, () =>
            open(port).then((s) => {
              s.on('error', () => {})
              s.resetAndDestroy()
            })
          )
        )
      }
      // The accept queue is FIFO: once a sentinel opened after them is accepted, every earlier one was handled.
      const sentinel = await open(port)
      await lab.waitConn(
        (c) => c.remote.port === sentinel.localPort && c.serverId === server.id,
        'the sentinel',
        10_000
      )
      sentinel.on('error', () => {})
      sentinel.resetAndDestroy()
      await waitFor(() => lab.hub.lab.currentTotals().connectionsOpen === 0, {
        what: 'every row to close',
        timeoutMs: 10_000
      })

      const rows = [...lab.hub.lab.connections.values()].map((c) => c.info())
      expect(rows.filter((r) => r.state !== 'closed')).toEqual([])
      expect(lab.hub.lab.servers.get(server.id)?.connections.size).toBe(0)
      const totals = lab.hub.lab.currentTotals()
      expect(totals.connectionsOpen).toBe(0)
      // Phase 1 rows were all open when their peers reset: each says so.
      const phase1 = rows.filter((r) => r.id <= CHURN + 1)
      expect(phase1.filter((r) => r.closeReason !== 'peer-reset').map((r) => r.closeReason)).toEqual([])
      // Rows beyond the kept limit are evicted, never left behind.
      expect(rows.length).toBeLessThanOrEqual(lab.hub.lab.limits.closedConnectionsKept)

      // Every batch the consumer received was well formed, and no error notice was raised.
      const notices = lab.batches.flatMap((b) => b.events).filter((e) => e.type === 'notice' && e.level === 'error')
      expect(notices).toEqual([])
      expect(unhandled).toEqual([])

      // Handles: the lab's sockets and the clients' are all released.
      await waitFor(() => countSockets() <= baseline, {
        what: `socket handles back to ${baseline}`,
        timeoutMs: 5_000
      }).catch(() => undefined)
      const after = countSockets()
      console.log(
        `[hostile-churn] ${CHURN} opened+reset in a burst (${opened} ms), ${quick} connect-and-abort, accepted ${lab.hub.lab.servers.get(server.id)?.accepted}, ` +
          `socket handles ${baseline} → ${peakHandles} → ${after}, ${lab.batches.length} batches (${lab.batches.filter((b) => b.resync).length} resync)`
      )
      expect(after).toBeLessThanOrEqual(baseline)
    },
    TIMEOUT_MS
  )
})
