import net from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ReplayInfo } from '@shared/model'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'

let lab: TestLab | undefined
const servers: net.Server[] = []
afterEach(async () => {
  await lab?.dispose()
  lab = undefined
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

/** A plain Node echo server that notes the size of every read (no Nagle on its side). */
async function sizeNotingEcho(): Promise<{ port: number; reads: number[] }> {
  const reads: number[] = []
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.setNoDelay(true)
    s.on('data', (d: Buffer) => {
      reads.push(d.length)
      s.write(d)
    })
    s.on('end', () => s.end())
    s.on('error', () => {})
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as net.AddressInfo).port, reads }
}

// Each below Node's 64 KiB read size, so the lab read each as one chunk.
const SIZES = [10, 200, 3000, 1, 60_000]

/** A peer talks to the lab's echo server in chunks of SIZES, each after the echo of the one before. */
async function recordConversation(t: TestLab, gapMs = 0): Promise<number> {
  const echo = await t.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
  const peer = await connectPeer({ port: echo.bound.port })
  peer.socket.setNoDelay(true)
  const conn = await t.waitConn((c) => c.serverId === echo.id && c.remote.port === peer.socket.localPort)
  let total = 0
  for (const [i, n] of SIZES.entries()) {
    if (gapMs > 0 && i > 0) await new Promise((r) => setTimeout(r, gapMs))
    peer.socket.write(Buffer.alloc(n, 65 + i))
    total += n
    await peer.waitFor((b) => b.length === total, `echo of chunk ${i}`)
    await t.waitConn((c) => c.id === conn.id && c.bytesOut === total)
  }
  peer.socket.end()
  await t.waitConn((c) => c.id === conn.id && c.state === 'closed')
  const rec = await t.ok('connection:traffic', { connectionId: conn.id })
  expect(rec.chunks.filter((c) => c.dir === 'in').map((c) => c.size)).toEqual(SIZES)
  return conn.id
}

async function replayDone(t: TestLab, id: number, timeoutMs = 10_000): Promise<ReplayInfo> {
  return waitFor(
    async () => (await t.ok('replay:list', {})).replays.find((r) => r.id === id && r.state !== 'running'),
    {
      what: `replay ${id} to finish`,
      timeoutMs
    }
  )
}

describe('replay as a client', () => {
  it('replays a lab connection against an echo server with the original chunk boundaries', async () => {
    lab = createTestLab()
    const source = await recordConversation(lab)
    const target = await sizeNotingEcho()
    const r = await lab.ok('replay:start', {
      source: { connectionId: source },
      mode: 'client',
      target: `127.0.0.1:${target.port}`
    })
    expect(r.chunksTotal).toBe(SIZES.length)
    const done = await replayDone(lab, r.id)
    expect(done.state).toBe('done')
    expect(done.chunksSent).toBe(SIZES.length)
    // Waiting for each answer keeps the server's reads to the original writes.
    expect(target.reads).toEqual(SIZES)
    const replayConn = done.connectionIds[0]
    await lab.waitConn(
      (c) => c.id === replayConn && c.bytesIn === SIZES.reduce((a, b) => a + b) && c.state !== 'open',
      'the echo back and its FIN'
    )
    const rec = await lab.ok('connection:traffic', { connectionId: replayConn })
    expect(rec.chunks.filter((c) => c.dir === 'out').map((c) => c.size)).toEqual(SIZES)
    const orig = await lab.ok('connection:traffic', { connectionId: source })
    const bytes = (t: typeof rec, dir: 'in' | 'out') =>
      Buffer.concat(t.chunks.filter((c) => c.dir === dir).map((c) => Buffer.from(c.data, 'base64')))
    expect(bytes(rec, 'out').equals(bytes(orig, 'in'))).toBe(true)
    // The recorded client half-closed, so the replay did; the echo server then ended too.
    await lab.waitConn((c) => c.id === replayConn && c.state === 'closed' && c.closeReason === 'peer-fin', 'both FINs')
  })

  it('replays from a pcapng the lab exported, stream by number', async () => {
    lab = createTestLab()
    const source = await recordConversation(lab)
    const file = await lab.ok('capture:export', { format: 'pcapng', connectionIds: [source] })
    const target = await sizeNotingEcho()
    const r = await lab.ok('replay:start', {
      source: { pcapngBase64: file.files[0].content, stream: 0 },
      mode: 'client',
      target: `127.0.0.1:${target.port}`
    })
    expect(r.sourceConnectionId).toBeNull()
    const done = await replayDone(lab, r.id)
    expect(done.chunksSent).toBe(SIZES.length)
    expect(target.reads).toEqual(SIZES)
    // The same file from a path on the lab's machine.
    const path = join(await mkdtemp(join(tmpdir(), 'tcp-lab-replay-')), 'conv.pcapng')
    await writeFile(path, Buffer.from(file.files[0].content, 'base64'))
    const before = target.reads.length
    const fromPath = await lab.ok('replay:start', {
      source: { path },
      mode: 'client',
      target: `127.0.0.1:${target.port}`
    })
    await replayDone(lab, fromPath.id)
    expect(target.reads.slice(before)).toEqual(SIZES)
    const nofile = await lab.session.handle('replay:start', {
      source: { path: `${path}.missing` },
      mode: 'client',
      target: `127.0.0.1:${target.port}`
    })
    expect(nofile.ok).toBe(false)
    if (!nofile.ok) expect(nofile.error.message).toMatch(/^Cannot read .*conv\.pcapng\.missing/)
    await rm(dirname(path), { recursive: true, force: true })
    const missing = await lab.session.handle('replay:start', {
      source: { pcapngBase64: file.files[0].content, stream: 3 },
      mode: 'client',
      target: `127.0.0.1:${target.port}`
    })
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.error.message).toMatch(/has 1 TCP stream\(s\); there is no stream 3/)
    const bad = await lab.session.handle('replay:start', {
      source: { pcapngBase64: Buffer.from('not a capture').toString('base64') },
      mode: 'client',
      target: `127.0.0.1:${target.port}`
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toMatch(/not a pcapng file/)
  })

  it('keeps the original pace when asked', async () => {
    lab = createTestLab()
    const source = await recordConversation(lab, 150)
    const target = await sizeNotingEcho()
    const t0 = Date.now()
    const r = await lab.ok('replay:start', {
      source: { connectionId: source },
      mode: 'client',
      target: `127.0.0.1:${target.port}`,
      pace: 'original'
    })
    await replayDone(lab, r.id)
    // Four gaps of at least 150 ms were recorded; a margin for timers.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * 150 * 0.8)
  })
})

describe('replay as a mock server', () => {
  it('answers nc with the recorded replies', async () => {
    lab = createTestLab()
    const manual = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual' })
    const peer = await connectPeer({ port: manual.bound.port })
    const conn = await lab.waitConn((c) => c.serverId === manual.id && c.remote.port === peer.socket.localPort)
    peer.socket.write('GET /a\n')
    await lab.waitConn((c) => c.id === conn.id && c.bytesIn === 7)
    await lab.ok('connection:send', {
      connectionId: conn.id,
      payload: { format: 'text', text: 'reply one', lineEnding: 'lf' }
    })
    peer.socket.write('GET /b\n')
    await lab.waitConn((c) => c.id === conn.id && c.bytesIn === 14)
    await lab.ok('connection:send', { connectionId: conn.id, payload: { format: 'hex', text: '00ff7f0a' } })
    await lab.ok('connection:action', { connectionId: conn.id, action: 'half-close' })
    await peer.ended
    peer.socket.end()
    await lab.waitConn((c) => c.id === conn.id && c.state === 'closed')

    const r = await lab.ok('replay:start', { source: { connectionId: conn.id }, mode: 'server', target: '127.0.0.1:0' })
    expect(r.serverId).not.toBeNull()
    const port = Number(r.target.split(':').pop())
    const out = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'GET /a\nGET /b\n' })
    expect(out.stdout.equals(Buffer.concat([Buffer.from('reply one\n'), Buffer.from([0x00, 0xff, 0x7f, 0x0a])]))).toBe(
      true
    )
    // A second client gets the same answers: a mock serves every peer.
    const again = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'GET /a\nGET /b\n' })
    expect(again.stdout.subarray(0, 10).toString()).toBe('reply one\n')
    const list = await lab.ok('replay:list', {})
    expect(list.replays.find((x) => x.id === r.id)?.connectionIds.length).toBe(2)
    const stopped = await lab.ok('replay:stop', { replayId: r.id })
    expect(stopped.state).toBe('stopped')
    await waitFor(() => !lab!.hub.lab.servers.has(r.serverId!), { what: 'the mock server to stop' })
  })
})

describe('replay options', () => {
  it('without waiting for answers sends everything at once; a mock server on a Unix socket answers nc -U', async () => {
    lab = createTestLab()
    const source = await recordConversation(lab)
    const target = await sizeNotingEcho()
    const r = await lab.ok('replay:start', {
      source: { connectionId: source },
      mode: 'client',
      target: `127.0.0.1:${target.port}`,
      waitForReplies: false
    })
    const done = await replayDone(lab, r.id)
    expect(done.chunksSent).toBe(SIZES.length)
    const total = SIZES.reduce((a, b) => a + b)
    await waitFor(() => target.reads.reduce((a, b) => a + b, 0) === total, { what: 'all bytes at the echo server' })
    // The lab's own record of the replay keeps the original write boundaries, whatever the server read.
    const rec = await lab.ok('connection:traffic', { connectionId: done.connectionIds[0] })
    expect(rec.chunks.filter((c) => c.dir === 'out').map((c) => c.size)).toEqual(SIZES)

    const dir = await mkdtemp(join(tmpdir(), 'tcp-lab-mock-'))
    const path = join(dir, 'mock.sock')
    const mock = await lab.ok('replay:start', {
      source: { connectionId: source },
      mode: 'server',
      target: `unix:${path}`
    })
    expect(mock.target).toBe(`unix:${path}`)
    const input = Buffer.concat(SIZES.map((n, i) => Buffer.alloc(n, 65 + i)))
    const out = await run('nc', ['-N', '-U', path], { input })
    expect(out.stdout.equals(input)).toBe(true)
    await lab.ok('replay:stop', { replayId: mock.id })
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses an address it cannot use, in words, starting nothing', async () => {
    lab = createTestLab()
    const source = await recordConversation(lab)
    const servers = lab.hub.lab.servers.size
    const bad = await lab.session.handle('replay:start', {
      source: { connectionId: source },
      mode: 'client',
      target: '127.0.0.1'
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toMatch(/^Address "127\.0\.0\.1": /)
    const noPort = await lab.session.handle('replay:start', {
      source: { connectionId: source },
      mode: 'client',
      target: '127.0.0.1:0'
    })
    expect(noPort.ok).toBe(false)
    if (!noPort.ok) expect(noPort.error.message).toMatch(/needs a port from 1 to 65535/)
    const gone = await lab.session.handle('replay:start', {
      source: { connectionId: 99_999 },
      mode: 'server',
      target: '127.0.0.1:0'
    })
    expect(gone.ok).toBe(false)
    expect(lab.hub.lab.servers.size).toBe(servers)
    expect((await lab.ok('replay:list', {})).replays).toEqual([])
  })
})
