import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { TrafficBudget, TrafficRecorder } from '../../src/main/engine/traffic-record'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'

/** The kept bytes of a record, oldest first, as one buffer. */
function keptBytes(r: TrafficRecorder, dir?: 'in' | 'out'): Buffer {
  const rec = r.read(1)
  return Buffer.concat(
    rec.chunks.filter((c) => dir === undefined || c.dir === dir).map((c) => Buffer.from(c.data, 'base64'))
  )
}

/** `n` bytes counting up from `from` (mod 256), so any tail is recognisable. */
function seqBytes(from: number, n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (from + i) & 0xff
  return b
}

describe('traffic record: one connection', () => {
  it('keeps every chunk with its boundaries, direction and size while under the caps', () => {
    const r = new TrafficRecorder(new TrafficBudget(1_000, 10_000, 100))
    r.add('in', Buffer.from('hello\n'), 1)
    r.add('out', Buffer.from('hello\n'), 2)
    r.add('in', Buffer.from('bye'), 3)
    const rec = r.read(7)
    expect(rec.connectionId).toBe(7)
    expect(rec.chunks.map((c) => [c.seq, c.at, c.dir, c.size, Buffer.from(c.data, 'base64').toString()])).toEqual([
      [0, 1, 'in', 6, 'hello\n'],
      [1, 2, 'out', 6, 'hello\n'],
      [2, 3, 'in', 3, 'bye']
    ])
    expect(rec).toMatchObject({ droppedChunks: 0, droppedBytes: 0, nextSeq: 3 })
    expect(r.read(7, 1).chunks.map((c) => c.seq)).toEqual([2])
    expect(r.read(7, 2).chunks).toEqual([])
  })

  it('drops the oldest bytes past the per-connection cap, keeps the newest exactly and counts what it dropped', () => {
    const budget = new TrafficBudget(1_000, 1_000_000, 10_000)
    const r = new TrafficRecorder(budget)
    let sent = 0
    for (let i = 0; i < 37; i++) {
      const size = 10 + ((i * 37) % 90)
      r.add('in', seqBytes(sent, size), i)
      sent += size
    }
    expect(r.keptBytes).toBe(1_000)
    expect(budget.total).toBe(1_000)
    expect(keptBytes(r).equals(seqBytes(sent - 1_000, 1_000))).toBe(true)
    const rec = r.read(1)
    expect(rec.droppedBytes).toBe(sent - 1_000)
    // The oldest kept chunk may be cut: its size says what it was, keptBytes what is left.
    const first = rec.chunks[0]
    expect(first.keptBytes).toBeLessThanOrEqual(first.size)
    expect(rec.chunks.slice(1).every((c) => c.keptBytes === c.size)).toBe(true)
    expect(rec.droppedChunks + rec.chunks.length).toBe(37)
    expect(rec.nextSeq).toBe(37)
  })

  it('keeps only the tail of a single chunk larger than the cap, as a copy', () => {
    const r = new TrafficRecorder(new TrafficBudget(100, 1_000_000, 10))
    const big = seqBytes(0, 5_000)
    r.add('out', big, 1)
    const [c] = r.read(1).chunks
    expect(c.size).toBe(5_000)
    expect(c.keptBytes).toBe(100)
    expect(Buffer.from(c.data, 'base64').equals(seqBytes(4_900, 100))).toBe(true)
    expect(r.read(1).droppedBytes).toBe(4_900)
    big.fill(0)
    expect(Buffer.from(r.read(1).chunks[0].data, 'base64').equals(seqBytes(4_900, 100))).toBe(true)
  })

  it("reads chunks back exactly across the ring buffer's wrap and its growth, for odd sizes", () => {
    const r = new TrafficRecorder(new TrafficBudget(1_000, 1_000_000, 10_000))
    const all: Buffer[] = []
    let sent = 0
    for (let i = 0; i < 500; i++) {
      const size = 1 + ((i * 131) % 333)
      const b = seqBytes(sent, size)
      all.push(b)
      r.add(i % 3 === 0 ? 'out' : 'in', b, i)
      sent += size
      const rec = r.read(1)
      const got = Buffer.concat(rec.chunks.map((c) => Buffer.from(c.data, 'base64')))
      expect(got.equals(seqBytes(sent - got.length, got.length))).toBe(true)
      expect(got.length).toBe(Math.min(sent, 1_000))
      expect(rec.chunks[rec.chunks.length - 1]).toMatchObject({
        seq: i,
        size,
        keptBytes: size,
        dir: i % 3 === 0 ? 'out' : 'in'
      })
    }
    expect(r.capacity).toBe(1_000)
  })

  it('caps the number of chunks, dropping the oldest whole chunks', () => {
    const budget = new TrafficBudget(1_000_000, 10_000_000, 4)
    const r = new TrafficRecorder(budget)
    for (let i = 0; i < 10; i++) r.add(i % 2 ? 'out' : 'in', Buffer.from([i, i]), i)
    const rec = r.read(1)
    expect(rec.chunks.map((c) => c.seq)).toEqual([6, 7, 8, 9])
    expect(rec.droppedChunks).toBe(6)
    expect(rec.droppedBytes).toBe(12)
    expect(r.keptBytes).toBe(8)
    // The budget counts the buffer really held: the smallest ring.
    expect(budget.total).toBe(r.capacity)
    expect(r.capacity).toBe(64)
  })

  it('stays bounded and exact over many thousands of chunks (the compaction of its array)', () => {
    const r = new TrafficRecorder(new TrafficBudget(3_000, 1_000_000, 100))
    let sent = 0
    for (let i = 0; i < 20_000; i++) {
      r.add('in', seqBytes(sent, 7), i)
      sent += 7
    }
    const rec = r.read(1)
    expect(rec.chunks).toHaveLength(100)
    expect(rec.chunks[0].seq).toBe(19_900)
    expect(keptBytes(r).equals(seqBytes(sent - 700, 700))).toBe(true)
    expect(rec.droppedChunks).toBe(19_900)
    expect(rec.droppedBytes).toBe(19_900 * 7)
  })
})

describe('traffic record: the lab-wide budget', () => {
  it('counts the buffers really held and empties the least recently used records first when over', () => {
    const budget = new TrafficBudget(1_024, 2_560, 1_000)
    const [a, b, c, d] = [0, 1, 2, 3].map(() => new TrafficRecorder(budget))
    a.add('in', Buffer.alloc(800), 1)
    expect(a.capacity).toBe(1_024)
    b.add('in', Buffer.alloc(800), 2)
    // a is used again: b is now the least recently appended.
    a.add('in', Buffer.alloc(100), 3)
    c.add('in', Buffer.alloc(300), 4)
    expect(c.capacity).toBe(512)
    expect(budget.total).toBe(2_560)
    d.add('in', Buffer.alloc(300), 5)
    expect(b.keptBytes).toBe(0)
    expect(b.capacity).toBe(0)
    expect(b.read(2)).toMatchObject({ chunks: [], droppedBytes: 800, droppedChunks: 1, nextSeq: 1 })
    expect([a.keptBytes, c.keptBytes, d.keptBytes]).toEqual([900, 300, 300])
    expect(budget.total).toBe(2_048)
    // A dropped record records again from its next seq.
    b.add('in', Buffer.from('again'), 6)
    expect(b.read(2).chunks.map((ch) => [ch.seq, Buffer.from(ch.data, 'base64').toString()])).toEqual([[1, 'again']])
  })

  it('trims the record being appended to when it alone is over the total', () => {
    const budget = new TrafficBudget(1_000, 600, 1_000)
    const a = new TrafficRecorder(budget)
    const other = new TrafficRecorder(budget)
    other.add('in', Buffer.alloc(300), 1)
    a.add('in', seqBytes(0, 900), 2)
    expect(other.keptBytes).toBe(0)
    expect(a.keptBytes).toBe(600)
    expect(keptBytes(a).equals(seqBytes(300, 600))).toBe(true)
    expect(budget.total).toBe(600)
  })

  it('never walks emptied records again: idle records do not cost a busy lab anything', () => {
    const budget = new TrafficBudget(100, 10_000, 1_000)
    const idle = Array.from({ length: 1_000 }, () => new TrafficRecorder(budget))
    for (const r of idle) r.add('in', Buffer.alloc(50), 1)
    // Most idle records were emptied by the budget while the others were added.
    expect(idle.filter((r) => r.keptBytes === 0).length).toBeGreaterThan(700)
    let idleDrops = 0
    for (const r of idle) {
      const own = r.dropAll.bind(r)
      r.dropAll = () => {
        idleDrops++
        own()
      }
    }
    // 200 busy records whose caps add up to twice the total: every append is over the budget.
    const busy = Array.from({ length: 200 }, () => new TrafficRecorder(budget))
    for (let i = 0; i < 50_000; i++) busy[i % 200].add('in', Buffer.alloc(64), i)
    expect(budget.total).toBeLessThanOrEqual(10_000)
    // Each idle record is emptied at most once; an emptied one is never visited again.
    expect(idleDrops).toBeLessThanOrEqual(300)
  })

  it('gives the bytes back when a record is released', () => {
    const budget = new TrafficBudget(1_000, 10_000, 1_000)
    const a = new TrafficRecorder(budget)
    const b = new TrafficRecorder(budget)
    a.add('in', Buffer.alloc(400), 1)
    b.add('in', Buffer.alloc(300), 1)
    budget.release(a)
    expect(budget.total).toBe(b.capacity)
    expect(a.keptBytes).toBe(0)
    expect(a.capacity).toBe(0)
  })
})

describe('traffic record: through real connections', () => {
  let lab: TestLab
  afterEach(async () => lab?.dispose())

  it('keeps the exact last bytes of an echo conversation within the per-connection cap', async () => {
    lab = createTestLab({ limits: { trafficBytesPerConnection: 4_096 } })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const total = 100_000
    const payload = seqBytes(0, total)
    const sock = net.connect(server.bound.port, '127.0.0.1')
    let back = 0
    sock.on('data', (d: Buffer) => (back += d.length))
    sock.end(payload)
    await waitFor(() => back === total, { what: 'the whole echo' })
    const conn = await lab.waitConn((c) => c.bytesIn === total && c.bytesOut === total, 'the counters')
    const rec = await lab.ok('connection:traffic', { connectionId: conn.id })
    const kept = (dir: 'in' | 'out'): Buffer =>
      Buffer.concat(rec.chunks.filter((c) => c.dir === dir).map((c) => Buffer.from(c.data, 'base64')))
    const keptIn = kept('in')
    const keptOut = kept('out')
    // An echo's reply is held once (it is the buffer that was read), so each direction shows up to the cap.
    expect(keptIn.length).toBeLessThanOrEqual(4_096)
    expect(keptOut.length).toBeLessThanOrEqual(4_096)
    // Whatever is kept of each direction is that direction's exact tail.
    expect(keptIn.equals(payload.subarray(total - keptIn.length))).toBe(true)
    expect(keptOut.equals(payload.subarray(total - keptOut.length))).toBe(true)
    expect(rec.droppedBytes + keptIn.length + keptOut.length).toBe(2 * total)
    sock.destroy()
  })

  it('bounds the whole lab: many connections together stay under the total budget', async () => {
    lab = createTestLab({ limits: { trafficBytesPerConnection: 8_192, trafficBytesTotal: 50_000 } })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard' })
    const socks = Array.from({ length: 20 }, () => net.connect(server.bound.port, '127.0.0.1'))
    for (const s of socks) s.write(Buffer.alloc(6_000, 1))
    await waitFor(
      () =>
        lab.hub.lab.connections.size === 20 && [...lab.hub.lab.connections.values()].every((c) => c.bytesIn === 6_000),
      {
        what: '20 × 6000 bytes'
      }
    )
    expect(lab.hub.lab.budget.total).toBeLessThanOrEqual(50_000)
    const held = [...lab.hub.lab.connections.values()].reduce((n, c) => n + c.traffic.capacity, 0)
    expect(held).toBe(lab.hub.lab.budget.total)
    for (const s of socks) s.destroy()
  })
})

describe('traffic record: an echo stored once', () => {
  let lab: TestLab | undefined
  afterEach(async () => lab?.dispose())

  /** Records `n` echo pairs of `size` bytes the way an echo server does: read, then the same buffer back. */
  function echoPairs(r: TrafficRecorder, n: number, size: number): Buffer[] {
    const sent: Buffer[] = []
    for (let i = 0; i < n; i++) {
      const b = seqBytes(i * 7, size)
      r.add('in', b, i)
      r.addRepeat('out', i)
      sent.push(b)
    }
    return sent
  }

  it('reads a repeat back as the same bytes as the chunk before it, without copying them twice', () => {
    const budget = new TrafficBudget(1_000, 1_000_000, 10_000)
    const r = new TrafficRecorder(budget)
    const sent = echoPairs(r, 3, 100)
    const rec = r.read(1)
    expect(rec.chunks.map((c) => [c.dir, c.size, c.keptBytes])).toEqual([
      ['in', 100, 100],
      ['out', 100, 100],
      ['in', 100, 100],
      ['out', 100, 100],
      ['in', 100, 100],
      ['out', 100, 100]
    ])
    expect(keptBytes(r, 'out')).toEqual(Buffer.concat(sent))
    expect(keptBytes(r, 'in')).toEqual(Buffer.concat(sent))
    expect(r.keptBytes).toBe(300)
    // Only the fetched-after part is returned, and a repeat still finds its source's bytes.
    expect(Buffer.from(r.read(1, 4).chunks[0].data, 'base64')).toEqual(sent[2])
  })

  it('keeps the accounting exact when trimming through repeats: shown + dropped = everything recorded', () => {
    const budget = new TrafficBudget(1_000, 1_000_000, 10_000)
    const r = new TrafficRecorder(budget)
    const sent = echoPairs(r, 50, 130)
    const rec = r.read(1)
    const shown = rec.chunks.reduce((n, c) => n + c.keptBytes, 0)
    expect(shown + rec.droppedBytes).toBe(2 * 50 * 130)
    expect(r.keptBytes).toBeLessThanOrEqual(1_000)
    // The newest bytes survive exactly in both directions.
    const tail = Buffer.concat(sent).subarray(-r.keptBytes)
    expect(keptBytes(r, 'in')).toEqual(tail)
    expect(keptBytes(r, 'out')).toEqual(tail)
    expect(rec.chunks[0].dir).toBe('in')
  })

  it('drops a repeat together with its source under the chunk cap', () => {
    const r = new TrafficRecorder(new TrafficBudget(100_000, 1_000_000, 9))
    echoPairs(r, 10, 10)
    const rec = r.read(1)
    expect(rec.chunks.length).toBeLessThanOrEqual(9)
    expect(rec.chunks[0].dir).toBe('in')
    expect(rec.droppedChunks + rec.chunks.length).toBe(20)
    expect(rec.droppedBytes + rec.chunks.reduce((n, c) => n + c.keptBytes, 0)).toBe(200)
  })

  it("records an echo server's writes as repeats, with exact bytes per direction", async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const payload = seqBytes(3, 5_000)
    const client = net.connect(s.bound.port, '127.0.0.1')
    const got: Buffer[] = []
    client.on('data', (d: Buffer) => got.push(d))
    client.end(payload)
    await waitFor(() => Buffer.concat(got).length === payload.length, { what: 'the echo' })
    const conn = await lab.waitConn((c) => c.bytesOut === payload.length, 'the counters')
    const rec = await lab.ok('connection:traffic', { connectionId: conn.id })
    const dirBytes = (d: 'in' | 'out'): Buffer =>
      Buffer.concat(rec.chunks.filter((c) => c.dir === d).map((c) => Buffer.from(c.data, 'base64')))
    expect(dirBytes('in')).toEqual(payload)
    expect(dirBytes('out')).toEqual(payload)
    client.destroy()
  })
})

describe('traffic record: chunk facts are bounded too', () => {
  it('empties the least recently used records when the chunk facts of all records pass their cap', () => {
    // 2 slots of 24 bytes a record at first; a cap of 100 bytes holds two records' facts, not three.
    const budget = new TrafficBudget(10_000, 1_000_000, 1_000, 100)
    const [a, b, c] = [0, 1, 2].map(() => new TrafficRecorder(budget))
    a.add('in', Buffer.from('a'), 1)
    b.add('in', Buffer.from('b'), 2)
    expect(budget.metaTotal).toBe(96)
    c.add('in', Buffer.from('c'), 3)
    expect(a.chunkCount).toBe(0)
    expect([b.chunkCount, c.chunkCount]).toEqual([1, 1])
    expect(budget.metaTotal).toBe(96)
  })

  it('keeps shown + dropped equal to everything recorded when a record with repeats is emptied', () => {
    const budget = new TrafficBudget(10_000, 1_000_000, 1_000)
    const r = new TrafficRecorder(budget)
    for (let i = 0; i < 5; i++) {
      r.add('in', seqBytes(i, 10), i)
      r.addRepeat('out', i)
    }
    r.dropAll()
    const rec = r.read(1)
    expect(rec.chunks).toEqual([])
    expect(rec).toMatchObject({ droppedBytes: 100, droppedChunks: 10, nextSeq: 10 })
    expect([budget.total, budget.metaTotal]).toEqual([0, 0])
  })
})
