import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  interfaceBlock,
  LINKTYPE_RAW,
  packetBlock,
  packetBlockParts,
  readPcapng,
  sectionHeaderBlock
} from '../../src/main/engine/record/pcapng'
import { buildPacket, internetChecksum, TCP_ACK, TCP_PSH, TcpFlow } from '../../src/main/engine/record/tcp-synth'
import { ConnectionPacketizer } from '../../src/main/engine/record/connection-flow'

/** RFC 1071 the plain way: 16-bit big-endian words, carries folded. */
function reference(b: Uint8Array): number {
  let s = 0
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0)
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16)
  return ~s & 0xffff
}

describe('pcapng blocks', () => {
  it('reads back what it writes: timestamps in µs, odd lengths padded, comments in UTF-8', () => {
    const packets = [randomBytes(1), randomBytes(3), randomBytes(1500), Buffer.alloc(0)]
    const file = Buffer.concat([
      sectionHeaderBlock('TCP Lab', 'a section comment'),
      interfaceBlock(LINKTYPE_RAW, 'tcp-lab'),
      ...packets.map((p, i) =>
        i % 2 === 0
          ? packetBlock(1_700_000_000_123_456 + i, p, i === 2 ? 'paused — ünïcode' : undefined)
          : Buffer.concat(packetBlockParts(1_700_000_000_123_456 + i, p, 'parts'))
      )
    ])
    expect(file.length % 4).toBe(0)
    const back = readPcapng(file)
    expect(back.map((p) => p.data.equals(packets[back.indexOf(p)]))).toEqual([true, true, true, true])
    expect(back.map((p) => p.micros)).toEqual([0, 1, 2, 3].map((i) => 1_700_000_000_123_456 + i))
    expect(back.map((p) => p.comments)).toEqual([[], ['parts'], ['paused — ünïcode'], ['parts']])
    expect(back.every((p) => p.linkType === LINKTYPE_RAW)).toBe(true)
  })

  it('refuses files that are not pcapng or are cut short, in words', () => {
    expect(() => readPcapng(Buffer.from('GET / HTTP/1.1\r\n\r\n............'))).toThrow(/not a pcapng file/)
    const file = Buffer.concat([
      sectionHeaderBlock('x'),
      interfaceBlock(LINKTYPE_RAW, 'i'),
      packetBlock(1, randomBytes(100))
    ])
    expect(() => readPcapng(file.subarray(0, file.length - 10))).toThrow(/cut short or damaged/)
  })
})

describe('synthesized packets', () => {
  it('computes the Internet checksum like RFC 1071 for any bytes, aligned or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 7 }), (bytes, shift) => {
        const buf = Buffer.alloc(bytes.length + shift)
        buf.set(bytes, shift)
        expect(internetChecksum(buf, shift)).toBe(reference(bytes))
      }),
      { numRuns: 200 }
    )
  })

  it('gives every packet a valid TCP checksum (fast and slow paths) and consistent seq/ack numbers', () => {
    const c = { ip: Uint8Array.from([127, 0, 0, 1]), port: 40000 }
    const s = { ip: Uint8Array.from([127, 0, 0, 1]), port: 9000 }
    for (const n of [0, 1, 63, 64, 65, 1000, 65_495]) {
      const payload = randomBytes(n)
      const p = buildPacket(c, s, 123, 456, TCP_ACK | TCP_PSH, payload)
      // Re-summing the TCP segment with its pseudo-header gives 0 when the checksum is right.
      const pseudo = Buffer.concat([
        Buffer.from(c.ip),
        Buffer.from(s.ip),
        Buffer.from([0, 6]),
        Buffer.from([(p.length - 20) >> 8, (p.length - 20) & 0xff])
      ])
      expect(reference(Buffer.concat([pseudo, p.subarray(20)]))).toBe(0)
      expect(reference(p.subarray(0, 20))).toBe(0)
    }
    const flow = new TcpFlow(c, s, { client: 0xfffffff0, server: 7 })
    flow.handshake(0)
    const segs = flow.data('client', randomBytes(140_000), 1)
    // Split below the IPv4 limit, sequence numbers wrapping past 2^32.
    expect(segs.map((x) => x.data.length - 40)).toEqual([65_495, 65_495, 140_000 - 2 * 65_495])
    expect(segs.map((x) => x.data.readUInt32BE(24))).toEqual([
      0xfffffff1,
      (0xfffffff1 + 65_495) >>> 0,
      (0xfffffff1 + 2 * 65_495) >>> 0
    ])
    expect(segs.map((x) => x.data[33] & TCP_PSH)).toEqual([0, 0, TCP_PSH])
    const [reply] = flow.data('server', Buffer.from('ok'), 2)
    expect(reply.data.readUInt32BE(28)).toBe((0xfffffff1 + 140_000) >>> 0)
  })
})

describe('gaps in the middle of a stream (chunks whose bytes were not kept)', () => {
  it('skips their bytes in the sequence numbers and says so once per run, on the next packet of that side', () => {
    const p = new ConnectionPacketizer({
      id: 1,
      origin: 'accepted',
      family: 'IPv4',
      local: { address: '127.0.0.1', port: 9000 },
      remote: { address: '127.0.0.1', port: 40000 }
    })
    const isn = p.flow.isn.client
    p.open(0)
    const first = p.chunk('in', Buffer.from('abc'), 1)
    expect(p.chunk('in', Buffer.alloc(0), 2, 1000, 'were not kept (flood)')).toEqual([])
    expect(p.chunk('in', Buffer.alloc(0), 3, 1000, 'were not kept (flood)')).toEqual([])
    const reply = p.chunk('out', Buffer.from('ok'), 4)
    const next = p.chunk('in', Buffer.from('xyz'), 5)
    expect(first[0].data.readUInt32BE(24)).toBe((isn + 1) >>> 0)
    expect(next[0].data.readUInt32BE(24)).toBe((isn + 1 + 3 + 2000) >>> 0)
    expect(next[0].comment).toBe(
      'TCP Lab: 2000 bytes in 2 chunks (client to server) were not kept (flood); the sequence numbers skip them'
    )
    // The other side's packets acknowledge what the peer sent, gaps included, and carry no comment.
    expect(reply[0].comment).toBeUndefined()
    expect(reply[0].data.readUInt32BE(28)).toBe((isn + 1 + 3 + 2000) >>> 0)
  })
})
