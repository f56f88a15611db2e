import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'

let lab: TestLab | undefined
afterEach(async () => {
  await lab?.dispose()
  lab = undefined
})

function bindable(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = net.createServer()
    s.once('error', () => resolve(null))
    s.listen(port, '127.0.0.1', () => {
      const got = (s.address() as net.AddressInfo).port
      s.close(() => resolve(got))
    })
  })
}

/** A port in the ephemeral range where nothing listens right now; even, since Linux gives connect() even ports. */
async function freeEvenPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const any = await bindable(0)
    if (any === null) continue
    const even = any % 2 === 0 ? any : any + 1
    if (even <= 60999 && (await bindable(even)) === even) return even
  }
  throw new Error('no even port found')
}

describe('TCP self-connection', () => {
  it('a client bound to port P that connects to 127.0.0.1:P with nothing listening is connected to itself', async () => {
    lab = createTestLab()
    const p = await freeEvenPort()
    const c = await lab.ok('client:connect', { host: '127.0.0.1', port: p, localAddress: '127.0.0.1', localPort: p })
    expect(c.local).toEqual({ address: '127.0.0.1', port: p })
    expect(c.remote).toEqual({ address: '127.0.0.1', port: p })
    expect(lab.hub.lab.servers.size).toBe(0)
    await lab.ok('connection:send', {
      connectionId: c.id,
      payload: { format: 'text', text: 'hello me', lineEnding: 'none' }
    })
    const after = await lab.waitConn((x) => x.id === c.id && x.bytesIn === 8, 'its own bytes read back')
    expect(after).toMatchObject({ bytesIn: 8, bytesOut: 8 })
    const t = await lab.ok('connection:traffic', { connectionId: c.id })
    expect(
      Buffer.concat(t.chunks.filter((k) => k.dir === 'in').map((k) => Buffer.from(k.data, 'base64'))).toString()
    ).toBe('hello me')
    // A server started later on P without SO_REUSEADDR fails: the self-connected socket holds the port.
    const py = await run('python3', [
      '-c',
      `import socket\ntry:\n  socket.socket().bind(('127.0.0.1', ${p}))\n  print('bound')\nexcept OSError as e:\n  print(e.errno)`
    ])
    expect(py.stdout.toString().trim()).toBe('98')
  })

  it.runIf(process.platform === 'linux')(
    'the accident: retrying connects to an ephemeral port until the client hits itself, bounded',
    async () => {
      lab = createTestLab()
      const p = await freeEvenPort()
      const r = await lab.ok('lesson:self-connect-hunt', { port: p, maxTries: 60_000, timeoutMs: 40_000 })
      expect(r.tries).toBeGreaterThan(0)
      expect(r.connection).not.toBeNull()
      expect(r.connection!.local).toEqual(r.connection!.remote)
      expect(r.connection!.local.port).toBe(p)
    },
    60_000
  )

  it('a local port already taken is refused in words', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { port: 0 })
    const r = await lab.session.handle('client:connect', {
      host: '127.0.0.1',
      port: s.bound.port,
      localPort: s.bound.port,
      localAddress: '127.0.0.1'
    })
    expect(r).toMatchObject({ ok: false, error: { message: `Local port ${s.bound.port} is already in use` } })
  })
})

describe.runIf(process.platform === 'linux')('who gets TIME-WAIT: the side that closes first', () => {
  async function kernelStates(port: number): Promise<Array<{ state: string; localPort: number; remotePort: number }>> {
    const v = await lab!.ok('kernel:sockets', { scope: 'all' })
    return v.sockets.filter((k) => k.localPort === port || k.remotePort === port)
  }

  it("the lab closes first: TIME-WAIT on the lab's side; the peer closes first: TIME-WAIT on the peer's", async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { port: 0, behaviour: 'manual' })
    // Lab first.
    const a = await connectPeer({ port: s.bound.port })
    const aPort = a.socket.localPort!
    const rowA = await lab.waitConn((c) => c.remote.port === aPort, 'row a')
    await lab.ok('connection:action', { connectionId: rowA.id, action: 'close' })
    await a.ended
    a.socket.end()
    await waitFor(
      async () =>
        (await kernelStates(s.bound.port)).some(
          (k) => k.state === 'TIME-WAIT' && k.localPort === s.bound.port && k.remotePort === aPort
        ),
      { what: 'TIME-WAIT on the lab side' }
    )
    // Peer first.
    const b = await connectPeer({ port: s.bound.port })
    const bPort = b.socket.localPort!
    const rowB = await lab.waitConn((c) => c.remote.port === bPort, 'row b')
    b.socket.end()
    await lab.waitConn((c) => c.id === rowB.id && c.state === 'peer-half-closed', 'peer FIN')
    await lab.ok('connection:action', { connectionId: rowB.id, action: 'close' })
    await waitFor(
      async () =>
        (await kernelStates(s.bound.port)).some(
          (k) => k.state === 'TIME-WAIT' && k.localPort === bPort && k.remotePort === s.bound.port
        ),
      { what: 'TIME-WAIT on the peer side' }
    )
    const states = await kernelStates(s.bound.port)
    expect(states.some((k) => k.state === 'TIME-WAIT' && k.localPort === s.bound.port && k.remotePort === bPort)).toBe(
      false
    )
  })

  it('FIN vs RST: the peer reads end-of-file after a close, ECONNRESET after a reset', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { port: 0, behaviour: 'manual' })
    const fin = await connectPeer({ port: s.bound.port })
    const rst = await connectPeer({ port: s.bound.port })
    const finRow = await lab.waitConn((c) => c.remote.port === fin.socket.localPort, 'fin row')
    const rstRow = await lab.waitConn((c) => c.remote.port === rst.socket.localPort, 'rst row')
    await lab.ok('connection:action', { connectionId: finRow.id, action: 'close' })
    await lab.ok('connection:action', { connectionId: rstRow.id, action: 'reset' })
    await fin.ended
    fin.socket.end()
    expect(await fin.closed).toBeNull()
    expect(await rst.closed).toBe('ECONNRESET')
  })
})

describe('a raw HTTP request with bash alone', () => {
  it('exec 3<>/dev/tcp; printf the request >&3; cat <&3 gets the http page, and the lab shows the request as it came', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { port: 0, behaviour: 'http' })
    const script = `exec 3<>/dev/tcp/127.0.0.1/${s.bound.port}; printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3; cat <&3; exec 3>&-`
    const r = await run('bash', ['-c', script])
    const out = r.stdout.toString()
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(out).toContain('GET / HTTP/1.1\\r\\n')
    const row = await lab.waitConn((c) => c.serverId === s.id && c.state === 'closed', 'closed')
    const t = await lab.ok('connection:traffic', { connectionId: row.id })
    const inBytes = Buffer.concat(
      t.chunks.filter((k) => k.dir === 'in').map((k) => Buffer.from(k.data, 'base64'))
    ).toString()
    expect(inBytes).toBe('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  })
})

describe('ports and addresses', () => {
  it('two servers on one port with different addresses (127.0.0.1 and 127.0.0.2), each reached on its own', async () => {
    lab = createTestLab()
    const a = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'uppercase' })
    const b = await lab.ok('server:start', { host: '127.0.0.2', port: a.bound.port, behaviour: 'echo' })
    expect(b.bound).toEqual({ address: '127.0.0.2', port: a.bound.port })
    const r1 = await run('nc', ['-N', '127.0.0.1', String(a.bound.port)], { input: 'hi\n' })
    const r2 = await run('nc', ['-N', '127.0.0.2', String(a.bound.port)], { input: 'hi\n' })
    expect(r1.stdout.toString()).toBe('HI\n')
    expect(r2.stdout.toString()).toBe('hi\n')
  })

  it('0.0.0.0 is reached on every IPv4 address; 127.0.0.1 only on loopback 127.0.0.1', async () => {
    lab = createTestLab()
    const any = await lab.ok('server:start', { host: '0.0.0.0', port: 0 })
    const lo = await lab.ok('server:start', { host: '127.0.0.1', port: 0 })
    expect((await run('nc', ['-N', '127.0.0.3', String(any.bound.port)], { input: 'x\n' })).stdout.toString()).toBe(
      'x\n'
    )
    const refused = await run('nc', ['-N', '127.0.0.3', String(lo.bound.port)], { input: 'x\n' })
    expect(refused.stdout.toString()).toBe('')
    expect(refused.code).not.toBe(0)
  })

  it(':: is dual-stack: an IPv4 client shows as ::ffff:127.0.0.1', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '::', port: 0 })
    await run('nc', ['-N', '127.0.0.1', String(s.bound.port)], { input: 'v4\n' })
    const c = await lab.waitConn((x) => x.serverId === s.id && x.state === 'closed', 'closed')
    expect(c.remote.address).toBe('::ffff:127.0.0.1')
  })
})
