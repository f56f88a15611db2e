import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { portOf } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'

// Debian's redis-cli ↔ the lab ↔ Debian's redis-server (on a unix socket in a temp dir, no TCP port).
let lab: TestLab
let dir = ''
let redis: ChildProcess | null = null
let port = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-redis-'))
  const sock = join(dir, 'redis.sock')
  redis = spawn(
    'redis-server',
    ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' }
  )
  await waitFor(() => existsSync(sock), { timeoutMs: 10_000, what: 'redis-server to listen' })
  lab = createTestLab()
  const p = await lab.ok('proxy:create', { name: 'redis', listen: '127.0.0.1:0', upstream: `unix:${sock}` })
  port = portOf(p.listen)
})

afterAll(async () => {
  await lab?.dispose()
  redis?.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

function pairOf(
  clientBytesIn: number
): { client: ReturnType<TestLab['conn']>; upstream: ReturnType<TestLab['conn']> }[] {
  const all = [...lab.hub.lab.connections.values()].map((c) => c.info())
  return all
    .filter((c) => c.proxy?.leg === 'client' && c.bytesIn === clientBytesIn)
    .map((client) => ({
      client,
      upstream: all.find((u) => u.proxy?.leg === 'upstream' && u.proxy.pairId === client.id)!
    }))
}

describe('redis-cli through the lab to redis-server', () => {
  it('PING and SET/GET with the exact RESP bytes on both legs', async () => {
    const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'SET', 'lab', 'proxied'])
    expect(r.stdout.toString().trim()).toBe('OK')
    const g = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'GET', 'lab'])
    expect(g.stdout.toString().trim()).toBe('proxied')
    const get = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nlab\r\n')
    const reply = Buffer.from('$7\r\nproxied\r\n')
    const [pair] = await waitFor(
      () => {
        const found = pairOf(get.length).filter((p) => p.client.state === 'closed' && p.upstream?.state === 'closed')
        return found.length > 0 ? found : null
      },
      { what: 'the GET pair closed' }
    )
    expect([pair.client.bytesIn, pair.upstream.bytesOut]).toEqual([get.length, get.length])
    expect([pair.upstream.bytesIn, pair.client.bytesOut]).toEqual([reply.length, reply.length])
    const up = await lab.ok('connection:traffic', { connectionId: pair.upstream.id })
    const sent = Buffer.concat(up.chunks.filter((c) => c.dir === 'out').map((c) => Buffer.from(c.data, 'base64')))
    const got = Buffer.concat(up.chunks.filter((c) => c.dir === 'in').map((c) => Buffer.from(c.data, 'base64')))
    expect(sent.equals(get)).toBe(true)
    expect(got.equals(reply)).toBe(true)
    expect(pair.upstream.family).toBe('unix')
  })

  it("with 200 ms of latency each answer takes 200 ms more, by redis-cli's own clock", async () => {
    await lab.ok('toxic:add', {
      proxy: 'redis',
      toxic: { name: 'slow', type: 'latency', stream: 'downstream', attributes: { latency: 200 } }
    })
    // redis-cli --latency-history would run forever; three timed PINGs are bounded.
    const t0 = Date.now()
    const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '-r', '3', 'PING'])
    const elapsed = Date.now() - t0
    expect(r.stdout.toString().trim().split('\n')).toEqual(['PONG', 'PONG', 'PONG'])
    expect(elapsed).toBeGreaterThanOrEqual(3 * 195)
    await lab.ok('toxic:remove', { proxy: 'redis', name: 'slow' })
  })
})
