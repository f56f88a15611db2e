import net from 'node:net'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { COMMAND_NAMES, commands } from '@shared/contract'
import type { CommandName } from '@shared/contract'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import { startWebServer } from '../../src/main/web/web-server'
import type { WebServer } from '../../src/main/web/web-server'
import { WS_MAX_MESSAGE_BYTES, WS_PATH } from '@shared/ws-protocol'
import { waitFor } from '../helpers/wait'

// Browser mode's WebSocket under hostile clients: wrong tokens, non-JSON, binary, oversized frames,
// malformed requests, invalid payloads, and frames sent after the close handshake.
const RUNS = Number(process.env.TCP_LAB_FUZZ_RUNS ?? 40)

let dir: string
let hub: LabHub
let web: WebServer
let cases = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcp-lab-fuzz-ws-'))
  hub = createLabHub({ batcher: { intervalMs: 10 } })
  await hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
  web = await startWebServer({ hub, host: '127.0.0.1', port: 0, staticDir: dir })
})

afterAll(async () => {
  await web?.close()
  await hub?.dispose()
  rmSync(dir, { recursive: true, force: true })
  console.log(`[fuzz-ws] ${cases} hostile WebSocket cases run`)
})

/** Servers and connections as they stand: what no refused message may change. */
function fingerprint(): string {
  const s = hub.lab.snapshot(0)
  return JSON.stringify([s.servers.map((x) => [x.id, x.state, x.behaviour]), s.connections.map((c) => [c.id, c.state])])
}

interface Client {
  ws: WebSocket
  /** Every non-batch message received, in order. */
  replies: Record<string, unknown>[]
  closed: Promise<{ code: number; reason: string }>
}

function open(): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}${WS_PATH}`)
    const replies: Record<string, unknown>[] = []
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on('close', (code, reason) => r({ code, reason: reason.toString() }))
    )
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Record<string, unknown>
      if (m.type !== 'batch') replies.push(m)
    })
    ws.on('error', () => {})
    ws.once('open', () => resolve({ ws, replies, closed }))
    ws.once('unexpected-response', () => reject(new Error('upgrade refused')))
  })
}

async function authed(): Promise<Client> {
  const c = await open()
  c.ws.send(JSON.stringify({ type: 'auth', token: web.token }))
  await waitFor(() => c.replies.some((m) => m.type === 'ready'), { what: 'ready' })
  c.replies.length = 0
  return c
}

/** Sends one frame and waits for the one reply it must get. */
async function exchange(c: Client, frame: string | Buffer, binary = false): Promise<Record<string, unknown>> {
  const n = c.replies.length
  c.ws.send(frame, { binary })
  return waitFor(() => c.replies[n], { what: 'a reply', timeoutMs: 5_000 })
}

function schemaAccepts(name: CommandName, payload: unknown): boolean {
  try {
    return commands[name].request.safeParse(payload ?? {}).success
  } catch {
    return false
  }
}

describe('browser mode WebSocket: before the token', () => {
  it('wrong, missing or malformed tokens, non-JSON and binary frames close the socket with 1008 and open no session', async () => {
    const wrongAuth = fc.oneof(
      fc.string({ maxLength: 64 }).map((t) => JSON.stringify({ type: 'auth', token: t })),
      fc.jsonValue({ maxDepth: 2 }).map((t) => JSON.stringify({ type: 'auth', token: t })),
      fc.constant(JSON.stringify({ type: 'auth' })),
      fc.constant(
        JSON.stringify({ type: 'request', id: 1, name: 'server:start', payload: { host: '127.0.0.1', port: 0 } })
      ),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 64 }).filter((s) => {
        try {
          JSON.parse(s)
          return false
        } catch {
          return true
        }
      })
    )
    await fc.assert(
      fc.asyncProperty(wrongAuth, async (frame) => {
        fc.pre(!frame.includes(web.token))
        const before = fingerprint()
        const c = await open()
        c.ws.send(frame)
        const { code } = await c.closed
        cases++
        expect(code).toBe(1008)
        expect(c.replies).toEqual([])
        expect(fingerprint()).toBe(before)
      }),
      { numRuns: RUNS }
    )
    // The right token with one character changed, and a binary frame carrying the right token.
    const flipped = web.token.slice(0, -1) + (web.token.endsWith('0') ? '1' : '0')
    for (const [frame, binary] of [
      [JSON.stringify({ type: 'auth', token: flipped }), false],
      [Buffer.from(JSON.stringify({ type: 'auth', token: web.token })), true]
    ] as const) {
      const c = await open()
      c.ws.send(frame, { binary })
      expect((await c.closed).code).toBe(1008)
      cases++
    }
  })
})

describe('browser mode WebSocket: after the token', () => {
  it('malformed messages get a bad-message error and the socket stays usable', async () => {
    const c = await authed()
    const malformed = fc.oneof(
      fc.string({ maxLength: 80 }).filter((s) => {
        try {
          JSON.parse(s)
          return false
        } catch {
          return true
        }
      }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          type: fc.constant('request'),
          id: fc.oneof(fc.string(), fc.constant(null), fc.double()),
          name: fc.jsonValue()
        })
        .map((v) => JSON.stringify(v))
    )
    await fc.assert(
      fc.asyncProperty(malformed, async (frame) => {
        let parsed: unknown
        try {
          parsed = JSON.parse(frame)
        } catch {
          parsed = undefined
        }
        const p = parsed as Record<string, unknown> | undefined
        fc.pre(!(p && p.type === 'request' && typeof p.id === 'number' && typeof p.name === 'string'))
        const before = fingerprint()
        const r = await exchange(c, frame)
        cases++
        expect(r.type).toBe('error')
        expect((r.error as { message: string }).message.length).toBeGreaterThan(0)
        expect(fingerprint()).toBe(before)
      }),
      { numRuns: RUNS * 2 }
    )
    const bin = await exchange(c, randomBytes(64), true)
    expect(bin.type).toBe('error')
    const ok = await exchange(c, JSON.stringify({ type: 'request', id: 1, name: 'lab:snapshot', payload: {} }))
    expect((ok.result as { ok: boolean }).ok).toBe(true)
    c.ws.close()
  })

  it('requests with unknown names or invalid payloads get { ok: false } results and change nothing', async () => {
    const c = await authed()
    let id = 10
    const request = fc.oneof(
      fc.tuple(fc.constantFrom(...COMMAND_NAMES), fc.jsonValue({ maxDepth: 3 })),
      fc.tuple(
        fc.string({ maxLength: 30 }).filter((s) => !(COMMAND_NAMES as readonly string[]).includes(s)),
        fc.jsonValue({ maxDepth: 2 })
      )
    )
    await fc.assert(
      fc.asyncProperty(request, async ([name, payload]) => {
        const known = (COMMAND_NAMES as readonly string[]).includes(name)
        fc.pre(!known || !schemaAccepts(name as CommandName, payload))
        const before = fingerprint()
        const r = await exchange(c, JSON.stringify({ type: 'request', id: ++id, name, payload }))
        cases++
        expect(r).toMatchObject({ type: 'result', id })
        const result = r.result as { ok: boolean; error: { code: string; message: string } }
        expect(result.ok).toBe(false)
        expect(result.error.code.length).toBeGreaterThan(0)
        expect(result.error.message.length).toBeGreaterThan(0)
        expect(result.error.message.length).toBeLessThanOrEqual(2_000)
        expect(fingerprint()).toBe(before)
      }),
      { numRuns: RUNS * 3 }
    )
    c.ws.close()
  })

  it('a huge field in a request (under the frame limit) is refused with a short message', async () => {
    const c = await authed()
    const failures: string[] = []
    const payloads: [string, unknown][] = [
      ['server:start', { host: '127.0.0.1', port: 'x'.repeat(200_000) }],
      ['server:start', { host: '127.0.0.1', port: 0, behaviour: 'b'.repeat(200_000) }],
      ['client:connect', { host: 'h'.repeat(300_000), port: 1 }],
      ['connection:send', { connectionId: 1, payload: { format: 'f'.repeat(200_000), text: 'x' } }]
    ]
    let id = 5_000
    for (const [name, payload] of payloads) {
      const before = fingerprint()
      const r = await exchange(c, JSON.stringify({ type: 'request', id: ++id, name, payload }))
      cases++
      const result = r.result as { ok: boolean; error?: { message: string } }
      const field = Object.keys(payload as object).join('/')
      if (result.ok !== false) failures.push(`${name} ${field}: answered ok`)
      else if ((result.error?.message.length ?? 0) > 2_000)
        failures.push(`${name} ${field}: a ${result.error?.message.length}-character message`)
      if (fingerprint() !== before) failures.push(`${name} ${field}: the lab changed`)
    }
    c.ws.close()
    expect(failures).toEqual([])
  })

  it('an oversized frame closes that socket with 1009; the server goes on serving others', async () => {
    const c = await authed()
    const before = fingerprint()
    const big = JSON.stringify({
      type: 'request',
      id: 1,
      name: 'lab:snapshot',
      payload: { pad: 'x'.repeat(WS_MAX_MESSAGE_BYTES) }
    })
    c.ws.send(big)
    expect((await c.closed).code).toBe(1009)
    cases++
    expect(fingerprint()).toBe(before)
    const d = await authed()
    const r = await exchange(d, JSON.stringify({ type: 'request', id: 2, name: 'lab:snapshot', payload: {} }))
    expect((r.result as { ok: boolean }).ok).toBe(true)
    d.ws.close()
  })

  it('frames sent after the close handshake are never run (a replayed server:start starts nothing)', async () => {
    // A raw socket, so frames can be written after our own close frame.
    const key = randomBytes(16).toString('base64')
    const sock = net.connect({ host: '127.0.0.1', port: web.port })
    sock.on('error', () => {})
    const got: Buffer[] = []
    sock.on('data', (d: Buffer) => got.push(d))
    await new Promise<void>((r) => sock.once('connect', () => r()))
    sock.write(
      `GET ${WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
    )
    await waitFor(() => Buffer.concat(got).includes('\r\n\r\n'), { what: 'the upgrade answer' })
    expect(Buffer.concat(got).toString().startsWith('HTTP/1.1 101')).toBe(true)
    /** A masked client frame. */
    const frame = (opcode: number, payload: Buffer): Buffer => {
      const mask = randomBytes(4)
      const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))
      const len = payload.length
      const head =
        len < 126
          ? Buffer.from([0x80 | opcode, 0x80 | len])
          : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
      return Buffer.concat([head, mask, masked])
    }
    sock.write(frame(0x1, Buffer.from(JSON.stringify({ type: 'auth', token: web.token }))))
    await waitFor(() => Buffer.concat(got).includes('"ready"'), { what: 'ready' })
    const servers = hub.lab.servers.size
    const start = Buffer.from(
      JSON.stringify({ type: 'request', id: 99, name: 'server:start', payload: { host: '127.0.0.1', port: 0 } })
    )
    // Close (1000), then the replay: the same valid command, twice, on the closing socket.
    sock.write(Buffer.concat([frame(0x8, Buffer.from([0x03, 0xe8])), frame(0x1, start), frame(0x1, start)]))
    await new Promise<void>((r) => {
      sock.once('close', () => r())
      sock.end()
    })
    cases++
    // Give the server every chance to (wrongly) run it: a later command on a fresh socket is answered first.
    const d = await authed()
    await exchange(d, JSON.stringify({ type: 'request', id: 3, name: 'lab:snapshot', payload: {} }))
    d.ws.close()
    expect(hub.lab.servers.size).toBe(servers)
    expect(Buffer.concat(got).includes('"id":99')).toBe(false)
  })

  it('a burst of 400 commands is answered one for one (a result, or busy past the in-flight limit)', async () => {
    const c = await authed()
    const N = 400
    // A port nothing listens on: each connect is refused after a trip through the kernel, so they overlap.
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const refusedPort = (probe.address() as net.AddressInfo).port
    await new Promise<void>((r) => probe.close(() => r()))
    const frames = Array.from({ length: N }, (_, i) =>
      JSON.stringify({
        type: 'request',
        id: 1000 + i,
        name: 'client:connect',
        payload: { host: '127.0.0.1', port: refusedPort }
      })
    )
    for (const f of frames) c.ws.send(f)
    await waitFor(() => c.replies.length >= N, { what: `${N} answers`, timeoutMs: 10_000 })
    cases += N
    const kinds = new Set(c.replies.map((r) => r.type))
    expect([...kinds].every((k) => k === 'result' || k === 'error')).toBe(true)
    expect(
      c.replies.filter((r) => r.type === 'error').every((r) => (r.error as { code: string }).code === 'busy')
    ).toBe(true)
    expect(new Set(c.replies.map((r) => r.id)).size).toBe(N)
    const results = c.replies
      .filter((r) => r.type === 'result')
      .map((r) => r.result as { ok: boolean; error?: { code: string } })
    expect(results.every((r) => !r.ok && r.error?.code === 'ECONNREFUSED')).toBe(true)
    expect(hub.lab.connections.size).toBe(0)
    console.log(`[fuzz-ws] burst of ${N}: ${N - results.length} answered busy`)
    c.ws.close()
  })
})
