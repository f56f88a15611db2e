import http from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Toxiproxy } from 'toxiproxy-node-client'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer, portOf, startUpstream } from '../helpers/proxy-peers'
import type { Upstream } from '../helpers/proxy-peers'
import { waitFor } from '../helpers/wait'
import { startToxiproxyApi } from '../../src/main/api/toxiproxy-api'
import type { ToxiproxyApi } from '../../src/main/api/toxiproxy-api'

let lab: TestLab
let api: ToxiproxyApi
let up: Upstream
let base = ''

beforeEach(async () => {
  lab = createTestLab()
  api = await startToxiproxyApi(lab.hub, '127.0.0.1', 0)
  up = await startUpstream({ echo: true })
  base = `http://127.0.0.1:${api.port}`
})

afterEach(async () => {
  await api.close()
  await lab.dispose()
  await up.close()
})

/** A raw request, for status codes, bodies and headers the client library hides. */
function raw(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: api.port, method, path, headers: { 'content-type': 'application/json', ...headers } },
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

describe('the Toxiproxy API, driven by toxiproxy-node-client', () => {
  it('creates a proxy, adds and updates a toxic, and the lab (and its UI stream) shows both at once', async () => {
    const client = new Toxiproxy(base)
    expect(JSON.parse(await client.getVersion())).toEqual({ version: expect.stringMatching(/^2\.\d+\.\d+$/) })
    const proxy = await client.createProxy({ name: 'redis', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
    expect(proxy.enabled).toBe(true)
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/)
    const toxic = await proxy.addToxic({
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 150, jitter: 0 }
    } as never)
    expect(toxic.name).toBe('latency_downstream')
    expect(toxic.attributes).toEqual({ latency: 150, jitter: 0 })
    // The engine's own view and the event stream every UI consumes.
    const inLab = (await lab.ok('proxy:list', {})).proxies[0]
    expect(inLab.toxics[0]).toMatchObject({ name: 'latency_downstream', type: 'latency', stream: 'downstream' })
    await waitFor(
      () => lab.batches.some((b) => b.events.some((e) => e.type === 'proxy.updated' && e.proxy.toxics.length === 1)),
      { what: 'a proxy.updated event' }
    )
    // Real traffic feels it.
    const peer = await connectPeer(portOf(proxy.listen))
    const t0 = Date.now()
    peer.socket.write('hi')
    await peer.waitBytes(2)
    expect(peer.reads[0].at - t0).toBeGreaterThanOrEqual(145)
    const updated = await toxic.update({ attributes: { latency: 10 }, toxicity: 0.5 } as never)
    expect(updated.attributes).toEqual({ latency: 10, jitter: 0 })
    expect(updated.toxicity).toBe(0.5)
    const fetched = await (await client.get('redis')).getToxic('latency_downstream')
    expect(fetched.toxicity).toBe(0.5)
    // What the UI does shows in the API.
    await lab.ok('toxic:add', {
      proxy: 'redis',
      toxic: { name: 'from-ui', type: 'slow_close', attributes: { delay: 5 } }
    })
    const all = await client.getAll()
    expect(Object.keys(all)).toEqual(['redis'])
    const listed = JSON.parse((await raw('GET', '/proxies/redis/toxics')).body) as { name: string }[]
    expect(listed.map((t) => t.name)).toEqual(['latency_downstream', 'from-ui'])
    await toxic.remove()
    peer.socket.destroy()
    const disabled = await (
      await client.get('redis')
    ).update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream, name: 'redis' } as never)
    expect(disabled.enabled).toBe(false)
    expect((await lab.ok('proxy:list', {})).proxies[0].enabled).toBe(false)
    await client.reset()
    const after = (await lab.ok('proxy:list', {})).proxies[0]
    expect(after.enabled).toBe(true)
    expect(after.toxics).toEqual([])
    await (await client.get('redis')).remove()
    expect((await lab.ok('proxy:list', {})).proxies).toEqual([])
  })

  it('populate creates several proxies, keeps an unchanged one, and validates first', async () => {
    const client = new Toxiproxy(base)
    const made = await client.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}`, enabled: true },
      { name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}`, enabled: false }
    ] as never)
    expect(Object.keys(made).sort()).toEqual(['a', 'b'])
    expect(made.b.enabled).toBe(false)
    const bad = await raw(
      'POST',
      '/populate',
      JSON.stringify([{ name: 'c', listen: '127.0.0.1:0', upstream: 'x:1' }, { name: 'd' }])
    )
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body)).toEqual({ error: 'missing required field: upstream at proxy 2', status: 400 })
    expect((await lab.ok('proxy:list', {})).proxies.map((p) => p.name)).toEqual(['a', 'b'])
  })

  it('answers with Toxiproxy status codes and error bodies', async () => {
    const create = (body: unknown): Promise<{ status: number; body: string }> =>
      raw('POST', '/proxies', JSON.stringify(body))
    expect((await create({ name: 'x', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })).status).toBe(201)
    const dup = await create({ name: 'x', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
    expect(dup.status).toBe(409)
    expect(JSON.parse(dup.body)).toEqual({ error: 'proxy already exists', status: 409 })
    expect(JSON.parse((await raw('GET', '/proxies/nope')).body)).toEqual({ error: 'proxy not found', status: 404 })
    expect((await raw('DELETE', '/proxies/nope')).status).toBe(404)
    expect((await create({ listen: '127.0.0.1:0', upstream: 'a:1' })).status).toBe(400)
    expect((await raw('POST', '/proxies', '{not json')).status).toBe(400)
    const badType = await raw('POST', '/proxies/x/toxics', JSON.stringify({ type: 'flood' }))
    expect(JSON.parse(badType.body)).toEqual({ error: 'invalid toxic type', status: 400 })
    const badStream = await raw('POST', '/proxies/x/toxics', JSON.stringify({ type: 'latency', stream: 'sideways' }))
    expect(JSON.parse(badStream.body)).toEqual({
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400
    })
    expect(
      (await raw('POST', '/proxies/x/toxics', JSON.stringify({ type: 'latency', attributes: { latency: 5 } }))).status
    ).toBe(200)
    const dupToxic = await raw('POST', '/proxies/x/toxics', JSON.stringify({ type: 'latency' }))
    expect(JSON.parse(dupToxic.body)).toEqual({ error: 'toxic already exists', status: 409 })
    expect(JSON.parse((await raw('GET', '/proxies/x/toxics/none')).body)).toEqual({
      error: 'toxic not found',
      status: 404
    })
    expect(
      (await raw('PATCH', '/proxies/x/toxics/latency_downstream', JSON.stringify({ attributes: { latency: 9 } })))
        .status
    ).toBe(200)
    expect((await raw('DELETE', '/proxies/x/toxics/latency_downstream')).status).toBe(204)
    expect((await raw('DELETE', '/proxies/x')).status).toBe(204)
    expect((await raw('POST', '/reset')).status).toBe(204)
    expect((await raw('GET', '/nowhere')).status).toBe(404)
  })

  it('refuses web pages: an Origin header, a foreign Host (DNS rebinding), a browser', async () => {
    const origin = await raw('POST', '/proxies', JSON.stringify({ name: 'evil', upstream: `127.0.0.1:${up.port}` }), {
      origin: 'http://evil.example'
    })
    expect(origin.status).toBe(403)
    const rebind = await raw('POST', '/proxies', JSON.stringify({ name: 'evil', upstream: `127.0.0.1:${up.port}` }), {
      host: `evil.example:${api.port}`
    })
    expect(rebind.status).toBe(403)
    const browser = await raw('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0' })
    expect(browser.status).toBe(403)
    expect(JSON.parse(rebind.body).error).toMatch(/not this lab's address/)
    expect((await lab.ok('proxy:list', {})).proxies).toEqual([])
    expect((await raw('GET', '/proxies', undefined, { host: `localhost:${api.port}` })).status).toBe(200)
  })
})
