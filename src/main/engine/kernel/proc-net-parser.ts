import { KERNEL_TCP_STATES, type KernelSocket } from '@shared/kernel-model'
import { formatIPv6 } from './ip-address'

/** A socket as one line of /proc/net/tcp{,6} describes it: everything but its owner and its lab links. */
export type ParsedKernelSocket = Omit<KernelSocket, 'pid' | 'command' | 'labConnectionId' | 'labServerId'>

/** How the kernel printed each 32-bit address word: the machine's own byte order (`os.endianness()`). */
export type ByteOrder = 'LE' | 'BE'

/** Decides from a well-formed line's state and ports whether to build its socket at all. */
export type ProcLineFilter = (state: KernelSocket['state'], localPort: number, remotePort: number) => boolean

// sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... (TIME-WAIT and request lines stop near here)
const FIELDS = 10
// Field bounds of the line being parsed, reused: a busy machine has ~70,000 lines per poll.
const starts = new Int32Array(FIELDS)
const ends = new Int32Array(FIELDS)

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

/** Hex value of text[from, to), at most 16 digits; -1 when empty, too long or not hex. */
function hexValue(text: string, from: number, to: number): number {
  if (to <= from || to - from > 16) return -1
  let v = 0
  for (let i = from; i < to; i++) {
    const d = hexDigit(text.charCodeAt(i))
    if (d < 0) return -1
    v = v * 16 + d
  }
  return v
}

/** Decimal value of text[from, to); -1 when empty or not all digits. */
function decimalValue(text: string, from: number, to: number): number {
  if (to <= from) return -1
  let v = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return -1
    v = v * 10 + (c - 48)
  }
  return v
}

/** Finds fields [first, last) of the line, scanning from `at` to `to`; the position after them, or -1 if there are fewer. */
function splitFields(text: string, at: number, to: number, first: number, last: number): number {
  let i = at
  for (let n = first; n < last; n++) {
    while (i < to && isSpace(text.charCodeAt(i))) i++
    if (i >= to) return -1
    starts[n] = i
    while (i < to && !isSpace(text.charCodeAt(i))) i++
    ends[n] = i
  }
  return i
}

/** Port of an `ADDR:PORT` field whose address has `addrLen` hex digits (not checked here); -1 when malformed. */
function endpointPort(text: string, field: number, addrLen: number): number {
  const s = starts[field]!
  if (ends[field]! - s !== addrLen + 5 || text.charCodeAt(s + addrLen) !== 58) return -1
  return hexValue(text, s + addrLen + 1, s + addrLen + 5)
}

function isHexRun(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (hexDigit(text.charCodeAt(i)) < 0) return false
  return true
}

function word(text: string, at: number): number {
  return hexValue(text, at, at + 8) >>> 0
}

// Addresses repeat heavily across lines and polls (a few local and peer addresses), so each is formatted once.
const MAX_CACHED_ADDRESSES = 4096
const addressCache = new Map<string, string>()
const v6Bytes = new Uint8Array(16)

function putBytes(into: Uint8Array, at: number, w: number, order: ByteOrder): void {
  // The kernel prints each __be32 word with %08X, i.e. as the CPU reads it: byte-swapped on little-endian machines.
  const le = order === 'LE'
  into[at] = le ? w & 0xff : w >>> 24
  into[at + 1] = le ? (w >>> 8) & 0xff : (w >>> 16) & 0xff
  into[at + 2] = le ? (w >>> 16) & 0xff : (w >>> 8) & 0xff
  into[at + 3] = le ? w >>> 24 : w & 0xff
}

function address(text: string, at: number, family: 'IPv4' | 'IPv6', order: ByteOrder): string {
  const hex = text.slice(at, at + (family === 'IPv4' ? 8 : 32))
  const key = order === 'LE' ? hex : `BE${hex}`
  const known = addressCache.get(key)
  if (known !== undefined) return known
  let text4or6: string
  if (family === 'IPv4') {
    putBytes(v6Bytes, 0, word(text, at), order)
    text4or6 = `${v6Bytes[0]}.${v6Bytes[1]}.${v6Bytes[2]}.${v6Bytes[3]}`
  } else {
    for (let w = 0; w < 4; w++) putBytes(v6Bytes, 4 * w, word(text, at + 8 * w), order)
    text4or6 = formatIPv6(v6Bytes)
  }
  if (addressCache.size >= MAX_CACHED_ADDRESSES) addressCache.clear()
  addressCache.set(key, text4or6)
  return text4or6
}

function parseRange(
  text: string,
  from: number,
  to: number,
  family: 'IPv4' | 'IPv6',
  order: ByteOrder,
  want: ProcLineFilter | undefined
): ParsedKernelSocket | undefined {
  // State and ports first: most lines of a busy machine are dropped on them before the rest is looked at.
  const head = splitFields(text, from, to, 0, 4)
  if (head < 0) return undefined
  const addrLen = family === 'IPv4' ? 8 : 32
  const localPort = endpointPort(text, 1, addrLen)
  const remotePort = endpointPort(text, 2, addrLen)
  if (localPort < 0 || remotePort < 0 || ends[3]! - starts[3]! !== 2) return undefined
  const state = KERNEL_TCP_STATES[hexValue(text, starts[3]!, ends[3]!) - 1]
  if (!state) return undefined
  if (want && !want(state, localPort, remotePort)) return undefined
  // Field 0 is `sl:`, digits then a colon.
  if (text.charCodeAt(ends[0]! - 1) !== 58 || decimalValue(text, starts[0]!, ends[0]! - 1) < 0) return undefined
  if (!isHexRun(text, starts[1]!, starts[1]! + addrLen) || !isHexRun(text, starts[2]!, starts[2]! + addrLen))
    return undefined
  if (splitFields(text, head, to, 4, FIELDS) < 0) return undefined
  const colon = text.indexOf(':', starts[4]!)
  if (colon < 0 || colon >= ends[4]!) return undefined
  const tx = hexValue(text, starts[4]!, colon)
  const rx = hexValue(text, colon + 1, ends[4]!)
  const uid = decimalValue(text, starts[7]!, ends[7]!)
  const inode = decimalValue(text, starts[9]!, ends[9]!)
  if (tx < 0 || rx < 0 || uid < 0 || inode < 0) return undefined
  return {
    family,
    state,
    localAddress: address(text, starts[1]!, family, order),
    localPort,
    remoteAddress: address(text, starts[2]!, family, order),
    remotePort,
    // tx_queue is printed as an unsigned 32-bit difference (write_seq - snd_una); a racy read can make it wrap.
    recvQ: rx > 0x7fffffff ? 0 : rx,
    sendQ: tx > 0x7fffffff ? 0 : tx,
    inode,
    uid
  }
}

/** Parses one data line of /proc/net/tcp{,6}; undefined for the header or a malformed line. */
export function parseProcNetTcpLine(
  line: string,
  family: 'IPv4' | 'IPv6',
  order: ByteOrder = 'LE'
): ParsedKernelSocket | undefined {
  return parseRange(line, 0, line.length, family, order, undefined)
}

/**
 * Parses the text of /proc/net/tcp (family 'IPv4') or /proc/net/tcp6 ('IPv6'); malformed lines are skipped.
 * With `want`, a line becomes a socket only if `want` says so; it is asked as soon as the line's state and ports
 * are read, before the rest of the line is checked or anything is built.
 *
 * Queues, as the kernel prints them: for a connected socket `recvQ` is bytes received but not yet read by
 * the program and `sendQ` bytes sent but not yet acknowledged. For a LISTEN socket `recvQ` is the current
 * accept-queue length, but `sendQ` is what /proc prints there, normally 0: unlike `ss`, which asks netlink,
 * /proc does not show the listen backlog. TIME-WAIT and NEW-SYN-RECV entries have inode 0 and uid 0.
 */
export function parseProcNetTcp(
  text: string,
  family: 'IPv4' | 'IPv6',
  order: ByteOrder = 'LE',
  want?: ProcLineFilter
): ParsedKernelSocket[] {
  const out: ParsedKernelSocket[] = []
  let from = 0
  while (from < text.length) {
    let to = text.indexOf('\n', from)
    if (to < 0) to = text.length
    const parsed = parseRange(text, from, to, family, order, want)
    if (parsed) out.push(parsed)
    from = to + 1
  }
  return out
}
