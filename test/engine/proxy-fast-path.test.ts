import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer, portOf, startUpstream } from '../helpers/proxy-peers'
import type { Upstream } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'

// A pipe with no fault passes each read straight to the other leg (pipe.ts, pass()); these prove that the
// short path keeps what the stage path guarantees: exact bytes and counters, one write per read, in order,
// and that a fault added (or removed) mid-stream takes effect from the next chunk.

let lab: TestLab
let ups: Upstream[] = []

afterEach(async () => {
  await lab?.dispose()
  await Promise.all(ups.map((u) => u.close()))
  ups = []
})

async function setup(): Promise<{ up: Upstream; port: number }> {
  lab = createTestLab()
  const up = await startUpstream({ echo: true })
  ups.push(up)
  const p = await lab.ok('proxy:create', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
  return { up, port: portOf(p.listen) }
}

function leg(which: 'client' | 'upstream'): ReturnType<TestLab['conn']> {
  const c = [...lab.hub.lab.connections.values()].map((x) => x.info()).find((x) => x.proxy?.leg === which)
  if (!c) throw new Error(`no ${which} leg`)
  return c
}

describe('a proxy with no fault (the short path)', () => {
  it('relays a 4 MiB flood both ways exactly: counters, bytes, and one write per read in order', async () => {
    const { up, port } = await setup()
    const client = await connectPeer(port)
    const sent = randomBytes(4 * 1024 * 1024)
    client.socket.write(sent)
    const back = await client.waitBytes(sent.length, 15_000)
    expect(back.equals(sent)).toBe(true)
    expect((await up.peer()).bytes().equals(sent)).toBe(true)
    await waitFor(() => leg('client').bytesOut === sent.length && leg('upstream').bytesIn === sent.length, {
      what: 'both legs counted'
    })
    const cl = leg('client')
    const ul = leg('upstream')
    expect([cl.bytesIn, ul.bytesOut, ul.bytesIn, cl.bytesOut]).toEqual([
      sent.length,
      sent.length,
      sent.length,
      sent.length
    ])
    // Each read on one leg is written as it was on the other: same sizes, same order, same clock.
    expect(ul.chunksOut).toBe(cl.chunksIn)
    expect(cl.chunksOut).toBe(ul.chunksIn)
    const cr = await lab.ok('connection:traffic', { connectionId: cl.id })
    const ur = await lab.ok('connection:traffic', { connectionId: ul.id })
    const facts = (r: typeof cr, dir: 'in' | 'out'): [number, number][] =>
      r.chunks.filter((c) => c.dir === dir).map((c) => [c.size, c.at])
    expect(facts(ur, 'out')).toEqual(facts(cr, 'in'))
    expect(facts(cr, 'out')).toEqual(facts(ur, 'in'))
  })

  it('a fault added mid-stream applies from the next chunk; removed, the stream goes on exactly', async () => {
    const { port } = await setup()
    const client = await connectPeer(port)
    client.socket.write('before\n')
    await client.waitBytes(7)
    await lab.ok('toxic:add', {
      proxy: 'p',
      toxic: { name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 150 } }
    })
    const t0 = Date.now()
    client.socket.write('during\n')
    await client.waitBytes(14)
    // Measured by the client's clock: the answer waited for the fault.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    await lab.ok('toxic:remove', { proxy: 'p', name: 'lag' })
    const t1 = Date.now()
    client.socket.write('after\n')
    await client.waitBytes(20)
    expect(Date.now() - t1).toBeLessThan(140)
    expect(client.bytes().toString()).toBe('before\nduring\nafter\n')
    await waitFor(() => leg('client').bytesOut === 20 && leg('upstream').bytesIn === 20, { what: 'counted' })
  })
})
