import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RecordStatus } from '@shared/model'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'
import { followTcp, tcpStreamCount, tsharkFields } from '../helpers/tshark'
import { DiskRecorder } from '../../src/main/engine/record/disk-recorder'

let dir: string
let lab: TestLab | undefined

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcp-lab-record-'))
})
afterEach(async () => {
  await lab?.dispose()
  lab = undefined
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('recording to disk', () => {
  it('keeps every byte of a flood on disk while the in-memory view drops most of them', async () => {
    lab = createTestLab({ limits: { trafficBytesPerConnection: 64 * 1024, trafficBytesTotal: 1024 * 1024 } })
    const sub = await mkdtemp(join(dir, 'flood-'))
    const started = await lab.ok('capture:record-start', { dir: sub })
    expect(started.recording).toBe(true)
    expect(started.budgetBytes).toBe(1024 * 1024 * 1024)
    const echo = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const data = randomBytes(8 * 1024 * 1024)
    const peer = await connectPeer({ port: echo.bound.port })
    peer.socket.end(data)
    await peer.waitFor((b) => b.length === data.length, '8 MiB echoed', 20_000)
    const conn = await lab.waitConn(
      (c) => c.serverId === echo.id && c.state === 'closed',
      'the flood connection to close',
      10_000
    )
    const traffic = await lab.ok('connection:traffic', { connectionId: conn.id })
    // Memory kept a small part of the 16 MiB (dropped oldest, or sampled out as a flood).
    const keptInMemory = traffic.chunks.reduce((n, c) => n + c.keptBytes, 0)
    expect(keptInMemory).toBeLessThan(2 * 1024 * 1024)
    const stopped = await lab.ok('capture:record-stop', {})
    expect(stopped.recording).toBe(false)
    expect(stopped.droppedBytes).toBe(0)
    expect((await stat(stopped.file!)).size).toBe(stopped.bytesWritten)
    expect(await tcpStreamCount(stopped.file!)).toBe(1)
    const f = await followTcp(stopped.file!, 0)
    expect(f.fromNode0.length).toBe(data.length)
    expect(sha(f.fromNode0)).toBe(sha(data))
    expect(sha(f.fromNode1)).toBe(sha(data))
  }, 60_000)

  it('writes to disk within about a second while recording, and never overwrites: each start makes a new file', async () => {
    lab = createTestLab()
    const sub = await mkdtemp(join(dir, 'flush-'))
    await writeFile(join(sub, 'keep-me.pcapng'), 'not ours')
    const a = await lab.ok('capture:record-start', { dir: sub })
    const echo = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const peer = await connectPeer({ port: echo.bound.port })
    peer.socket.write('flushed soon')
    await peer.waitFor('flushed soon')
    // No stop: the bytes must reach the file by themselves (flushed every 250 ms).
    await waitFor(async () => (await readFile(a.file!)).includes('flushed soon'), {
      what: 'the bytes in the file',
      timeoutMs: 2_000
    })
    const status = await lab.ok('capture:record-status', {})
    expect(status.recording).toBe(true)
    expect(status.bytesWritten).toBeGreaterThan(0)
    const again = await lab.session.handle('capture:record-start', { dir: sub })
    expect(again.ok).toBe(false)
    peer.socket.end()
    await lab.waitConn((c) => c.serverId === echo.id && c.state === 'closed')
    const first = await lab.ok('capture:record-stop', {})
    const firstHash = sha(await readFile(first.file!))
    const b = await lab.ok('capture:record-start', { dir: sub })
    const second = await lab.ok('capture:record-stop', {})
    expect(b.file).not.toBe(a.file)
    expect(sha(await readFile(first.file!))).toBe(firstHash)
    expect(await readFile(join(sub, 'keep-me.pcapng'), 'utf8')).toBe('not ours')
    expect((await readdir(sub)).sort()).toEqual(
      [first.file!, second.file!, join(sub, 'keep-me.pcapng')].map((p) => p.slice(sub.length + 1)).sort()
    )
    const f = await followTcp(first.file!, 0)
    expect(f.fromNode0.toString()).toBe('flushed soon')
    expect(f.fromNode1.toString()).toBe('flushed soon')
  })

  it('stops at its disk budget and says so', async () => {
    lab = createTestLab()
    const sub = await mkdtemp(join(dir, 'budget-'))
    const budget = 256 * 1024
    await lab.ok('capture:record-start', { dir: sub, budgetBytes: budget })
    const discard = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
    const peer = await connectPeer({ port: discard.bound.port })
    peer.socket.end(randomBytes(1024 * 1024))
    await lab.waitConn((c) => c.serverId === discard.id && c.bytesIn === 1024 * 1024, 'all bytes in', 10_000)
    const status = await waitFor(
      async () => {
        const s = await lab!.ok('capture:record-status', {})
        return !s.recording && s
      },
      { what: 'the recording to stop at its budget' }
    )
    expect(status.stoppedReason).toMatch(/disk budget of 262144 bytes was reached/)
    const size = (await stat(status.file!)).size
    expect(size).toBeLessThanOrEqual(budget)
    expect(size).toBeGreaterThan(budget / 2)
    const notices = lab.batches
      .flatMap((b) => b.events)
      .filter((e) => e.type === 'notice')
      .map((e) => (e as { message: string }).message)
    expect(notices.some((m) => m.includes('disk budget'))).toBe(true)
    const comments = (await tsharkFields(status.file!, ['frame.comment'])).map((r) => r[0]).join(' ')
    expect(comments).toContain('recording stopped here')
  })

  it('records a connection already open from the start of the recording, saying what came before', async () => {
    lab = createTestLab()
    const sub = await mkdtemp(join(dir, 'midway-'))
    const echo = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const peer = await connectPeer({ port: echo.bound.port })
    peer.socket.write('before')
    await peer.waitFor('before')
    await lab.ok('capture:record-start', { dir: sub })
    peer.socket.write('after')
    await peer.waitFor('beforeafter')
    peer.socket.end()
    await lab.waitConn((c) => c.serverId === echo.id && c.state === 'closed')
    const s = await lab.ok('capture:record-stop', {})
    const comments = (await tsharkFields(s.file!, ['frame.comment'])).map((r) => r[0]).join(' ')
    expect(comments).toContain('Recording started while connection')
    expect(comments).toContain('6 bytes (client to server) were exchanged before the recording started')
    const payload = await tsharkFields(s.file!, ['tcp.payload'], 'tcp.len > 0')
    expect(payload.map((r) => Buffer.from(r[0].replace(/:/g, ''), 'hex').toString())).toEqual(['after', 'after'])
  })

  it('maps a Unix-socket connection to synthesized loopback addresses and says so', async () => {
    lab = createTestLab()
    const sub = await mkdtemp(join(dir, 'unix-'))
    const path = join(sub, 'lab.sock')
    await lab.ok('capture:record-start', { dir: sub })
    await lab.ok('server:start', { host: `unix:${path}`, behaviour: 'uppercase' })
    const r = await run('nc', ['-N', '-U', path], { input: 'quiet\n' })
    expect(r.stdout.toString()).toBe('QUIET\n')
    await lab.waitConn((c) => c.family === 'unix' && c.state === 'closed')
    const s = await lab.ok('capture:record-stop', {})
    const f = await followTcp(s.file!, 0)
    expect(f.node0).toMatch(/^127\.0\.0\.2:\d+$/)
    expect(f.fromNode0.toString()).toBe('quiet\n')
    expect(f.fromNode1.toString()).toBe('QUIET\n')
    const comments = (await tsharkFields(s.file!, ['frame.comment'])).map((r) => r[0]).join(' ')
    expect(comments).toContain(`unix:${path}`)
    expect(comments).toContain('synthesized loopback addresses')
  })

  it('counts and marks the bytes it cannot queue when the disk is slower than the traffic', async () => {
    lab = createTestLab()
    const sub = await mkdtemp(join(dir, 'slow-'))
    const notices: string[] = []
    // A queue of 64 KiB stands in for a slow disk: a flood outruns it at once.
    const rec = await DiskRecorder.start(sub, 1024 * 1024 * 1024, (_l, m) => notices.push(m), { queueMax: 64 * 1024 })
    lab.hub.lab.adoptHooks.add((c) => rec.attach(c, false))
    const discard = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
    const peer = await connectPeer({ port: discard.bound.port })
    peer.socket.end(randomBytes(4 * 1024 * 1024))
    await lab.waitConn((c) => c.serverId === discard.id && c.state === 'closed', 'flood done', 10_000)
    const s: RecordStatus = await rec.stop()
    expect(s.droppedBytes).toBeGreaterThan(0)
    expect(notices.join(' ')).toContain('slower than the traffic')
    const rows = await tsharkFields(s.file!, ['tcp.len', 'frame.comment'])
    const written = rows.reduce((n, r) => n + Number(r[0] || 0), 0)
    // What was written plus what was dropped is exactly what the peer sent.
    expect(written + s.droppedBytes).toBe(4 * 1024 * 1024)
    expect(rows.map((r) => r[1]).join(' ')).toContain('the disk was slower than the traffic')
  }, 30_000)
})
