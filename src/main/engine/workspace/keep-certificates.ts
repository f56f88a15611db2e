import type { WorkspaceProxy } from '@shared/workspace-model'
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
 * A TLS-terminating proxy's entry keeps its identity (`listenTls`), read with `proxy:certificate`, so a restart
 * presents the same certificate (as `withTlsIdentity` does for TLS servers): files given by path stay paths.
 */
export async function keepProxyCertificate(info: unknown, entry: WorkspaceProxy, run: RunCommand): Promise<void> {
  const p = info as { certificate?: unknown; listenTls?: { certFile?: unknown } }
  if (!p.certificate || p.listenTls?.certFile !== undefined) return
  const r = await run('proxy:certificate', { name: entry.name }, 'workspace')
  const pems = r.ok ? pemsOf(r.value) : null
  if (pems) entry.listenTls = pems
}
