import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'

// Bytes that break naive viewers: NUL, terminal escapes, invalid UTF-8, a megabyte with no newline,
// markup. The engine must count and keep them exactly and carry them only as base64, never as text.
const PIECES: Buffer[] = [
  Buffer.from([0x00, 0x00, 0x01, 0x00, 0xff]),
  Buffer.from('\u001b[2J\u001b[31mRED\u001b]0;title\u0007\u001b[0m\r\n', 'utf8'),
  // Invalid UTF-8: a lone continuation byte, an overlong '/', a truncated sequence, an encoded surrogate.
  Buffer.from([0x80, 0xc0, 0xaf, 0xe2, 0x82, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from('<script>alert(1)</script><img src=x onerror=alert(2)>&amp;"\'', 'utf8'),
  Buffer.alloc(1024 * 1024, 'A'),
  Buffer.from('\u202eevil\u200b\ufeff', 'utf8')
]
const ALL = Buffer.concat(PIECES)

/** Sends `data` on a fresh client, half-closes and collects what comes back until the server's FIN. */
function roundTrip(port: number, pieces: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = []
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true })
    s.on('data', (d: Buffer) => got.push(d))
    s.on('end', () => {
      s.destroy()
      resolve(Buffer.concat(got))
    })
    s.on('error', reject)
    s.on('connect', () => {
      for (const p of pieces) s.write(p)
      s.end()
    })
  })
}

let lab: TestLab
afterEach(async () => lab?.dispose())

describe('binary and hostile content is counted and kept exactly, and travels only as base64', () => {
  it('echo with a traffic cap larger than the content and no flood policy: the record holds every byte', async () => {
    lab = createTestLab({ limits: { trafficBytesPerConnection: 4 * 1024 * 1024, trafficFlood: null } })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const back = await roundTrip(server.bound.port, PIECES)
    expect(back.equals(ALL)).toBe(true)
    const conn = await lab.waitConn((c) => c.serverId === server.id && c.state === 'closed', 'the connection to close')
    expect(conn.bytesIn).toBe(ALL.length)
    expect(conn.bytesOut).toBe(ALL.length)

    const record = await lab.ok('connection:traffic', { connectionId: conn.id })
    expect(record.droppedBytes).toBe(0)
    expect(record.droppedChunks).toBe(0)
    for (const dir of ['in', 'out'] as const) {
      const chunks = record.chunks.filter((c) => c.dir === dir)
      expect(chunks.every((c) => c.keptBytes === c.size)).toBe(true)
      expect(Buffer.concat(chunks.map((c) => Buffer.from(c.data, 'base64'))).equals(ALL)).toBe(true)
      expect(chunks.reduce((n, c) => n + c.size, 0)).toBe(ALL.length)
    }
    // Nothing of the content appears as text on the wire to a consumer.
    const wire = JSON.stringify(record) + JSON.stringify(lab.batches)
    for (const needle of [
      '<script',
      '<img',
      '\u001b',
      '\u0000',
      '\u202e',
      'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    ]) {
      expect(wire.includes(needle), `wire contains ${JSON.stringify(needle)}`).toBe(false)
    }
    expect(JSON.stringify(lab.batches)).not.toContain('alert')
  })

  it('with the default cap and flood policy, kept bytes are exact at their offsets, and the accounting adds up', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
    const back = await roundTrip(server.bound.port, [...PIECES, ...PIECES.slice(0, 4)])
    expect(back.length).toBe(0)
    const sent = Buffer.concat([...PIECES, ...PIECES.slice(0, 4)])
    const conn = await lab.waitConn((c) => c.serverId === server.id && c.state === 'closed', 'the connection to close')
    expect(conn.bytesIn).toBe(sent.length)
    const record = await lab.ok('connection:traffic', { connectionId: conn.id })
    const kept = Buffer.concat(record.chunks.map((c) => Buffer.from(c.data, 'base64')))
    expect(kept.length).toBeLessThanOrEqual(lab.hub.lab.limits.trafficBytesPerConnection)
    expect(kept.length + record.droppedBytes + (record.floodBytes ?? 0)).toBe(sent.length)
    // Each chunk shows the exact newest bytes of its place in the stream (its end = total - what came after).
    let endAt = sent.length
    for (const c of [...record.chunks].reverse()) {
      expect(Buffer.from(c.data, 'base64').equals(sent.subarray(endAt - c.keptBytes, endAt))).toBe(true)
      endAt -= c.size
    }
    // The markup at the very end is kept whole (the head and the flood's last bytes are kept) and only as base64.
    expect(kept.includes(PIECES[3])).toBe(true)
    expect(JSON.stringify(record)).not.toContain('<script')
  })

  it('the real nc gets every hostile byte echoed back unchanged', async () => {
    lab = createTestLab({ limits: { trafficBytesPerConnection: 4 * 1024 * 1024 } })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const result = await run('nc', ['-N', '127.0.0.1', String(server.bound.port)], { input: ALL, timeoutMs: 15_000 })
    expect(result.stdout.length).toBe(ALL.length)
    expect(result.stdout.equals(ALL)).toBe(true)
    const conn = await lab.waitConn(
      (c) => c.serverId === server.id && c.state === 'closed',
      'the nc connection to close'
    )
    expect([conn.bytesIn, conn.bytesOut]).toEqual([ALL.length, ALL.length])
  })

  it('the lab sends hostile bytes exactly as the payload names them (hex and escapes)', async () => {
    lab = createTestLab()
    const got: Buffer[] = []
    const sink = net.createServer((s) => s.on('data', (d: Buffer) => got.push(d)).on('error', () => {}))
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r))
    try {
      const port = (sink.address() as net.AddressInfo).port
      const client = await lab.ok('client:connect', { host: '127.0.0.1', port })
      const r1 = await lab.ok('connection:send', {
        connectionId: client.id,
        payload: { format: 'hex', text: '00 1b 5b 32 4a ff fe c0 af' }
      })
      const r2 = await lab.ok('connection:send', {
        connectionId: client.id,
        payload: { format: 'escapes', text: '\\x00<script>\\x1b[0m\\r\\n' }
      })
      const expected = Buffer.concat([
        Buffer.from('001b5b324afffec0af', 'hex'),
        Buffer.from('\u0000<script>\u001b[0m\r\n', 'latin1')
      ])
      expect(r1.bytes + r2.bytes).toBe(expected.length)
      await waitFor(() => Buffer.concat(got).length >= expected.length, { what: 'the sink to receive the bytes' })
      expect(Buffer.concat(got).equals(expected)).toBe(true)
      expect(lab.conn(client.id).bytesOut).toBe(expected.length)
    } finally {
      sink.close()
    }
  })
})
