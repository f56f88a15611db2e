import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'
import type { NodePeer } from './support/node-peer'
import { ECHO_AFTER_EOF_MAX_BYTES } from '../../src/main/engine/behaviours/simple'

let lab: TestLab
const peers: NodePeer[] = []
afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy()
  await lab?.dispose()
})

async function start(behaviour: 'echo' | 'echo-after-eof' | 'discard' | 'uppercase'): Promise<number> {
  lab = createTestLab()
  const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour })
  return s.bound.port
}

async function peer(port: number): Promise<NodePeer> {
  const p = await connectPeer({ port })
  peers.push(p)
  return p
}

describe('echo-after-eof (the lesson server)', () => {
  it('`printf hi | nc -N` gets `hi` back, then the lab closes', async () => {
    const port = await start('echo-after-eof')
    const r = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'hi' })
    expect(r.stdout.toString()).toBe('hi')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect([c.bytesIn, c.bytesOut, c.chunksOut]).toEqual([2, 2, 1])
  })

  it('an interactive peer sees nothing until it half-closes, then everything at once', async () => {
    const port = await start('echo-after-eof')
    const p = await peer(port)
    p.socket.write('line one\n')
    p.socket.write('line two\n')
    await lab.waitConn((c) => c.bytesIn === 18, 'the lab to read 18 bytes')
    expect(p.received().length).toBe(0)
    expect(lab.conn(1).bytesOut).toBe(0)
    p.socket.end()
    await p.ended
    expect(p.text()).toBe('line one\nline two\n')
    await p.closed
  })

  it(`resets a peer that sends more than ${ECHO_AFTER_EOF_MAX_BYTES} bytes without a FIN, saying why`, async () => {
    const port = await start('echo-after-eof')
    const p = await peer(port)
    const block = Buffer.alloc(1024 * 1024, 0x61)
    for (let i = 0; i < 17; i++) p.socket.write(block)
    const code = await p.closed
    expect(code).toBe('ECONNRESET')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.closeReason).toBe('lab-reset')
    expect(c.error).toMatch(/at most 16777216 bytes/)
    expect(c.bytesOut).toBe(0)
  })
})

describe('echo, discard, uppercase', () => {
  it('echo: each chunk back as it arrives, exact counts, FIN answered with FIN (socat)', async () => {
    const port = await start('echo')
    const r = await run('socat', ['-t', '5', '-', `TCP:127.0.0.1:${port}`], { input: 'abc\ndef\n' })
    expect(r.stdout.toString()).toBe('abc\ndef\n')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect([c.bytesIn, c.bytesOut, c.closeReason]).toEqual([8, 8, 'peer-fin'])
  })

  it('discard (RFC 863): reads and counts, replies nothing, closes after the peer', async () => {
    const port = await start('discard')
    const data = Buffer.alloc(100_000, 0x42)
    const r = await run('nc', ['-N', '127.0.0.1', String(port)], { input: data })
    expect(r.stdout.length).toBe(0)
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect([c.bytesIn, c.bytesOut]).toEqual([100_000, 0])
  })

  it('uppercase: complete lines go back at once, the partial tail waits for its newline or the FIN', async () => {
    const port = await start('uppercase')
    const p = await peer(port)
    p.socket.write('hello wor')
    await lab.waitConn((c) => c.bytesIn === 9, 'the lab to read 9 bytes')
    expect(p.received().length).toBe(0)
    p.socket.write('ld\nsecond ')
    await p.waitFor('HELLO WORLD\n')
    expect(p.text()).toBe('HELLO WORLD\n')
    p.socket.write('line, ümlaut')
    await lab.waitConn((c) => c.bytesIn === 32, 'the lab to read 32 bytes')
    p.socket.end()
    await p.ended
    expect(p.received().toString('utf8')).toBe('HELLO WORLD\nSECOND LINE, üMLAUT')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.bytesOut).toBe(c.bytesIn)
  })

  it('uppercase with nc: multi-line input, lines transformed', async () => {
    const port = await start('uppercase')
    const r = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'one\r\ntwo\nthree' })
    expect(r.stdout.toString()).toBe('ONE\r\nTWO\nTHREE')
  })

  it('server:configure switches the behaviour of a running server, live connections included', async () => {
    const port = await start('echo')
    const p = await peer(port)
    p.socket.write('a\n')
    await p.waitFor('a\n')
    const info = await lab.ok('server:configure', { serverId: 1, behaviour: 'uppercase' })
    expect(info.behaviour).toBe('uppercase')
    p.socket.write('b\n')
    await p.waitFor('a\nB\n')
    await lab.ok('server:configure', { serverId: 1, behaviour: 'discard' })
    p.socket.write('c\n')
    await lab.waitConn((c) => c.bytesIn === 6, 'the lab to read 6 bytes')
    await lab.ok('server:configure', { serverId: 1, behaviour: 'echo' })
    p.socket.write('d\n')
    await p.waitFor('a\nB\nd\n')
    expect(p.text()).toBe('a\nB\nd\n')
    const updated = lab.batches.flatMap((b) => b.events).filter((e) => e.type === 'server.updated')
    expect(updated.length).toBeGreaterThanOrEqual(1)
  })
})

describe('with telnet', () => {
  it('echo-after-eof: an interactive telnet sees nothing while its side is open; echo answers it at once', async () => {
    const { startPeer } = await import('../helpers/processes')
    const { waitFor } = await import('../helpers/wait')
    lab = createTestLab()
    const eof = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo-after-eof' })
    const echoSrv = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const t1 = startPeer('telnet', ['127.0.0.1', String(eof.bound.port)])
    const t2 = startPeer('telnet', ['127.0.0.1', String(echoSrv.bound.port)])
    try {
      t1.child.stdin.write('hello\n')
      t2.child.stdin.write('hello\n')
      await waitFor(() => /Escape character[\s\S]*hello/.test(t2.output().toString()), {
        what: 'telnet to get the echo'
      })
      const row = await lab.waitConn((c) => c.serverId === eof.id && c.bytesIn > 0, 'the lab to read from telnet')
      expect(t1.output().toString()).not.toMatch(/Escape character[\s\S]*hello/)
      expect(lab.conn(row.id).bytesOut).toBe(0)
    } finally {
      t1.kill()
      t2.kill()
    }
  })
})
