import { readdir, readFile, readlink } from 'node:fs/promises'

/** The process that holds a socket open. */
export interface SocketOwner {
  pid: number
  command: string
}

/** Bounds of one scan of /proc. */
export interface OwnerScanLimits {
  maxProcesses: number
  maxFdsPerProcess: number
  maxTotalFds: number
  timeBudgetMs: number
  parallelProcesses: number
}

/** Default bounds, so a machine with huge process or fd counts cannot stall the lab. */
export const OWNER_SCAN_LIMITS: Readonly<OwnerScanLimits> = {
  maxProcesses: 4096,
  maxFdsPerProcess: 20_000,
  maxTotalFds: 200_000,
  timeBudgetMs: 1500,
  parallelProcesses: 16
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/

async function commandOf(procRoot: string, pid: number): Promise<string> {
  try {
    const comm = (await readFile(`${procRoot}/${pid}/comm`, 'utf8')).trim()
    if (comm) return comm
  } catch {
    // The process may be gone already, or hidden from us; fall through to cmdline.
  }
  try {
    const argv0 = (await readFile(`${procRoot}/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? ''
    return argv0.split('/').pop() || `pid ${pid}`
  } catch {
    return `pid ${pid}`
  }
}

/** Result of one scan: owners by socket inode, and whether a bound cut the scan short. */
export interface OwnerScan {
  owners: Map<number, SocketOwner>
  complete: boolean
}

/**
 * Scans `/proc/[pid]/fd/*` for `socket:[INODE]` links. Processes we may not look into (EACCES) or that
 * exit mid-scan (ENOENT) are skipped. When `wanted` is given the scan stops once all of them are found.
 * A socket shared by several processes (after fork) is credited to the lowest pid.
 */
export async function scanSocketOwners(
  wanted?: ReadonlySet<number>,
  procRoot = '/proc',
  limits: Readonly<OwnerScanLimits> = OWNER_SCAN_LIMITS
): Promise<OwnerScan> {
  const owners = new Map<number, SocketOwner>()
  const started = Date.now()
  let entries: string[]
  try {
    entries = await readdir(procRoot)
  } catch {
    return { owners, complete: false }
  }
  const pids = entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b)
  let complete = pids.length <= limits.maxProcesses
  const todo = pids.slice(0, limits.maxProcesses)
  let fdsSeen = 0
  let found = 0
  const allFound = (): boolean => wanted !== undefined && found >= wanted.size

  const scanOne = async (pid: number): Promise<Array<[number, number]>> => {
    let fds: string[]
    try {
      fds = await readdir(`${procRoot}/${pid}/fd`)
    } catch {
      return []
    }
    if (fds.length > limits.maxFdsPerProcess) {
      complete = false
      fds = fds.slice(0, limits.maxFdsPerProcess)
    }
    fdsSeen += fds.length
    const links = await Promise.all(fds.map((fd) => readlink(`${procRoot}/${pid}/fd/${fd}`).catch(() => '')))
    const hits: Array<[number, number]> = []
    for (const link of links) {
      const m = SOCKET_LINK.exec(link)
      if (m) hits.push([Number(m[1]), pid])
    }
    return hits
  }

  for (let i = 0; i < todo.length; i += limits.parallelProcesses) {
    if (allFound()) break
    if (Date.now() - started > limits.timeBudgetMs || fdsSeen > limits.maxTotalFds) {
      complete = false
      break
    }
    const batch = todo.slice(i, i + limits.parallelProcesses)
    const results = await Promise.all(batch.map(scanOne))
    for (let b = 0; b < batch.length; b++) {
      const pid = batch[b]!
      const hits = results[b]!.filter(([inode]) => !owners.has(inode) && (!wanted || wanted.has(inode)))
      if (hits.length === 0) continue
      const command = await commandOf(procRoot, pid)
      for (const [inode] of hits) {
        if (owners.has(inode)) continue
        owners.set(inode, { pid, command })
        found++
      }
    }
  }
  return { owners, complete }
}

interface CacheEntry {
  at: number
  owners: Map<number, SocketOwner>
  /** Inodes already looked for since this full scan and not found (hidden owners, or gone). */
  tried: Set<number>
}

let cache: CacheEntry | undefined

/** How long a full scan is reused before the next lookup scans everything again. */
export const OWNER_CACHE_MS = 1000

/**
 * Owners of the given socket inodes (inode 0, as TIME-WAIT sockets have, is never looked up).
 * A full scan is cached for about a second. An inode the cache lacks (a socket opened since) is looked for
 * at once by a scan for just the missing inodes, which stops when all are found; each inode is looked for
 * at most once per full scan, so sockets of processes we may not look into do not cost a scan on every call.
 */
export async function lookupSocketOwners(inodes: Iterable<number>): Promise<Map<number, SocketOwner>> {
  const want = new Set<number>()
  for (const i of inodes) if (i > 0) want.add(i)
  const result = new Map<number, SocketOwner>()
  if (want.size === 0) return result
  let entry = cache
  if (!entry || Date.now() - entry.at > OWNER_CACHE_MS) {
    const scan = await scanSocketOwners()
    entry = { at: Date.now(), owners: scan.owners, tried: new Set() }
    cache = entry
  } else {
    const missing = new Set<number>()
    for (const i of want) if (!entry.owners.has(i) && !entry.tried.has(i)) missing.add(i)
    if (missing.size > 0) {
      const scan = await scanSocketOwners(missing)
      for (const [i, owner] of scan.owners) entry.owners.set(i, owner)
    }
  }
  for (const i of want) {
    const owner = entry.owners.get(i)
    if (owner) result.set(i, owner)
    else entry.tried.add(i)
  }
  return result
}

/** Forgets the cached scan (tests, or after the lab itself opened sockets it wants to see at once). */
export function clearSocketOwnerCache(): void {
  cache = undefined
}
