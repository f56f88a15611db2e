import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer, portOf, startUpstream } from '../helpers/proxy-peers'
import type { Upstream } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'

let lab: TestLab
let ups: Upstream[] = []
const dirs: string[] = []

afterEach(async () => {
  await lab?.dispose()
  await Promise.all(ups.map((u) => u.close()))
  ups = []
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function setup(echo = true): Promise<{ up: Upstream; port: number }> {
  lab = createTestLab()
  const up = await startUpstream({ echo })
  ups.push(up)
  const p = await lab.ok('proxy:create', { name: 'p1', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
  return { up, port: portOf(p.listen) }
}

function legs(pairId: number): { client: ReturnType<TestLab['conn']>; upstream: ReturnType<TestLab['conn']> } {
  const all = [...lab.hub.lab.connections.values()].map((c) => c.info()).filter((c) => c.proxy?.pairId === pairId)
  const client = all.find((c) => c.proxy?.leg === 'client')
  const upstream = all.find((c) => c.proxy?.leg === 'upstream')
  if (!client || !upstream) throw new Error('pair legs missing')
  return { client, upstream }
}

describe('a proxy between two real programs', () => {
  it('relays bytes both ways with exact counters on both legs, as one pair', async () => {
    const { up, port } = await setup(true)
    const client = await connectPeer(port)
    const msg = Buffer.from('hello through the lab\n')
    client.socket.write(msg)
    await client.waitBytes(msg.length)
    expect(client.bytes().equals(msg)).toBe(true)
    const server = await up.peer()
    expect(server.bytes().equals(msg)).toBe(true)
    const c = await lab.waitConn((x) => x.proxy?.leg === 'client' && x.bytesOut === msg.length, 'client leg counted')
    const { client: cl, upstream: ul } = legs(c.proxy!.pairId)
    expect(cl.proxy).toEqual({ proxyName: 'p1', pairId: cl.id, leg: 'client' })
    expect([cl.bytesIn, cl.bytesOut, ul.bytesIn, ul.bytesOut]).toEqual([msg.length, msg.length, msg.length, msg.length])
    expect(cl.origin).toBe('accepted')
    expect(ul.origin).toBe('outgoing')
    expect(ul.remote.port).toBe(up.port)
    // Proxy legs are not outgoing clients of the user's, and each leg has its own traffic record.
    const rec = await lab.ok('connection:traffic', { connectionId: ul.id })
    expect(rec.chunks.map((ch) => ch.dir)).toEqual(['out', 'in'])
    const list = await lab.ok('proxy:list', {})
    expect(list.proxies[0]).toMatchObject({ name: 'p1', enabled: true, accepted: 1, open: 1, toxics: [] })
  })

  it('passes a half-close on (FIN) and closes both legs once both sides are done', async () => {
    const { up, port } = await setup(true)
    const client = await connectPeer(port)
    client.socket.end('last words')
    const server = await up.peer()
    await waitFor(() => server.endedAt !== null, { what: 'the upstream to see FIN' })
    await client.waitClosed()
    expect(client.bytes().toString()).toBe('last words')
    await waitFor(() => [...lab.hub.lab.connections.values()].every((c) => c.closed), { what: 'both legs closed' })
    const closed = [...lab.hub.lab.connections.values()].map((c) => c.info())
    expect(closed.every((c) => c.closeReason === 'peer-fin' || c.closeReason === 'lab-close')).toBe(true)
  })

  it('a refused upstream closes the client and says why; with reset the client sees ECONNRESET', async () => {
    lab = createTestLab()
    const dead = await startUpstream()
    const deadPort = dead.port
    await dead.close()
    const p = await lab.ok('proxy:create', { name: 'dead', listen: '127.0.0.1:0', upstream: `127.0.0.1:${deadPort}` })
    const c1 = await connectPeer(portOf(p.listen))
    await c1.waitEnded()
    expect(c1.endedAt).not.toBeNull()
    expect(c1.error).toBeNull()
    const leg = await lab.waitConn(
      (c) => c.proxy?.proxyName === 'dead' && c.state === 'closed',
      'the client leg closed'
    )
    expect(leg.error).toMatch(/Upstream 127\.0\.0\.1:\d+: Connection refused/)
    await lab.ok('proxy:update', { name: 'dead', onUpstreamFailure: 'reset' })
    const c2 = await connectPeer(portOf(p.listen))
    await c2.waitClosed()
    expect(c2.error?.code).toBe('ECONNRESET')
  })

  it('disable closes the listener and every connection; enable listens on the same port again', async () => {
    const { port } = await setup(true)
    const client = await connectPeer(port)
    client.socket.write('x')
    await client.waitBytes(1)
    const off = await lab.ok('proxy:update', { name: 'p1', enabled: false })
    expect(off.enabled).toBe(false)
    await client.waitEnded()
    await expect(connectPeer(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    const on = await lab.ok('proxy:update', { name: 'p1', enabled: true })
    expect(portOf(on.listen)).toBe(port)
    const again = await connectPeer(port)
    again.socket.write('y')
    expect((await again.waitBytes(1)).toString()).toBe('y')
    again.socket.destroy()
  })

  it('changes its upstream, runs several at once, refuses duplicates, deletes', async () => {
    const { port } = await setup(true)
    const other = await startUpstream({ echo: false })
    ups.push(other)
    const second = await lab.ok('proxy:create', {
      name: 'p2',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${other.port}`
    })
    const dup = await lab.session.handle('proxy:create', {
      name: 'p2',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${other.port}`
    })
    expect(dup).toMatchObject({ ok: false, error: { code: 'exists' } })
    await lab.ok('proxy:update', { name: 'p1', upstream: `127.0.0.1:${other.port}` })
    const c = await connectPeer(port)
    c.socket.write('to the other one')
    const seen = await other.peer(0)
    await seen.waitBytes(16)
    const c2 = await connectPeer(portOf(second.listen))
    c2.socket.write('!')
    await (await other.peer(1)).waitBytes(1)
    await lab.ok('proxy:delete', { name: 'p1' })
    await c.waitEnded()
    await expect(connectPeer(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    expect((await lab.ok('proxy:list', {})).proxies.map((p) => p.name)).toEqual(['p2'])
    const missing = await lab.session.handle('proxy:delete', { name: 'p1' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } })
    c2.socket.destroy()
  })

  it('listens on a unix socket and reaches a unix upstream', async () => {
    lab = createTestLab()
    const dir = mkdtempSync(join(tmpdir(), 'lab-proxy-'))
    dirs.push(dir)
    const up = await startUpstream({ echo: true, path: join(dir, 'up.sock') })
    ups.push(up)
    const p = await lab.ok('proxy:create', {
      name: 'u',
      listen: `unix:${join(dir, 'in.sock')}`,
      upstream: `unix:${join(dir, 'up.sock')}`
    })
    expect(p.listen).toBe(`unix:${join(dir, 'in.sock')}`)
    const c = await connectPeer(join(dir, 'in.sock'))
    c.socket.write('over unix')
    expect((await c.waitBytes(9)).toString()).toBe('over unix')
    const leg = await lab.waitConn((x) => x.proxy?.leg === 'upstream' && x.bytesIn === 9, 'upstream leg')
    expect(leg.family).toBe('unix')
    c.socket.destroy()
  })

  it('refuses bad addresses with a sentence and changes nothing', async () => {
    lab = createTestLab()
    const r = await lab.session.handle('proxy:create', { name: 'bad', listen: 'nowhere', upstream: '127.0.0.1:1' })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid' } })
    const r2 = await lab.session.handle('proxy:create', { name: 'bad', listen: '127.0.0.1:0', upstream: '127.0.0.1:0' })
    expect(r2.ok).toBe(false)
    if (!r2.ok) expect(r2.error.message).toMatch(/upstream: the port must be from 1/)
    expect((await lab.ok('proxy:list', {})).proxies).toEqual([])
  })
})
