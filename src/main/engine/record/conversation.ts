import type { Lab } from '../lab'
import { LabFailure } from '../errors'
import { sideOf } from './connection-flow'
import { collectConnections, isIncomplete } from './export-source'
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, PcapngError, readPcapng } from './pcapng'
import type { PcapngPacket } from './pcapng'
import { TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from './tcp-synth'
import type { Side } from './tcp-synth'

/** One read or write of a recorded conversation, by the side that sent it. */
export interface ConversationChunk {
  side: Side
  /** Milliseconds since the epoch. */
  at: number
  data: Buffer
}

/** A recorded TCP conversation, whatever it came from: chunks in order, and how each side ended. */
export interface Conversation {
  chunks: ConversationChunk[]
  ended: Record<Side, boolean>
  /** Where it came from, for messages. */
  label: string
  /** The source lab connection, when there was one. */
  connectionId: number | null
  /** Bytes the source did not have (not kept in memory): the replay sends only what it has. */
  incomplete: boolean
}

/** A lab connection's kept record as a conversation. */
export function conversationOfConnection(lab: Lab, connectionId: number): Conversation {
  const [c] = collectConnections(lab, [connectionId])
  const ended = { client: false, server: false }
  for (const m of c.marks) {
    if (m.kind === 'peer-fin') ended[c.identity.origin === 'accepted' ? 'client' : 'server'] = true
    if (m.kind === 'lab-fin') ended[c.identity.origin === 'accepted' ? 'server' : 'client'] = true
  }
  return {
    // A chunk whose bytes were not kept has nothing to replay (the conversation is marked incomplete).
    chunks: c.chunks
      .filter((k) => k.data.length > 0)
      .map((k) => ({ side: sideOf(c.identity.origin, k.dir), at: k.at, data: k.data })),
    ended,
    label: `connection ${connectionId}`,
    connectionId,
    incomplete: isIncomplete(c)
  }
}

/** A TCP segment read back from a packet. */
interface Segment {
  micros: number
  key: string
  srcKey: string
  seq: number
  flags: number
  payload: Buffer
}

function hostKey(ip: Buffer, port: number): string {
  return `${ip.toString('hex')}:${port}`
}

function parseSegment(p: PcapngPacket): Segment | null {
  let d = p.data
  if (p.linkType === LINKTYPE_ETHERNET) {
    if (d.length < 14) return null
    d = d.subarray(14)
  } else if (p.linkType !== LINKTYPE_RAW) return null
  if (d.length < 20) return null
  const version = d[0] >> 4
  let src: Buffer
  let dst: Buffer
  let tcp: Buffer
  if (version === 4) {
    const ihl = (d[0] & 0x0f) * 4
    if (d[9] !== 6 || d.length < ihl + 20) return null
    const total = Math.min(d.readUInt16BE(2), d.length)
    src = d.subarray(12, 16)
    dst = d.subarray(16, 20)
    tcp = d.subarray(ihl, total)
  } else if (version === 6) {
    if (d[6] !== 6 || d.length < 60) return null
    src = d.subarray(8, 24)
    dst = d.subarray(24, 40)
    tcp = d.subarray(40, Math.min(d.length, 40 + d.readUInt16BE(4)))
  } else return null
  if (tcp.length < 20) return null
  const sp = tcp.readUInt16BE(0)
  const dp = tcp.readUInt16BE(2)
  const off = (tcp[12] >> 4) * 4
  const a = hostKey(src, sp)
  const b = hostKey(dst, dp)
  return {
    micros: p.micros,
    key: a < b ? `${a}|${b}` : `${b}|${a}`,
    srcKey: a,
    seq: tcp.readUInt32BE(4),
    flags: tcp[13],
    payload: tcp.subarray(Math.min(off, tcp.length))
  }
}

interface StreamBuild {
  client: string
  next: Record<Side, number | null>
  open: Record<Side, { at: number; parts: Buffer[] } | null>
  conv: Conversation
}

function flushChunk(s: StreamBuild, side: Side): void {
  const o = s.open[side]
  if (o && o.parts.length > 0) s.conv.chunks.push({ side, at: o.at, data: Buffer.concat(o.parts) })
  s.open[side] = null
}

/**
 * The TCP streams of a pcapng file, in the order their SYNs appear (tshark's stream numbers for the
 * lab's files). Each direction is reassembled by sequence number; a segment with PSH ends a chunk,
 * so the lab's own files give back their original read and write boundaries.
 */
export function conversationsOfPcapng(file: Buffer, label = 'the capture'): Conversation[] {
  let packets: PcapngPacket[]
  try {
    packets = readPcapng(file)
  } catch (err) {
    if (err instanceof PcapngError) throw new LabFailure('bad-capture', `Cannot read ${label}: ${err.message}`)
    throw err
  }
  const streams: StreamBuild[] = []
  const live = new Map<string, StreamBuild>()
  for (const p of packets) {
    const seg = parseSegment(p)
    if (!seg) continue
    const isSyn = (seg.flags & TCP_SYN) !== 0
    let s = live.get(seg.key)
    if (isSyn && !(seg.flags & 0x10)) {
      // A new SYN on a 4-tuple starts a new stream.
      if (s) for (const side of ['client', 'server'] as const) flushChunk(s, side)
      s = {
        client: seg.srcKey,
        next: { client: (seg.seq + 1) >>> 0, server: null },
        open: { client: null, server: null },
        conv: {
          chunks: [],
          ended: { client: false, server: false },
          label: `${label}, stream ${streams.length}`,
          connectionId: null,
          incomplete: false
        }
      }
      streams.push(s)
      live.set(seg.key, s)
      continue
    }
    if (!s) continue
    const side: Side = seg.srcKey === s.client ? 'client' : 'server'
    if (isSyn) {
      s.next[side] = (seg.seq + 1) >>> 0
      continue
    }
    if (s.next[side] === null) s.next[side] = seg.seq
    if (seg.payload.length > 0) {
      const expected = s.next[side]!
      const ahead = (seg.seq - expected) | 0
      if (ahead < 0) continue // a retransmission of bytes already taken
      if (ahead > 0) {
        // Bytes never captured: what was before them is a chunk of its own.
        flushChunk(s, side)
        s.conv.incomplete = true
      }
      const o = (s.open[side] ??= { at: seg.micros / 1000, parts: [] })
      o.parts.push(seg.payload)
      s.next[side] = (seg.seq + seg.payload.length) >>> 0
      if (seg.flags & TCP_PSH) flushChunk(s, side)
    }
    if (seg.flags & (TCP_FIN | TCP_RST)) {
      flushChunk(s, side)
      if (seg.flags & TCP_FIN) {
        s.conv.ended[side] = true
        s.next[side] = ((s.next[side] ?? seg.seq) + 1) >>> 0
      }
    }
  }
  for (const s of streams) for (const side of ['client', 'server'] as const) flushChunk(s, side)
  // Chunks of the two sides were flushed at different moments: put them back in time order (stable).
  for (const s of streams) s.conv.chunks.sort((a, b) => a.at - b.at)
  return streams.map((s) => s.conv)
}
