import { existsSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'
import { localhostNotes } from '../../src/main/engine/address-notes'
import type { ServerInfo } from '@shared/model'

let lab: TestLab
const files: string[] = []
afterEach(async () => {
  await lab?.dispose()
  for (const f of files.splice(0)) rmSync(f, { force: true })
})

function socketPath(): string {
  const p = join(tmpdir(), `tcp-lab-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}.sock`)
  files.push(p)
  return p
}

describe('IPv4 and IPv6', () => {
  it('IPv4 127.0.0.1: family shown, loopback note', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0 })
    expect(s).toMatchObject({ family: 'IPv4', bound: { address: '127.0.0.1' } })
    expect(s.notes.join(' ')).toMatch(/Loopback only/)
  })

  it('IPv6 ::1 with `nc -6`: the server and its connection are IPv6', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '::1', port: 0, behaviour: 'echo' })
    expect(s).toMatchObject({ family: 'IPv6', bound: { address: '::1' } })
    const r = await run('nc', ['-6', '-N', '::1', String(s.bound.port)], { input: 'six\n' })
    expect(r.stdout.toString()).toBe('six\n')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c).toMatchObject({
      family: 'IPv6',
      local: { address: '::1', port: s.bound.port },
      remote: { address: '::1' }
    })
  })

  it(':: is dual-stack: an IPv4 client arrives as ::ffff:127.0.0.1, an IPv6 one as ::1', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '::', port: 0, behaviour: 'echo' })
    expect(s).toMatchObject({ family: 'IPv6', bound: { address: '::' } })
    expect(s.notes.join(' ')).toMatch(/every interface/)
    await run('nc', ['-4', '-N', '127.0.0.1', String(s.bound.port)], { input: 'four\n' })
    await run('nc', ['-6', '-N', '::1', String(s.bound.port)], { input: 'six\n' })
    const v4 = await lab.waitConn((c) => c.id === 1 && c.state === 'closed', 'v4 close')
    const v6 = await lab.waitConn((c) => c.id === 2 && c.state === 'closed', 'v6 close')
    expect(v4.remote.address).toBe('::ffff:127.0.0.1')
    expect(v4.family).toBe('IPv6')
    expect(v6.remote.address).toBe('::1')
  })

  it('0.0.0.0 is every IPv4 interface', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '0.0.0.0', port: 0 })
    expect(s.notes.join(' ')).toMatch(/every IPv4 interface/)
    const p = await connectPeer({ port: s.bound.port })
    const c = await lab.waitConn((c) => c.state === 'open', 'open')
    expect(c.local.address).toBe('127.0.0.1')
    p.socket.destroy()
  })
})

describe('Unix domain sockets', () => {
  it('unix:/path with `nc -U`: family unix, path shown, file removed when the server stops', async () => {
    lab = createTestLab()
    const path = socketPath()
    const s = await lab.ok('server:start', { host: `unix:${path}`, behaviour: 'echo' })
    expect(s).toMatchObject({ family: 'unix', bound: { address: path, port: 0 }, notes: [] })
    expect(existsSync(path)).toBe(true)
    const r = await run('nc', ['-U', '-N', path], { input: 'local\n' })
    expect(r.stdout.toString()).toBe('local\n')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c).toMatchObject({ family: 'unix', local: { address: path }, bytesIn: 6, bytesOut: 6 })
    await lab.ok('server:stop', { serverId: s.id })
    expect(existsSync(path)).toBe(false)
  })

  it('the lab connects to a Unix socket as a client too', async () => {
    lab = createTestLab()
    const path = socketPath()
    await lab.ok('server:start', { host: `unix:${path}`, behaviour: 'echo' })
    const out = await lab.ok('client:connect', { host: `unix:${path}` })
    expect(out).toMatchObject({ family: 'unix', remote: { address: path } })
    await lab.ok('connection:send', { connectionId: out.id, payload: { format: 'text', text: 'u' } })
    await lab.waitConn((c) => c.id === out.id && c.bytesIn === 1, 'the echo')
  })

  it('a stale socket file gets a clear message; an ordinary file too; nothing is created', async () => {
    lab = createTestLab()
    const stale = socketPath()
    // A process that binds and exits leaves its socket file behind.
    await run('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(stale)})`])
    expect(existsSync(stale)).toBe(true)
    const r = await lab.session.handle('server:start', { host: `unix:${stale}` })
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'EADDRINUSE', message: `A stale socket file is left at ${stale}: nothing listens on it` }
    })
    expect(r.ok ? '' : r.error.hint).toContain(`rm ${stale}`)
    const plain = socketPath()
    writeFileSync(plain, 'not a socket')
    const r2 = await lab.session.handle('server:start', { host: `unix:${plain}` })
    expect(r2).toMatchObject({ ok: false, error: { message: `${plain} already exists and is not a socket` } })
    const live = socketPath()
    await lab.ok('server:start', { host: `unix:${live}` })
    const r3 = await lab.session.handle('server:start', { host: `unix:${live}` })
    expect(r3).toMatchObject({ ok: false, error: { message: `Socket path ${live} is already in use` } })
    expect(lab.hub.lab.servers.size).toBe(1)
    expect([...lab.hub.lab.servers.keys()]).toEqual([1])
  })
})

describe('localhost notes', () => {
  const server = (address: string, family: 'IPv4' | 'IPv6'): ServerInfo =>
    ({ bound: { address, port: 8080 }, family }) as ServerInfo

  it('warns when localhost resolves to ::1 first but the server is IPv4-only', async () => {
    const notes = await localhostNotes(server('127.0.0.1', 'IPv4'), async () => [6, 4])
    expect(notes.join(' ')).toMatch(
      /"localhost" resolves to ::1 \(IPv6\) first here.*"nc localhost 8080" may be refused/
    )
  })

  it('warns when localhost is IPv4-only but the server listens on ::1', async () => {
    const notes = await localhostNotes(server('::1', 'IPv6'), async () => [4])
    expect(notes.join(' ')).toMatch(/resolves to IPv4 only here/)
  })

  it('says nothing about localhost when the families match', async () => {
    const notes = await localhostNotes(server('127.0.0.1', 'IPv4'), async () => [4, 6])
    expect(notes).toEqual(['Loopback only: reachable from this machine alone.'])
  })

  it('on this machine, a server on ::1 gets the note the system resolver implies', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '::1', port: 0 })
    const expected = await localhostNotes(s)
    expect(s.notes).toEqual(expected)
  })
})
