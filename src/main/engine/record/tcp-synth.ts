// Synthesized IPv4/IPv6 + TCP packets for a conversation the lab saw through the socket API: the kernel's
// real packets are not visible to an unprivileged program, so the lab writes the packets a capture would show.
import { randomBytes } from 'node:crypto'

/** TCP flag bits. */
export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_PSH = 0x08
export const TCP_ACK = 0x10

/** The largest TCP payload one synthesized segment carries: the IPv4 total length is 16 bits (65,535 − 40). */
export const MAX_SEGMENT_V4 = 65_495
/** IPv6's payload length is 16 bits too; loopback's MTU (65,536) leaves this much after both headers. */
export const MAX_SEGMENT_V6 = 65_476

const WINDOW = 65_535
const EMPTY = new Uint8Array(0)

/** One end of a synthesized flow: 4 or 16 address bytes and a port. */
export interface FlowEnd {
  ip: Uint8Array
  port: number
}

/** A packet to write: its time in microseconds, bytes from the IP header on, an optional comment. */
export interface SynthPacket {
  micros: number
  data: Buffer
  comment?: string
}

/** The side of a TCP conversation: the one that connected, or the one that accepted. */
export type Side = 'client' | 'server'

/** A random initial sequence number (distinct per connection, so a reused 4-tuple is a new stream). */
export function randomIsn(): number {
  return randomBytes(4).readUInt32BE(0)
}

/** Ones' complement sum of 16-bit big-endian words, not folded. */
function sum16(buf: Uint8Array, from: number, to: number, acc: number): number {
  let s = acc
  let i = from
  const even = to - ((to - from) & 1)
  for (; i < even; i += 2) s += (buf[i] << 8) | buf[i + 1]
  if (i < to) s += buf[i] << 8
  return s
}

/**
 * The same sum over a 4-byte-aligned range, four bytes a step: little-endian 32-bit words folded to 16
 * bits give the byte-swapped 16-bit sum (RFC 1071 §2(B): the sum is byte-order independent).
 */
function sum16Fast(buf: Buffer, from: number, to: number, acc: number): number {
  const start = buf.byteOffset + from
  const words = (to - from) >>> 2
  if (start % 4 !== 0 || words < 16) return sum16(buf, from, to, acc)
  const u32 = new Uint32Array(buf.buffer, start, words)
  let le = 0
  // Up to 2^21 words before a Number could lose a bit; packets are far smaller.
  for (let i = 0; i < words; i++) le += u32[i]
  le = fold(le)
  const be = ((le & 0xff) << 8) | (le >>> 8)
  return sum16(buf, from + words * 4, to, acc + be)
}

function fold(s: number): number {
  // Number arithmetic: a sum of up to 2^37 words stays exact; folding twice is enough for 32 bits.
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000)
  return s
}

/** The Internet checksum of a byte range (RFC 1071). */
export function internetChecksum(buf: Uint8Array, from = 0, to = buf.length, initial = 0): number {
  return ~fold(sum16(buf, from, to, initial)) & 0xffff
}

/** One TCP segment in an IP packet, with correct IP and TCP checksums. */
export function buildPacket(
  src: FlowEnd,
  dst: FlowEnd,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array,
  payloadFrom = 0,
  payloadTo = payload.length,
  ipId = 0
): Buffer {
  const v6 = src.ip.length === 16
  const ipLen = v6 ? 40 : 20
  const syn = (flags & TCP_SYN) !== 0
  const tcpLen = syn ? 24 : 20
  const n = payloadTo - payloadFrom
  const buf = Buffer.allocUnsafe(ipLen + tcpLen + n)
  // IP header
  if (v6) {
    buf.writeUInt32BE(0x60000000, 0)
    buf.writeUInt16BE(tcpLen + n, 4)
    buf[6] = 6
    buf[7] = 64
    buf.set(src.ip, 8)
    buf.set(dst.ip, 24)
  } else {
    buf[0] = 0x45
    buf[1] = 0
    buf.writeUInt16BE(ipLen + tcpLen + n, 2)
    buf.writeUInt16BE(ipId & 0xffff, 4)
    buf.writeUInt16BE(0x4000, 6) // don't fragment
    buf[8] = 64
    buf[9] = 6
    buf.writeUInt16BE(0, 10)
    buf.set(src.ip, 12)
    buf.set(dst.ip, 16)
    buf.writeUInt16BE(internetChecksum(buf, 0, 20), 10)
  }
  // TCP header
  const t = ipLen
  buf.writeUInt16BE(src.port, t)
  buf.writeUInt16BE(dst.port, t + 2)
  buf.writeUInt32BE(seq >>> 0, t + 4)
  buf.writeUInt32BE(flags & TCP_ACK ? ack >>> 0 : 0, t + 8)
  buf[t + 12] = (tcpLen / 4) << 4
  buf[t + 13] = flags
  buf.writeUInt16BE(WINDOW, t + 14)
  buf.writeUInt16BE(0, t + 16)
  buf.writeUInt16BE(0, t + 18)
  if (syn) {
    // MSS option: what a segment of this flow may carry.
    buf[t + 20] = 2
    buf[t + 21] = 4
    buf.writeUInt16BE(v6 ? MAX_SEGMENT_V6 : MAX_SEGMENT_V4, t + 22)
  }
  if (n > 0) buf.set(payload.subarray(payloadFrom, payloadTo), t + tcpLen)
  // Pseudo-header: addresses, protocol, TCP length.
  let s = sum16(src.ip, 0, src.ip.length, 0)
  s = sum16(dst.ip, 0, dst.ip.length, s)
  s += 6 + tcpLen + n
  s = sum16Fast(buf, t, buf.length, s)
  buf.writeUInt16BE(~fold(s) & 0xffff, t + 16)
  return buf
}

/**
 * The TCP state of one synthesized conversation: both sides' next sequence numbers, so data, gaps,
 * FIN and RST line up as a capture would show them. Each data chunk becomes one segment (or several
 * below the IP size limit), PSH on its last one so a reader can find the chunk boundaries again.
 */
export class TcpFlow {
  private readonly next: Record<Side, number>
  private readonly ended: Record<Side, boolean> = { client: false, server: false }
  private reset = false
  private ipId: Record<Side, number> = { client: 1, server: 1 }
  readonly maxSegment: number

  constructor(
    readonly client: FlowEnd,
    readonly server: FlowEnd,
    readonly isn: Record<Side, number> = { client: randomIsn(), server: randomIsn() }
  ) {
    this.next = { client: (isn.client + 1) >>> 0, server: (isn.server + 1) >>> 0 }
    this.maxSegment = client.ip.length === 16 ? MAX_SEGMENT_V6 : MAX_SEGMENT_V4
  }

  /** Whether a side sent FIN (or the flow was reset). */
  hasEnded(side: Side): boolean {
    return this.ended[side] || this.reset
  }

  /** Whether an RST ended the flow. */
  get wasReset(): boolean {
    return this.reset
  }

  /** SYN, SYN-ACK, ACK: the client connected. */
  handshake(micros: number, comment?: string): SynthPacket[] {
    const c = this.client
    const s = this.server
    return [
      { micros, data: buildPacket(c, s, this.isn.client, 0, TCP_SYN, EMPTY, 0, 0, this.ipId.client++), comment },
      {
        micros,
        data: buildPacket(s, c, this.isn.server, this.next.client, TCP_SYN | TCP_ACK, EMPTY, 0, 0, this.ipId.server++)
      },
      { micros, data: this.segment('client', TCP_ACK, EMPTY, 0, 0) }
    ]
  }

  /** One chunk from `side`, split below the IP size limit; the comment goes on its first segment. */
  data(side: Side, bytes: Uint8Array, micros: number, comment?: string, from = 0, to = bytes.length): SynthPacket[] {
    const out: SynthPacket[] = []
    for (let i = from; i < to; i += this.maxSegment) {
      const end = Math.min(to, i + this.maxSegment)
      const flags = TCP_ACK | (end === to ? TCP_PSH : 0)
      out.push({ micros, data: this.segment(side, flags, bytes, i, end), comment: i === from ? comment : undefined })
      this.next[side] = (this.next[side] + (end - i)) >>> 0
    }
    return out
  }

  /** Bytes the lab did not keep: the sequence numbers move on, so a reader shows "previous segment not captured". */
  skip(side: Side, bytes: number): void {
    this.next[side] = (this.next[side] + (bytes % 0x1_0000_0000)) >>> 0
  }

  /** A packet with no data from `side`, carrying a comment (a lab action at that moment). */
  note(side: Side, micros: number, comment: string): SynthPacket {
    return { micros, data: this.segment(side, TCP_ACK, EMPTY, 0, 0), comment }
  }

  /** FIN from `side` (once). */
  fin(side: Side, micros: number, comment?: string): SynthPacket[] {
    if (this.hasEnded(side)) return comment ? [this.note(side, micros, comment)] : []
    const p = { micros, data: this.segment(side, TCP_FIN | TCP_ACK, EMPTY, 0, 0), comment }
    this.next[side] = (this.next[side] + 1) >>> 0
    this.ended[side] = true
    return [p]
  }

  /** RST from `side` (once); the flow is over. */
  rst(side: Side, micros: number, comment?: string): SynthPacket[] {
    if (this.reset) return []
    this.reset = true
    return [{ micros, data: this.segment(side, TCP_RST | TCP_ACK, EMPTY, 0, 0), comment }]
  }

  private segment(side: Side, flags: number, payload: Uint8Array, from: number, to: number): Buffer {
    const other: Side = side === 'client' ? 'server' : 'client'
    const [src, dst] = side === 'client' ? [this.client, this.server] : [this.server, this.client]
    return buildPacket(src, dst, this.next[side], this.next[other], flags, payload, from, to, this.ipId[side]++)
  }
}
