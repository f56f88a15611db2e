import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LabError, Result } from '@shared/contract'
import type { ProxyInfo, ToxicInfo } from '@shared/proxy-model'
import { TOXIC_TYPES, toxicAttributeSchemas } from '@shared/proxy-model'
import { refuseApiRequest } from './api-security'

/** The Toxiproxy version whose API this one follows. */
export const TOXIPROXY_COMPAT_VERSION = '2.9.0'
/** Largest request body the API reads. */
export const API_BODY_LIMIT = 1024 * 1024

/** What the API needs: a way to run lab commands (the hub's `run`). */
export interface ApiHub {
  run(name: unknown, payload: unknown): Promise<Result<unknown>>
}

/** A running API server. */
export interface ToxiproxyApi {
  host: string
  port: number
  close(): Promise<void>
}

/** Toxiproxy's error: `{"error": "...", "status": N}`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

const STATUS_BY_CODE: Record<string, number> = { 'not-found': 404, exists: 409, invalid: 400, 'too-many': 400 }

function fromLab(e: LabError): ApiError {
  return new ApiError(STATUS_BY_CODE[e.code] ?? 500, e.message)
}

async function call<T>(hub: ApiHub, name: string, payload: unknown): Promise<T> {
  const r = await hub.run(name, payload)
  if (!r.ok) throw fromLab(r.error)
  return r.value as T
}

/** A proxy in Toxiproxy's exact shape (the lab's extra fields left out). */
function wireProxy(p: ProxyInfo): Record<string, unknown> {
  return { name: p.name, listen: p.listen, upstream: p.upstream, enabled: p.enabled, toxics: p.toxics.map(wireToxic) }
}

function wireToxic(t: ToxicInfo): Record<string, unknown> {
  return {
    attributes: t.attributes,
    name: t.name,
    type: t.type,
    stream: t.stream,
    toxicity: t.toxicity,
    ...(t.condition ? { condition: t.condition } : {})
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    req.on('data', (d: Buffer) => {
      size += d.length
      if (size > API_BODY_LIMIT) {
        reject(new ApiError(413, `bad request body: over ${API_BODY_LIMIT} bytes`))
        req.destroy()
      } else parts.push(d)
    })
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')))
    req.on('error', reject)
  })
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req)
  if (text.trim() === '') return {}
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (err) {
    throw new ApiError(400, `bad request body: ${(err as Error).message}`)
  }
  if (v === null || typeof v !== 'object') throw new ApiError(400, 'bad request body: expected a JSON object')
  return v as Record<string, unknown>
}

function text(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new ApiError(400, `bad request body: ${field} must be a string`)
  return v
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw new ApiError(400, `bad request body: ${field} must be true or false`)
  return v
}

/** Toxiproxy ignores attribute keys a type does not have; so does this API. */
function knownAttributes(type: string, raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ApiError(400, 'bad request body: attributes must be an object')
  const schema = toxicAttributeSchemas[type as keyof typeof toxicAttributeSchemas]
  const keys = schema ? Object.keys(schema.shape) : []
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([k]) => keys.includes(k)))
}

function proxyCreateInput(b: Record<string, unknown>, where = ''): Record<string, unknown> {
  const name = text(b.name, 'name')
  const upstream = text(b.upstream, 'upstream')
  if (!name) throw new ApiError(400, `missing required field: name${where}`)
  if (!upstream) throw new ApiError(400, `missing required field: upstream${where}`)
  return {
    name,
    listen: text(b.listen, 'listen') || '127.0.0.1:0',
    upstream,
    enabled: bool(b.enabled, 'enabled') ?? true
  }
}

type Route = (req: IncomingMessage, params: string[]) => Promise<{ status: number; body?: unknown }>

/** The routes: Toxiproxy's paths, methods, status codes and JSON shapes, each a lab command through the hub. */
function routes(hub: ApiHub): { method: string[]; path: RegExp; run: Route }[] {
  const list = async (): Promise<ProxyInfo[]> => (await call<{ proxies: ProxyInfo[] }>(hub, 'proxy:list', {})).proxies
  const find = async (name: string): Promise<ProxyInfo> => {
    const p = (await list()).find((x) => x.name === name)
    if (!p) throw new ApiError(404, 'proxy not found')
    return p
  }
  return [
    {
      method: ['GET'],
      path: /^\/version$/,
      run: async () => ({ status: 200, body: { version: TOXIPROXY_COMPAT_VERSION } })
    },
    { method: ['POST'], path: /^\/reset$/, run: async () => (await call(hub, 'proxy:reset', {}), { status: 204 }) },
    {
      method: ['GET'],
      path: /^\/proxies$/,
      run: async () => ({ status: 200, body: Object.fromEntries((await list()).map((p) => [p.name, wireProxy(p)])) })
    },
    {
      method: ['POST'],
      path: /^\/proxies$/,
      run: async (req) => ({
        status: 201,
        body: wireProxy(await call<ProxyInfo>(hub, 'proxy:create', proxyCreateInput(await jsonBody(req))))
      })
    },
    {
      method: ['POST'],
      path: /^\/populate$/,
      run: async (req) => {
        const text = await readBody(req)
        let input: unknown
        try {
          input = JSON.parse(text)
        } catch (err) {
          throw new ApiError(400, `bad request body: ${(err as Error).message}`)
        }
        if (!Array.isArray(input)) throw new ApiError(400, 'bad request body: expected an array of proxies')
        // Everything is checked before anything changes, as in Toxiproxy.
        const wanted = input.map((p, i) => proxyCreateInput((p ?? {}) as Record<string, unknown>, ` at proxy ${i + 1}`))
        const done: ProxyInfo[] = []
        for (const w of wanted) {
          const existing = (await list()).find((x) => x.name === w.name)
          if (
            existing &&
            existing.upstream === w.upstream &&
            (existing.listen === w.listen || w.listen === '127.0.0.1:0')
          ) {
            done.push(existing)
            continue
          }
          if (existing) await call(hub, 'proxy:delete', { name: w.name })
          done.push(await call<ProxyInfo>(hub, 'proxy:create', w))
        }
        return { status: 201, body: { proxies: done.map(wireProxy) } }
      }
    },
    {
      method: ['GET'],
      path: /^\/proxies\/([^/]+)$/,
      run: async (_r, [name]) => ({ status: 200, body: wireProxy(await find(name)) })
    },
    {
      method: ['POST', 'PATCH'],
      path: /^\/proxies\/([^/]+)$/,
      run: async (req, [name]) => {
        const b = await jsonBody(req)
        await find(name)
        const payload = {
          name,
          listen: text(b.listen, 'listen'),
          upstream: text(b.upstream, 'upstream'),
          enabled: bool(b.enabled, 'enabled')
        }
        return { status: 200, body: wireProxy(await call<ProxyInfo>(hub, 'proxy:update', payload)) }
      }
    },
    {
      method: ['DELETE'],
      path: /^\/proxies\/([^/]+)$/,
      run: async (_r, [name]) => (await call(hub, 'proxy:delete', { name }), { status: 204 })
    },
    {
      method: ['GET'],
      path: /^\/proxies\/([^/]+)\/toxics$/,
      run: async (_r, [name]) => ({ status: 200, body: (await find(name)).toxics.map(wireToxic) })
    },
    {
      method: ['POST'],
      path: /^\/proxies\/([^/]+)\/toxics$/,
      run: async (req, [name]) => {
        const b = await jsonBody(req)
        await find(name)
        const type = text(b.type, 'type') ?? ''
        const stream = text(b.stream, 'stream') ?? 'downstream'
        if (stream !== 'upstream' && stream !== 'downstream')
          throw new ApiError(400, 'stream was invalid, can be either upstream or downstream')
        if (!(TOXIC_TYPES as readonly string[]).includes(type)) throw new ApiError(400, 'invalid toxic type')
        const toxic = {
          name: text(b.name, 'name') || undefined,
          type,
          stream,
          toxicity: b.toxicity ?? 1,
          attributes: knownAttributes(type, b.attributes),
          ...(b.condition !== undefined ? { condition: b.condition } : {})
        }
        return { status: 200, body: wireToxic(await call<ToxicInfo>(hub, 'toxic:add', { proxy: name, toxic })) }
      }
    },
    {
      method: ['GET'],
      path: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      run: async (_r, [name, toxic]) => {
        const t = (await find(name)).toxics.find((x) => x.name === toxic)
        if (!t) throw new ApiError(404, 'toxic not found')
        return { status: 200, body: wireToxic(t) }
      }
    },
    {
      method: ['POST', 'PATCH'],
      path: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      run: async (req, [name, toxic]) => {
        const b = await jsonBody(req)
        const t = (await find(name)).toxics.find((x) => x.name === toxic)
        if (!t) throw new ApiError(404, 'toxic not found')
        const payload = {
          proxy: name,
          name: toxic,
          ...(b.toxicity !== undefined ? { toxicity: b.toxicity } : {}),
          ...(b.attributes !== undefined ? { attributes: knownAttributes(t.type, b.attributes) } : {}),
          ...(b.condition !== undefined ? { condition: b.condition } : {})
        }
        return { status: 200, body: wireToxic(await call<ToxicInfo>(hub, 'toxic:update', payload)) }
      }
    },
    {
      method: ['DELETE'],
      path: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      run: async (_r, [name, toxic]) => (await call(hub, 'toxic:remove', { proxy: name, name: toxic }), { status: 204 })
    }
  ]
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status)
    res.end()
    return
  }
  const data = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) })
  res.end(data)
}

/** Serves Toxiproxy's HTTP API for the lab on HOST:PORT (loopback unless asked otherwise). */
export async function startToxiproxyApi(hub: ApiHub, host: string, port: number): Promise<ToxiproxyApi> {
  const table = routes(hub)
  const server = http.createServer(async (req, res) => {
    try {
      const refused = refuseApiRequest(req, host)
      if (refused) throw new ApiError(403, refused)
      let path: string
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://api.invalid').pathname).replace(/\/+$/, '') || '/'
      } catch {
        throw new ApiError(400, 'bad request path')
      }
      const matches = table.filter((r) => r.path.test(path))
      if (matches.length === 0) throw new ApiError(404, '404 page not found')
      const route = matches.find((r) => r.method.includes(req.method ?? ''))
      if (!route) throw new ApiError(405, `method ${req.method} not allowed on ${path}`)
      const params = (route.path.exec(path) ?? []).slice(1)
      const { status, body } = await route.run(req, params)
      send(res, status, body)
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, (err as Error)?.message ?? String(err))
      if (!res.headersSent) send(res, e.status, { error: e.message, status: e.status })
      else res.destroy()
    }
  })
  // A client that trickles a request must not hold a socket forever.
  server.requestTimeout = 15_000
  server.headersTimeout = 10_000
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.removeListener('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  return {
    host: addr.address,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
