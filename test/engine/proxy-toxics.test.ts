import { afterEach, describe, expect, it } from 'vitest'
import type { CommandInput } from '@shared/contract'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer, portOf, startUpstream } from '../helpers/proxy-peers'
import type { Peer, Upstream } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'

// Every fault measured on real sockets by the peers' own clocks. Bounds have wide margins (2 shared cores).
let lab: TestLab
let up: Upstream
let port = 0
const clients: Peer[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy()
  await lab?.dispose()
  await up?.close()
})

async function setup(echo: boolean): Promise<void> {
  lab = createTestLab()
  up = await startUpstream({ echo })
  const p = await lab.ok('proxy:create', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
  port = portOf(p.listen)
}

async function client(): Promise<Peer> {
  const c = await connectPeer(port)
  clients.push(c)
  return c
}

function toxic(t: CommandInput<'toxic:add'>['toxic']): Promise<unknown> {
  return lab.ok('toxic:add', { proxy: 'p', toxic: t })
}

/** Round trip of one small message through an echo upstream, by the client's clock. */
async function roundTrip(c: Peer, text: string): Promise<number> {
  const have = c.bytes().length
  const t0 = Date.now()
  c.socket.write(text)
  await c.waitBytes(have + text.length, 8_000)
  return c.reads[c.reads.length - 1].at - t0
}

function leg(which: 'client' | 'upstream', nth = 0): ReturnType<TestLab['conn']> {
  const legs = [...lab.hub.lab.connections.values()].map((x) => x.info()).filter((x) => x.proxy?.leg === which)
  return legs[nth]
}

describe('faults on real sockets', () => {
  it('latency: a round trip takes the added time by the client clock, and the timeline says so', async () => {
    await setup(true)
    const c = await client()
    const base = await roundTrip(c, 'ping')
    await toxic({ type: 'latency', stream: 'downstream', attributes: { latency: 200 } })
    const slow = await roundTrip(c, 'ping')
    expect(slow).toBeGreaterThanOrEqual(195)
    expect(slow).toBeLessThan(200 + 1500)
    expect(base).toBeLessThan(slow)
    const rec = await lab.ok('connection:traffic', { connectionId: leg('client').id })
    expect(rec.marks?.some((m) => /^held \d+ ms by latency$/.test(m.text) && m.toxic === 'latency_downstream')).toBe(
      true
    )
  })

  it('toxicity 0 does nothing', async () => {
    await setup(true)
    await toxic({ type: 'latency', stream: 'downstream', toxicity: 0, attributes: { latency: 800 } })
    const c = await client()
    expect(await roundTrip(c, 'ping')).toBeLessThan(600)
    const rec = await lab.ok('connection:traffic', { connectionId: leg('client').id })
    expect(rec.marks ?? []).toEqual([])
  })

  it('bandwidth: the client reads at the rate within 15 %', async () => {
    await setup(false)
    await toxic({ type: 'bandwidth', stream: 'downstream', attributes: { rate: 300 } })
    const c = await client()
    const server = await up.peer()
    const total = 360_000
    const t0 = Date.now()
    server.socket.write(Buffer.alloc(total, 7))
    await c.waitBytes(total, 10_000)
    const seconds = (c.reads[c.reads.length - 1].at - t0) / 1000
    const rate = total / 1000 / seconds
    expect(rate).toBeGreaterThan(300 * 0.85)
    expect(rate).toBeLessThan(300 * 1.15)
    // 100 ms slices: never one big read of everything.
    expect(Math.max(...c.reads.map((r) => r.data.length))).toBeLessThanOrEqual(60_000)
  })

  it('slicer: one write arrives upstream as many separate reads, bytes exact', async () => {
    await setup(false)
    await toxic({
      type: 'slicer',
      stream: 'upstream',
      attributes: { average_size: 10, size_variation: 0, delay: 20_000 }
    })
    const c = await client()
    const msg = Buffer.from('0123456789'.repeat(10))
    c.socket.write(msg)
    const server = await up.peer()
    await server.waitBytes(msg.length)
    expect(server.bytes().equals(msg)).toBe(true)
    // The lab wrote each slice on its own (exact); the reader, 20 ms apart, sees them as separate reads
    // (a loaded machine may let a few pile up into one read, so the bound has margin).
    const rec = await lab.ok('connection:traffic', { connectionId: leg('upstream').id })
    const writes = rec.chunks.filter((ch) => ch.dir === 'out')
    expect(writes.length).toBeGreaterThanOrEqual(8)
    expect(Math.max(...writes.map((w) => w.size))).toBeLessThanOrEqual(10)
    expect(server.reads.length).toBeGreaterThanOrEqual(writes.length / 2)
    expect(rec.marks?.[0]?.text).toMatch(/^100 bytes sliced into \d+ by slicer$/)
  })

  it('slicer with a 1-byte average on big reads: bounded pieces per read, bytes exact, the lab stays responsive', async () => {
    await setup(false)
    await toxic({ type: 'slicer', stream: 'upstream', attributes: { average_size: 1, size_variation: 0, delay: 0 } })
    const c = await client()
    const msg = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < msg.length; i++) msg[i] = i % 251
    c.socket.write(msg)
    const server = await up.peer()
    // A timer set now must not wait behind a million slices.
    const lag = await new Promise<number>((r) => {
      const t0 = Date.now()
      setTimeout(() => r(Date.now() - t0), 1)
    })
    expect(lag).toBeLessThan(500)
    await server.waitBytes(msg.length, 15_000)
    expect(server.bytes().equals(msg)).toBe(true)
    const ul = leg('upstream')
    const cl = leg('client')
    expect(ul.chunksOut).toBeLessThanOrEqual(cl.chunksIn * 1024)
    expect(ul.chunksOut).toBeGreaterThan(cl.chunksIn)
  })

  it('limit_data: exactly N bytes reach the client, then both sides close', async () => {
    await setup(false)
    await toxic({ type: 'limit_data', stream: 'downstream', attributes: { bytes: 1000 } })
    const c = await client()
    const server = await up.peer()
    server.socket.write(Buffer.alloc(5000, 1))
    await c.waitEnded()
    expect(c.bytes().length).toBe(1000)
    await waitFor(() => server.endedAt !== null || server.closedAt !== null, { what: 'the upstream to be closed' })
    await waitFor(() => leg('client').state === 'closed' && leg('upstream').state === 'closed', {
      what: 'both legs closed'
    })
    expect(leg('client').bytesOut).toBe(1000)
  })

  it('reset_peer: the client gets ECONNRESET instead of the answer', async () => {
    await setup(true)
    await toxic({ type: 'reset_peer', stream: 'downstream', attributes: { timeout: 100 } })
    const c = await client()
    const t0 = Date.now()
    c.socket.write('hello?')
    await c.waitClosed()
    expect(c.error?.code).toBe('ECONNRESET')
    expect(c.bytes().length).toBe(0)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95)
    const server = await up.peer()
    await server.waitClosed()
    expect(server.error?.code).toBe('ECONNRESET')
  })

  it('timeout 0: a black hole passes nothing until removed, which closes the connection', async () => {
    await setup(false)
    await toxic({ name: 'hole', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } })
    const c = await client()
    c.socket.write('into the void')
    await waitFor(() => leg('client')?.bytesIn === 13, { what: 'the lab to read the bytes' })
    // The bytes were read and swallowed; a later round of the event loop still shows nothing upstream.
    await new Promise((r) => setImmediate(r))
    const server = await up.peer()
    expect(server.bytes().length).toBe(0)
    expect(leg('upstream').bytesOut).toBe(0)
    expect(c.endedAt).toBeNull()
    await lab.ok('toxic:remove', { proxy: 'p', name: 'hole' })
    await c.waitEnded()
    expect(server.bytes().length).toBe(0)
  })

  it('timeout N: the pair is closed after N ms', async () => {
    await setup(false)
    await toxic({ type: 'timeout', stream: 'downstream', attributes: { timeout: 150 } })
    const t0 = Date.now()
    const c = await client()
    await c.waitEnded()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
  })

  it('slow_close: the upstream sees the client FIN later by the delay', async () => {
    await setup(false)
    await toxic({ type: 'slow_close', stream: 'upstream', attributes: { delay: 500 } })
    const c = await client()
    const server = await up.peer()
    const t0 = Date.now()
    c.socket.end('bye')
    await waitFor(() => server.endedAt, { what: 'FIN upstream' })
    expect(server.bytes().toString()).toBe('bye')
    expect(server.reads[0].at - t0).toBeLessThan(400)
    expect(server.endedAt! - t0).toBeGreaterThanOrEqual(495)
  })

  it('live edit: a latency changed on a live connection applies to the next bytes', async () => {
    await setup(true)
    await toxic({ name: 'lat', type: 'latency', stream: 'upstream', attributes: { latency: 0 } })
    const c = await client()
    expect(await roundTrip(c, 'a')).toBeLessThan(500)
    const t = await lab.ok('toxic:update', { proxy: 'p', name: 'lat', attributes: { latency: 250 } })
    expect(t.attributes).toEqual({ latency: 250, jitter: 0 })
    expect(await roundTrip(c, 'b')).toBeGreaterThanOrEqual(245)
  })
})

describe('conditional faults', () => {
  it('on a text match: bytes before the match pass at once, the match and after are delayed', async () => {
    await setup(false)
    await toxic({
      type: 'latency',
      stream: 'upstream',
      attributes: { latency: 500 },
      condition: { match: { kind: 'text', value: 'GO' } }
    })
    const c = await client()
    const server = await up.peer()
    const t0 = Date.now()
    c.socket.write('hello ')
    await server.waitBytes(6)
    expect(server.reads[0].at - t0).toBeLessThan(400)
    const t1 = Date.now()
    c.socket.write('wait GO now')
    await server.waitBytes(17)
    expect(server.bytes().toString()).toBe('hello wait GO now')
    const last = server.reads[server.reads.length - 1]
    expect(last.at - t1).toBeGreaterThanOrEqual(495)
    expect(last.data.toString()).toBe('GO now')
  })

  it('on a regex and on hex, split across reads', async () => {
    await setup(false)
    await toxic({
      name: 're',
      type: 'limit_data',
      stream: 'upstream',
      attributes: { bytes: 0 },
      condition: { match: { kind: 'regex', value: 'QUIT\\r?\\n' } }
    })
    const c = await client()
    const server = await up.peer()
    c.socket.write('PING\r\nQU')
    await server.waitBytes(8)
    c.socket.write('IT\r\nlost')
    await c.waitEnded()
    expect(server.bytes().toString()).toBe('PING\r\nQU')
    await lab.ok('toxic:remove', { proxy: 'p', name: 're' })
    await toxic({
      type: 'limit_data',
      stream: 'upstream',
      attributes: { bytes: 0 },
      condition: { match: { kind: 'hex', value: 'ff 00' } }
    })
    const c2 = await client()
    const s2 = await up.peer(1)
    c2.socket.write(Buffer.from([1, 2, 0xff]))
    // The first half of a match split across reads has already passed when the second half arrives.
    await s2.waitBytes(3)
    c2.socket.write(Buffer.from([0, 9]))
    await c2.waitEnded()
    expect([...s2.bytes()]).toEqual([1, 2, 0xff])
  })

  it('after N bytes, exactly', async () => {
    await setup(false)
    await toxic({ type: 'limit_data', stream: 'upstream', attributes: { bytes: 0 }, condition: { afterBytes: 10 } })
    const c = await client()
    const server = await up.peer()
    c.socket.write('abcdefghijKLMNOP')
    await c.waitEnded()
    await server.waitEnded()
    expect(server.bytes().toString()).toBe('abcdefghij')
  })

  it('only the Nth connection, every Nth, and one chosen pair', async () => {
    await setup(true)
    await toxic({
      name: 'second',
      type: 'reset_peer',
      stream: 'upstream',
      attributes: { timeout: 0 },
      condition: { nthConnection: 2 }
    })
    const c1 = await client()
    expect(await roundTrip(c1, 'one')).toBeLessThan(1000)
    const c2 = await client()
    c2.socket.write('two')
    await c2.waitClosed()
    expect(c2.error?.code).toBe('ECONNRESET')
    const c3 = await client()
    expect(await roundTrip(c3, 'three')).toBeLessThan(1000)
    await lab.ok('toxic:remove', { proxy: 'p', name: 'second' })
    await toxic({
      name: 'even',
      type: 'reset_peer',
      stream: 'upstream',
      attributes: { timeout: 0 },
      condition: { everyNth: 2 }
    })
    const c4 = await client()
    c4.socket.write('four')
    await c4.waitClosed()
    expect(c4.error?.code).toBe('ECONNRESET')
    // A fault for one chosen live pair (as from its row): c3 only, c1 untouched.
    const c3Leg = await lab.waitConn(
      (x) => x.proxy?.leg === 'client' && x.bytesIn === 5 && x.state === 'open',
      'c3 leg'
    )
    await toxic({
      name: 'chosen',
      type: 'latency',
      stream: 'upstream',
      attributes: { latency: 500 },
      condition: { pairId: c3Leg.id }
    })
    expect(await roundTrip(c3, 'x')).toBeGreaterThanOrEqual(495)
    expect(await roundTrip(c1, 'y')).toBeLessThan(400)
  })

  it('refuses a bad regex or hex pattern and changes nothing', async () => {
    await setup(false)
    const r = await lab.session.handle('toxic:add', {
      proxy: 'p',
      toxic: { type: 'latency', condition: { match: { kind: 'regex', value: '(' } } }
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid' } })
    const h = await lab.session.handle('toxic:add', {
      proxy: 'p',
      toxic: { type: 'latency', condition: { match: { kind: 'hex', value: 'xyz' } } }
    })
    expect(h).toMatchObject({ ok: false, error: { code: 'invalid' } })
    const a = await lab.session.handle('toxic:add', {
      proxy: 'p',
      toxic: { type: 'latency', attributes: { latency: -1 } }
    })
    expect(a.ok).toBe(false)
    expect((await lab.ok('proxy:list', {})).proxies[0].toxics).toEqual([])
  })
})
