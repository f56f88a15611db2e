// pcapng blocks (https://www.ietf.org/archive/id/draft-tuexen-opsawg-pcapng-05.html), little-endian.
// Only what the lab writes and reads back: SHB, IDB, EPB and their comment options.

/** LINKTYPE_RAW: each packet starts with its IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101
/** LINKTYPE_ETHERNET, read back when a file was rewritten by another tool. */
export const LINKTYPE_ETHERNET = 1

const SHB_TYPE = 0x0a0d0d0a
const IDB_TYPE = 0x00000001
const EPB_TYPE = 0x00000006
const BYTE_ORDER_MAGIC = 0x1a2b3c4d
const OPT_END = 0
const OPT_COMMENT = 1
const SHB_USERAPPL = 4
const IF_NAME = 2
const IF_TSRESOL = 9

function pad4(n: number): number {
  return (n + 3) & ~3
}

/** One option as code + value bytes. */
interface BlockOption {
  code: number
  value: Buffer
}

function optionsLength(options: readonly BlockOption[]): number {
  if (options.length === 0) return 0
  let n = 4 // opt_endofopt
  for (const o of options) n += 4 + pad4(o.value.length)
  return n
}

function writeOptions(buf: Buffer, at: number, options: readonly BlockOption[]): number {
  if (options.length === 0) return at
  for (const o of options) {
    buf.writeUInt16LE(o.code, at)
    buf.writeUInt16LE(o.value.length, at + 2)
    o.value.copy(buf, at + 4)
    at += 4 + pad4(o.value.length)
  }
  buf.writeUInt32LE(OPT_END, at)
  return at + 4
}

function textOption(code: number, text: string): BlockOption {
  // An option's length is 16 bits: a very long comment is cut rather than corrupting the block.
  let value = Buffer.from(text, 'utf8')
  if (value.length > 65_000) value = value.subarray(0, 65_000)
  return { code, value }
}

/** Section Header Block: opens the file (byte order, version 1.0, unknown section length). */
export function sectionHeaderBlock(app: string, comment?: string): Buffer {
  const options = [textOption(SHB_USERAPPL, app)]
  if (comment) options.unshift(textOption(OPT_COMMENT, comment))
  const total = 28 + optionsLength(options)
  const buf = Buffer.alloc(total)
  buf.writeUInt32LE(SHB_TYPE, 0)
  buf.writeUInt32LE(total, 4)
  buf.writeUInt32LE(BYTE_ORDER_MAGIC, 8)
  buf.writeUInt16LE(1, 12)
  buf.writeUInt16LE(0, 14)
  buf.writeInt32LE(-1, 16)
  buf.writeInt32LE(-1, 20)
  writeOptions(buf, 24, options)
  buf.writeUInt32LE(total, total - 4)
  return buf
}

/** Interface Description Block with microsecond timestamps (if_tsresol = 6). */
export function interfaceBlock(linkType: number, name: string): Buffer {
  const options = [textOption(IF_NAME, name), { code: IF_TSRESOL, value: Buffer.from([6]) }]
  const total = 20 + optionsLength(options)
  const buf = Buffer.alloc(total)
  buf.writeUInt32LE(IDB_TYPE, 0)
  buf.writeUInt32LE(total, 4)
  buf.writeUInt16LE(linkType, 8)
  buf.writeUInt16LE(0, 10)
  buf.writeUInt32LE(0, 12) // snaplen 0: no limit
  writeOptions(buf, 16, options)
  buf.writeUInt32LE(total, total - 4)
  return buf
}

/** Enhanced Packet Block on interface 0; `micros` is microseconds since the epoch. */
export function packetBlock(micros: number, packet: Buffer, comment?: string): Buffer {
  const options = comment ? [textOption(OPT_COMMENT, comment)] : []
  const total = 32 + pad4(packet.length) + optionsLength(options)
  const buf = Buffer.alloc(total)
  buf.writeUInt32LE(EPB_TYPE, 0)
  buf.writeUInt32LE(total, 4)
  buf.writeUInt32LE(0, 8)
  const ts = Math.max(0, Math.round(micros))
  buf.writeUInt32LE(Math.floor(ts / 0x1_0000_0000), 12)
  buf.writeUInt32LE(ts % 0x1_0000_0000, 16)
  buf.writeUInt32LE(packet.length, 20)
  buf.writeUInt32LE(packet.length, 24)
  packet.copy(buf, 28)
  writeOptions(buf, 28 + pad4(packet.length), options)
  buf.writeUInt32LE(total, total - 4)
  return buf
}

/** An Enhanced Packet Block as [header, the packet itself, trailer], so a writer can hand the packet over without copying it. */
export function packetBlockParts(micros: number, packet: Buffer, comment?: string): [Buffer, Buffer, Buffer] {
  const options = comment ? [textOption(OPT_COMMENT, comment)] : []
  const padded = pad4(packet.length)
  const total = 32 + padded + optionsLength(options)
  const head = Buffer.alloc(28)
  head.writeUInt32LE(EPB_TYPE, 0)
  head.writeUInt32LE(total, 4)
  head.writeUInt32LE(0, 8)
  const ts = Math.max(0, Math.round(micros))
  head.writeUInt32LE(Math.floor(ts / 0x1_0000_0000), 12)
  head.writeUInt32LE(ts % 0x1_0000_0000, 16)
  head.writeUInt32LE(packet.length, 20)
  head.writeUInt32LE(packet.length, 24)
  const tail = Buffer.alloc(padded - packet.length + optionsLength(options) + 4)
  const end = writeOptions(tail, padded - packet.length, options)
  tail.writeUInt32LE(total, end)
  return [head, packet, tail]
}

/** A packet read back from a pcapng file. */
export interface PcapngPacket {
  /** Microseconds since the epoch (as resolved with the interface's if_tsresol). */
  micros: number
  linkType: number
  data: Buffer
  comments: string[]
}

/** Why a file could not be read as pcapng, in words. */
export class PcapngError extends Error {}

function readOptions(buf: Buffer, from: number, to: number): BlockOption[] {
  const out: BlockOption[] = []
  let at = from
  while (at + 4 <= to) {
    const code = buf.readUInt16LE(at)
    const len = buf.readUInt16LE(at + 2)
    if (code === OPT_END) break
    if (at + 4 + len > to) break
    out.push({ code, value: buf.subarray(at + 4, at + 4 + len) })
    at += 4 + pad4(len)
  }
  return out
}

/** Reads the packets of a little-endian pcapng file (the lab's own, or one another tool rewrote). */
export function readPcapng(buf: Buffer): PcapngPacket[] {
  if (buf.length < 28 || buf.readUInt32LE(0) !== SHB_TYPE)
    throw new PcapngError('This is not a pcapng file (no section header block at its start)')
  if (buf.readUInt32LE(8) !== BYTE_ORDER_MAGIC) throw new PcapngError('Only little-endian pcapng files can be read')
  const packets: PcapngPacket[] = []
  let interfaces: { linkType: number; unitsPerSecond: number }[] = []
  let at = 0
  // Bounded: each block advances by its length of at least 12 bytes.
  while (at + 12 <= buf.length) {
    const type = buf.readUInt32LE(at)
    const total = buf.readUInt32LE(at + 4)
    if (total < 12 || total % 4 !== 0 || at + total > buf.length) {
      throw new PcapngError(`Block at byte ${at} has a bad length (${total}); the file is cut short or damaged`)
    }
    if (type === SHB_TYPE) interfaces = []
    else if (type === IDB_TYPE) {
      let unitsPerSecond = 1e6
      for (const o of readOptions(buf, at + 16, at + total - 4)) {
        if (o.code === IF_TSRESOL && o.value.length >= 1) {
          const v = o.value[0]
          unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v
        }
      }
      interfaces.push({ linkType: buf.readUInt16LE(at + 8), unitsPerSecond })
    } else if (type === EPB_TYPE) {
      const iface = interfaces[buf.readUInt32LE(at + 8)]
      if (!iface) throw new PcapngError(`Packet at byte ${at} names an interface the file never described`)
      const ts = buf.readUInt32LE(at + 12) * 0x1_0000_0000 + buf.readUInt32LE(at + 16)
      const caplen = buf.readUInt32LE(at + 20)
      if (28 + caplen > total - 4) throw new PcapngError(`Packet at byte ${at} is longer than its block`)
      const comments = readOptions(buf, at + 28 + pad4(caplen), at + total - 4)
        .filter((o) => o.code === OPT_COMMENT)
        .map((o) => o.value.toString('utf8'))
      packets.push({
        micros: (ts / iface.unitsPerSecond) * 1e6,
        linkType: iface.linkType,
        data: buf.subarray(at + 28, at + 28 + caplen),
        comments
      })
    }
    at += total
  }
  return packets
}
