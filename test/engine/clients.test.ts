import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { startPeer } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { freePort, startBlackhole } from './support/node-peer'

let lab: TestLab
const cleanups: Array<() => void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await lab?.dispose()
})

describe('outgoing clients (client:connect)', () => {
  it('connects to a lab server: two rows, mirrored 4-tuples, exact counters both ways', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const out = await lab.ok('client:connect', { host: '127.0.0.1', port: s.bound.port })
    expect(out).toMatchObject({ origin: 'outgoing', serverId: null, family: 'IPv4', state: 'open' })
    expect(out.remote).toEqual({ address: '127.0.0.1', port: s.bound.port })
    const accepted = await lab.waitConn((c) => c.origin === 'accepted', 'the accepted side')
    expect(accepted.remote).toEqual(out.local)
    expect(accepted.local).toEqual(out.remote)
    // The client's port is an ephemeral one picked by the system.
    expect(out.local.port).toBeGreaterThan(1023)
    await lab.ok('connection:send', {
      connectionId: out.id,
      payload: { format: 'text', text: 'ping', lineEnding: 'lf' }
    })
    const echoed = await lab.waitConn((c) => c.id === out.id && c.bytesIn === 5, 'the echo')
    expect([echoed.bytesOut, echoed.chunksOut]).toEqual([5, 1])
    expect(lab.conn(accepted.id)).toMatchObject({ bytesIn: 5, bytesOut: 5 })
    const traffic = await lab.ok('connection:traffic', { connectionId: out.id })
    expect(traffic.chunks.map((c) => [c.dir, Buffer.from(c.data, 'base64').toString()])).toEqual([
      ['out', 'ping\n'],
      ['in', 'ping\n']
    ])
  })

  it('connects to an `nc -l` peer and talks both ways', async () => {
    lab = createTestLab()
    const port = await freePort()
    const nc: LivePeer = startPeer('nc', ['-l', '127.0.0.1', String(port)])
    cleanups.push(() => nc.kill())
    // nc needs a moment to listen; refused attempts change nothing, so retry (bounded).
    const conn = await waitFor(
      async () => {
        const r = await lab.session.handle('client:connect', { host: '127.0.0.1', port })
        return r.ok ? (r.value as { id: number }) : undefined
      },
      { what: 'nc -l to accept' }
    )
    expect(conn.id).toBe(1)
    await lab.ok('connection:send', {
      connectionId: conn.id,
      payload: { format: 'text', text: 'hello from the lab', lineEnding: 'lf' }
    })
    await waitFor(() => nc.output().toString() === 'hello from the lab\n', { what: 'nc to print the line' })
    nc.child.stdin.write('hi lab\n')
    await lab.waitConn((c) => c.bytesIn === 7, 'the lab to read 7 bytes')
    nc.child.stdin.end()
    nc.kill()
    const closed = await lab.waitConn((c) => c.state === 'closed' || c.state === 'peer-half-closed', 'the peer to end')
    expect(closed.peerEndedAt).not.toBeNull()
  })

  it('refused: "Connection refused by 127.0.0.1:PORT", nothing created, no id used', async () => {
    lab = createTestLab()
    const port = await freePort()
    const r = await lab.session.handle('client:connect', { host: '127.0.0.1', port })
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ECONNREFUSED', message: `Connection refused by 127.0.0.1:${port}` }
    })
    expect(r.ok ? '' : r.error.hint).toMatch(/Nothing is listening/)
    expect(lab.hub.lab.connections.size).toBe(0)
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0 })
    await lab.ok('client:connect', { host: '127.0.0.1', port: s.bound.port })
    await lab.waitConn((c) => c.origin === 'accepted', 'accepted')
    expect([...lab.hub.lab.connections.keys()].sort()).toEqual([1, 2])
  })

  it('timeout: a listener whose accept queue is full never answers the SYN', async () => {
    lab = createTestLab()
    const hole = await startBlackhole()
    cleanups.push(() => hole.stop())
    const t0 = Date.now()
    const r = await lab.session.handle('client:connect', { host: '127.0.0.1', port: hole.port, timeoutMs: 300 })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290)
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ETIMEDOUT', message: `Connecting to 127.0.0.1:${hole.port} timed out` }
    })
    expect(lab.hub.lab.connections.size).toBe(0)
  })

  it('host not found: no-such-host.invalid', async () => {
    lab = createTestLab()
    const r = await lab.session.handle('client:connect', { host: 'no-such-host.invalid', port: 80 })
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ENOTFOUND', message: 'Host not found: no-such-host.invalid' }
    })
    expect(lab.hub.lab.connections.size).toBe(0)
  })

  it('a peer reset on an outgoing connection is reported in words', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual' })
    const out = await lab.ok('client:connect', { host: '127.0.0.1', port: s.bound.port })
    const acc = await lab.waitConn((c) => c.origin === 'accepted', 'accepted')
    await lab.ok('connection:action', { connectionId: acc.id, action: 'reset' })
    const c = await lab.waitConn((c) => c.id === out.id && c.state === 'closed', 'the client to see the reset')
    expect(c.closeReason).toBe('peer-reset')
    expect(c.error).toMatch(/^Connection reset by peer/)
  })
})
