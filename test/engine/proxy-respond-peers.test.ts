import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProxyResponderInput } from '@shared/responders/proxy-schema'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer, portOf, startUpstream } from '../helpers/proxy-peers'
import type { Peer, Upstream } from '../helpers/proxy-peers'
import { startPeer } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'

let lab: TestLab
let up: Upstream | null = null
let nc: LivePeer | null = null
let dir = ''
const clients: Peer[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy()
  nc?.kill()
  nc = null
  await lab?.dispose()
  await up?.close()
  up = null
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = ''
})

async function proxyTo(upstream: string, name = 'p'): Promise<number> {
  lab = lab ?? createTestLab()
  const p = await lab.ok('proxy:create', { name, listen: '127.0.0.1:0', upstream })
  return portOf(p.listen)
}

async function client(port: number): Promise<Peer> {
  const c = await connectPeer(port)
  clients.push(c)
  return c
}

function legs(): { client: ReturnType<TestLab['conn']>; upstream: ReturnType<TestLab['conn']> } {
  const all = [...lab.hub.lab.connections.values()].map((c) => c.info())
  return {
    client: all.find((c) => c.proxy?.leg === 'client')!,
    upstream: all.find((c) => c.proxy?.leg === 'upstream')!
  }
}

const respond = (stream: 'upstream' | 'downstream', responder: ProxyResponderInput | null) =>
  lab.ok('proxy:respond', { proxy: 'p', stream, responder })

describe('responders on a proxy direction, with real peers', () => {
  it('a line-framed downstream responder replaces one line from an nc -l upstream; the rest is untouched', async () => {
    lab = createTestLab()
    dir = mkdtempSync(join(tmpdir(), 'lab-prx-nc-'))
    const sock = join(dir, 'nc.sock')
    nc = startPeer('nc', ['-lU', sock])
    const port = await proxyTo(`unix:${sock}`)
    await respond('downstream', {
      framing: 'line',
      rules: [{ match: { regex: '^secret code (\\d+)$' }, reply: 'redacted code #$1\\n', action: 'replace' }]
    })
    // nc listens once its socket exists; the proxy dials it when the client arrives.
    await waitFor(
      async () => {
        try {
          const c = await client(port)
          await waitFor(() => legs().upstream?.state === 'open', { timeoutMs: 500, what: 'the upstream leg' })
          return c
        } catch {
          return null
        }
      },
      { timeoutMs: 5_000, what: 'nc to accept through the proxy' }
    )
    const c = clients.at(-1)!
    c.socket.write('hello nc\n')
    await waitFor(() => nc!.output().toString() === 'hello nc\n', { what: 'nc to print the client line' })
    nc.child.stdin.write('first line\nsecret code 4711\nlast line\n')
    const got = await c.waitBytes('first line\nredacted code #4711\nlast line\n'.length)
    expect(got.toString()).toBe('first line\nredacted code #4711\nlast line\n')
    const { client: cl, upstream: ul } = legs()
    expect(ul.bytesIn).toBe('first line\nsecret code 4711\nlast line\n'.length)
    expect(cl.bytesOut).toBe(got.length)
    const marks = lab.hub.lab.connections.get(cl.id)!.faultMarks ?? []
    expect(marks.map((m) => [m.type, m.stream, m.responder?.action, m.text])).toEqual([
      ['respond', 'downstream', 'replace', 'replaced by rule 1 (20 B forwarded)']
    ])
    const info = await lab.ok('proxy:list', {})
    expect(info.proxies[0].responders?.downstream?.stats).toEqual({ hits: [1], messages: 3, unmatched: 2 })
  })

  it('a message written in 3 pieces is judged whole; forwarded bytes keep their order', async () => {
    lab = createTestLab()
    up = await startUpstream()
    const port = await proxyTo(`127.0.0.1:${up.port}`)
    await respond('upstream', {
      framing: 'line',
      rules: [
        { match: { equals: 'secret' }, reply: 'public\\n', action: 'replace' },
        { match: { equals: 'ping' }, reply: 'pong\\n' }
      ]
    })
    const c = await client(port)
    const server = await up.peer()
    const pieces = ['hel', 'lo\nsec', 'ret\nping\nbye\n']
    for (const [k, piece] of pieces.entries()) {
      c.socket.write(piece)
      // Each piece is its own read in the lab.
      await waitFor(() => (legs().client?.chunksIn ?? 0) >= k + 1, { what: `piece ${k + 1} read` })
    }
    expect(legs().client.chunksIn).toBe(3)
    expect((await server.waitBytes('hello\npublic\nbye\n'.length)).toString()).toBe('hello\npublic\nbye\n')
    expect((await c.waitBytes(5)).toString()).toBe('pong\n')
    server.socket.write('from the server\n')
    expect((await c.waitBytes(5 + 16)).toString()).toBe('pong\nfrom the server\n')
  })

  it('a delayed answer holds what comes after it; a then-close closes both legs after the reply', async () => {
    lab = createTestLab()
    up = await startUpstream()
    const port = await proxyTo(`127.0.0.1:${up.port}`)
    await respond('upstream', {
      framing: 'line',
      rules: [
        { match: { equals: 'slow' }, reply: 'later\\n', delayMs: 300 },
        { match: { equals: 'quit' }, reply: 'bye\\n', then: 'close' }
      ]
    })
    const c = await client(port)
    const server = await up.peer()
    const t0 = Date.now()
    c.socket.write('slow\nafter\n')
    await server.waitBytes(6)
    const forwardedAfter = Date.now() - t0
    expect((await c.waitBytes(6)).toString()).toBe('later\n')
    // The line behind the delayed answer waited for it (timers are late, never early).
    expect(forwardedAfter).toBeGreaterThanOrEqual(280)
    c.socket.write('quit\nnever forwarded\n')
    await c.waitEnded()
    await server.waitEnded()
    await waitFor(() => legs().client.state === 'closed' && legs().upstream.state === 'closed', {
      what: 'both legs closed'
    })
    expect(c.bytes().toString()).toBe('later\nbye\n')
    expect(server.bytes().toString()).toBe('after\n')
  })

  it('then after a replacement acts on the sink leg (half-close: FIN after it); a reset resets both legs', async () => {
    lab = createTestLab()
    up = await startUpstream()
    const port = await proxyTo(`127.0.0.1:${up.port}`)
    await respond('upstream', {
      framing: 'line',
      rules: [
        { match: { equals: 'quit' }, reply: 'QUIT\\n', action: 'replace', then: 'half-close' },
        { match: { equals: 'boom' }, reply: '', then: 'reset' }
      ]
    })
    const c = await client(port)
    const server = await up.peer()
    c.socket.write('one\nquit\nnot forwarded\n')
    await server.waitEnded()
    expect(server.bytes().toString()).toBe('one\nQUIT\n')
    // The other direction still flows: the server answers after the FIN it got.
    server.socket.write('bye from the server\n')
    expect((await c.waitBytes(20)).toString()).toBe('bye from the server\n')

    const c2 = await client(port)
    const server2 = await up.peer(1)
    c2.socket.write('boom\n')
    await c2.waitClosed()
    await server2.waitClosed()
    expect(c2.error?.code).toBe('ECONNRESET')
    expect(server2.error?.code).toBe('ECONNRESET')
  })

  it('applies to pairs already open, and clearing it passes everything through again', async () => {
    lab = createTestLab()
    up = await startUpstream({ echo: true })
    const port = await proxyTo(`127.0.0.1:${up.port}`)
    const c = await client(port)
    c.socket.write('one\n')
    await c.waitBytes(4)
    await respond('downstream', {
      framing: 'line',
      rules: [{ match: { equals: 'two' }, reply: 'TWO\\n', action: 'replace' }]
    })
    c.socket.write('two\n')
    expect((await c.waitBytes(8)).toString()).toBe('one\nTWO\n')
    await respond('downstream', null)
    c.socket.write('two\n')
    expect((await c.waitBytes(12)).toString()).toBe('one\nTWO\ntwo\n')
  })

  it('bad input is refused with the field named and changes nothing', async () => {
    lab = createTestLab()
    up = await startUpstream()
    await proxyTo(`127.0.0.1:${up.port}`)
    const good = { framing: 'line' as const, rules: [{ match: { equals: 'a' }, reply: 'b' }] }
    await respond('upstream', good)
    const bad = [
      [
        { framing: 'line', rules: [{ match: { regex: '(' }, reply: 'x' }] },
        /responder\.rules\.0\.match\.regex: Bad regex/
      ],
      [{ framing: 'line', rules: [{ match: { contains: 'a' }, reply: '$1' }] }, /responder\.rules\.0\.reply: \$1/],
      [{ framing: 'line', rules: [] }, /responder\.rules: A proxy responder needs at least one rule/],
      [{ framing: 'lines', rules: good.rules }, /responder\.framing/],
      [
        { framing: 'line', rules: [{ match: { equals: 'a' }, reply: 'b', action: 'drop' }] },
        /responder\.rules\.0\.action/
      ],
      [{ framing: 'line', greeting: 'hi', rules: good.rules }, /greeting/]
    ] as const
    for (const [responder, message] of bad) {
      const r = await lab.session.handle('proxy:respond', { proxy: 'p', stream: 'upstream', responder } as never)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.message).toMatch(message)
    }
    const wrongProxy = await lab.session.handle('proxy:respond', { proxy: 'nope', stream: 'upstream', responder: good })
    expect(wrongProxy.ok || wrongProxy.error.message).toBe('proxy not found')
    const wrongStream = await lab.session.handle('proxy:respond', {
      proxy: 'p',
      stream: 'sideways',
      responder: good
    } as never)
    expect(wrongStream.ok || wrongStream.error.message).toMatch(/stream/)
    const listed = await lab.ok('proxy:list', {})
    expect(listed.proxies[0].responders?.upstream?.rules).toEqual([{ ...good.rules[0], action: 'answer' }])
    expect(listed.proxies[0].responders?.downstream).toBeUndefined()
  })
})
