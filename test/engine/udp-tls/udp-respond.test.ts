import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { run } from '../../helpers/processes'
import { waitFor } from '../../helpers/wait'

// A real UDP peer in Python: sends each datagram (JSON strings, latin-1), then reads replies until `expect`
// arrived or the timeout passed; prints its local port and the replies (with ms since the first send) as JSON.
const PY = `
import json, socket, sys, time
host, port, msgs, expect, timeout = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(timeout)
t0 = time.monotonic()
for m in msgs:
    s.sendto(m.encode('latin-1'), (host, port))
got = []
try:
    while len(got) < expect:
        data, _ = s.recvfrom(65536)
        got.append([data.decode('latin-1'), int((time.monotonic() - t0) * 1000)])
except socket.timeout:
    pass
print(json.dumps({"port": s.getsockname()[1], "replies": got}))
`

async function exchange(
  port: number,
  msgs: string[],
  expectReplies: number,
  timeoutS = 3
): Promise<{ port: number; replies: [string, number][] }> {
  const r = await run(
    'python3',
    ['-c', PY, '127.0.0.1', String(port), JSON.stringify(msgs), String(expectReplies), String(timeoutS)],
    {
      timeoutMs: (timeoutS + 10) * 1000
    }
  )
  if (r.code !== 0) throw new Error(`python3 failed: ${r.stderr}`)
  return JSON.parse(r.stdout.toString()) as { port: number; replies: [string, number][] }
}

let lab: TestLab
afterEach(async () => {
  await lab?.dispose()
})

const rules = [
  { match: { equals: 'PING' }, reply: 'PONG {{counter}}' },
  { match: { regex: '^GET (\\w+)$' }, reply: 'VALUE $1' },
  { match: { equals: 'SLOW' }, reply: 'slow done', delayMs: 200 },
  { match: { prefix: 'BYE' }, reply: 'bye {{peer}}', then: 'close' as const }
]

describe('respond on a UDP server: each datagram is one message', () => {
  it('answers a Python client by rule, one datagram per reply, with counters, captures, fallback and a delay', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      protocol: 'udp',
      behaviour: 'respond',
      options: { rules, fallback: 'unknown: $0' }
    })
    const r = await exchange(s.bound.port, ['SLOW', 'PING', 'GET key', 'PING', 'what', 'line1\nline2'], 6)
    expect(r.replies.map(([d]) => d)).toEqual([
      'PONG 1',
      'VALUE key',
      'PONG 2',
      'unknown: what',
      // A datagram is never cut at its newlines: one message, one reply.
      'unknown: line1\nline2',
      'slow done'
    ])
    // Timers are late, never early.
    expect(r.replies[5][1]).toBeGreaterThanOrEqual(190)
    const stats = await lab.ok('respond:stats', { serverId: s.id })
    expect(stats).toMatchObject({ hits: [2, 1, 1, 0], fallback: 2, messages: 6, unmatched: 0, dropped: 0 })
    const flow = await lab.waitConn((c) => c.serverId === s.id && c.remote.port === r.port, 'the flow')
    expect([flow.chunksIn, flow.chunksOut, flow.kind]).toEqual([6, 6, 'udp'])
  })

  it('then: close forgets the flow (the next datagram opens a new one, counters from 1); nc -u gets its answer', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      protocol: 'udp',
      behaviour: 'respond',
      options: { rules: [{ match: { prefix: 'PING' }, reply: 'PONG {{counter}}\\n' }, ...rules.slice(3)] }
    })
    const r = await exchange(s.bound.port, ['PING', 'BYE'], 2)
    expect(r.replies.map(([d]) => d)).toEqual(['PONG 1\n', `bye 127.0.0.1:${r.port}`])
    await lab.waitConn((c) => c.serverId === s.id && c.remote.port === r.port && c.state === 'closed', 'flow closed')
    // nc -u sends its line (newline included) as one datagram; the prefix rule matches it.
    const nc = await run('nc', ['-u', '-w', '1', '127.0.0.1', String(s.bound.port)], { input: 'PING\n' })
    expect(nc.stdout.toString()).toBe('PONG 1\n')
    await waitFor(async () => (await lab.ok('respond:stats', { serverId: s.id })).hits[0] === 2, { what: 'two hits' })
  })

  it('refuses what makes no sense over UDP, in words, and starts nothing', async () => {
    lab = createTestLab()
    const bad = [
      [
        { rules: [{ match: { any: true }, reply: 'x', then: 'half-close' }] },
        /rules\.0\.then: "half-close" needs a stream connection; UDP has no FIN/
      ],
      [{ rules: [{ match: { any: true }, reply: 'x', then: 'reset' }] }, /rules\.0\.then: "reset" .* UDP has no RST/],
      [{ greeting: 'hi', rules: [] }, /greeting: a UDP responder has no connection to greet/],
      [{ framing: 'line', rules: [] }, /framing: over UDP each datagram is one message/]
    ] as const
    for (const [options, message] of bad) {
      const r = await lab.session.handle('server:start', {
        host: '127.0.0.1',
        port: 0,
        protocol: 'udp',
        behaviour: 'respond',
        options
      } as never)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.message).toMatch(message)
    }
    expect(lab.hub.lab.servers.size).toBe(0)
    // Switching a running UDP echo server to a bad responder changes nothing.
    const echo = await lab.ok('server:start', { host: '127.0.0.1', port: 0, protocol: 'udp', behaviour: 'echo' })
    const c = await lab.session.handle('server:configure', {
      serverId: echo.id,
      behaviour: 'respond',
      options: { rules: [{ match: { any: true }, reply: 'x', then: 'reset' }] }
    })
    expect(c.ok).toBe(false)
    const r = await exchange(echo.bound.port, ['still echo'], 1)
    expect(r.replies.map(([d]) => d)).toEqual(['still echo'])
    // raw framing is the datagram's own: accepted.
    const ok = await lab.ok('server:configure', {
      serverId: echo.id,
      behaviour: 'respond',
      options: { framing: 'raw', rules: [{ match: { any: true }, reply: 'got $0' }] }
    })
    expect(ok.behaviour).toBe('respond')
    expect((await exchange(echo.bound.port, ['x'], 1)).replies.map(([d]) => d)).toEqual(['got x'])
  })
})
