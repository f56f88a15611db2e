import { interfaceBlock, LINKTYPE_RAW, packetBlock, sectionHeaderBlock } from './pcapng'
import { ConnectionPacketizer } from './connection-flow'
import type { SynthPacket } from './tcp-synth'
import type { ExportConnection } from './export-source'
import { isIncomplete, timeline } from './export-source'

/** The application name written into every file the lab makes. */
export const CAPTURE_APP = 'TCP Lab'

/** The comment every lab capture carries: the packets are made from what the sockets saw. */
export const SYNTH_NOTE =
  'Written by TCP Lab from what its sockets read and wrote: IP and TCP headers are synthesized (one segment per read or write, ' +
  "PSH on its last segment; handshake from the side that connected; FIN and RST where they happened). Comments mark the lab's actions."

/** One connection's packets, in order, from what memory kept. */
export function connectionPackets(c: ExportConnection): SynthPacket[] {
  const p = new ConnectionPacketizer(c.identity)
  const incomplete = isIncomplete(c)
  const out = p.open(
    c.info.openedAt,
    incomplete
      ? "Older bytes of this connection were not kept in memory (the lab's limits): this export has gaps, marked where they are"
      : undefined
  )
  // Whole chunks dropped from memory were the oldest of each direction: their bytes go before the first kept one.
  p.missing('in', c.notKept.in.bytes, 'were not kept in memory (the oldest go first)', c.notKept.in.chunks)
  p.missing('out', c.notKept.out.bytes, 'were not kept in memory (the oldest go first)', c.notKept.out.chunks)
  let lastAt = c.info.openedAt
  for (const item of timeline(c)) {
    if ('chunk' in item) {
      const k = item.chunk
      const why =
        k.notKept === 'flood' ? 'were not kept in memory (a flood: over the keep rate)' : 'were not kept in memory'
      out.push(...p.chunk(k.dir, k.data, k.at, k.size, why))
      lastAt = item.chunk.at
    } else {
      out.push(...p.mark(item.mark))
      lastAt = item.mark.at
    }
  }
  out.push(...p.flushComments(lastAt))
  return out
}

/** A pcapng file of the given connections, their packets interleaved by time. */
export function exportPcapng(conns: readonly ExportConnection[]): Buffer {
  const all: SynthPacket[] = []
  for (const c of conns) all.push(...connectionPackets(c))
  // Stable: each connection's packets are already in non-decreasing time.
  all.sort((a, b) => a.micros - b.micros)
  const blocks = [sectionHeaderBlock(CAPTURE_APP, SYNTH_NOTE), interfaceBlock(LINKTYPE_RAW, 'tcp-lab')]
  for (const pk of all) blocks.push(packetBlock(pk.micros, pk.data, pk.comment))
  return Buffer.concat(blocks)
}
