import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { parseProcNetTcp } from '../../../src/main/engine/kernel/proc-net-parser'
import {
  OWNER_SCAN_LIMITS,
  clearSocketOwnerCache,
  lookupSocketOwners,
  scanSocketOwners
} from '../../../src/main/engine/kernel/socket-owners'
import { close, listen, portOf } from './helpers'

const root = mkdtempSync(join(tmpdir(), 'kowners-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function proc(pid: number, comm: string | null, links: Record<string, string> | null, cmdline?: string): void {
  mkdirSync(join(root, String(pid)))
  if (comm !== null) writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`)
  if (cmdline !== undefined) writeFileSync(join(root, String(pid), 'cmdline'), cmdline)
  if (links === null) return
  mkdirSync(join(root, String(pid), 'fd'))
  for (const [fd, target] of Object.entries(links)) symlinkSync(target, join(root, String(pid), 'fd', fd))
}

proc(10, 'nc', { '0': '/dev/null', '3': 'socket:[555]', '4': 'pipe:[9]' })
proc(20, 'node', { '3': 'socket:[555]', '7': 'socket:[777]' })
proc(30, null, { '5': 'socket:[888]' }, '/usr/bin/socat\0TCP-LISTEN:1\0')
proc(40, 'gone', null) // no fd folder: a process that exited, or one we may not look into
mkdirSync(join(root, 'self'))
writeFileSync(join(root, 'version'), 'not a pid')

describe('scanSocketOwners on a fake /proc', () => {
  it('maps inodes to the lowest pid holding them and its command, skipping what it cannot read', async () => {
    const { owners, complete } = await scanSocketOwners(undefined, root)
    expect(complete).toBe(true)
    expect(Object.fromEntries(owners)).toEqual({
      555: { pid: 10, command: 'nc' },
      777: { pid: 20, command: 'node' },
      888: { pid: 30, command: 'socat' }
    })
  })

  it('stops early when every wanted inode is found', async () => {
    const { owners } = await scanSocketOwners(new Set([555]), root)
    expect([...owners.keys()]).toEqual([555])
  })

  it('says incomplete when a bound cuts the scan', async () => {
    const { owners, complete } = await scanSocketOwners(undefined, root, { ...OWNER_SCAN_LIMITS, maxProcesses: 1 })
    expect(complete).toBe(false)
    expect(owners.size).toBe(1)
  })

  it('returns nothing, without throwing, when /proc is missing', async () => {
    expect(await scanSocketOwners(undefined, join(root, 'missing'))).toEqual({ owners: new Map(), complete: false })
  })
})

describe.runIf(process.platform === 'linux')('lookupSocketOwners on the real /proc', () => {
  it('finds a socket opened after the cached scan, at once', async () => {
    clearSocketOwnerCache()
    await lookupSocketOwners([1])
    const server = await listen()
    try {
      const port = portOf(server)
      const text = await readFile('/proc/net/tcp', 'latin1')
      const [listener] = parseProcNetTcp(text, 'IPv4', 'LE', (state, local) => state === 'LISTEN' && local === port)
      expect(listener?.inode).toBeGreaterThan(0)
      const owners = await lookupSocketOwners([listener!.inode])
      expect(owners.get(listener!.inode)?.pid).toBe(process.pid)
    } finally {
      await close(server)
    }
  })
})
