import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import { resolveStaticPath } from '../../src/main/web/static-files'
import { startWebServer } from '../../src/main/web/web-server'
import type { WebServer } from '../../src/main/web/web-server'
import { closed, httpGet, openWs } from '../e2e/helpers/http-ws'
import { waitFor } from '../helpers/wait'

let dir: string
let hub: LabHub
let web: WebServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcp-lab-web-'))
  mkdirSync(join(dir, 'static', 'assets'), { recursive: true })
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>lab</title>')
  writeFileSync(join(dir, 'static', 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(dir, 'secret.txt'), 'SECRET')
  hub = createLabHub({ batcher: { intervalMs: 10 } })
  web = await startWebServer({ hub, host: '127.0.0.1', port: 0, staticDir: join(dir, 'static') })
})

afterAll(async () => {
  await web?.close()
  await hub?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const host = (): string => `127.0.0.1:${web.port}`

/** An authenticated socket that records every message. */
async function authed(): Promise<{ ws: WebSocket; messages: unknown[] }> {
  const o = await openWs(web.port)
  if (o.kind !== 'open') throw new Error(`refused ${o.status}`)
  o.ws.send(JSON.stringify({ type: 'auth', token: web.token }))
  await waitFor(() => o.messages.some((m) => (m as { type: string }).type === 'ready'), { what: 'ready' })
  return o
}

async function call(
  o: { ws: WebSocket; messages: unknown[] },
  id: number,
  name: unknown,
  payload: unknown
): Promise<Record<string, unknown>> {
  o.ws.send(JSON.stringify({ type: 'request', id, name, payload }))
  return waitFor(
    () => o.messages.find((m) => (m as { id?: number }).id === id) as Record<string, unknown> | undefined,
    { what: `answer ${id}` }
  )
}

describe('web server: token and URL', () => {
  it('has a 128-bit hex token and prints it in the fragment', () => {
    expect(web.token).toMatch(/^[0-9a-f]{32,}$/)
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/#token=${web.token}`)
  })
})

describe('web server: static files', () => {
  it('serves index.html with a strict CSP and nosniff', async () => {
    const r = await httpGet(web.port, '/')
    expect(r.status).toBe(200)
    expect(r.body).toContain('<title>lab</title>')
    expect(r.headers['content-type']).toMatch(/^text\/html/)
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['content-security-policy']).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; ` +
        `connect-src 'self' ws://${host()}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`
    )
    const js = await httpGet(web.port, '/assets/app.js')
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toMatch(/^text\/javascript/)
    expect(js.headers['content-security-policy']).toBeDefined()
  })

  it('refuses path traversal and answers 404 for missing files', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      '/a%00b'
    ]) {
      const r = await httpGet(web.port, p)
      expect(r.status, p).toBe(400)
      expect(r.body).not.toContain('SECRET')
    }
    expect((await httpGet(web.port, '/nope.js')).status).toBe(404)
    expect((await httpGet(web.port, '/assets')).status).toBe(404)
    expect(resolveStaticPath('/srv/x', '/../etc/passwd')).toBeNull()
    expect(resolveStaticPath('/srv/x', '/')).toBe('/srv/x/index.html')
  })

  it('answers only to its own Host names', async () => {
    for (const h of [host(), `localhost:${web.port}`, `[::1]:${web.port}`]) {
      expect((await httpGet(web.port, '/', { Host: h })).status, h).toBe(200)
    }
    for (const h of [
      `evil.example:${web.port}`,
      '127.0.0.1',
      `127.0.0.1:${web.port + 1}`,
      `localhost.evil.example:${web.port}`
    ]) {
      const r = await httpGet(web.port, '/', { Host: h })
      expect(r.status, h).toBe(403)
      expect(r.body).toMatch(/not this lab's address/)
    }
  })

  it('refuses a foreign Origin on plain requests', async () => {
    expect((await httpGet(web.port, '/', { Origin: 'http://evil.example' })).status).toBe(403)
    expect((await httpGet(web.port, '/', { Origin: `http://${host()}` })).status).toBe(200)
  })
})

describe('web server: WebSocket security', () => {
  it('refuses a foreign Origin, a foreign Host and a wrong path during the upgrade', async () => {
    expect(await openWs(web.port, { Origin: 'http://evil.example' })).toEqual({ kind: 'refused', status: 403 })
    expect(await openWs(web.port, { Origin: `http://localhost:${web.port + 1}` })).toEqual({
      kind: 'refused',
      status: 403
    })
    expect(await openWs(web.port, { Host: `evil.example:${web.port}` })).toEqual({ kind: 'refused', status: 403 })
    expect(await openWs(web.port, {}, '/other')).toEqual({ kind: 'refused', status: 404 })
    const same = await openWs(web.port, { Origin: `http://${host()}` })
    expect(same.kind).toBe('open')
    if (same.kind === 'open') same.ws.terminate()
  })

  it('closes with 1008 on a wrong token, and on a command before the token', async () => {
    const wrong = await openWs(web.port)
    if (wrong.kind !== 'open') throw new Error('refused')
    const wrongClosed = closed(wrong.ws)
    wrong.ws.send(JSON.stringify({ type: 'auth', token: 'f'.repeat(32) }))
    expect((await wrongClosed).code).toBe(1008)

    const early = await openWs(web.port)
    if (early.kind !== 'open') throw new Error('refused')
    const earlyClosed = closed(early.ws)
    early.ws.send(JSON.stringify({ type: 'request', id: 1, name: 'server:start', payload: { port: 0 } }))
    expect((await earlyClosed).code).toBe(1008)
    expect(early.messages).toEqual([])
    expect(hub.lab.servers.size).toBe(0)

    const junk = await openWs(web.port)
    if (junk.kind !== 'open') throw new Error('refused')
    const junkClosed = closed(junk.ws)
    junk.ws.send('not json')
    expect((await junkClosed).code).toBe(1008)
  })

  it('sends no event before the token', async () => {
    const waiting = await openWs(web.port)
    if (waiting.kind !== 'open') throw new Error('refused')
    const watcher = await authed()
    const r = await hub.run('server:start', { port: 0 })
    expect(r.ok).toBe(true)
    await waitFor(() => watcher.messages.some((m) => (m as { type: string }).type === 'batch'), {
      what: 'a batch to the authed socket'
    })
    expect(waiting.messages).toEqual([])
    await hub.run('server:stop', { serverId: (r as { value: { id: number } }).value.id })
    waiting.ws.terminate()
    watcher.ws.terminate()
  })

  it('runs commands, streams batches, and answers junk with an error, not a crash', async () => {
    const o = await authed()
    const snap = await call(o, 1, 'lab:snapshot', {})
    expect(snap).toMatchObject({ type: 'result', id: 1, result: { ok: true, value: { servers: [] } } })
    const started = await call(o, 2, 'server:start', { host: '127.0.0.1', port: 0 })
    expect(started).toMatchObject({ type: 'result', result: { ok: true, value: { behaviour: 'echo' } } })
    const batch = await waitFor(
      () =>
        o.messages.find((m) =>
          (m as { type: string; batch?: { events: { type: string }[] } }).batch?.events.some(
            (e) => e.type === 'server.listening'
          )
        ),
      { what: 'server.listening batch' }
    )
    expect(batch).toBeDefined()
    const bad = await call(o, 3, 'server:start', { port: 70000 })
    expect(bad).toMatchObject({
      result: { ok: false, error: { code: 'invalid', message: expect.stringContaining('not 70000') } }
    })
    expect(await call(o, 4, 'no:such', {})).toMatchObject({ result: { ok: false, error: { code: 'unknown-command' } } })
    o.ws.send('{not json')
    o.ws.send(JSON.stringify({ type: 'bogus', id: 5 }))
    await waitFor(() => o.messages.filter((m) => (m as { type: string }).type === 'error').length >= 2, {
      what: 'two error replies'
    })
    expect(o.messages.filter((m) => (m as { type: string }).type === 'error')).toEqual([
      { type: 'error', id: null, error: { code: 'bad-message', message: 'Messages must be JSON text' } },
      { type: 'error', id: 5, error: { code: 'bad-message', message: expect.any(String) } }
    ])
    expect(o.ws.readyState).toBe(WebSocket.OPEN)
    const id = (started.result as { value: { id: number } }).value.id
    expect(await call(o, 6, 'server:stop', { serverId: id })).toMatchObject({ result: { ok: true } })
    o.ws.terminate()
  })

  it('closes with 1009 on a message over 1 MiB', async () => {
    const o = await authed()
    const c = closed(o.ws)
    o.ws.send('x'.repeat(1024 * 1024 + 1))
    expect((await c).code).toBe(1009)
  })
})

describe('web server: shutdown', () => {
  it('closes its sockets with 1001 and stops listening', async () => {
    const other = await startWebServer({ hub, port: 0, staticDir: join(dir, 'static') })
    const o = await openWs(other.port)
    if (o.kind !== 'open') throw new Error('refused')
    o.ws.send(JSON.stringify({ type: 'auth', token: other.token }))
    await waitFor(() => o.messages.length > 0, { what: 'ready' })
    const c = closed(o.ws)
    await other.close()
    expect((await c).code).toBe(1001)
    await expect(httpGet(other.port, '/')).rejects.toThrow(/ECONNREFUSED/)
  })
})
