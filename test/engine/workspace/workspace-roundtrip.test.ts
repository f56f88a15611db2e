import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkspaceStatus } from '@shared/contract'
import { isCommandName } from '@shared/contract'
import type { ServerInfo } from '@shared/model'
import type { WorkspaceDocument } from '@shared/workspace-model'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { run } from '../../helpers/processes'
import { waitFor } from '../../helpers/wait'

const labs: TestLab[] = []
const dirs: string[] = []
const holders: net.Server[] = []
afterEach(async () => {
  for (const l of labs.splice(0)) await l.dispose()
  for (const h of holders.splice(0)) await new Promise((r) => h.close(r))
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tcp-lab-ws-'))
  dirs.push(d)
  return d
}

function newLab(): TestLab {
  const l = createTestLab({ workspace: { saveDelayMs: 20 } })
  labs.push(l)
  return l
}

async function readDoc(file: string): Promise<WorkspaceDocument> {
  return JSON.parse(await readFile(file, 'utf8')) as WorkspaceDocument
}

/** Waits until the file on disk satisfies `pred` (saves are debounced). */
function waitForFile(file: string, pred: (d: WorkspaceDocument) => boolean, what: string): Promise<WorkspaceDocument> {
  return waitFor(
    async () => {
      const d = await readDoc(file).catch(() => null)
      return d && pred(d) ? d : null
    },
    { what, timeoutMs: 5_000 }
  )
}

/** A free loopback port, found by binding port 0 and letting it go. */
async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

describe('workspace file round trip', () => {
  it('servers, settings, payloads and sequences come back on the same ports after the lab restarts', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const sock = join(dir, 'u.sock')
    const a = newLab()
    const opened = await a.hub.workspace.open(file)
    expect(opened.problems).toEqual([])
    const echo = await a.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const chat = await a.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'telemetry',
      options: { telemetryIntervalMs: 500 },
      backlog: 7,
      maxConnections: 3,
      acceptMode: 'one-at-a-time'
    })
    const unix = await a.ok('server:start', { host: `unix:${sock}`, behaviour: 'uppercase' })
    await a.ok('server:configure', { serverId: unix.id, accepting: false })
    await a.ok('payload:save', { payload: { name: 'login', format: 'text', text: 'USER bob', lineEnding: 'crlf' } })
    await a.ok('payload:save', { payload: { name: 'ping', format: 'hex', text: '50 49 4e 47 0a', lineEnding: 'none' } })
    await a.ok('sequence:save', {
      sequence: {
        name: 'hello',
        steps: [
          { payload: 'login', delayMs: 0 },
          { payload: 'ping', delayMs: 50 }
        ]
      }
    })
    await a.ok('workspace:set-ui', { ui: { theme: 'dark' } })
    const saved = await waitForFile(
      file,
      (d) => d.servers.length === 3 && d.sequences.length === 1 && d.ui.theme === 'dark',
      'the file to hold everything'
    )
    expect(saved.version).toBe(1)
    expect(saved.servers[0]).toMatchObject({ listen: `127.0.0.1:${echo.bound.port}`, behaviour: 'echo' })
    expect(saved.servers[1]).toMatchObject({
      listen: `127.0.0.1:${chat.bound.port}`,
      behaviour: 'telemetry',
      options: { telemetryIntervalMs: 500 },
      backlog: 7,
      maxConnections: 3,
      acceptMode: 'one-at-a-time'
    })
    expect(saved.servers[2]).toMatchObject({ listen: `unix:${sock}`, behaviour: 'uppercase', accepting: false })
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)

    const b = newLab()
    const again = await b.hub.workspace.open(file)
    expect(again.problems).toEqual([])
    expect(again.servers).toBe(3)
    const servers = [...b.hub.lab.servers.values()].map((s) => s.info())
    const byPort = (p: number): ServerInfo | undefined => servers.find((s) => s.bound.port === p)
    expect(byPort(echo.bound.port)).toMatchObject({ behaviour: 'echo', state: 'listening' })
    expect(byPort(chat.bound.port)).toMatchObject({
      behaviour: 'telemetry',
      options: { telemetryIntervalMs: 500 },
      backlog: 7,
      maxConnections: 3,
      acceptMode: 'one-at-a-time'
    })
    expect(servers.find((s) => s.family === 'unix')).toMatchObject({
      requestedHost: `unix:${sock}`,
      behaviour: 'uppercase',
      state: 'not-accepting'
    })
    // The restored echo server is a real one: nc gets its bytes back.
    const r = await run('nc', ['-N', '127.0.0.1', String(echo.bound.port)], { input: 'back\n' })
    expect(r.stdout.toString()).toBe('back\n')
    const status = (await b.ok('workspace:get', {})) as WorkspaceStatus
    expect(status.payloads.map((p) => p.name)).toEqual(['login', 'ping'])
    expect(status.sequences[0].steps).toEqual([
      { payload: 'login', delayMs: 0 },
      { payload: 'ping', delayMs: 50 }
    ])
    expect(status.ui).toEqual({ theme: 'dark' })
    // Restoring did not rewrite the file.
    expect(await readDoc(file)).toEqual(saved)
  })

  it('fields another stream added to server:start (accept mode pool, poolSize) are saved and restored with no change here', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const a = newLab()
    await a.hub.workspace.open(file)
    const s = await a.ok('server:start', { host: '127.0.0.1', port: 0, acceptMode: 'pool', poolSize: 2 })
    const d = await waitForFile(file, (doc) => doc.servers.length === 1, 'the save')
    expect(d.servers[0]).toMatchObject({ acceptMode: 'pool', poolSize: 2 })
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)
    const b = newLab()
    await b.hub.workspace.open(file)
    expect([...b.hub.lab.servers.values()].map((x) => x.info())).toMatchObject([
      { bound: { port: s.bound.port }, acceptMode: 'pool', poolSize: 2 }
    ])
  })

  it('proxies: restored through proxy:create and toxic:add when this lab has them; otherwise reported and kept verbatim', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const [proxyPort, serverPort] = [await freePort(), await freePort()]
    const proxy = {
      name: 'to-echo',
      listen: `127.0.0.1:${proxyPort}`,
      upstream: `127.0.0.1:${serverPort}`,
      enabled: true,
      toxics: [
        { name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50, jitter: 0 } }
      ]
    }
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        servers: [{ listen: `127.0.0.1:${serverPort}`, behaviour: 'echo' }],
        proxies: [proxy]
      })
    )
    const a = newLab()
    const opened = await a.hub.workspace.open(file)
    expect(opened.servers).toBe(1)
    if (!isCommandName('proxy:create')) {
      // This build has no proxies: the entry is reported once, the server still starts, and the file keeps the proxy.
      expect(opened.problems).toMatchObject([
        { kind: 'proxies', entry: `proxy "to-echo" 127.0.0.1:${proxyPort} → 127.0.0.1:${serverPort}`, retryable: false }
      ])
      await a.ok('payload:save', { payload: { name: 'x', format: 'text', text: 'x', lineEnding: 'none' } })
      const d = await waitForFile(file, (doc) => doc.payloads.length === 1, 'the save')
      expect(d.proxies).toEqual([proxy])
      return
    }
    expect(opened.problems).toEqual([])
    expect(opened.proxies).toBe(1)
    // The restored proxy forwards to the restored server: nc through it gets its bytes back.
    const r = await run('nc', ['-N', '127.0.0.1', String(proxyPort)], { input: 'via proxy\n' })
    expect(r.stdout.toString()).toBe('via proxy\n')
    await a.ok('payload:save', { payload: { name: 'x', format: 'text', text: 'x', lineEnding: 'none' } })
    const d = await waitForFile(file, (doc) => doc.payloads.length === 1, 'the save')
    expect(d.proxies).toMatchObject([
      {
        name: 'to-echo',
        listen: `127.0.0.1:${proxyPort}`,
        upstream: `127.0.0.1:${serverPort}`,
        enabled: true,
        toxics: [{ name: 'slow', type: 'latency', attributes: { latency: 50 } }]
      }
    ])
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)
    const b = newLab()
    expect(await b.hub.workspace.open(file)).toMatchObject({ servers: 1, proxies: 1, problems: [] })
    const again = await run('nc', ['-N', '127.0.0.1', String(proxyPort)], { input: 'again\n' })
    expect(again.stdout.toString()).toBe('again\n')
  })

  it('a port now taken is reported on its entry, the other servers still start, and the entry stays in the file', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const [taken, free] = [await freePort(), await freePort()]
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        servers: [
          { name: 'api', listen: `127.0.0.1:${taken}`, behaviour: 'http' },
          { listen: `127.0.0.1:${free}`, behaviour: 'echo' }
        ]
      })
    )
    const holder = net.createServer()
    holders.push(holder)
    await new Promise<void>((r) => holder.listen(taken, '127.0.0.1', r))
    const lab = newLab()
    const opened = await lab.hub.workspace.open(file)
    expect(opened.servers).toBe(1)
    expect(opened.problems).toHaveLength(1)
    expect(opened.problems[0]).toMatchObject({
      kind: 'servers',
      entry: `http "api" on 127.0.0.1:${taken}`,
      message: `Port ${taken} is already in use`,
      retryable: true
    })
    expect([...lab.hub.lab.servers.values()].map((s) => s.info().bound.port)).toEqual([free])
    // A notice tells the person, too.
    await waitFor(
      () =>
        lab.batches.some((b) =>
          b.events.some((e) => e.type === 'notice' && e.message.includes(`Port ${taken} is already in use`))
        ),
      { what: 'the notice' }
    )
    // A later save keeps the entry that did not start.
    await lab.ok('payload:save', { payload: { name: 'x', format: 'text', text: 'x', lineEnding: 'none' } })
    const d = await waitForFile(file, (doc) => doc.payloads.length === 1, 'the save')
    expect(d.servers.map((s) => s.listen).sort()).toEqual([`127.0.0.1:${free}`, `127.0.0.1:${taken}`].sort())
    // Once the port is free, retry starts it.
    await new Promise((r) => holder.close(r))
    holders.length = 0
    const retried = await lab.ok('workspace:retry', { problemId: opened.problems[0].id })
    expect(retried.problems).toEqual([])
    expect([...lab.hub.lab.servers.values()].map((s) => s.info().bound.port).sort()).toEqual([free, taken].sort())
  })

  it('servers from --listen (source cli) run but are not saved; outgoing clients are saved and reconnect', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const a = newLab()
    await a.hub.workspace.open(file)
    const cli = await a.hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'chat' }, { source: 'cli' })
    expect(cli.ok).toBe(true)
    const kept = await a.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    await a.ok('client:connect', { host: '127.0.0.1', port: kept.bound.port })
    const d = await waitForFile(file, (doc) => doc.servers.length >= 1 && doc.clients.length === 1, 'the save')
    expect(d.servers).toHaveLength(1)
    expect(d.servers[0].listen).toBe(`127.0.0.1:${kept.bound.port}`)
    expect(d.clients).toEqual([{ connect: `127.0.0.1:${kept.bound.port}` }])
    const status = (await a.ok('workspace:get', {})) as WorkspaceStatus
    expect(status.cliServerIds).toEqual([(cli as { value: ServerInfo }).value.id])
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)

    const b = newLab()
    const again = await b.hub.workspace.open(file)
    expect(again).toMatchObject({ servers: 1, clients: 1, problems: [] })
    await b.waitConn(
      (c) => c.origin === 'outgoing' && c.remote.port === kept.bound.port && c.state === 'open',
      'the client to reconnect'
    )
    await b.waitConn(
      (c) => c.origin === 'accepted' && c.local.port === kept.bound.port,
      'the restored server to accept it'
    )
  })

  it('stopping a server removes it from the file; dispose writes a pending change before the servers close', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const a = newLab()
    await a.hub.workspace.open(file)
    const s1 = await a.ok('server:start', { host: '127.0.0.1', port: 0 })
    await a.ok('server:start', { host: '127.0.0.1', port: 0 })
    await waitForFile(file, (d) => d.servers.length === 2, 'two servers saved')
    await a.ok('server:stop', { serverId: s1.id })
    await waitForFile(file, (d) => d.servers.length === 1, 'one server saved')
    await a.ok('payload:save', { payload: { name: 'last', format: 'text', text: 'bye', lineEnding: 'lf' } })
    // Disposed before the debounce fires: the change is still written, and the servers are still in it.
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)
    const d = await readDoc(file)
    expect(d.payloads.map((p) => p.name)).toEqual(['last'])
    expect(d.servers).toHaveLength(1)
  })

  it('importing the same document twice reports the second copy and keeps the file loadable (names stay unique)', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const port = await freePort()
    const lab = newLab()
    await lab.hub.workspace.open(file)
    const doc = { version: 1, servers: [{ name: 'api', listen: `127.0.0.1:${port}`, behaviour: 'echo' }] }
    expect(await lab.ok('workspace:import', { document: doc })).toEqual({ problems: [] })
    const second = await lab.ok('workspace:import', { document: doc })
    // The message may also name which of the lab's own servers holds the port.
    expect(second.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(new RegExp(`^Port ${port} is already in use`))
    ])
    await lab.ok('payload:save', { payload: { name: 'x', format: 'text', text: 'x', lineEnding: 'none' } })
    const saved = await waitForFile(file, (d) => d.payloads.length === 1, 'the save')
    expect(saved.servers).toMatchObject([
      {
        name: 'api',
        listen: `127.0.0.1:${port}`,
        behaviour: 'echo',
        options: {},
        backlog: 511,
        maxConnections: null,
        acceptMode: 'concurrent'
      },
      { listen: `127.0.0.1:${port}`, behaviour: 'echo', options: {} }
    ])
    expect(saved.servers[1].name).toBeUndefined()
    const { checkDocument } = await import('../../../src/main/engine/workspace/workspace-file')
    expect(checkDocument(saved).ok).toBe(true)
    // A bad document changes nothing and names its field.
    const bad = await lab.session.handle('workspace:import', {
      document: { version: 1, servers: [{ listen: '127.0.0.1:1', behaviour: 'nope' }] }
    })
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringContaining('servers[0].behaviour: Unknown behaviour "nope"') }
    })
    expect(lab.hub.lab.servers.size).toBe(1)
  })

  it('a file with many entries that do not load lists them all but sends only a few notices', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const holder = net.createServer()
    holders.push(holder)
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r))
    const taken = (holder.address() as net.AddressInfo).port
    const servers = Array.from({ length: 30 }, (_, i) => ({
      name: `s${i}`,
      listen: `127.0.0.1:${taken}`,
      behaviour: 'echo'
    }))
    await writeFile(file, JSON.stringify({ version: 1, servers }))
    const lab = newLab()
    const opened = await lab.hub.workspace.open(file)
    expect(opened.problems).toHaveLength(30)
    await waitFor(
      () =>
        lab.batches.some((b) =>
          b.events.some((e) => e.type === 'notice' && e.message.startsWith('Workspace: more entries'))
        ),
      { what: 'the summary notice' }
    )
    const notices = lab.batches
      .flatMap((b) => b.events)
      .filter((e) => e.type === 'notice' && e.message.startsWith('Workspace:'))
    expect(notices).toHaveLength(11)
  })

  it('without a file, the workspace keeps payloads in memory and writes nothing', async () => {
    const lab = newLab()
    await lab.ok('payload:save', { payload: { name: 'p', format: 'text', text: 'x', lineEnding: 'none' } })
    const status = (await lab.ok('workspace:get', {})) as WorkspaceStatus
    expect(status.file).toBeNull()
    expect(status.payloads).toHaveLength(1)
    const r = await lab.session.handle('workspace:save', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'no-file' } })
  })
})
