import { KERNEL_TCP_STATES, type KernelSocket } from '@shared/kernel-model'
import { formatIPv6 } from './ip-address'

/** A socket as one line of /proc/net/tcp{,6} describes it: everything but its owner and its lab links. */
export type ParsedKernelSocket = Omit<KernelSocket, 'pid' | 'command' | 'labConnectionId' | 'labServerId'>

/** How the kernel printed each 32-bit address word: the machine's own byte order (`os.endianness()`). */
export type ByteOrder = 'LE' | 'BE'

const HEX = /^[0-9A-Fa-f]+$/

function hexWordBytes(word: string, order: ByteOrder): number[] {
  const v = parseInt(word, 16)
  const be = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]
  // The kernel prints each __be32 word with %08X, i.e. as the CPU reads it: byte-swapped on little-endian machines.
  return order === 'LE' ? be.reverse() : be
}

function parseEndpoint(
  text: string,
  family: 'IPv4' | 'IPv6',
  order: ByteOrder
): { address: string; port: number } | undefined {
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  const addr = text.slice(0, colon)
  const portHex = text.slice(colon + 1)
  const wantLen = family === 'IPv4' ? 8 : 32
  if (addr.length !== wantLen || !HEX.test(addr) || portHex.length !== 4 || !HEX.test(portHex)) return undefined
  const bytes: number[] = []
  for (let i = 0; i < wantLen; i += 8) bytes.push(...hexWordBytes(addr.slice(i, i + 8), order))
  const address = family === 'IPv4' ? bytes.join('.') : formatIPv6(Uint8Array.from(bytes))
  return { address, port: parseInt(portHex, 16) }
}

function parseDecimal(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined
}

/** Parses one data line of /proc/net/tcp{,6}; undefined for the header or a malformed line. */
export function parseProcNetTcpLine(
  line: string,
  family: 'IPv4' | 'IPv6',
  order: ByteOrder = 'LE'
): ParsedKernelSocket | undefined {
  // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... (TIME-WAIT and request lines stop near here)
  const f = line.trim().split(/\s+/)
  if (f.length < 10 || !/^\d+:$/.test(f[0]!)) return undefined
  const local = parseEndpoint(f[1]!, family, order)
  const remote = parseEndpoint(f[2]!, family, order)
  if (!local || !remote) return undefined
  const st = f[3]!
  if (!/^[0-9A-Fa-f]{2}$/.test(st)) return undefined
  const state = KERNEL_TCP_STATES[parseInt(st, 16) - 1]
  if (!state) return undefined
  const queues = /^([0-9A-Fa-f]{1,16}):([0-9A-Fa-f]{1,16})$/.exec(f[4]!)
  if (!queues) return undefined
  const uid = parseDecimal(f[7])
  const inode = parseDecimal(f[9])
  if (uid === undefined || inode === undefined) return undefined
  // tx_queue is printed as an unsigned 32-bit difference (write_seq - snd_una); a racy read can make it wrap.
  const tx = parseInt(queues[1]!, 16)
  const rx = parseInt(queues[2]!, 16)
  return {
    family,
    state,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    recvQ: rx > 0x7fffffff ? 0 : rx,
    sendQ: tx > 0x7fffffff ? 0 : tx,
    inode,
    uid
  }
}

/**
 * Parses the text of /proc/net/tcp (family 'IPv4') or /proc/net/tcp6 ('IPv6'); malformed lines are skipped.
 *
 * Queues, as the kernel prints them: for a connected socket `recvQ` is bytes received but not yet read by
 * the program and `sendQ` bytes sent but not yet acknowledged. For a LISTEN socket `recvQ` is the current
 * accept-queue length, but `sendQ` is what /proc prints there, normally 0: unlike `ss`, which asks netlink,
 * /proc does not show the listen backlog. TIME-WAIT and NEW-SYN-RECV entries have inode 0 and uid 0.
 */
export function parseProcNetTcp(text: string, family: 'IPv4' | 'IPv6', order: ByteOrder = 'LE'): ParsedKernelSocket[] {
  const out: ParsedKernelSocket[] = []
  for (const line of text.split('\n')) {
    const parsed = parseProcNetTcpLine(line, family, order)
    if (parsed) out.push(parsed)
  }
  return out
}
