import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { endianness } from 'node:os'
import type { KernelSocket, KernelView } from '@shared/kernel-model'
import { parseProcNetTcp, type ParsedKernelSocket } from './proc-net-parser'
import { parseBsdNetstat, parseWindowsNetstat, type NetstatSocket } from './netstat-parser'
import { lookupSocketOwners, scanSocketOwners, type SocketOwner } from './socket-owners'

/** At most this many sockets are returned (LISTEN first, TIME-WAIT last); the note says what was cut. */
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
  /** Keep only LISTEN sockets. */
  listenersOnly?: boolean
  /** Find owners by scanning /proc for just these sockets now, bypassing the shared cache (never stale, can be slower). */
  freshOwners?: boolean
}

const NETSTAT_TIMEOUT_MS = 4000

type State = KernelSocket['state']

function portsMatch(localPort: number, remotePort: number, opts: ReadKernelOptions): boolean {
  if (opts.scope === 'all') return true
  const ports = opts.ports
  return ports !== undefined && (ports.has(localPort) || ports.has(remotePort))
}

// Cut order: listeners first (the lab's subject), then live connections, TIME-WAIT last (often tens of thousands).
function rank(state: State): 0 | 1 | 2 {
  return state === 'LISTEN' ? 0 : state === 'TIME-WAIT' ? 2 : 1
}

/** Keeps at most MAX_KERNEL_SOCKETS, by rank, while counting everything offered. */
class CappedSelection<T extends { state: State }> {
  private readonly offered = new Map<State, number>()
  private readonly admitted = [0, 0, 0]
  private total = 0
  readonly items: T[] = []

  /** Counts a socket and says whether it may still be among the kept ones (so whether to build it). */
  offer(state: State): boolean {
    this.total++
    this.offered.set(state, (this.offered.get(state) ?? 0) + 1)
    const r = rank(state)
    // No rank ever needs more than the cap, so sockets past it in their rank are never built.
    if (this.admitted[r]! >= MAX_KERNEL_SOCKETS) return false
    this.admitted[r]!++
    return true
  }

  /** The kept sockets: all in source order when under the cap, else by rank; adds a note on what was cut. */
  finish(notes: string[]): T[] {
    if (this.total <= MAX_KERNEL_SOCKETS) return this.items
    const kept = [0, 1, 2].flatMap((r) => this.items.filter((s) => rank(s.state) === r)).slice(0, MAX_KERNEL_SOCKETS)
    const left = new Map(this.offered)
    for (const s of kept) left.set(s.state, left.get(s.state)! - 1)
    const cut = [...left]
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([state, n]) => `${n} ${state}`)
    notes.push(
      `Showing ${MAX_KERNEL_SOCKETS} of ${this.total} sockets, listeners first and TIME-WAIT last; left out: ${cut.join(', ')}.`
    )
    return kept
  }
}

async function ownersOf(inodes: number[], fresh: boolean | undefined): Promise<ReadonlyMap<number, SocketOwner>> {
  if (!fresh) return lookupSocketOwners(inodes)
  const wanted = new Set(inodes.filter((i) => i > 0))
  return wanted.size === 0 ? new Map() : (await scanSocketOwners(wanted)).owners
}

async function readProc(opts: ReadKernelOptions, notes: string[]): Promise<KernelSocket[] | undefined> {
  const root = opts.procRoot ?? '/proc'
  const order = endianness()
  // The files are ASCII; latin1 decodes a 10 MB table faster than utf8.
  const texts = await Promise.all([
    readFile(`${root}/net/tcp`, 'latin1').catch(() => undefined),
    readFile(`${root}/net/tcp6`, 'latin1').catch(() => undefined)
  ])
  if (texts[0] === undefined && texts[1] === undefined) return undefined
  if (texts[1] === undefined) notes.push('No /proc/net/tcp6 here: IPv6 is off, so only IPv4 sockets are listed.')
  const selection = new CappedSelection<ParsedKernelSocket>()
  // Ports and state are read first: a line that is filtered out or past the cap never becomes an object.
  const want = (state: State, localPort: number, remotePort: number): boolean =>
    portsMatch(localPort, remotePort, opts) && (!opts.listenersOnly || state === 'LISTEN') && selection.offer(state)
  for (const [i, family] of (['IPv4', 'IPv6'] as const).entries()) {
    for (const s of parseProcNetTcp(texts[i] ?? '', family, order, want)) selection.items.push(s)
  }
  const kept = selection.finish(notes)
  const owners = await ownersOf(
    kept.map((s) => s.inode),
    opts.freshOwners
  )
  let hidden = 0
  const sockets = kept.map((s): KernelSocket => {
    const owner = owners.get(s.inode)
    if (!owner && s.inode > 0) hidden++
    return { ...s, pid: owner?.pid ?? null, command: owner?.command ?? null, labConnectionId: null, labServerId: null }
  })
  if (hidden > 0) notes.push(`${hidden} socket(s) belong to processes this user may not look into.`)
  if (sockets.some((s) => s.state === 'LISTEN')) {
    notes.push(
      'For LISTEN sockets /proc shows the accept-queue length as Recv-Q but not the backlog: Send-Q is 0 there.'
    )
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

/** netstat by its absolute system path: a `netstat.exe` in the working directory or PATH is never run. */
export function windowsNetstat(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SystemRoot ?? env.windir ?? 'C:\\Windows'
  return `${root.replace(/[\\/]+$/, '')}\\System32\\netstat.exe`
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
        run(windowsNetstat(), ['-ano', '-p', 'TCP']),
        run(windowsNetstat(), ['-ano', '-p', 'TCPv6']).catch(() => '')
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
  const selection = new CappedSelection<NetstatSocket>()
  for (const s of found) {
    if (!portsMatch(s.localPort, s.remotePort, opts) || (opts.listenersOnly && s.state !== 'LISTEN')) continue
    if (selection.offer(s.state)) selection.items.push(s)
  }
  return selection.finish(notes).map((s) => ({ ...s, command: null, labConnectionId: null, labServerId: null }))
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
