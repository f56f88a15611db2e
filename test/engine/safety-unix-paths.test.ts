import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer } from './support/node-peer'
import { unixPathMaxBytes } from '../../src/main/engine/unix-socket-path'
import { startListenSpecs } from '../../src/main/launch/launch-listeners'

// Every case works in a fresh directory of its own and checks that a user's file there is byte-identical after.
let lab: TestLab
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tcp-lab-safety-'))
})
afterEach(async () => {
  await lab?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

/** A path of exactly `bytes` bytes inside `dir`. */
function pathOfLength(bytes: number): string {
  const sub = join(dir, 'd'.repeat(Math.max(1, bytes - dir.length - 40)))
  mkdirSync(sub, { recursive: true })
  const name = 'f'.repeat(bytes - sub.length - 1)
  const p = join(sub, name)
  expect(Buffer.byteLength(p)).toBe(bytes)
  return p
}

describe('unix: paths past the system limit are refused, never truncated', () => {
  it('server:start, client:connect and --listen refuse a path one byte too long, and the file there survives', async () => {
    lab = createTestLab()
    const max = unixPathMaxBytes()
    const long = pathOfLength(max + 1)
    writeFileSync(long, "the user's data")
    const before = readdirSync(join(long, '..'))

    const start = await lab.session.handle('server:start', { host: `unix:${long}` })
    expect(start.ok).toBe(false)
    if (!start.ok) {
      expect(start.error.code).toBe('ENAMETOOLONG')
      expect(start.error.message).toContain(`${max + 1} bytes long`)
      expect(start.error.message).toContain(`at most ${max}`)
    }
    const connect = await lab.session.handle('client:connect', { host: `unix:${long}` })
    expect(connect.ok).toBe(false)
    if (!connect.ok) expect(connect.error.code).toBe('ENAMETOOLONG')
    const cli = await startListenSpecs(lab.hub, ['--listen', `unix:${long}`])
    expect(cli).toMatch(/at most/)

    expect(lab.hub.lab.servers.size).toBe(0)
    // Nothing was bound at the truncated name, and the user's file is intact after every attempt.
    expect(readdirSync(join(long, '..'))).toEqual(before)
    expect(readFileSync(long, 'utf8')).toBe("the user's data")
  })

  it('a path of exactly the limit works, and the bound path reported is the real one', async () => {
    lab = createTestLab()
    const p = pathOfLength(unixPathMaxBytes())
    const s = await lab.ok('server:start', { host: `unix:${p}` })
    expect(s.bound.address).toBe(p)
    const peer = await connectPeer({ path: p })
    peer.socket.end('hi')
    expect((await peer.waitFor('hi')).toString()).toBe('hi')
    await lab.ok('server:stop', { serverId: s.id })
    expect(existsSync(p)).toBe(false)
  })
})

describe("stop removes only the lab's own socket file", () => {
  for (const how of ['stop', 'stop accepting', 'quit'] as const) {
    it(`${how}: a user's file put where the socket was is left alone`, async () => {
      lab = createTestLab()
      const p = join(dir, 'lab.sock')
      const s = await lab.ok('server:start', { host: `unix:${p}` })
      unlinkSync(p)
      writeFileSync(p, "not the lab's")
      if (how === 'stop') await lab.ok('server:stop', { serverId: s.id })
      else if (how === 'stop accepting') await lab.ok('server:configure', { serverId: s.id, accepting: false })
      else await lab.hub.dispose()
      expect(readFileSync(p, 'utf8')).toBe("not the lab's")
    })
  }

  it("another server's socket at the path survives the lab's stop", async () => {
    lab = createTestLab()
    const p = join(dir, 'shared.sock')
    const s = await lab.ok('server:start', { host: `unix:${p}` })
    unlinkSync(p)
    const other = createTestLab()
    try {
      await other.ok('server:start', { host: `unix:${p}` })
      await lab.ok('server:stop', { serverId: s.id })
      const peer = await connectPeer({ path: p })
      peer.socket.end('still here')
      expect((await peer.waitFor('still here')).toString()).toBe('still here')
    } finally {
      await other.dispose()
    }
  })

  it('starting on a path that holds a file never replaces it, and leaves no temporary name behind', async () => {
    lab = createTestLab()
    const p = join(dir, 'taken')
    writeFileSync(p, 'mine')
    const r = await lab.session.handle('server:start', { host: `unix:${p}` })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/not a socket/)
    expect(readFileSync(p, 'utf8')).toBe('mine')
    expect(readdirSync(dir)).toEqual(['taken'])
  })

  it('stop accepting, then accept again, then stop: the socket comes back and goes away cleanly', async () => {
    lab = createTestLab()
    const p = join(dir, 'again.sock')
    const s = await lab.ok('server:start', { host: `unix:${p}` })
    await lab.ok('server:configure', { serverId: s.id, accepting: false })
    expect(existsSync(p)).toBe(false)
    await lab.ok('server:configure', { serverId: s.id, accepting: true })
    const peer = await connectPeer({ path: p })
    peer.socket.end('x')
    await peer.waitFor('x')
    await lab.ok('server:stop', { serverId: s.id })
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('unix: path words', () => {
  it('NUL bytes and blank paths are refused on every channel with a sentence', async () => {
    lab = createTestLab()
    for (const name of ['server:start', 'client:connect'] as const) {
      const nul = await lab.session.handle(name, { host: `unix:${dir}/a\0b` })
      expect(nul.ok).toBe(false)
      if (!nul.ok) expect(nul.error.message).toMatch(/NUL byte/)
      const blank = await lab.session.handle(name, { host: 'unix:' })
      expect(blank.ok).toBe(false)
      if (!blank.ok) {
        expect(blank.error.message).toMatch(/needs a socket path/)
        expect(blank.error.message).not.toMatch(/ERR_/)
      }
    }
  })

  it('a relative path is resolved to the absolute path the UI shows', async () => {
    lab = createTestLab()
    const rel = relative(process.cwd(), join(dir, 'rel.sock'))
    const s = await lab.ok('server:start', { host: `unix:${rel}` })
    expect(s.bound.address).toBe(join(dir, 'rel.sock'))
    expect(s.requestedHost).toBe(`unix:${join(dir, 'rel.sock')}`)
  })

  it('a missing directory says "no such directory"', async () => {
    lab = createTestLab()
    const r = await lab.session.handle('server:start', { host: `unix:${dir}/nope/x.sock` })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toContain(`no such directory ${dir}/nope`)
  })
})
