import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { portOf } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'

// redis-cli ↔ the lab's proxy (an upstream responder with RESP framing) ↔ a real redis-server on a unix socket.
let lab: TestLab
let dir = ''
let sock = ''
let redis: ChildProcess | null = null
let port = 0

const cli = async (...args: string[]): Promise<string> =>
  (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout.toString()
const direct = async (...args: string[]): Promise<string> =>
  (await run('redis-cli', ['-s', sock, ...args])).stdout.toString()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-redis-respond-'))
  sock = join(dir, 'redis.sock')
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

/** The `proxy:respond` request of the README's "Responders on a proxy" recipe. */
function readmeRecipe(): unknown {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('### Responders on a proxy'))
  const m = /^proxy:respond (\{[\s\S]*?\]\}\})\n/m.exec(section)
  if (!m) throw new Error('no proxy:respond line in the README recipe')
  return JSON.parse(m[1])
}

describe('a responder on the upstream direction of a proxy to redis-server', () => {
  it('answers PING itself, rewrites GET secret into GET other, passes every other command through', async () => {
    expect(await direct('SET', 'secret', 'the real secret')).toBe('OK\n')
    expect(await direct('SET', 'other', 'a decoy')).toBe('OK\n')
    expect(await direct('CONFIG', 'RESETSTAT')).toBe('OK\n')
    const request = {
      proxy: 'redis',
      stream: 'upstream' as const,
      responder: {
        framing: 'resp' as const,
        rules: [
          {
            match: { equals: '*1\\r\\n$4\\r\\nPING\\r\\n' },
            reply: '+PONG from the lab\\r\\n',
            action: 'answer' as const
          },
          {
            match: { equals: '*2\\r\\n$3\\r\\nGET\\r\\n$6\\r\\nsecret\\r\\n' },
            reply: '*2\\r\\n$$3\\r\\nGET\\r\\n$$5\\r\\nother\\r\\n',
            action: 'replace' as const
          }
        ]
      }
    }
    // The README's recipe is this very request.
    expect(readmeRecipe()).toEqual({ ...request, responder: { framing: 'resp', rules: request.responder.rules } })
    const info = await lab.ok('proxy:respond', request)
    expect(info.responders?.upstream?.rules.map((r) => r.action)).toEqual(['answer', 'replace'])

    expect(await cli('PING')).toBe('PONG from the lab\n')
    expect(await cli('GET', 'secret')).toBe('a decoy\n')
    expect(await cli('SET', 'k', 'through')).toBe('OK\n')
    expect(await cli('GET', 'k')).toBe('through\n')

    // redis-server never saw a PING, nor a GET of "secret" (it got GET other instead).
    const stats = await direct('INFO', 'commandstats')
    expect(stats).not.toMatch(/cmdstat_ping:/)
    expect(stats).toMatch(/cmdstat_get:calls=2,/)
    expect(stats).toMatch(/cmdstat_set:calls=1,/)

    const listed = await lab.ok('proxy:list', {})
    const r = listed.proxies.find((p) => p.name === 'redis')?.responders?.upstream
    expect(r?.stats.hits).toEqual([1, 1])

    // The timelines say what the lab did: an answer on the client leg, a replacement on the upstream leg.
    const legs = [...lab.hub.lab.connections.values()]
    const marks = legs.flatMap((c) => (c.faultMarks ?? []).map((m) => ({ leg: c.proxy?.leg, m })))
    expect(marks.filter((x) => x.m.type === 'respond').map((x) => `${x.leg}: ${x.m.text.split(' (')[0]}`)).toEqual(
      expect.arrayContaining(['client: answered by rule 1', 'upstream: replaced by rule 2'])
    )
  })

  it('cleared with null: PING reaches redis-server again', async () => {
    await direct('CONFIG', 'RESETSTAT')
    const info = await lab.ok('proxy:respond', { proxy: 'redis', stream: 'upstream', responder: null })
    expect(info.responders).toBeUndefined()
    expect(await cli('PING')).toBe('PONG\n')
    expect(await cli('GET', 'secret')).toBe('the real secret\n')
    expect(await direct('INFO', 'commandstats')).toMatch(/cmdstat_ping:calls=1,/)
  })
})
