import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'
import type { NodePeer } from './support/node-peer'

let lab: TestLab
const peers: NodePeer[] = []
afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy()
  await lab?.dispose()
})

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('latin1')

describe('traffic record', () => {
  it('keeps chunk boundaries and directions, in order', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const p = await connectPeer({ port: s.bound.port })
    peers.push(p)
    p.socket.write('a')
    await p.waitFor('a')
    p.socket.write('bc')
    await p.waitFor('abc')
    p.socket.write('def')
    await p.waitFor('abcdef')
    const t = await lab.ok('connection:traffic', { connectionId: 1 })
    expect(t.chunks.map((c) => `${c.dir}:${c.size}:${decode(c.data)}`)).toEqual([
      'in:1:a',
      'out:1:a',
      'in:2:bc',
      'out:2:bc',
      'in:3:def',
      'out:3:def'
    ])
    expect(t.chunks.map((c) => c.seq)).toEqual([0, 1, 2, 3, 4, 5])
    expect(t.nextSeq).toBe(6)
    expect(t.chunks.every((c) => c.at >= lab.conn(1).openedAt)).toBe(true)
    const newer = await lab.ok('connection:traffic', { connectionId: 1, afterSeq: 3 })
    expect(newer.chunks.map((c) => c.seq)).toEqual([4, 5])
  })

  it('1 MiB through a 256 KiB record: exact counters, kept ≤ cap, oldest dropped, newest bytes intact', async () => {
    // No flood policy here: this is the ring's own behaviour (the policy has its own tests).
    lab = createTestLab({ limits: { trafficFlood: null } })
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
    const data = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 10)) & 0xff
    await run('nc', ['-N', '127.0.0.1', String(s.bound.port)], { input: data })
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.bytesIn).toBe(1024 * 1024)
    const t = await lab.ok('connection:traffic', { connectionId: 1 })
    const kept = t.chunks.reduce((n, ch) => n + ch.keptBytes, 0)
    expect(kept).toBeLessThanOrEqual(256 * 1024)
    expect(kept).toBeGreaterThan(200 * 1024)
    expect(t.droppedBytes).toBe(1024 * 1024 - kept)
    expect(t.droppedChunks).toBeGreaterThan(0)
    // The newest bytes are kept exactly, oldest first dropped.
    const tail = Buffer.concat(t.chunks.map((ch) => Buffer.from(ch.data, 'base64')))
    expect(tail.equals(data.subarray(data.length - kept))).toBe(true)
    expect(t.chunks[0].seq).toBe(t.droppedChunks)
  })

  it('a per-connection cap set in the lab limits applies', async () => {
    lab = createTestLab({ limits: { trafficBytesPerConnection: 10 } })
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const p = await connectPeer({ port: s.bound.port })
    peers.push(p)
    p.socket.write('0123456789')
    await p.waitFor('0123456789')
    p.socket.write('abcd')
    await p.waitFor('abcd')
    const t = await lab.ok('connection:traffic', { connectionId: 1 })
    // The cap bounds the bytes held: an echo's reply is the very buffer it read, held once and shown twice.
    // The newest 10 distinct bytes survive: the tail of the first chunk (and its echo), then 'abcd' (and its echo).
    expect(t.chunks.map((c) => [c.dir, c.size, decode(c.data)])).toEqual([
      ['in', 10, '456789'],
      ['out', 10, '456789'],
      ['in', 4, 'abcd'],
      ['out', 4, 'abcd']
    ])
    expect([t.droppedChunks, t.droppedBytes]).toEqual([0, 8])
    expect(t.chunks.filter((c) => c.dir === 'in').reduce((n, ch) => n + ch.keptBytes, 0)).toBeLessThanOrEqual(10)
    expect(lab.conn(1)).toMatchObject({ bytesIn: 14, bytesOut: 14 })
  })
})
