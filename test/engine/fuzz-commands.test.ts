import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMAND_NAMES, commands } from '@shared/contract'
import type { CommandName } from '@shared/contract'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'

// Every command of the contract gets generated payloads that the contract must refuse (or that name
// nothing that exists): each must come back as { ok: false, error } with words, never throw or reject,
// and leave the lab exactly as it was. `TCP_LAB_FUZZ_RUNS` scales the runs per property (stress mode).
const RUNS = Number(process.env.TCP_LAB_FUZZ_RUNS ?? 40)
const MAX_MESSAGE = 2_000

let lab: TestLab
let cases = 0
let serverId = 0
let connId = 0
let closedConnId = 0
let port = 0

/** What must not change: servers, connections (state, counters), totals. */
function fingerprint(): string {
  const s = lab.hub.lab.snapshot(0)
  return JSON.stringify({
    servers: s.servers,
    conns: s.connections.map((c) => [c.id, c.state, c.bytesIn, c.bytesOut, c.paused, c.closeReason]),
    totals: s.totals,
    budget: lab.hub.lab.budget.total
  })
}

/** Whether the contract itself accepts a payload (a throwing schema counts as refusing it). */
function schemaAccepts(name: CommandName, payload: unknown): boolean {
  try {
    return commands[name].request.safeParse(payload ?? {}).success
  } catch {
    return false
  }
}

/** Runs one case through the hub; returns what was wrong with the answer, or null when it was a clean refusal. */
async function refusalProblem(name: unknown, payload: unknown): Promise<string | null> {
  const before = fingerprint()
  let result: unknown
  try {
    result = await lab.session.handle(name, payload)
  } catch (err) {
    return `handle threw ${String(err)}`
  }
  cases++
  const r = result as { ok?: unknown; error?: { code?: unknown; message?: unknown } }
  if (r?.ok !== false) return `answered ok: ${JSON.stringify(r).slice(0, 200)}`
  if (typeof r.error?.code !== 'string' || r.error.code.length === 0) return 'no error code'
  if (typeof r.error.message !== 'string' || r.error.message.trim().length === 0) return 'no error message'
  if (r.error.message.length > MAX_MESSAGE) return `an error message of ${r.error.message.length} characters`
  // The answer must survive both front doors' encodings.
  try {
    JSON.stringify(r)
  } catch (err) {
    return `answer is not JSON: ${String(err)}`
  }
  if (fingerprint() !== before) return 'the lab changed'
  return null
}

/** Runs one case and fails the property when the answer is anything but a clean refusal. */
async function expectRefused(name: unknown, payload: unknown): Promise<void> {
  const problem = await refusalProblem(name, payload)
  if (problem !== null) throw new Error(problem)
}

/** Whether String() can print a value. */
function printable(v: unknown): boolean {
  try {
    String(v)
    return true
  } catch {
    return false
  }
}

/** A short, printable name for a value in a failure list. */
function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 12)}…" (${v.length} chars)` : JSON.stringify(v)
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return Object.prototype.toString.call(v)
  }
}

/** A payload per command that the contract accepts; mutations of it are the interesting cases. */
function validBase(name: CommandName): Record<string, unknown> {
  switch (name) {
    case 'lab:snapshot':
      return {}
    case 'lab:ack':
      return { seq: 1 }
    case 'server:start':
      return {
        host: '127.0.0.1',
        port: 0,
        behaviour: 'echo',
        options: {},
        backlog: 16,
        maxConnections: 10,
        acceptMode: 'concurrent'
      }
    case 'server:stop':
    case 'server:close-all':
    case 'server:certificate':
      return { serverId }
    case 'server:configure':
      return {
        serverId,
        behaviour: 'discard',
        options: {},
        maxConnections: 5,
        acceptMode: 'concurrent',
        accepting: true
      }
    case 'client:connect':
      return { host: '127.0.0.1', port, timeoutMs: 1000 }
    case 'connection:send':
      return { connectionId: connId, payload: { format: 'text', text: 'x', lineEnding: 'none' } }
    case 'connection:action':
      return { connectionId: connId, action: 'pause' }
    case 'connection:traffic':
      return { connectionId: connId, afterSeq: 0 }
    case 'connection:clear-closed':
      return { serverId }
    case 'kernel:sockets':
      return { scope: 'lab' }
    case 'proxy:create':
      return {
        name: 'fuzz',
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${port}`,
        enabled: false,
        onUpstreamFailure: 'close'
      }
    case 'proxy:update':
      return { name: 'nope', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}`, enabled: false }
    case 'proxy:delete':
    case 'proxy:certificate':
      return { name: 'nope' }
    case 'proxy:list':
    case 'proxy:reset':
      return {}
    case 'toxic:add':
      return {
        proxy: 'nope',
        toxic: { name: 't', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 5 } }
      }
    case 'toxic:update':
      return { proxy: 'nope', name: 't', toxicity: 0.5, attributes: { latency: 5 } }
    case 'toxic:remove':
      return { proxy: 'nope', name: 't' }
    case 'respond:test':
      return {
        options: { framing: 'line', rules: [{ match: { prefix: 'a' }, reply: 'b' }] },
        sample: { format: 'text', text: 'a\n', lineEnding: 'none' }
      }
    case 'respond:stats':
      return { serverId }
    case 'proxy:respond':
      return {
        proxy: 'nope',
        stream: 'upstream',
        responder: { framing: 'line', rules: [{ match: { equals: 'PING' }, reply: 'PONG\\r\\n' }] }
      }
    case 'workspace:get':
    case 'workspace:export':
    case 'payload:list':
    case 'sequence:list':
      return {}
    case 'workspace:import':
      return { document: { version: 1 } }
    case 'workspace:save':
      return { replaceBadFile: false }
    case 'workspace:retry':
    case 'workspace:forget':
      return { problemId: 1 }
    case 'workspace:set-ui':
      return { ui: { theme: 'dark' } }
    case 'payload:save':
      return { payload: { name: 'p', format: 'text', text: 'x', lineEnding: 'none' } }
    case 'payload:delete':
    case 'sequence:delete':
      return { name: 'nothing-by-this-name' }
    case 'sequence:save':
      return { sequence: { name: 's', steps: [{ payload: 'p', delayMs: 0 }] } }
    case 'sequence:run':
      return { connectionId: connId, sequenceName: 's' }
    case 'sequence:stop':
      return { runId: 1 }
    case 'capture:export':
      return { connectionIds: [connId], format: 'jsonl' }
    case 'capture:record-start':
      return { dir: '/nonexistent-tcp-lab-dir/x', budgetBytes: 1024 * 1024 }
    case 'capture:record-stop':
    case 'capture:record-status':
    case 'replay:list':
      return {}
    case 'replay:start':
      return {
        source: { connectionId: connId },
        mode: 'client',
        target: '127.0.0.1:1',
        pace: 'fast',
        waitForReplies: true,
        replyTimeoutMs: 1000
      }
    case 'replay:stop':
      return { replayId: 1 }
    case 'lesson:self-connect-hunt':
      return { port: 1, maxTries: 1, timeoutMs: 100 }
    case 'lesson:load':
      return { host: '127.0.0.1', port: 1, clients: 1, timeoutMs: 100 }
    case 'api:status':
      return {}
    case 'api:configure':
      // This hub has no HTTP front: switching on is refused in words, so the fuzz never binds a port.
      return { enabled: false, listen: '127.0.0.1:0' }
  }
}

/** Every path to a leaf of a plain object, nested objects included. */
function paths(obj: Record<string, unknown>, prefix: string[] = []): string[][] {
  const out: string[][] = []
  for (const [k, v] of Object.entries(obj)) {
    out.push([...prefix, k])
    if (v && typeof v === 'object' && !Array.isArray(v))
      out.push(...paths(v as Record<string, unknown>, [...prefix, k]))
  }
  return out
}

function withValueAt(
  obj: Record<string, unknown>,
  path: string[],
  value: unknown,
  remove = false
): Record<string, unknown> {
  const copy = structuredClone(obj)
  let at: Record<string, unknown> = copy
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>
  const last = path[path.length - 1]
  if (remove) delete at[last]
  else at[last] = value
  return copy
}

const HUGE = 'A'.repeat(16 * 1024 * 1024 + 1)
const HUGE_HOST = ' '.repeat(1000) + 'h'.repeat(300) + ' '.repeat(1000)

/** Values of the wrong type or out of range for any field. */
const badValue = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -1,
    -0.5,
    1.5,
    2 ** 53,
    -(2 ** 31),
    65536,
    1e308,
    null,
    true,
    false,
    '',
    ' ',
    '-1',
    'NaN',
    '0x10',
    '1e3'
  ),
  // Huge strings are in the fixed matrix below (a failing property would print all 16 MiB).
  fc.constantFrom('\u0000', '\u001b[2J', '<script>alert(1)</script>', '\ud800', 'unix:', 'x'.repeat(300)),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.integer({ min: -(2 ** 31), max: -1 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
  // BigInt (IPC's structured clone carries it) is in the fixed matrix below, which lists every failure at once.
)

/** Values that may arrive through structured clone (IPC) or JSON (WebSocket). */
const anyValue = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true
})

beforeAll(async () => {
  lab = createTestLab()
  const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
  serverId = server.id
  port = server.bound.port
  const client = await lab.ok('client:connect', { host: '127.0.0.1', port })
  connId = client.id
  const gone = await lab.ok('client:connect', { host: '127.0.0.1', port })
  await lab.ok('connection:action', { connectionId: gone.id, action: 'reset' })
  closedConnId = gone.id
  await lab.waitConn((c) => c.id === closedConnId && c.state === 'closed', 'the reset client to close')
  // Both ends of the live pair are open before the fuzzing starts, so nothing moves on its own.
  await lab.waitConn(
    (c) => c.origin === 'accepted' && c.remote.port === lab.conn(connId).local.port && c.state === 'open',
    'the accepted end'
  )
  await lab.waitConn(
    (c) => c.origin === 'accepted' && c.state === 'closed',
    'the accepted end of the reset client to close'
  )
})

afterAll(async () => {
  await lab?.dispose()
  console.log(`[fuzz-commands] ${cases} refused cases run through session.handle`)
})

describe('every command refuses bad payloads without throwing or changing the lab', () => {
  for (const name of COMMAND_NAMES) {
    it(`${name}: arbitrary values`, async () => {
      await fc.assert(
        fc.asyncProperty(anyValue, async (payload) => {
          fc.pre(!schemaAccepts(name, payload))
          await expectRefused(name, payload)
        }),
        { numRuns: RUNS * 2 }
      )
    })

    it(`${name}: one field given a wrong type or out-of-range value`, async () => {
      const base = validBase(name)
      const fields = paths(base)
      if (fields.length === 0) return
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), badValue, async (path, value) => {
          const payload = withValueAt(base, path, value)
          fc.pre(!schemaAccepts(name, payload))
          await expectRefused(name, payload)
        }),
        { numRuns: RUNS }
      )
    })

    it(`${name}: a missing field or an extra field`, async () => {
      const base = validBase(name)
      const fields = paths(base)
      const extraKey = fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', ''),
        fc.string({ maxLength: 12 })
      )
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fields.length > 0
              ? fc.constantFrom(...fields).map((p) => ({ remove: p, key: '', value: null as unknown }))
              : fc.constant(null),
            fc.record({ remove: fc.constant(null), key: extraKey, value: fc.jsonValue({ maxDepth: 2 }) })
          ),
          async (change) => {
            if (change === null) return
            // JSON.parse makes `__proto__` an own key, as a WebSocket message would.
            const rest = JSON.stringify(base).slice(1, -1)
            const payload =
              change.remove !== null
                ? withValueAt(base, change.remove, undefined, true)
                : (JSON.parse(
                    `{${JSON.stringify(change.key)}:${JSON.stringify(change.value ?? null)}${rest ? `,${rest}` : ''}}`
                  ) as unknown)
            fc.pre(!schemaAccepts(name, payload))
            await expectRefused(name, payload)
          }
        ),
        { numRuns: RUNS }
      )
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })
  }

  it('every field of every command × a fixed list of hostile values (all failures listed)', async () => {
    const hostile: unknown[] = [
      NaN,
      Infinity,
      -Infinity,
      -1,
      1.5,
      2 ** 53,
      null,
      true,
      '',
      HUGE,
      HUGE_HOST,
      '\u0000\u001b[31m<script>',
      [],
      {},
      1n,
      JSON.parse('{"toString":1}')
    ]
    const failures: string[] = []
    for (const name of COMMAND_NAMES) {
      const base = validBase(name)
      for (const path of paths(base)) {
        for (const value of [...hostile, undefined]) {
          const payload = withValueAt(base, path, value, value === undefined)
          if (schemaAccepts(name, payload)) continue
          const problem = await refusalProblem(name, payload)
          if (problem !== null) failures.push(`${name} ${path.join('.')}=${show(value)}: ${problem.slice(0, 160)}`)
        }
      }
    }
    expect(failures).toEqual([])
  })

  it('ids that name nothing are refused with not-found', async () => {
    const ids = fc.oneof(fc.integer({ min: 10_000, max: 2 ** 31 }), fc.constant(Number.MAX_SAFE_INTEGER))
    const cmd = fc.oneof(
      ids.map((id) => ['server:stop', { serverId: id }] as const),
      ids.map((id) => ['server:close-all', { serverId: id }] as const),
      ids.map((id) => ['server:configure', { serverId: id, behaviour: 'echo' }] as const),
      ids.map((id) => ['connection:action', { connectionId: id, action: 'reset' }] as const),
      ids.map((id) => ['connection:traffic', { connectionId: id }] as const),
      ids.map((id) => ['connection:send', { connectionId: id, payload: { format: 'text', text: 'x' } }] as const),
      ids.map((id) => ['connection:send', { serverId: id, payload: { format: 'text', text: 'x' } }] as const),
      ids.map((id) => ['workspace:retry', { problemId: id }] as const),
      ids.map((id) => ['workspace:forget', { problemId: id }] as const),
      ids.map((id) => ['sequence:stop', { runId: id }] as const),
      ids.map((id) => ['sequence:run', { connectionId: id, sequenceName: 'x' }] as const)
    )
    await fc.assert(
      fc.asyncProperty(cmd, async ([name, payload]) => {
        await expectRefused(name, payload)
      }),
      { numRuns: RUNS * 2 }
    )
  })

  it('payloads the codec cannot encode, and sends or actions on a closed connection, are refused', async () => {
    const cmd = fc.oneof(
      fc.stringMatching(/^[0-9a-f ]*[g-z][0-9a-z]*$/).map((t) => ({ format: 'hex', text: t })),
      fc.constantFrom(
        { format: 'hex', text: 'abc' },
        { format: 'escapes', text: '\\x' },
        { format: 'escapes', text: '\\q' },
        { format: 'text', text: '' }
      )
    )
    await fc.assert(
      fc.asyncProperty(cmd, async (payload) => {
        await expectRefused('connection:send', { connectionId: connId, payload })
      }),
      { numRuns: RUNS }
    )
    await expectRefused('connection:send', { connectionId: closedConnId, payload: { format: 'text', text: 'late' } })
    for (const action of ['half-close', 'reset', 'close', 'pause', 'resume']) {
      await expectRefused('connection:action', { connectionId: closedConnId, action })
    }
  })

  it('unknown channel names, of any type, are refused', async () => {
    const name = fc.oneof(
      fc.string({ maxLength: 30 }).filter((s) => !(COMMAND_NAMES as readonly string[]).includes(s)),
      fc.constantFrom(
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'lab:events',
        'LAB:SNAPSHOT',
        'server:start ',
        ' server:start',
        'x'.repeat(1_000_000)
      ),
      // Names String() cannot print have their own test below, which lists them all.
      anyValue.filter((v) => typeof v !== 'string' && printable(v))
    )
    await fc.assert(
      fc.asyncProperty(name, anyValue, async (n, payload) => {
        await expectRefused(n, payload)
      }),
      { numRuns: RUNS * 3 }
    )
  })

  it('a channel name that String() cannot print (JSON or a structured clone can carry one) is refused', async () => {
    const failures: string[] = []
    for (const n of [
      JSON.parse('{"toString":1}'),
      JSON.parse('{"toString":{},"valueOf":[]}'),
      Object.create(null)
    ] as unknown[]) {
      const problem = await refusalProblem(n, {})
      if (problem !== null) failures.push(`${show(n)}: ${problem}`)
    }
    expect(failures).toEqual([])
  })

  it('ran the promised number of cases', () => {
    // 12 commands × (2 + 1 + 1) × RUNS plus the cross-command properties, minus what the contract accepts.
    expect(cases).toBeGreaterThanOrEqual(RUNS * 40)
  })
})
