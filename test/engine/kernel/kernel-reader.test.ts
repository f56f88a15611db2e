import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { kernelViewSchema, type KernelSocket } from '@shared/kernel-model'
import { MAX_KERNEL_SOCKETS, readKernelSockets } from '../../../src/main/engine/kernel/kernel-reader'
import { clearSocketOwnerCache } from '../../../src/main/engine/kernel/socket-owners'
import { close, connect, listen, pollUntil, portOf } from './helpers'

const linux = process.platform === 'linux'
const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function view(port: number): Promise<KernelSocket[]> {
  const v = await readKernelSockets({ scope: 'lab', ports: new Set([port]) })
  expect(kernelViewSchema.safeParse(v).success).toBe(true)
  expect(v.source).toBe('proc')
  return v.sockets
}

async function serverWithClients(n: number, opts: net.ServerOpts = {}) {
  const server = await listen('127.0.0.1', opts)
  const accepted: net.Socket[] = []
  server.on('connection', (c) => accepted.push(c))
  const clients: net.Socket[] = []
  for (let i = 0; i < n; i++) clients.push(await connect(portOf(server)))
  await pollUntil(() => (accepted.length === n ? true : undefined), 'accepts')
  cleanups.push(async () => {
    for (const s of [...clients, ...accepted]) s.destroy()
    await close(server)
  })
  return { server, port: portOf(server), accepted, clients }
}

describe.runIf(linux)('readKernelSockets on real sockets', () => {
  it('shows one LISTEN and 2 ESTABLISHED owned by this process, plus 2 peer-side sockets', async () => {
    const { port, clients } = await serverWithClients(2)
    clearSocketOwnerCache()
    const sockets = await view(port)
    const serverSide = sockets.filter((s) => s.localPort === port)
    expect(serverSide.filter((s) => s.state === 'LISTEN')).toHaveLength(1)
    expect(serverSide.filter((s) => s.state === 'ESTABLISHED')).toHaveLength(2)
    for (const s of serverSide) {
      expect(s).toMatchObject({ pid: process.pid, localAddress: '127.0.0.1', labConnectionId: null, labServerId: null })
      expect(s.command).toBeTruthy()
    }
    const peers = sockets.filter((s) => s.remotePort === port && s.state === 'ESTABLISHED')
    expect(peers.map((s) => s.localPort).sort()).toEqual(clients.map((c) => c.localPort).sort())
    // The clients live in this process too, so they have the same owner.
    expect(peers.every((s) => s.pid === process.pid)).toBe(true)
    expect(sockets.filter((s) => s.state !== 'TIME-WAIT')).toHaveLength(5)
  })

  it('shows TIME-WAIT on the side that closed first (the server), not on the client', async () => {
    const { port, accepted, clients } = await serverWithClients(1)
    const client = clients[0]!
    const clientPort = client.localPort!
    client.on('data', () => {})
    client.on('end', () => client.end())
    accepted[0]!.end()
    const tw = await pollUntil(async () => (await view(port)).find((s) => s.state === 'TIME-WAIT'), 'TIME-WAIT')
    expect(tw).toMatchObject({ localPort: port, remotePort: clientPort, inode: 0, pid: null })
    const onClient = (await view(port)).filter((s) => s.localPort === clientPort)
    expect(onClient.find((s) => s.state === 'TIME-WAIT')).toBeUndefined()
  })

  it('shows CLOSE-WAIT on a server that has not closed after the client half-closed, FIN-WAIT-2 on the client', async () => {
    const { port, accepted, clients } = await serverWithClients(1, { allowHalfOpen: true })
    accepted[0]!.on('data', () => {})
    clients[0]!.end()
    const sockets = await pollUntil(async () => {
      const s = await view(port)
      return s.some((x) => x.state === 'CLOSE-WAIT') && s.some((x) => x.state === 'FIN-WAIT-2') ? s : undefined
    }, 'CLOSE-WAIT and FIN-WAIT-2')
    expect(sockets.find((s) => s.state === 'CLOSE-WAIT')?.localPort).toBe(port)
    expect(sockets.find((s) => s.state === 'FIN-WAIT-2')?.remotePort).toBe(port)
  })

  it('shows bytes piling up in Recv-Q of a paused reader', async () => {
    const { port, accepted, clients } = await serverWithClients(1)
    accepted[0]!.pause()
    clients[0]!.write(Buffer.alloc(1 << 20, 0x61))
    const reader = await pollUntil(async () => {
      const s = (await view(port)).find((x) => x.localPort === port && x.state === 'ESTABLISHED')
      return s && s.recvQ > 0 ? s : undefined
    }, 'recvQ > 0')
    expect(reader.recvQ).toBeGreaterThan(0)
  })

  it('sees a dual-stack listener and an IPv4-mapped connection in tcp6', async () => {
    const server = await listen('::')
    const port = portOf(server)
    const c = await connect(port, '127.0.0.1')
    cleanups.push(async () => {
      c.destroy()
      await close(server)
    })
    const sockets = await pollUntil(async () => {
      const s = await view(port)
      return s.filter((x) => x.state === 'ESTABLISHED').length === 2 ? s : undefined
    }, 'both ends')
    expect(sockets.find((s) => s.state === 'LISTEN')).toMatchObject({ family: 'IPv6', localAddress: '::' })
    expect(sockets.find((s) => s.localPort === port && s.state === 'ESTABLISHED')).toMatchObject({
      family: 'IPv6',
      localAddress: '::ffff:127.0.0.1'
    })
  })

  it('keeps nothing for scope lab without ports, and more for scope all', async () => {
    const { port } = await serverWithClients(1)
    expect((await readKernelSockets({ scope: 'lab' })).sockets).toEqual([])
    // Other test files may hold thousands of sockets at once (past the 5,000 cap): poll until ours show.
    const mine = await pollUntil(async () => {
      const all = await readKernelSockets({ scope: 'all' })
      const found = all.sockets.filter((s) => s.localPort === port || s.remotePort === port)
      return found.length === 3 ? found : undefined
    }, 'the three sockets in scope all')
    expect(mine).toHaveLength(3)
  })
})

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0')
/** A /proc/net/tcp line for 127.0.0.1:local ↔ 127.0.0.1:remote in state `st` (hex). */
const line = (sl: number, local: number, remote: number, st: string, inode: number): string =>
  `${String(sl).padStart(5)}: 0100007F:${hex4(local)} 0100007F:${hex4(remote)} ${st} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1`
/** A /proc/net/tcp6 line for [::]:local ↔ [::]:remote. */
const line6 = (sl: number, local: number, remote: number, st: string, inode: number): string =>
  `${String(sl).padStart(5)}: ${'0'.repeat(32)}:${hex4(local)} ${'0'.repeat(32)}:${hex4(remote)} ${st} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1`

describe('readKernelSockets bounds and failures', () => {
  function fakeProc(tcp: string[], tcp6?: string[]): string {
    const root = mkdtempSync(join(tmpdir(), 'kproc-'))
    cleanups.push(() => rmSync(root, { recursive: true, force: true }))
    mkdirSync(join(root, 'net'))
    writeFileSync(join(root, 'net', 'tcp'), [HEADER, ...tcp].join('\n'))
    if (tcp6) writeFileSync(join(root, 'net', 'tcp6'), [HEADER, ...tcp6].join('\n'))
    return root
  }

  it('cuts at MAX_KERNEL_SOCKETS and says so', async () => {
    const lines: string[] = []
    for (let i = 0; i < 6000; i++) lines.push(line(i, 1000 + i, 8080, '01', 1))
    const v = await readKernelSockets({ scope: 'all', procRoot: fakeProc(lines), platform: 'linux' })
    expect(v.source).toBe('proc')
    expect(v.sockets).toHaveLength(MAX_KERNEL_SOCKETS)
    expect(v.note).toContain(`Showing ${MAX_KERNEL_SOCKETS} of 6000 sockets`)
    expect(v.note).toContain('left out: 1000 ESTABLISHED.')
    expect(v.note).toContain('tcp6')
  })

  it('keeps LISTEN first, then other states, then TIME-WAIT when over the cap', async () => {
    const tw: string[] = []
    for (let i = 0; i < 10_000; i++) tw.push(line(i, 1024 + (i % 60_000), 40_000 + (i % 20_000), '06', 0))
    // /proc order puts the listener and the live connections after every TIME-WAIT line.
    const v = await readKernelSockets({
      scope: 'all',
      procRoot: fakeProc([...tw, line(10_000, 9000, 40_001, '01', 2)], [line6(0, 8080, 0, '0A', 3)]),
      platform: 'linux'
    })
    expect(kernelViewSchema.safeParse(v).success).toBe(true)
    expect(v.sockets).toHaveLength(MAX_KERNEL_SOCKETS)
    expect(v.sockets[0]).toMatchObject({ state: 'LISTEN', family: 'IPv6', localPort: 8080, localAddress: '::' })
    expect(v.sockets[1]).toMatchObject({ state: 'ESTABLISHED', localPort: 9000 })
    expect(v.sockets.slice(2).every((s) => s.state === 'TIME-WAIT')).toBe(true)
    // The TIME-WAIT sockets kept are the first ones in /proc order.
    expect(v.sockets[2]).toMatchObject({ localPort: 1024, remotePort: 40_000 })
    expect(v.note).toContain(`Showing ${MAX_KERNEL_SOCKETS} of 10002 sockets`)
    expect(v.note).toContain(`left out: ${10_000 - (MAX_KERNEL_SOCKETS - 2)} TIME-WAIT.`)
  })

  it('keeps /proc order and adds no cut note under the cap; scope lab keeps only its ports', async () => {
    const root = fakeProc([line(0, 5000, 0, '0A', 1), line(1, 6000, 7000, '06', 0), line(2, 7000, 6000, '01', 2)])
    const all = await readKernelSockets({ scope: 'all', procRoot: root, platform: 'linux' })
    expect(all.sockets.map((s) => s.state)).toEqual(['LISTEN', 'TIME-WAIT', 'ESTABLISHED'])
    expect(all.note).not.toContain('Showing')
    const lab = await readKernelSockets({ scope: 'lab', ports: new Set([7000]), procRoot: root, platform: 'linux' })
    expect(lab.sockets.map((s) => [s.localPort, s.remotePort])).toEqual([
      [6000, 7000],
      [7000, 6000]
    ])
    const listeners = await readKernelSockets({ scope: 'all', listenersOnly: true, procRoot: root, platform: 'linux' })
    expect(listeners.sockets.map((s) => s.localPort)).toEqual([5000])
  })

  it('says unavailable when /proc/net/tcp cannot be read', async () => {
    const v = await readKernelSockets({ scope: 'all', procRoot: '/nonexistent-proc', platform: 'linux' })
    expect(v).toMatchObject({ source: 'unavailable', sockets: [] })
    expect(v.note).toBeTruthy()
  })

  it('never throws on the netstat fallback, whatever this machine has', async () => {
    const v = await readKernelSockets({ scope: 'lab', ports: new Set([1]), platform: 'darwin' })
    expect(['netstat', 'unavailable']).toContain(v.source)
    expect(kernelViewSchema.safeParse(v).success).toBe(true)
    expect(v.note).toBeTruthy()
  })
})
