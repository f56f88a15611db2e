import http from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { startToxiproxyApi } from '../../src/main/api/toxiproxy-api'
import type { ToxiproxyApi } from '../../src/main/api/toxiproxy-api'

// Hostile bodies on every writing route: each gets a 4xx with Toxiproxy's error body (never a 500 or a
// hang), and nothing changes in the lab.
let lab: TestLab
let api: ToxiproxyApi

beforeAll(async () => {
  lab = createTestLab()
  api = await startToxiproxyApi(lab.hub, '127.0.0.1', 0)
  await lab.ok('proxy:create', { name: 'keep', listen: '127.0.0.1:0', upstream: '127.0.0.1:9', enabled: false })
  await lab.ok('toxic:add', { proxy: 'keep', toxic: { name: 't', type: 'latency', attributes: { latency: 1 } } })
})
afterAll(async () => {
  await api.close()
  await lab.dispose()
})

function send(method: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: api.port, method, path, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const state = async (): Promise<string> =>
  JSON.stringify(
    (await lab.ok('proxy:list', {})).proxies.map((p) => [p.name, p.listen, p.upstream, p.enabled, p.toxics])
  )

const hostile = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
  fc
    .record(
      {
        name: fc.oneof(fc.constant('keep'), fc.string({ maxLength: 8 }), fc.integer()),
        type: fc.oneof(fc.constantFrom('latency', 'slicer', 'nope'), fc.integer()),
        stream: fc.oneof(fc.constantFrom('upstream', 'sideways'), fc.boolean()),
        toxicity: fc.oneof(fc.double(), fc.string({ maxLength: 4 })),
        upstream: fc.oneof(fc.constant(''), fc.string({ maxLength: 12 }), fc.integer()),
        listen: fc.oneof(fc.constant('nowhere'), fc.string({ maxLength: 12 })),
        attributes: fc.oneof(
          fc.dictionary(fc.constantFrom('latency', 'jitter', 'x'), fc.oneof(fc.double(), fc.string({ maxLength: 3 }))),
          fc.string({ maxLength: 4 })
        ),
        enabled: fc.oneof(fc.string({ maxLength: 3 }), fc.integer())
      },
      { requiredKeys: [] }
    )
    .map((v) => JSON.stringify(v))
)

describe('the Toxiproxy API under hostile input', () => {
  for (const [method, path] of [
    ['POST', '/proxies'],
    ['POST', '/populate'],
    ['PATCH', '/proxies/keep'],
    ['POST', '/proxies/keep/toxics'],
    ['PATCH', '/proxies/keep/toxics/t']
  ] as const) {
    it(`${method} ${path}: refused in words or a valid change, never a 500`, async () => {
      await fc.assert(
        fc.asyncProperty(hostile, async (body) => {
          const before = await state()
          const r = await send(method, path, body)
          expect(r.status).not.toBe(500)
          if (r.status >= 400) {
            const err = JSON.parse(r.body) as { error: string; status: number }
            expect(err.status).toBe(r.status)
            expect(err.error.length).toBeGreaterThan(0)
            expect(await state()).toBe(before)
          } else {
            // A valid change: undo it so the next case starts from the same lab.
            await lab.ok('proxy:list', {})
            for (const p of (await lab.ok('proxy:list', {})).proxies)
              if (p.name !== 'keep') await lab.ok('proxy:delete', { name: p.name })
            await lab
              .ok('proxy:update', { name: 'keep', listen: '127.0.0.1:0', upstream: '127.0.0.1:9', enabled: false })
              .catch(() => undefined)
            const keep = (await lab.ok('proxy:list', {})).proxies.find((p) => p.name === 'keep')
            for (const t of keep?.toxics ?? []) await lab.ok('toxic:remove', { proxy: 'keep', name: t.name })
            await lab.ok('toxic:add', {
              proxy: 'keep',
              toxic: { name: 't', type: 'latency', attributes: { latency: 1 } }
            })
          }
        }),
        { numRuns: 40 }
      )
    })
  }
})
