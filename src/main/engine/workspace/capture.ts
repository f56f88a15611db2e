import { commands, serverStartFields } from '@shared/contract'
import type { CommandValue } from '@shared/contract'
import type { RunCommand } from './restore'
import type { ConnectionInfo, ServerInfo } from '@shared/model'
import type { ProxyInfo } from '@shared/proxy-model'
import { formatAddress, workspaceProxySchema, workspaceServerSchema } from '@shared/workspace-model'
import type { WorkspaceProxy, WorkspaceServer } from '@shared/workspace-model'

// The `server:start` fields a server entry keeps (everything but the address): taken from the schema, so a field
// another stream adds to both `server:start` and `ServerInfo` is saved without a change here.
const SERVER_FIELDS = Object.keys(serverStartFields.shape).filter((k) => k !== 'host' && k !== 'port')

/** The workspace entry for a running server: the address it really listens on, and its settings. */
export function serverEntryFromInfo(info: ServerInfo, name: string | undefined): WorkspaceServer | null {
  const entry: Record<string, unknown> = {}
  if (name !== undefined) entry.name = name
  entry.listen = info.family === 'unix' ? info.requestedHost : formatAddress(info.requestedHost, info.bound.port)
  const source = info as unknown as Record<string, unknown>
  for (const key of SERVER_FIELDS) if (source[key] !== undefined) entry[key] = source[key]
  if (info.state === 'not-accepting') entry.accepting = false
  let parsed = workspaceServerSchema.safeParse(entry)
  if (!parsed.success) {
    // A field whose saved form differs from its request form is left out rather than losing the whole server.
    for (const issue of parsed.error.issues) {
      const key = issue.path[0]
      if (typeof key === 'string' && key !== 'listen') delete entry[key]
    }
    parsed = workspaceServerSchema.safeParse(entry)
  }
  return parsed.success ? parsed.data : null
}

/**
 * A TLS server's entry with its identity, so a restart serves the same certificate (clients that trust it keep
 * trusting it): the user's PEM files by path, or the PEM text of a certificate the lab made or was given as text.
 */
export async function withTlsIdentity(
  entry: WorkspaceServer,
  info: ServerInfo,
  run: RunCommand
): Promise<WorkspaceServer> {
  if (info.protocol !== 'tls') return entry
  const r = await run('server:certificate', { serverId: info.id }, 'workspace')
  if (!r.ok) return entry
  const c = r.value as CommandValue<'server:certificate'>
  const tls =
    c.certFile !== undefined && c.keyFile !== undefined
      ? { certFile: c.certFile, keyFile: c.keyFile }
      : { certPem: c.certPem, keyPem: c.keyPem }
  return { ...entry, tls }
}

/**
 * The same for a TLS-terminating proxy (`listenTls`), read with `proxy:certificate`: a certificate given as files
 * stays those paths, any other is kept as PEM text.
 */
export async function withProxyTlsIdentity(
  entry: WorkspaceProxy,
  info: unknown,
  run: RunCommand
): Promise<WorkspaceProxy> {
  const p = info as Partial<ProxyInfo>
  if (!p.certificate || p.listenTls?.certFile !== undefined) return entry
  const r = await run('proxy:certificate', { name: entry.name }, 'workspace')
  if (!r.ok) return entry
  const c = r.value as CommandValue<'proxy:certificate'>
  return { ...entry, listenTls: { certPem: c.certPem, keyPem: c.keyPem } }
}

/** The `connect` address of an outgoing client, as the request named it. */
export function clientAddress(host: string, port: number | undefined): string {
  return formatAddress(host, port)
}

/** Whether an outgoing connection is still one to reconnect. */
export function isLiveClient(c: ConnectionInfo): boolean {
  return c.origin === 'outgoing' && c.state !== 'closed'
}

/** The keys of an object schema, if it is one. */
function shapeKeys(schema: unknown): string[] | null {
  const shape = (schema as { shape?: unknown } | undefined)?.shape
  return shape && typeof shape === 'object' ? Object.keys(shape) : null
}

// What `proxy:create` and `toxic:add` take, read from the contract when this lab has them, so the fields the
// proxy stream adds (and only those, not the counters `proxy:list` also reports) are saved.
const table = commands as unknown as Record<string, { request: unknown } | undefined>
const PROXY_KEYS = shapeKeys(table['proxy:create']?.request) ?? ['name', 'listen', 'upstream', 'enabled']
const TOXIC_KEYS = shapeKeys(
  (table['toxic:add']?.request as { shape?: { toxic?: unknown } } | undefined)?.shape?.toxic
) ?? ['name', 'type', 'stream', 'toxicity', 'attributes']

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k]
  return out
}

/** A proxy's responders as `proxy:respond` takes them: the settings without the counters. */
function respondersOf(raw: unknown): { responders?: Record<string, unknown> } {
  if (typeof raw !== 'object' || raw === null) return {}
  const out: Record<string, unknown> = {}
  for (const [stream, r] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof r !== 'object' || r === null) continue
    const { framing, rules } = r as Record<string, unknown>
    out[stream] = { framing, rules }
  }
  return Object.keys(out).length > 0 ? { responders: out } : {}
}

/** A proxy as `proxy:list` reports it, in the workspace's (Toxiproxy's) shape; null if it does not fit. */
export function proxyEntryFromInfo(info: unknown): WorkspaceProxy | null {
  if (typeof info !== 'object' || info === null) return null
  const p = info as Record<string, unknown>
  const toxics = Array.isArray(p.toxics)
    ? p.toxics.map((t) => pick((t ?? {}) as Record<string, unknown>, TOXIC_KEYS))
    : []
  const parsed = workspaceProxySchema.safeParse({
    ...pick(
      p,
      PROXY_KEYS.filter((k) => k !== 'toxics')
    ),
    toxics,
    ...respondersOf(p.responders)
  })
  return parsed.success ? parsed.data : null
}
