import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { detectFraming, frameTraffic } from '@shared/framing'
import type { FramingInput } from '@shared/framing'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run, startPeer } from '../helpers/processes'
import type { LivePeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'

let lab: TestLab
let peers: LivePeer[] = []
let dirs: string[] = []
afterEach(async () => {
  for (const p of peers) p.kill()
  peers = []
  await lab?.dispose()
  // Only folders this test created.
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  dirs = []
})

/** The engine's traffic record of a connection, framed. */
async function framed(connectionId: number, framing: FramingInput) {
  const rec = await lab.ok('connection:traffic', { connectionId })
  const chunks = rec.chunks.map((c) => ({
    seq: c.seq,
    dir: c.dir,
    size: c.size,
    bytes: new Uint8Array(Buffer.from(c.data, 'base64'))
  }))
  return { chunks, framed: frameTraffic(chunks, framing, true) }
}

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1')

// A client whose writes cut messages at odd places. Before each write it waits for a line on stdin: the test sends
// one once the lab has read the previous write, so every write is its own read on the lab's side.
const PY_CLIENT = `
import socket, struct, sys
def frame(body): return struct.pack('>H', len(body)) + body
msgs = [b'PING', b'hello', b'a longer message body', b'PING', b'z']
stream = b''.join(frame(m) for m in msgs)
cuts = [int(x) for x in sys.argv[2].split(',')]
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
want = {0: 0}
got = b''
def replies_for(end):
    n = 0; at = 0
    while at + 2 <= end:
        ln = struct.unpack('>H', stream[at:at+2])[0]
        if at + 2 + ln > end: break
        n += 1; at += 2 + ln
    return n
def read_replies(n):
    global got
    while True:
        count = 0; at = 0
        while at + 2 <= len(got):
            ln = struct.unpack('>H', got[at:at+2])[0]
            if at + 2 + ln > len(got): break
            count += 1; at += 2 + ln
        if count >= n: return
        d = s.recv(4096)
        if not d: return
        got += d
prev = 0
for c in cuts + [len(stream)]:
    sys.stdin.readline()
    s.sendall(stream[prev:c]); prev = c
read_replies(len(msgs))
s.shutdown(socket.SHUT_WR)
while True:
    d = s.recv(4096)
    if not d: break
    got += d
sys.stdout.buffer.write(got)
`

describe('framing real traffic through the engine', () => {
  it('a 2-byte length protocol from python with writes split at odd places: right messages, chunk boundaries across them', async () => {
    lab = createTestLab()
    const framing = { type: 'length' as const, bytes: 2 as const }
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: { framing, rules: [{ match: { equals: 'PING' }, reply: '\\x00\\x04PONG' }], fallback: '\\x00\\x02ok' }
    })
    // Stream: [0,4]PING(0-6) [0,5]hello(6-13) [0,21]a longer…(13-36) [0,4]PING(36-42) [0,1]z(42-45)
    const py = startPeer('python3', ['-c', PY_CLIENT, String(server.bound.port), '14,18,40'])
    peers.push(py)
    for (let k = 0; k < 4; k++) {
      py.child.stdin.write('\n')
      await waitFor(
        () => [...lab.hub.lab.connections.values()].some((c) => c.serverId === server.id && c.chunksIn === k + 1),
        { what: `read ${k + 1}` }
      )
    }
    expect(await py.exited).toBe(0)
    expect(py.stderr()).toBe('')
    expect(py.output().toString('latin1')).toBe('\x00\x04PONG\x00\x02ok\x00\x02ok\x00\x04PONG\x00\x02ok')
    const conn = await lab.waitConn((c) => c.serverId === server.id && c.state === 'closed')
    const { framed: f } = await framed(conn.id, framing)
    expect(f.in.chunkStarts.map((c) => c.offset)).toEqual([0, 14, 18, 40])
    expect(f.in.messages.map((m) => [m.start, m.end, text(m.data)])).toEqual([
      [0, 6, 'PING'],
      [6, 13, 'hello'],
      [13, 36, 'a longer message body'],
      [36, 42, 'PING'],
      [42, 45, 'z']
    ])
    expect(f.in.broken).toBeNull()
    expect(f.in.pending).toBeNull()
    // The message 13-36 spans three reads (the first read held two whole messages and one header byte); 36-42 spans two.
    const crossing = (m: { start: number; end: number }) =>
      f.in.chunkStarts.filter((c) => c.offset > m.start && c.offset < m.end).length
    expect(f.in.messages.map(crossing)).toEqual([0, 0, 2, 1, 0])
    expect(f.out.messages.map((m) => text(m.data))).toEqual(['PONG', 'ok', 'ok', 'PONG', 'ok'])
  })

  it('detects HTTP from a curl request and frames both directions', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'http' })
    const r = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://127.0.0.1:${server.bound.port}/lab?x=1`
    ])
    expect(r.stdout.toString()).toBe('200')
    const conn = await lab.waitConn((c) => c.serverId === server.id && c.state === 'closed')
    const { chunks, framed: f } = await framed(conn.id, 'http')
    const guess = detectFraming(chunks.find((c) => c.dir === 'in')!.bytes)
    expect(guess?.framing).toBe('http')
    expect(guess?.reason).toBe('starts with the request line "GET /lab?x=1 HTTP/1.1"')
    expect(f.in.messages.map((m) => m.summary)).toEqual(['GET /lab?x=1 HTTP/1.1'])
    expect(f.out.messages.map((m) => m.summary)).toEqual(['HTTP/1.1 200 OK'])
    expect(f.out.messages[0].end).toBe(conn.bytesOut)
  })

  it('a responder with HTTP framing answers curl by rule: the whole request is one message, keep-alive works', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: {
        framing: 'http',
        rules: [
          { match: { regex: '^GET /health HTTP' }, reply: 'HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n' }
        ],
        fallback: 'HTTP/1.1 404 Not Found\\r\\nContent-Length: 0\\r\\n\\r\\n'
      }
    })
    const base = `http://127.0.0.1:${server.bound.port}`
    const r = await run('curl', [
      '-s',
      '-w',
      ' %{http_code}\\n',
      `${base}/health`,
      '--next',
      '-s',
      '-w',
      ' %{http_code}\\n',
      '-d',
      'x=1',
      `${base}/nope`
    ])
    // Both requests on one connection (curl reuses it), each answered in turn.
    expect(r.stdout.toString()).toBe('ok\n 200\n 404\n')
    const stats = await lab.ok('respond:stats', { serverId: server.id })
    expect(stats).toMatchObject({ hits: [1], fallback: 1, messages: 2 })
    expect([...lab.hub.lab.connections.values()].filter((c) => c.serverId === server.id)).toHaveLength(1)
  })

  it('RESP: redis-cli against a lab responder playing Redis, and the lab as a client of a real redis-server', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'respond',
      options: {
        framing: 'resp',
        rules: [
          { match: { regex: '^\\*1\\r\\n\\$4\\r\\nPING\\r\\n$' }, reply: '+PONG\\r\\n' },
          { match: { regex: '^\\*3\\r\\n\\$3\\r\\nSET\\r\\n' }, reply: '+OK\\r\\n' }
        ],
        fallback: '-ERR unknown command\\r\\n'
      }
    })
    const port = String(server.bound.port)
    const ping = await run('redis-cli', ['-h', '127.0.0.1', '-p', port, 'PING'])
    expect(ping.stdout.toString()).toBe('PONG\n')
    const set = await run('redis-cli', ['-h', '127.0.0.1', '-p', port, 'SET', 'k', 'v'])
    expect(set.stdout.toString()).toBe('OK\n')
    const conns = await waitFor(
      () => {
        const cs = [...lab.hub.lab.connections.values()].filter((c) => c.serverId === server.id && c.closed)
        return cs.length === 2 ? cs : null
      },
      { what: 'both redis-cli connections closed' }
    )
    const setConn = conns.reduce((a, b) => (b.bytesIn > a.bytesIn ? b : a))
    const { chunks, framed: f } = await framed(setConn.id, 'resp')
    expect(detectFraming(chunks[0].bytes)?.protocol).toBe('Redis RESP')
    // redis-cli may ask COMMAND DOCS first on connect (version-dependent); the SET is the last command.
    expect(f.in.messages.at(-1)?.summary).toBe('SET k v')
    expect(f.in.broken).toBeNull()

    // A real redis-server on a Unix socket in a temp folder; the lab connects as the client.
    const dir = mkdtempSync(join(tmpdir(), 'lab-redis-'))
    dirs.push(dir)
    const sock = join(dir, 'redis.sock')
    const redis = startPeer('redis-server', [
      '--port',
      '0',
      '--unixsocket',
      sock,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir
    ])
    peers.push(redis)
    await waitFor(() => redis.output().toString().includes('ready to accept connections'), {
      what: 'redis-server to be ready',
      timeoutMs: 10_000
    })
    const client = await lab.ok('client:connect', { host: `unix:${sock}` })
    const cmds =
      '*3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$5\\r\\nhello\\r\\n*2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n*2\\r\\n$3\\r\\nGET\\r\\n$4\\r\\nnone\\r\\n*1\\r\\n$4\\r\\nPING\\r\\n'
    await lab.ok('connection:send', { connectionId: client.id, payload: { format: 'escapes', text: cmds } })
    await waitFor(() => lab.conn(client.id).bytesIn >= 5 + 11 + 5 + 7, { what: 'four replies from redis-server' })
    const real = await framed(client.id, 'resp')
    expect(real.framed.out.messages.map((m) => m.summary)).toEqual(['SET k hello', 'GET k', 'GET none', 'PING'])
    expect(real.framed.in.messages.map((m) => m.summary)).toEqual(['+OK', 'hello', '(nil)', '+PONG'])
  }, 30_000)
})
