import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import { connectPeer } from './support/node-peer'
import { followTcp, tcpStreamCount, tsharkFields } from '../helpers/tshark'
import { parseHexdump } from '../../src/main/engine/record/export-text'

// Real peers talk to real lab servers; the lab's export is read back by tshark, byte for byte.
let lab: TestLab
let dir: string
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const MIB = randomBytes(1024 * 1024)

async function exportFile(format: 'pcapng' | 'jsonl' | 'hexdump' | 'raw', ids?: number[]) {
  return lab.ok('capture:export', { format, connectionIds: ids })
}

async function saveBase64(name: string, content: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, Buffer.from(content, 'base64'))
  return path
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcp-lab-export-'))
  // Everything kept in memory (no flood sampling), so the export can be compared byte for byte.
  lab = createTestLab({
    limits: { trafficBytesPerConnection: 4 * 1024 * 1024, trafficBytesTotal: 64 * 1024 * 1024, trafficFlood: null }
  })
})

afterAll(async () => {
  await lab?.dispose()
  await rm(dir, { recursive: true, force: true })
})

describe('capture:export as pcapng, read back by tshark', () => {
  let binId = 0
  let mibId = 0
  let halfId = 0
  let resetId = 0
  let v6Id: number | null = null

  beforeAll(async () => {
    const manual = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual' })
    const echo = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })

    // 1. Every byte value both ways, in several chunks.
    const p1 = await connectPeer({ port: manual.bound.port })
    const c1 = await lab.waitConn((c) => c.serverId === manual.id && c.remote.port === p1.socket.localPort, 'conn 1')
    binId = c1.id
    p1.socket.write(ALL_BYTES.subarray(0, 100))
    await lab.waitConn((c) => c.id === binId && c.bytesIn === 100)
    p1.socket.write(ALL_BYTES.subarray(100))
    await lab.waitConn((c) => c.id === binId && c.bytesIn === 256)
    const reversed = Buffer.from(ALL_BYTES).reverse()
    await lab.ok('connection:send', { connectionId: binId, payload: { format: 'hex', text: reversed.toString('hex') } })
    await p1.waitFor((b) => b.length === 256)
    await lab.ok('connection:action', { connectionId: binId, action: 'pause' })
    await lab.ok('connection:action', { connectionId: binId, action: 'resume' })
    p1.socket.end()
    await lab.waitConn((c) => c.id === binId && c.state === 'peer-half-closed')
    await lab.ok('connection:action', { connectionId: binId, action: 'close' })
    await lab.waitConn((c) => c.id === binId && c.state === 'closed')

    // 2. 1 MiB each way through the echo server.
    const p2 = await connectPeer({ port: echo.bound.port })
    const c2 = await lab.waitConn((c) => c.serverId === echo.id && c.remote.port === p2.socket.localPort, 'conn 2')
    mibId = c2.id
    p2.socket.end(MIB)
    await p2.waitFor((b) => b.length === MIB.length, '1 MiB echoed', 15_000)
    await lab.waitConn((c) => c.id === mibId && c.state === 'closed', 'conn 2 closed', 10_000)

    // 3. A half-close: the peer ends, the lab answers after it, then closes.
    const p3 = await connectPeer({ port: manual.bound.port })
    const c3 = await lab.waitConn((c) => c.serverId === manual.id && c.remote.port === p3.socket.localPort, 'conn 3')
    halfId = c3.id
    p3.socket.end('request after which I half-close\n')
    await lab.waitConn((c) => c.id === halfId && c.state === 'peer-half-closed')
    await lab.ok('connection:send', {
      connectionId: halfId,
      payload: { format: 'text', text: 'answer after your FIN\n' }
    })
    await lab.ok('connection:action', { connectionId: halfId, action: 'half-close' })
    await lab.waitConn((c) => c.id === halfId && c.state === 'closed')

    // 4. A reset by the lab.
    const p4 = await connectPeer({ port: manual.bound.port })
    const c4 = await lab.waitConn((c) => c.serverId === manual.id && c.remote.port === p4.socket.localPort, 'conn 4')
    resetId = c4.id
    p4.socket.write('before the reset')
    await lab.waitConn((c) => c.id === resetId && c.bytesIn === 16)
    await lab.ok('connection:action', { connectionId: resetId, action: 'reset' })
    await lab.waitConn((c) => c.id === resetId && c.state === 'closed')
    await p4.closed

    // 5. IPv6, where the machine has ::1.
    const v6 = await lab.session.handle('server:start', { host: '::1', port: 0, behaviour: 'echo' })
    if (v6.ok) {
      const port = (v6.value as { bound: { port: number } }).bound.port
      const p5 = await connectPeer({ host: '::1', port })
      const c5 = await lab.waitConn((c) => c.family === 'IPv6' && c.remote.port === p5.socket.localPort, 'conn 5')
      v6Id = c5.id
      p5.socket.end('over IPv6')
      await p5.waitFor('over IPv6')
      await lab.waitConn((c) => c.id === v6Id && c.state === 'closed')
    }
  }, 60_000)

  it('has one tshark stream per connection, each byte for byte in both directions', async () => {
    const ids = [binId, mibId, halfId, resetId, ...(v6Id !== null ? [v6Id] : [])]
    const out = await exportFile('pcapng', ids)
    expect(out.notes).toEqual([])
    const file = await saveBase64('all.pcapng', out.files[0].content)
    expect(await tcpStreamCount(file)).toBe(ids.length)

    const s0 = await followTcp(file, 0)
    // Node 0 is the peer that connected (the SYN's sender); node 1 the lab's server.
    expect(s0.node0).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(s0.fromNode0.equals(ALL_BYTES)).toBe(true)
    expect(s0.fromNode1.equals(Buffer.from(ALL_BYTES).reverse())).toBe(true)

    const s1 = await followTcp(file, 1)
    expect(s1.fromNode0.length).toBe(MIB.length)
    expect(s1.fromNode0.equals(MIB)).toBe(true)
    expect(s1.fromNode1.equals(MIB)).toBe(true)

    const s2 = await followTcp(file, 2)
    expect(s2.fromNode0.toString()).toBe('request after which I half-close\n')
    expect(s2.fromNode1.toString()).toBe('answer after your FIN\n')

    const s3 = await followTcp(file, 3)
    expect(s3.fromNode0.toString()).toBe('before the reset')
    expect(s3.fromNode1.length).toBe(0)

    if (v6Id !== null) {
      const s4 = await followTcp(file, 4)
      expect(s4.node0).toMatch(/^\[?::1\]?:\d+$/)
      expect(s4.fromNode0.toString()).toBe('over IPv6')
      expect(s4.fromNode1.toString()).toBe('over IPv6')
    }
  }, 60_000)

  it("writes valid checksums, a handshake, FINs and RSTs where they happened, and the lab's actions as comments", async () => {
    const out = await exportFile('pcapng', [binId, halfId, resetId])
    const file = await saveBase64('flags.pcapng', out.files[0].content)
    const rows = await tsharkFields(
      file,
      ['tcp.stream', 'tcp.flags.str', 'tcp.checksum.status', 'ip.checksum.status', 'frame.comment'],
      undefined
    )
    // tshark validates checksums only when asked: run again with validation on.
    const { run } = await import('../helpers/processes')
    const checked = await run('tshark', [
      '-r',
      file,
      '-o',
      'tcp.check_checksum:TRUE',
      '-o',
      'ip.check_checksum:TRUE',
      '-T',
      'fields',
      '-e',
      'tcp.checksum.status',
      '-e',
      'ip.checksum.status'
    ])
    const statuses = checked.stdout.toString().trim().split('\n')
    expect(statuses.length).toBe(rows.length)
    for (const s of statuses) expect(s.split('\t')).toEqual(['1', '1']) // 1 = Good
    const flagsOf = (stream: string) => rows.filter((r) => r[0] === stream).map((r) => r[1].replace(/·/g, '').trim())
    const s0 = flagsOf('0')
    expect(s0.slice(0, 3)).toEqual(['S', 'AS', 'A'])
    expect(s0.filter((f) => f.includes('F')).length).toBe(2)
    const s2 = flagsOf('2')
    expect(s2.filter((f) => f.includes('R')).length).toBe(1)
    expect(s2[s2.length - 1]).toContain('R')
    const comments = rows
      .map((r) => r[4])
      .filter(Boolean)
      .join('\n')
    expect(comments).toContain('paused reading')
    expect(comments).toContain('resumed reading')
    expect(comments).toContain('half-closed')
    expect(comments).toContain('reset the connection')
    // Distinct initial sequence numbers per connection.
    const isn = await tsharkFields(file, ['tcp.seq_raw'], 'tcp.flags.syn==1 && tcp.flags.ack==0')
    expect(new Set(isn.map((r) => r[0])).size).toBe(3)
  })

  it('exports the same conversations as JSONL, hex dump and raw bytes per direction', async () => {
    const jsonl = await exportFile('jsonl', [binId, mibId])
    const lines = jsonl.files[0].content
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const bytesOf = (conn: number, dir: string) =>
      Buffer.concat(
        lines
          .filter((l) => l.type === 'chunk' && l.connection === conn && l.dir === dir)
          .map((l) => Buffer.from(l.data as string, 'base64'))
      )
    expect(bytesOf(binId, 'in').equals(ALL_BYTES)).toBe(true)
    expect(bytesOf(binId, 'out').equals(Buffer.from(ALL_BYTES).reverse())).toBe(true)
    expect(bytesOf(mibId, 'in').equals(MIB)).toBe(true)
    expect(
      lines.filter((l) => l.type === 'chunk' && l.connection === binId && l.dir === 'in').map((l) => l.size)
    ).toEqual([100, 156])
    expect(lines.filter((l) => l.type === 'event' && l.connection === binId).map((l) => l.kind)).toEqual([
      'pause',
      'resume',
      'peer-fin',
      'lab-fin',
      'closed'
    ])
    expect(lines.find((l) => l.type === 'connection' && l.id === binId)?.complete).toBe(true)

    const hex = await exportFile('hexdump', [binId])
    expect(hex.files[0].content).toContain(
      '00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|'
    )
    const parsed = parseHexdump(hex.files[0].content)
    expect(Buffer.concat(parsed.filter((c) => c.dir === 'in').map((c) => c.data)).equals(ALL_BYTES)).toBe(true)
    expect(parsed.filter((c) => c.dir === 'in').map((c) => c.data.length)).toEqual([100, 156])

    const raw = await exportFile('raw', [binId])
    expect(raw.files.map((f) => f.name)).toEqual([
      `tcp-lab-connection-${binId}-in.bin`,
      `tcp-lab-connection-${binId}-out.bin`
    ])
    expect(Buffer.from(raw.files[0].content, 'base64').equals(ALL_BYTES)).toBe(true)
    expect(Buffer.from(raw.files[1].content, 'base64').equals(Buffer.from(ALL_BYTES).reverse())).toBe(true)
  })

  it('refuses ids that name nothing, changing nothing', async () => {
    const r = await lab.session.handle('capture:export', { format: 'pcapng', connectionIds: [999_999] })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toBe('There is no connection 999999')
  })
})

describe('an export of a connection whose older bytes were dropped says so', () => {
  it('marks the gap in pcapng (sequence numbers skip, a comment), JSONL and raw names', async () => {
    const small = createTestLab({ limits: { trafficBytesPerConnection: 1024, trafficBytesTotal: 1024 * 1024 } })
    try {
      const s = await small.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
      const sock = net.connect({ host: '127.0.0.1', port: s.bound.port })
      sock.on('error', () => {})
      await new Promise<void>((r) => sock.once('connect', () => r()))
      const data = randomBytes(10_000)
      for (let i = 0; i < 10; i++) {
        sock.write(data.subarray(i * 1000, (i + 1) * 1000))
        await waitFor(() => [...small.hub.lab.connections.values()].find((c) => c.bytesIn === (i + 1) * 1000), {
          what: `chunk ${i}`
        })
      }
      const conn = [...small.hub.lab.connections.values()][0]
      const out = await small.ok('capture:export', { format: 'pcapng', connectionIds: [conn.id] })
      expect(out.notes.join(' ')).toMatch(/not kept in memory/)
      const file = await saveBase64('gap.pcapng', out.files[0].content)
      // tshark's follow-stream stops at a gap; the segments' payloads show what is there.
      const payload = Buffer.from(
        (await tsharkFields(file, ['tcp.payload'], 'tcp.len > 0')).map((r) => r[0].replace(/:/g, '')).join(''),
        'hex'
      )
      // Only the kept tail is there, and it is exactly the last bytes sent.
      expect(payload.length).toBeGreaterThan(0)
      expect(payload.length).toBeLessThanOrEqual(1024)
      expect(data.subarray(data.length - payload.length).equals(payload)).toBe(true)
      const lost = await tsharkFields(file, ['frame.comment', '_ws.expert.message'], 'tcp.analysis.lost_segment')
      expect(lost.length).toBeGreaterThan(0)
      const comments = (await tsharkFields(file, ['frame.comment'])).map((r) => r[0]).join(' ')
      expect(comments).toMatch(/not kept in memory/)
      const jsonl = await small.ok('capture:export', { format: 'jsonl', connectionIds: [conn.id] })
      const notKept = jsonl.files[0].content
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; bytes?: number })
      expect(notKept.find((l) => l.type === 'connection')).toMatchObject({ complete: false })
      expect(notKept.find((l) => l.type === 'not-kept')?.bytes).toBeGreaterThan(0)
      const raw = await small.ok('capture:export', { format: 'raw', connectionIds: [conn.id] })
      expect(raw.files[0].name).toMatch(/-in-incomplete\.bin$/)
      sock.destroy()
    } finally {
      await small.dispose()
    }
  })
})

describe('the lab talking to itself', () => {
  it('writes a lab client ↔ lab server conversation once, in exports and recordings', async () => {
    const t = createTestLab()
    try {
      const sub = await mkdtemp(join(dir, 'self-'))
      await t.ok('capture:record-start', { dir: sub })
      const echo = await t.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
      const client = await t.ok('client:connect', { host: '127.0.0.1', port: echo.bound.port })
      await t.ok('connection:send', { connectionId: client.id, payload: { format: 'text', text: 'self talk' } })
      await t.waitConn((c) => c.id === client.id && c.bytesIn === 9)
      await t.ok('connection:action', { connectionId: client.id, action: 'close' })
      await t.waitConn((c) => c.origin === 'accepted' && c.state === 'closed')
      const out = await t.ok('capture:export', { format: 'pcapng' })
      expect(out.notes.join(' ')).toMatch(/the lab's own other end of connection/)
      const file = await saveBase64('self.pcapng', out.files[0].content)
      expect(await tcpStreamCount(file)).toBe(1)
      const f = await followTcp(file, 0)
      expect(f.fromNode0.toString()).toBe('self talk')
      expect(f.fromNode1.toString()).toBe('self talk')
      const rec = await t.ok('capture:record-stop', {})
      expect(await tcpStreamCount(rec.file!)).toBe(1)
      const g = await followTcp(rec.file!, 0)
      expect(g.fromNode0.toString()).toBe('self talk')
      expect(g.fromNode1.toString()).toBe('self talk')
    } finally {
      await t.dispose()
    }
  })
})

describe('an export of a connection still open', () => {
  it('has the handshake and the bytes so far, and no FIN', async () => {
    const t = createTestLab()
    try {
      const s = await t.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
      const peer = await connectPeer({ port: s.bound.port })
      peer.socket.write('still open')
      await peer.waitFor('still open')
      const conn = await t.waitConn((c) => c.serverId === s.id && c.bytesOut === 10)
      const out = await t.ok('capture:export', { format: 'pcapng', connectionIds: [conn.id] })
      const file = await saveBase64('open.pcapng', out.files[0].content)
      const f = await followTcp(file, 0)
      expect(f.fromNode0.toString()).toBe('still open')
      expect(f.fromNode1.toString()).toBe('still open')
      const flags = await tsharkFields(file, ['tcp.flags.fin', 'tcp.flags.reset'])
      expect(flags.every((r) => r[0] !== 'True' && r[0] !== '1' && r[1] !== 'True' && r[1] !== '1')).toBe(true)
      peer.socket.destroy()
    } finally {
      await t.dispose()
    }
  })
})

describe('an export of a flood the lab sampled', () => {
  it('keeps the sequence numbers exact across the chunks not kept, and says "a flood"', async () => {
    const t = createTestLab({ limits: { trafficBytesPerConnection: 4 * 1024 * 1024 } })
    try {
      const s = await t.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
      const peer = await connectPeer({ port: s.bound.port })
      const total = 16 * 1024 * 1024
      peer.socket.end(randomBytes(total))
      const conn = await t.waitConn(
        (c) => c.serverId === s.id && c.bytesIn === total && c.state !== 'open',
        'the flood in',
        20_000
      )
      const rec = await t.ok('connection:traffic', { connectionId: conn.id })
      const flood = rec.chunks.filter((c) => c.notKept === 'flood').length
      const out = await t.ok('capture:export', { format: 'pcapng', connectionIds: [conn.id] })
      const file = await saveBase64('flood.pcapng', out.files[0].content)
      // The client's last sequence number accounts for every byte sent, kept or not: 1 (SYN) + bytes + 1 (FIN).
      const rows = await tsharkFields(
        file,
        ['tcp.nxtseq', 'tcp.seq', 'frame.comment'],
        'tcp.srcport != ' + s.bound.port
      )
      const maxSeq = Math.max(...rows.map((r) => Number(r[0] || r[1] || 0)))
      expect(maxSeq).toBe(total + 2)
      if (flood > 0) {
        expect(rows.map((r) => r[2]).join(' ')).toContain('a flood')
        const jsonl = await t.ok('capture:export', { format: 'jsonl', connectionIds: [conn.id] })
        expect(jsonl.files[0].content).toContain('"notKept":"flood"')
      }
      expect(out.notes.join(' ')).toMatch(/not kept in memory/)
    } finally {
      await t.dispose()
    }
  }, 60_000)
})
