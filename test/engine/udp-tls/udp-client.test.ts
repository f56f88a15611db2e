import dgram from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'

let lab: TestLab
afterEach(async () => lab?.dispose())

/** A port with nothing bound to it: bind, read the port, close. */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('outgoing UDP clients', () => {
  it('sends datagrams to a lab UDP echo server and records each reply with its size', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'udp' })
    const client = await lab.ok('client:connect', { host: '127.0.0.1', port: server.bound.port, protocol: 'udp' })
    expect(client.kind).toBe('udp')
    expect(client.origin).toBe('outgoing')
    expect(client.remote.port).toBe(server.bound.port)
    for (const text of ['a', 'bb', 'ccc']) {
      await lab.ok('connection:send', { connectionId: client.id, payload: { format: 'text', text } })
    }
    const done = await lab.waitConn((c) => c.id === client.id && c.chunksIn === 3, 'three echoed datagrams')
    expect([done.chunksOut, done.bytesOut, done.bytesIn]).toEqual([3, 6, 6])
    const traffic = await lab.ok('connection:traffic', { connectionId: client.id })
    expect(traffic.chunks.filter((c) => c.dir === 'in').map((c) => c.size)).toEqual([1, 2, 3])
    // The server side saw the same three datagrams on one flow from the client's port.
    const flow = await lab.waitConn((c) => c.serverId === server.id && c.remote.port === client.local.port)
    expect(flow.chunksIn).toBe(3)
    const closed = await lab.ok('connection:action', { connectionId: client.id, action: 'close' })
    expect(closed.id).toBe(client.id)
    await lab.waitConn((c) => c.id === client.id && c.state === 'closed')
  })

  it('reports ICMP port unreachable (ECONNREFUSED on a connected socket) in words on the flow', async () => {
    lab = createTestLab()
    const port = await freeUdpPort()
    const client = await lab.ok('client:connect', { host: '127.0.0.1', port, protocol: 'udp' })
    await lab.ok('connection:send', { connectionId: client.id, payload: { format: 'text', text: 'anyone?' } })
    const failed = await lab.waitConn((c) => c.id === client.id && c.error !== null, 'the refusal to be reported')
    expect(failed.error).toMatch(/Nothing listens on UDP 127\.0\.0\.1:\d+: .*ICMP "port unreachable".*ECONNREFUSED/)
    expect(failed.state).toBe('open')
    expect(failed.bytesOut).toBe(7)
  })

  it('refuses a datagram too large to send (EMSGSIZE) before it counts anything', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '::1', port: 0, behaviour: 'discard', protocol: 'udp' })
    const client = await lab.ok('client:connect', { host: '::1', port: server.bound.port, protocol: 'udp' })
    expect(client.family).toBe('IPv6')
    const r = await lab.session.handle('connection:send', {
      connectionId: client.id,
      payload: { format: 'hex', text: 'ab'.repeat(65_528) }
    })
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.error.message).toMatch(/65528 bytes do not fit in one UDP datagram \(EMSGSIZE\): over IPv6 .* 65527/)
    expect(lab.conn(client.id).bytesOut).toBe(0)
    await lab.ok('connection:send', { connectionId: client.id, payload: { format: 'hex', text: 'ab'.repeat(1472) } })
    const flow = await lab.waitConn((c) => c.serverId === server.id && c.bytesIn === 1472)
    expect(flow.chunksIn).toBe(1)
  })
})
