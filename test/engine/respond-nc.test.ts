import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run, startPeer } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'

let lab: TestLab
let peers: LivePeer[] = []
afterEach(async () => {
  for (const p of peers) p.kill()
  peers = []
  await lab?.dispose()
})

const RULES = {
  framing: 'line' as const,
  greeting: '220 lab ready\\r\\n',
  fallback: '? $0\\n',
  rules: [
    { match: { regex: '^HELLO (\\w+)$' }, reply: 'Hi $1 #{{counter}} (server {{hits}})\\n' },
    { match: { prefix: 'PEER' }, reply: '{{peer}}\\n' },
    { match: { equals: 'QUIT' }, reply: 'bye\\n', then: 'close' as const }
  ]
}

describe('respond with the real nc', () => {
  it('a line dialogue: greeting, regex captures, counters per connection and server, fallback, close', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'respond', options: RULES })
    const nc = startPeer('nc', ['127.0.0.1', String(server.bound.port)])
    peers.push(nc)
    const saw = (text: string) => waitFor(() => nc.output().toString().includes(text), { what: JSON.stringify(text) })
    await saw('220 lab ready\r\n')
    nc.child.stdin.write('HELLO ann\n')
    await saw('Hi ann #1 (server 1)\n')
    // CR is stripped by the line framing, so a CRLF client matches the same anchored regex.
    nc.child.stdin.write('HELLO bob\r\n')
    await saw('Hi bob #2 (server 2)\n')
    nc.child.stdin.write('what?\nPEER\n')
    await saw('? what?\n')
    const conn = await lab.waitConn((c) => c.serverId === server.id)
    await saw(`127.0.0.1:${conn.remote.port}\n`)
    const stats = await lab.ok('respond:stats', { serverId: server.id })
    expect(stats).toEqual({ serverId: server.id, hits: [2, 1, 0], fallback: 1, unmatched: 0, messages: 4, dropped: 0 })

    // A second connection counts from 1 again per connection, the server-wide hits go on.
    const second = await run('nc', ['-N', '127.0.0.1', String(server.bound.port)], {
      input: 'HELLO cy\nQUIT\nHELLO never\n'
    })
    expect(second.stdout.toString()).toBe('220 lab ready\r\nHi cy #1 (server 3)\nbye\n')

    nc.child.stdin.write('QUIT\n')
    await saw('bye\n')
    const closed = await lab.waitConn((c) => c.id === conn.id && c.state === 'closed', 'the first nc to be closed')
    expect(closed.closeReason).toBe('lab-close')
    expect(nc.output().toString()).toBe(
      `220 lab ready\r\nHi ann #1 (server 1)\nHi bob #2 (server 2)\n? what?\n127.0.0.1:${conn.remote.port}\nbye\n`
    )
    const after = await lab.ok('respond:stats', { serverId: server.id })
    expect(after.hits).toEqual([3, 1, 2])
  })

  it('a rule with a delay, then close', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: { rules: [{ match: { any: true }, reply: 'late\\n', delayMs: 300, then: 'close' }] }
    })
    const t0 = Date.now()
    const r = await run('nc', ['127.0.0.1', String(server.bound.port)], { input: 'x\n', timeoutMs: 5_000 })
    const took = Date.now() - t0
    expect(r.stdout.toString()).toBe('late\n')
    expect(took).toBeGreaterThanOrEqual(280)
    const c = await lab.waitConn((x) => x.serverId === server.id && x.state === 'closed')
    expect(c.closeReason).toBe('lab-close')
    expect(c.bytesOut).toBe(5)
  })

  it('a peer FIN waits for a delayed reply before answering with FIN', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: {
        rules: [
          { match: { prefix: 'a' }, reply: 'A\\n', delayMs: 100 },
          { match: { any: true }, reply: 'B\\n' }
        ]
      }
    })
    const r = await run('nc', ['-N', '127.0.0.1', String(server.bound.port)], { input: 'a\nb\n' })
    expect(r.stdout.toString()).toBe('A\nB\n')
  })

  it('refuses a bad regex and a bad template with their positions, changing nothing', async () => {
    lab = createTestLab()
    const bad = await lab.session.handle('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: { rules: [{ match: { regex: 'ab(c' }, reply: 'x' }] }
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok)
      expect(bad.error.message).toMatch(/rules\.0\.match\.regex: Bad regex at position 0: missing closing \)/)
    const tpl = await lab.session.handle('respond:test', {
      options: { rules: [{ match: { prefix: 'a' }, reply: 'ok {{nope}}' }] },
      sample: { format: 'text', text: 'a\n' }
    })
    expect(tpl.ok).toBe(false)
    if (!tpl.ok)
      expect(tpl.error.message).toBe(
        'options.rules.0.reply: Unknown placeholder {{nope}} at position 3; use {{counter}}, {{hits}}, {{time}}, {{peer}}, {{message}}'
      )
    const esc = await lab.session.handle('respond:test', {
      options: { rules: [{ match: { regex: '(a)' }, reply: 'x\\q $2' }] },
      sample: { format: 'text', text: 'a\n' }
    })
    if (!esc.ok) expect(esc.error.message).toMatch(/reply: Unknown escape "\\q" at position 1/)
    expect(esc.ok).toBe(false)
    expect(lab.hub.lab.servers.size).toBe(0)
  })

  it('respond:test says which rule fires and what it replies', async () => {
    lab = createTestLab()
    const r = await lab.ok('respond:test', {
      options: RULES,
      sample: { format: 'escapes', text: 'HELLO zed\\r\\nnothing\\nQUIT\\npartial' }
    })
    const reply = (b: string | null) => (b === null ? null : Buffer.from(b, 'base64').toString())
    expect(r.messages.map((m) => [m.start, m.end, m.rule, m.fallback, reply(m.reply), m.then])).toEqual([
      [0, 11, 0, false, 'Hi zed #1 (server 1)\n', null],
      [11, 19, -1, true, '? nothing\n', null],
      [19, 24, 2, false, 'bye\n', 'close']
    ])
    expect(r.pending).toEqual({ start: 24, size: 7 })
  })

  it('many lines in one write: every reply, in order, in few writes (bounded per turn)', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: { rules: [{ match: { regex: '^n(\\d+)$' }, reply: '$1,' }] }
    })
    const n = 10_000
    const input = Array.from({ length: n }, (_, k) => `n${k}\n`).join('')
    const r = await run('nc', ['-N', '127.0.0.1', String(server.bound.port)], { input, timeoutMs: 20_000 })
    expect(r.stdout.toString()).toBe(Array.from({ length: n }, (_, k) => `${k},`).join(''))
    const c = await lab.waitConn((x) => x.serverId === server.id && x.state === 'closed')
    // One write per chunk read plus one per deferred turn of 256 messages.
    expect(c.chunksOut).toBeLessThanOrEqual(c.chunksIn + Math.ceil(n / 256) + 1)
    expect((await lab.ok('respond:stats', { serverId: server.id })).hits).toEqual([n])
  })

  it('a hostile regex and a 16 MiB line stay within bounds; the lab answers meanwhile', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: {
        rules: [
          { match: { regex: '^(a+)+$' }, reply: 'evil\\n' },
          { match: { regex: '(x+x+)+y' }, reply: 'x\\n' }
        ],
        fallback: 'size ok\\n'
      }
    })
    const t0 = Date.now()
    const sock = connect(server.bound.port, '127.0.0.1')
    const got: Buffer[] = []
    sock.on('data', (d: Buffer) => got.push(d))
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()))
    // 16 MiB of 'a' then '!' : classic catastrophic backtracking for ^(a+)+$ in a backtracking engine.
    const mib = Buffer.alloc(1024 * 1024, 0x61)
    let maxLag = 0
    let last = Date.now()
    const ticker = setInterval(() => {
      maxLag = Math.max(maxLag, Date.now() - last)
      last = Date.now()
    }, 20)
    try {
      for (let k = 0; k < 16; k++) sock.write(mib)
      // Then lines under the match budget that would each take forever in a backtracking engine.
      sock.write('!\n' + 'a'.repeat(60_000) + '!\n' + 'x'.repeat(30_000) + '\n')
      await waitFor(() => Buffer.concat(got).toString() === 'size ok\nsize ok\nsize ok\n', {
        what: 'three fallback replies',
        timeoutMs: 15_000
      })
      const snap = await lab.ok('lab:snapshot', {})
      expect(snap.servers).toHaveLength(1)
    } finally {
      clearInterval(ticker)
      sock.destroy()
    }
    expect(Date.now() - t0).toBeLessThan(15_000)
    // Generous: the loop must never be held for seconds by one message.
    expect(maxLag).toBeLessThan(1_500)
    const conn = await lab.waitConn((c) => c.serverId === server.id)
    expect(conn.bytesIn).toBe(16 * 1024 * 1024 + 2 + 60_002 + 30_001)
  }, 30_000)
})

describe('respond under a flood of tiny messages', () => {
  it('1 MiB of empty lines: every one counted and answered, reading held instead of dropping, the loop stays free', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: { rules: [{ match: { any: true }, reply: '' }] }
    })
    const n = 1024 * 1024
    let maxLag = 0
    let last = Date.now()
    const ticker = setInterval(() => {
      maxLag = Math.max(maxLag, Date.now() - last)
      last = Date.now()
    }, 20)
    const t0 = Date.now()
    try {
      const r = await run('nc', ['-N', '127.0.0.1', String(server.bound.port)], {
        input: Buffer.alloc(n, 0x0a),
        timeoutMs: 60_000
      })
      expect(r.code).toBe(0)
      const stats = await waitFor(
        async () => {
          const s = await lab.ok('respond:stats', { serverId: server.id })
          return s.messages + s.dropped === n ? s : null
        },
        { what: 'every message counted', timeoutMs: 60_000 }
      )
      expect(stats).toMatchObject({ hits: [n], dropped: 0, unmatched: 0 })
    } finally {
      clearInterval(ticker)
    }
    console.log(`respond flood: ${n} messages in ${Date.now() - t0} ms, max event-loop gap ${maxLag} ms`)
    expect(maxLag).toBeLessThan(2_000)
  }, 90_000)
})

describe('respond reconfigured while connected', () => {
  it('server:configure swaps the rules for live connections, without a second greeting; a bad rule changes nothing', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: { greeting: 'hi\\n', rules: [{ match: { any: true }, reply: 'old\\n' }] }
    })
    const nc = startPeer('nc', ['127.0.0.1', String(server.bound.port)])
    peers.push(nc)
    const saw = (text: string) => waitFor(() => nc.output().toString() === text, { what: JSON.stringify(text) })
    nc.child.stdin.write('a\n')
    await saw('hi\nold\n')
    const bad = await lab.session.handle('server:configure', {
      serverId: server.id,
      options: { rules: [{ match: { regex: '(' }, reply: '' }] }
    })
    expect(bad.ok).toBe(false)
    nc.child.stdin.write('b\n')
    await saw('hi\nold\nold\n')
    const info = await lab.ok('server:configure', {
      serverId: server.id,
      options: { greeting: 'hi\\n', rules: [{ match: { any: true }, reply: 'new $0\\n' }] }
    })
    expect(info.options.rules?.[0].reply).toBe('new $0\\n')
    nc.child.stdin.write('c\n')
    await saw('hi\nold\nold\nnew c\n')
    expect((await lab.ok('respond:stats', { serverId: server.id })).hits).toEqual([1])
    const wrong = await lab.session.handle('respond:stats', { serverId: 999 })
    expect(wrong.ok).toBe(false)
  })
})
