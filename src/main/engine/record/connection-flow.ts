import type { Endpoint, Family } from '@shared/model'
import type { ConnectionMark } from '../lab-connection'
import { parseIPv4, parseIPv6 } from '../kernel/ip-address'
import type { FlowEnd, Side, SynthPacket } from './tcp-synth'
import { TcpFlow } from './tcp-synth'

/** What names a connection in a capture: who connected, the addresses, a Unix path. */
export interface FlowIdentity {
  id: number
  origin: 'accepted' | 'outgoing'
  family: Family
  local: Endpoint
  remote: Endpoint
  unixPath?: string
}

/** The side that sent a chunk the lab read ('in') or wrote ('out'). */
export function sideOf(origin: 'accepted' | 'outgoing', dir: 'in' | 'out'): Side {
  return (origin === 'accepted') === (dir === 'in') ? 'client' : 'server'
}

/** The lab's own side of a connection. */
export function labSide(origin: 'accepted' | 'outgoing'): Side {
  return origin === 'accepted' ? 'server' : 'client'
}

function other(side: Side): Side {
  return side === 'client' ? 'server' : 'client'
}

function ipBytes(address: string): Uint8Array | undefined {
  const v4 = parseIPv4(address)
  if (v4) return v4
  const v6 = parseIPv6(address)
  if (!v6) return undefined
  // An IPv4-mapped address (a dual-stack listener) is written as plain IPv4.
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff
  return mapped ? v6.slice(12) : v6
}

/** The client and server ends of a capture; Unix sockets (no IP) get loopback addresses made up for them. */
export function flowEnds(id: FlowIdentity): { client: FlowEnd; server: FlowEnd; note?: string } {
  const [clientEp, serverEp] = id.origin === 'accepted' ? [id.remote, id.local] : [id.local, id.remote]
  const c = id.family === 'unix' ? undefined : ipBytes(clientEp.address)
  const s = id.family === 'unix' ? undefined : ipBytes(serverEp.address)
  if (c && s && c.length === s.length)
    return { client: { ip: c, port: clientEp.port }, server: { ip: s, port: serverEp.port } }
  // Made-up ends: 127.0.0.2:(1024 + id) → 127.0.0.3:1, one client port per connection.
  const note =
    id.family === 'unix'
      ? `Unix socket connection ${id.id} (unix:${id.unixPath ?? '?'}) shown with synthesized loopback addresses 127.0.0.2 → 127.0.0.3: a Unix socket has no IP packets`
      : `Connection ${id.id}: addresses ${clientEp.address} → ${serverEp.address} could not be written as IP; synthesized loopback addresses shown`
  return {
    client: { ip: Uint8Array.from([127, 0, 0, 2]), port: 1024 + (id.id % 64_000) },
    server: { ip: Uint8Array.from([127, 0, 0, 3]), port: 1 },
    note
  }
}

/**
 * Turns one connection's chunks and marks into packets, in the order they happened. Shared by the
 * export (from memory) and the disk recorder (live), so both write the same conversation.
 */
export class ConnectionPacketizer {
  readonly flow: TcpFlow
  private readonly origin: 'accepted' | 'outgoing'
  private lastMicros = 0
  /** A comment waiting for the next packet of a side (bytes not kept, a note). */
  private readonly pendingComment: Record<Side, string | undefined> = { client: undefined, server: undefined }
  /** Bytes of a side skipped since its last packet, told once on its next packet (a flood leaves many small gaps). */
  private readonly lost: Record<Side, { bytes: number; chunks: number; why: string } | null> = {
    client: null,
    server: null
  }
  readonly note: string | undefined

  constructor(readonly identity: FlowIdentity) {
    const ends = flowEnds(identity)
    this.flow = new TcpFlow(ends.client, ends.server)
    this.origin = identity.origin
    this.note = ends.note
  }

  /** The handshake at the connection's start (or when recording began, with a comment saying so). */
  open(at: number, comment?: string): SynthPacket[] {
    const text = [this.note, comment].filter(Boolean).join('. ')
    return this.flow.handshake(this.time(at), text ? `TCP Lab: ${text}` : undefined)
  }

  /**
   * One chunk of `total` bytes of which the lab has the last `data.length` (the rest was not kept, e.g. a
   * flood's sampled-out chunk): the missing bytes are skipped and told on the side's next packet.
   */
  chunk(
    dir: 'in' | 'out',
    data: Uint8Array,
    at: number,
    total = data.length,
    why = 'were not kept in memory'
  ): SynthPacket[] {
    const side = sideOf(this.origin, dir)
    if (total > data.length) this.skipped(side, total - data.length, data.length === 0 ? 1 : 0, why)
    if (data.length === 0) return []
    return this.flow.data(side, data, this.time(at), this.takeComment(side))
  }

  /** Bytes from `dir` the lab does not have: sequence numbers jump, and the side's next packet says why. */
  missing(dir: 'in' | 'out', bytes: number, why: string, chunks = 0): void {
    if (bytes <= 0) return
    this.skipped(sideOf(this.origin, dir), bytes, chunks, why)
  }

  private skipped(side: Side, bytes: number, chunks: number, why: string): void {
    this.flow.skip(side, bytes)
    const l = this.lost[side]
    if (l && l.why === why) {
      l.bytes += bytes
      l.chunks += chunks
      return
    }
    if (l) this.tellLost(side)
    this.lost[side] = { bytes, chunks, why }
  }

  /** Moves a side's count of skipped bytes into its pending comment. */
  private tellLost(side: Side): void {
    const l = this.lost[side]
    if (!l) return
    this.lost[side] = null
    const inChunks = l.chunks > 0 ? ` in ${l.chunks} chunks` : ''
    const text = `TCP Lab: ${l.bytes} bytes${inChunks} (${side} to ${other(side)}) ${l.why}; the sequence numbers skip them`
    this.pendingComment[side] = this.pendingComment[side] ? `${this.pendingComment[side]}; ${text}` : text
  }

  /** Packets for a mark: FIN, RST, or an empty segment carrying the lab's action as a comment. */
  mark(m: ConnectionMark): SynthPacket[] {
    const lab = labSide(this.origin)
    const peer = other(lab)
    const us = this.time(m.at)
    const text = `TCP Lab: ${m.text ?? m.kind}`
    switch (m.kind) {
      case 'peer-fin':
        return this.flow.fin(peer, us, this.takeComment(peer))
      case 'lab-fin':
        return this.flow.fin(lab, us, this.joined(lab, text))
      case 'peer-reset':
        return this.flow.rst(peer, us, this.joined(peer, text))
      case 'lab-reset':
        return this.flow.rst(lab, us, this.joined(lab, text))
      case 'closed':
        // Closing a socket that never sent FIN sends one now (unless it was reset).
        if (this.flow.wasReset) return []
        return this.flow.hasEnded(lab) ? [] : this.flow.fin(lab, us, this.joined(lab, text))
      default:
        return this.flow.wasReset ? [] : [this.flow.note(lab, us, this.joined(lab, text) ?? text)]
    }
  }

  /** Leaves no comment unwritten: a side's pending comment goes on an empty segment. */
  flushComments(at: number): SynthPacket[] {
    const out: SynthPacket[] = []
    for (const side of ['client', 'server'] as const) {
      const c = this.takeComment(side)
      if (c) out.push(this.flow.note(side, this.time(at), c))
    }
    return out
  }

  private joined(side: Side, text: string): string | undefined {
    const c = this.takeComment(side)
    return c ? `${c}; ${text}` : text
  }

  private takeComment(side: Side): string | undefined {
    this.tellLost(side)
    const c = this.pendingComment[side]
    this.pendingComment[side] = undefined
    return c
  }

  /** Microseconds, never going back within one connection (a reader sorts by time). */
  private time(at: number): number {
    const us = Math.max(this.lastMicros, Math.round(at * 1000))
    this.lastMicros = us
    return us
  }
}
