import type { ServerInfo } from '@shared/model'
import type { WorkspaceProxy, WorkspaceServer } from '@shared/workspace-model'
import type { RunCommand } from './restore'

// A type alias (not an interface) so it fits the workspace's JSON fields.
type Pems = {
  certPem: string
  keyPem: string
}

function pemsOf(value: unknown): Pems | null {
  const v = value as Partial<Pems> | null
  return v && typeof v.certPem === 'string' && typeof v.keyPem === 'string'
    ? { certPem: v.certPem, keyPem: v.keyPem }
    : null
}

/**
 * A TLS server's entry keeps its certificate and key (PEM), so it serves the same certificate after a restart
 * instead of a new self-signed one the clients no longer trust. Files given by path stay paths.
 */
export async function keepServerCertificate(info: ServerInfo, entry: WorkspaceServer, run: RunCommand): Promise<void> {
  if (info.protocol !== 'tls' || !info.certificate || entry.tls?.certFile !== undefined) return
  const r = await run('server:certificate', { serverId: info.id }, 'workspace')
  const pems = r.ok ? pemsOf(r.value) : null
  if (pems) entry.tls = pems
}

/** The same for a TLS-terminating proxy (`listenTls`), read with `proxy:certificate`. */
export async function keepProxyCertificate(info: unknown, entry: WorkspaceProxy, run: RunCommand): Promise<void> {
  const p = info as { certificate?: unknown; listenTls?: { certFile?: unknown } }
  if (!p.certificate || p.listenTls?.certFile !== undefined) return
  const r = await run('proxy:certificate', { name: entry.name }, 'workspace')
  const pems = r.ok ? pemsOf(r.value) : null
  if (pems) entry.listenTls = pems
}
