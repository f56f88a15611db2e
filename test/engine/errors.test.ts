import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { describeConnectionError, describeSocketError } from '../../src/main/engine/errors'
import { BEHAVIOURS } from '@shared/model'

let lab: TestLab
const cleanups: Array<() => void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await lab?.dispose()
})

const err = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`x ${code}`), { code })

describe('errors in words, each with a hint', () => {
  it('port in use names the holder when the system tells', async () => {
    lab = createTestLab({ whoHoldsPort: async (port) => `pid 4242 (test-holder on ${port})` })
    // Another process's listener (the lab's own would be named as a lab server instead).
    const other = net.createServer()
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r))
    cleanups.push(() => other.close())
    const port = (other.address() as net.AddressInfo).port
    const r = await lab.session.handle('server:start', { host: '127.0.0.1', port })
    expect(r).toMatchObject({ ok: false, error: { code: 'EADDRINUSE', message: `Port ${port} is already in use` } })
    expect(r.ok ? '' : r.error.hint).toMatch(
      new RegExp(`^It is held by pid 4242 \\(test-holder on ${port}\\)\\. .*port 0`)
    )
    // Nothing changed: no server, and the next one gets id 1.
    expect(lab.hub.lab.servers.size).toBe(0)
    expect((await lab.ok('server:start', { host: '127.0.0.1', port: 0 })).id).toBe(1)
  })

  it('port in use by another process (a plain Node listener), with the default hub', async () => {
    lab = createTestLab()
    const other = net.createServer()
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r))
    cleanups.push(() => other.close())
    const port = (other.address() as net.AddressInfo).port
    const r = await lab.session.handle('server:start', { host: '127.0.0.1', port })
    expect(r).toMatchObject({ ok: false, error: { code: 'EADDRINUSE', message: `Port ${port} is already in use` } })
    expect(r.ok ? '' : r.error.hint).toMatch(/choose another port, or use port 0/)
  })

  it('address not available: binding 192.0.2.1 (no such interface; binding sends nothing)', async () => {
    lab = createTestLab()
    const r = await lab.session.handle('server:start', { host: '192.0.2.1', port: 0 })
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'EADDRNOTAVAIL', message: 'Address 192.0.2.1 is not available on this machine' }
    })
    expect(r.ok ? '' : r.error.hint).toMatch(/127\.0\.0\.1/)
    expect(lab.hub.lab.servers.size).toBe(0)
  })

  it('privileged port (unit: the test runs as root, so the kernel would allow it)', () => {
    const f = describeSocketError(err('EACCES'), { op: 'listen', host: '0.0.0.0', port: 80 })
    expect(f.toLabError()).toEqual({
      code: 'EACCES',
      message: 'Permission denied: port 80 is a privileged port',
      hint: 'Ports below 1024 need administrator rights on most systems; use a port from 1024 up.'
    })
  })

  it.each([
    ['ECONNREFUSED', 'connect', 'Connection refused by 127.0.0.1:9', /Nothing is listening/],
    ['ETIMEDOUT', 'connect', 'Connecting to 127.0.0.1:9 timed out', /No answer came/],
    ['ENOTFOUND', 'connect', 'Host not found: 127.0.0.1', /Check the spelling/],
    ['EAI_AGAIN', 'connect', 'Could not look up 127.0.0.1: the name server did not answer', /DNS/],
    ['ECONNRESET', 'connect', 'Connection reset by 127.0.0.1:9', /RST/],
    ['EHOSTUNREACH', 'connect', '127.0.0.1:9 is unreachable', /no route/],
    ['EADDRNOTAVAIL', 'listen', 'Address 127.0.0.1 is not available on this machine', /interfaces/]
  ] as const)('%s (%s) → %s', (code, op, message, hint) => {
    const f = describeSocketError(err(code), { op, host: '127.0.0.1', port: 9 })
    expect(f.message).toBe(message)
    expect(f.hint).toMatch(hint)
  })

  it('IPv6 hosts are bracketed in messages', () => {
    expect(describeSocketError(err('ECONNREFUSED'), { op: 'connect', host: '::1', port: 9 }).message).toBe(
      'Connection refused by [::1]:9'
    )
  })

  it('a connection reset reads as words on the connection', () => {
    expect(describeConnectionError(err('ECONNRESET'))).toMatch(/^Connection reset by peer \(ECONNRESET\)/)
    expect(describeConnectionError(err('EPIPE'))).toMatch(/^Broken pipe/)
  })
})

describe('a failing command changes nothing', () => {
  it('accepting:true failing (port taken meanwhile) leaves the server not-accepting with its old behaviour', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    await lab.ok('server:configure', { serverId: s.id, accepting: false })
    const thief = net.createServer()
    await new Promise<void>((r) => thief.listen(s.bound.port, '127.0.0.1', r))
    cleanups.push(() => thief.close())
    const r = await lab.session.handle('server:configure', { serverId: s.id, accepting: true, behaviour: 'uppercase' })
    expect(r).toMatchObject({ ok: false, error: { code: 'EADDRINUSE' } })
    expect(lab.hub.lab.servers.get(s.id)?.info()).toMatchObject({ state: 'not-accepting', behaviour: 'echo' })
  })

  it('invalid input and unknown ids are refused in words', async () => {
    lab = createTestLab()
    expect(await lab.session.handle('server:start', { host: '127.0.0.1', port: 70000 })).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringMatching(/Port must be a whole number from 0 to 65535/) }
    })
    expect(await lab.session.handle('server:start', { host: '127.0.0.1', port: 0, behaviour: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringMatching(/Unknown behaviour "nope"/) }
    })
    expect(await lab.session.handle('connection:action', { connectionId: 9, action: 'reset' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' }
    })
    expect(await lab.session.handle('server:stop', { serverId: 9 })).toMatchObject({
      ok: false,
      error: { code: 'not-found' }
    })
    expect(lab.hub.lab.servers.size + lab.hub.lab.connections.size).toBe(0)
  })

  it.each(BEHAVIOURS)('every behaviour name starts via server:start: %s', async (behaviour) => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour })
    expect(s.behaviour).toBe(behaviour)
  })
})
