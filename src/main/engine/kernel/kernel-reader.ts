import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { endianness } from 'node:os'
import type { KernelSocket, KernelView } from '@shared/kernel-model'
import { parseProcNetTcp, type ParsedKernelSocket } from './proc-net-parser'
import { parseBsdNetstat, parseWindowsNetstat, type NetstatSocket } from './netstat-parser'
import { lookupSocketOwners } from './socket-owners'

/** At most this many sockets are returned; the note says when more were cut. */
export const MAX_KERNEL_SOCKETS = 5000

/** What to read: only the lab's ports, or every TCP socket of the machine. */
export interface ReadKernelOptions {
  /** With scope 'lab': keep sockets whose local or remote port is one of these (none given: none kept). */
  ports?: ReadonlySet<number>
  scope: 'lab' | 'all'
  /** Where /proc is; tests only. */
  procRoot?: string
  /** Which OS to act as; tests only. */
  platform?: NodeJS.Platform
}

const NETSTAT_TIMEOUT_MS = 4000

function keep(s: { localPort: number; remotePort: number }, opts: ReadKernelOptions): boolean {
  if (opts.scope === 'all') return true
  const ports = opts.ports
  return ports !== undefined && (ports.has(s.localPort) || ports.has(s.remotePort))
}

function bound<T>(list: T[], notes: string[]): T[] {
  if (list.length <= MAX_KERNEL_SOCKETS) return list
  notes.push(`Showing the first ${MAX_KERNEL_SOCKETS} of ${list.length} sockets.`)
  return list.slice(0, MAX_KERNEL_SOCKETS)
}

async function readProc(opts: ReadKernelOptions, notes: string[]): Promise<KernelSocket[] | undefined> {
  const root = opts.procRoot ?? '/proc'
  const order = endianness()
  const texts = await Promise.all([
    readFile(`${root}/net/tcp`, 'utf8').catch(() => undefined),
    readFile(`${root}/net/tcp6`, 'utf8').catch(() => undefined)
  ])
  if (texts[0] === undefined && texts[1] === undefined) return undefined
  if (texts[1] === undefined) notes.push('No /proc/net/tcp6 here: IPv6 is off, so only IPv4 sockets are listed.')
  const parsed: ParsedKernelSocket[] = [
    ...parseProcNetTcp(texts[0] ?? '', 'IPv4', order),
    ...parseProcNetTcp(texts[1] ?? '', 'IPv6', order)
  ].filter((s) => keep(s, opts))
  const kept = bound(parsed, notes)
  const owners = await lookupSocketOwners(kept.map((s) => s.inode))
  let hidden = 0
  const sockets = kept.map((s): KernelSocket => {
    const owner = owners.get(s.inode)
    if (!owner && s.inode > 0) hidden++
    return { ...s, pid: owner?.pid ?? null, command: owner?.command ?? null, labConnectionId: null, labServerId: null }
  })
  if (hidden > 0) notes.push(`${hidden} socket(s) belong to processes this user may not look into.`)
  if (sockets.some((s) => s.state === 'LISTEN')) {
    notes.push('For LISTEN sockets /proc shows the accept-queue length as Recv-Q but not the backlog: Send-Q is 0 there.')
  }
  return sockets
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: NETSTAT_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024, windowsHide: true },
      (err, stdout) => (err ? reject(err) : resolve(stdout))
    )
  })
}

async function readNetstat(
  platform: NodeJS.Platform,
  opts: ReadKernelOptions,
  notes: string[]
): Promise<KernelSocket[] | undefined> {
  let found: NetstatSocket[]
  try {
    if (platform === 'win32') {
      const [v4, v6] = await Promise.all([
        run('netstat', ['-ano', '-p', 'TCP']),
        run('netstat', ['-ano', '-p', 'TCPv6']).catch(() => '')
      ])
      found = [...parseWindowsNetstat(v4), ...parseWindowsNetstat(v6)]
      notes.push('Read from netstat, best effort: Windows shows no queue sizes, so Recv-Q and Send-Q are 0.')
    } else {
      found = parseBsdNetstat(await run('netstat', ['-an', '-p', 'tcp']))
      notes.push('Read from netstat, best effort: no owners, no uid or inode.')
    }
  } catch {
    return undefined
  }
  const kept = bound(
    found.filter((s) => keep(s, opts)),
    notes
  )
  return kept.map((s) => ({ ...s, command: null, labConnectionId: null, labServerId: null }))
}

/**
 * The kernel's TCP sockets now: on Linux read from /proc/net/tcp{,6} with owners from /proc/[pid]/fd;
 * elsewhere from the system netstat, best effort; 'unavailable' when neither works.
 * `labConnectionId` and `labServerId` are left null (see linkKernelSockets).
 */
export async function readKernelSockets(opts: ReadKernelOptions): Promise<KernelView> {
  const platform = opts.platform ?? process.platform
  const notes: string[] = []
  if (platform === 'linux') {
    const sockets = await readProc(opts, notes)
    if (sockets) return { at: Date.now(), source: 'proc', note: notes.join(' ') || undefined, sockets }
    return { at: Date.now(), source: 'unavailable', note: 'Could not read /proc/net/tcp.', sockets: [] }
  }
  const sockets = await readNetstat(platform, opts, notes)
  if (sockets) return { at: Date.now(), source: 'netstat', note: notes.join(' '), sockets }
  return {
    at: Date.now(),
    source: 'unavailable',
    note: `The kernel's socket list is not available here: netstat could not be run on ${platform}.`,
    sockets: []
  }
}
