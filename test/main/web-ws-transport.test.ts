import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { EventBatch } from '@shared/model'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import { startWebServer } from '../../src/main/web/web-server'
import type { WebServer } from '../../src/main/web/web-server'
import type { CommandInput, CommandName, CommandResult } from '@shared/contract'
import { waitFor } from '../helpers/wait'

// The transport is renderer code (DOM types, another tsconfig project): it is loaded by path and
// described here by the part of its API this test uses; tsconfig.web checks the real signatures.
interface WsTransport {
  request<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>>
  onBatch(listener: (b: EventBatch) => void): () => void
  onLinkChange?(listener: (up: boolean) => void): () => void
  isUp(): boolean
  dispose(): void
}
type PageParts = ReturnType<typeof page>
interface TransportModule {
  TOKEN_STORAGE_KEY: string
  readToken(location: PageParts['location'], history: PageParts['history'], storage: MemoryStorage): string | null
  createWsTransport(options: {
    location: PageParts['location']
    history: PageParts['history']
    storage: MemoryStorage
    WebSocketImpl: unknown
    backoff: { initialMs: number; maxMs: number }
  }): WsTransport
}
const modulePath = '../../src/renderer/src/transport/ws-transport'
let mod: TransportModule

let dir: string
let hub: LabHub
let web: WebServer
const transports: WsTransport[] = []

class MemoryStorage {
  map = new Map<string, string>()
  getItem(k: string): string | null {
    return this.map.get(k) ?? null
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v)
  }
}

function page(port: number, hash: string, storage = new MemoryStorage()) {
  const replaced: string[] = []
  const location = { hash, host: `127.0.0.1:${port}`, protocol: 'http:', pathname: '/', search: '' }
  const history = {
    replaceState: (_d: unknown, _u: string, url?: string | URL | null): void => void replaced.push(String(url))
  }
  return { location, history, storage, replaced }
}

function transport(p: ReturnType<typeof page>): WsTransport {
  const t = mod.createWsTransport({
    location: p.location,
    history: p.history,
    storage: p.storage,
    WebSocketImpl: WebSocket,
    backoff: { initialMs: 20, maxMs: 100 }
  })
  transports.push(t)
  return t
}

beforeAll(async () => {
  mod = (await import(/* @vite-ignore */ modulePath)) as TransportModule
  dir = mkdtempSync(join(tmpdir(), 'tcp-lab-wst-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html>')
  hub = createLabHub({ batcher: { intervalMs: 10 } })
  web = await startWebServer({ hub, port: 0, staticDir: dir })
})
afterEach(() => {
  for (const t of transports.splice(0)) t.dispose()
})
afterAll(async () => {
  await web?.close()
  await hub?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('readToken', () => {
  it('takes the token from the fragment, hides it and keeps it for a reload', () => {
    const p = page(1, '#token=abc123')
    expect(mod.readToken(p.location, p.history, p.storage)).toBe('abc123')
    expect(p.replaced).toEqual(['/'])
    expect(p.storage.getItem(mod.TOKEN_STORAGE_KEY)).toBe('abc123')
    const reload = page(1, '', p.storage)
    expect(mod.readToken(reload.location, reload.history, reload.storage)).toBe('abc123')
    expect(reload.replaced).toEqual([])
  })
})

describe('ws-transport against a real web server', () => {
  it('runs validated commands and delivers validated batches', async () => {
    const p = page(web.port, `#token=${web.token}`)
    const t = transport(p)
    const links: boolean[] = []
    t.onLinkChange?.((up) => links.push(up))
    const batches: EventBatch[] = []
    t.onBatch((b) => {
      batches.push(b)
      void t.request('lab:ack', { seq: b.seq })
    })
    // Sent before the link is up: queued, then answered.
    const snap = await t.request('lab:snapshot', {})
    expect(snap.ok).toBe(true)
    expect(links).toEqual([true])
    const started = await t.request('server:start', { host: '127.0.0.1', port: 0 })
    if (!started.ok) throw new Error(started.error.message)
    expect(started.value.bound.port).toBeGreaterThan(0)
    await waitFor(() => batches.some((b) => b.events.some((e) => e.type === 'server.listening')), {
      what: 'listening batch'
    })
    const bad = await t.request('server:start', { host: '127.0.0.1', port: 70000 })
    expect(bad).toEqual({ ok: false, error: { code: 'invalid', message: expect.stringContaining('not 70000') } })
    expect((await t.request('server:stop', { serverId: started.value.id })).ok).toBe(true)
  })

  it('reconnects after the server comes back and reports the link', async () => {
    const hub2 = createLabHub({ batcher: { intervalMs: 10 } })
    const first = await startWebServer({ hub: hub2, port: 0, staticDir: dir })
    const port = first.port
    const t = transport(page(port, `#token=${first.token}`))
    const links: boolean[] = []
    t.onLinkChange?.((up) => links.push(up))
    await waitFor(() => t.isUp(), { what: 'link up' })
    await first.close()
    await waitFor(() => links.includes(false), { what: 'link down' })
    expect(t.isUp()).toBe(false)
    const second = await startWebServer({ hub: hub2, port, staticDir: dir, token: first.token })
    await waitFor(() => t.isUp(), { what: 'link up again', timeoutMs: 5_000 })
    expect(links).toEqual([true, false, true])
    expect((await t.request('lab:snapshot', {})).ok).toBe(true)
    t.dispose()
    await second.close()
    await hub2.dispose()
  })

  it('stops for good when the token is refused', async () => {
    const t = transport(page(web.port, '#token=' + '0'.repeat(32)))
    const r = await t.request('lab:snapshot', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    expect(t.isUp()).toBe(false)
    expect(await t.request('lab:snapshot', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
  })

  it('fails at once without a token', async () => {
    const t = transport(page(web.port, ''))
    expect(await t.request('lab:snapshot', {})).toMatchObject({
      ok: false,
      error: { code: 'no-token', message: expect.stringContaining('#token=') }
    })
  })
})
