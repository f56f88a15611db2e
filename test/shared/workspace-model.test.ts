import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { describeWorkspaceIssues, serverEntryToStart, workspaceDocumentSchema } from '@shared/workspace-model'
import { checkDocument } from '../../src/main/engine/workspace/workspace-file'

const VALID = {
  version: 1,
  servers: [
    {
      name: 'api',
      listen: '127.0.0.1:9000',
      behaviour: 'http',
      options: {},
      backlog: 16,
      maxConnections: 10,
      acceptMode: 'concurrent'
    },
    { listen: 'unix:/tmp/lab.sock', behaviour: 'telemetry', options: { telemetryIntervalMs: 100 }, accepting: false }
  ],
  clients: [{ connect: '[::1]:9000', timeoutMs: 1000 }],
  proxies: [
    {
      name: 'redis',
      listen: '127.0.0.1:26379',
      upstream: '127.0.0.1:6379',
      enabled: true,
      toxics: [
        { name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 10 } }
      ]
    }
  ],
  payloads: [{ name: 'ping', format: 'text', text: 'PING', lineEnding: 'crlf' }],
  sequences: [{ name: 'hello', steps: [{ payload: 'ping', delayMs: 100 }] }],
  ui: { theme: 'dark' }
}

/** Every leaf path of a JSON value: arrays by index. */
function leaves(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...prefix, i]))
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...leaves(x, [...prefix, k])])
  return []
}

function setAt(doc: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>
  let at = copy
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>
  at[path[path.length - 1]] = value
  return copy
}

/** `servers[0].listen` for ['servers', 0, 'listen']. */
function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${p}`)).join('')
}

describe('workspace documents', () => {
  it('the example document is valid, and server entries map onto server:start requests', () => {
    const r = workspaceDocumentSchema.parse(VALID)
    expect(serverEntryToStart(r.servers[0])).toEqual({
      host: '127.0.0.1',
      port: 9000,
      behaviour: 'http',
      options: {},
      backlog: 16,
      maxConnections: 10,
      acceptMode: 'concurrent'
    })
    expect(serverEntryToStart(r.servers[1])).toMatchObject({ host: 'unix:/tmp/lab.sock', behaviour: 'telemetry' })
  })

  it('named problems for hand-written mistakes', () => {
    const cases: [unknown, string][] = [
      [setAt(VALID, ['servers', 0, 'listen'], 'localhost'), 'servers[0].listen: expected PORT, HOST:PORT'],
      [setAt(VALID, ['servers', 0, 'listen'], 'chat@127.0.0.1:1'), 'servers[0].listen: write only the address here'],
      [setAt(VALID, ['servers', 0, 'backlog'], 0), 'servers[0].backlog:'],
      [
        setAt(VALID, ['servers', 0, 'options'], { telemetryIntervalMs: 1 }),
        'servers[0].options.telemetryIntervalMs: Telemetry interval must be at least 10 ms'
      ],
      [setAt(VALID, ['servers', 1, 'name'], 'api'), 'servers[1].name: The name "api" is used twice in servers'],
      [
        setAt(VALID, ['clients', 0, 'connect'], '127.0.0.1:0'),
        'clients[0].connect: Port must be a whole number from 1 to 65535'
      ],
      [setAt(VALID, ['proxies', 0, 'upstream'], ''), 'proxies[0].upstream: The address is empty'],
      [
        setAt(VALID, ['proxies', 0, 'toxics', 0, 'toxicity'], 2),
        'proxies[0].toxics[0].toxicity: toxicity is from 0 to 1'
      ],
      [setAt(VALID, ['payloads', 0, 'format'], 'base64'), 'payloads[0].format:'],
      [
        setAt(VALID, ['sequences', 0, 'steps', 0, 'payload'], 'pong'),
        'sequences[0].steps[0].payload: There is no saved payload named "pong"'
      ],
      [{ ...VALID, server: [] }, 'unknown field "server"'],
      [setAt(VALID, ['servers', 0, 'lisen'], 'x'), 'servers[0]: unknown field "lisen"']
    ]
    for (const [doc, message] of cases) {
      const r = checkDocument(doc)
      expect(r.ok, message).toBe(false)
      if (!r.ok) expect(r.message).toContain(message)
    }
  })

  it('fuzz: one field of a valid document set to a wrong value is refused with that field (or its parent) named', () => {
    const paths = leaves(VALID).filter((p) => p[0] !== 'ui' && !(p.length === 1 && p[0] === 'version'))
    const bad = fc.oneof(
      fc.constantFrom(null, true, -1, 1.5, 70000, '', ' ', '\u0000', 'x'.repeat(400), [], {}, { a: 1 }),
      fc.string({ maxLength: 20 }),
      fc.double(),
      fc.jsonValue({ maxDepth: 2 })
    )
    fc.assert(
      fc.property(fc.constantFrom(...paths), bad, (path, value) => {
        const r = checkDocument(setAt(VALID, path, value))
        if (r.ok) return
        expect(r.message.length).toBeLessThan(4_000)
        // The message names the field itself (or a part of the value put there), or the entry or section holding it.
        // A sequence step that names a payload which is no longer there is reported on the step.
        const crossReference =
          path[0] === 'payloads' &&
          r.message.startsWith('sequences[0].steps[0].payload: There is no saved payload named')
        const named =
          crossReference ||
          [...Array(path.length).keys()].some((n) => r.message.includes(formatPath(path.slice(0, path.length - n))))
        expect(named, `${formatPath(path)}=${JSON.stringify(value)?.slice(0, 40)} → ${r.message.slice(0, 200)}`).toBe(
          true
        )
      }),
      { numRuns: 300 }
    )
  })

  it('fuzz: any JSON value is refused or accepted in words, never thrown', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        const r = checkDocument(v)
        if (!r.ok) expect(r.message.length).toBeGreaterThan(0)
      }),
      { numRuns: 300 }
    )
  })

  it('describes issues with array indices in brackets', () => {
    const r = workspaceDocumentSchema.safeParse({ version: 1, servers: [{ listen: 5 }] })
    expect(r.success).toBe(false)
    if (!r.success) expect(describeWorkspaceIssues(r.error)).toContain('servers[0].listen: An address must be text')
  })
})
