import type { ProxyInfo } from '@shared/proxy-model'
import type { CliOptions } from './cli-args'
import type { LabHub } from '../engine/lab-hub'
import type { ToxiproxyApi } from '../api/toxiproxy-api'

/** What `--proxy` started, or the sentence about the first failure (`--toxiproxy-api` is launch-api.ts's). */
export interface LaunchedProxies {
  /** Always null: the hub owns the API's lifetime now (kept so callers compile). */
  api: ToxiproxyApi | null
  error: string | null
}

/** Starts the launch proxies in order (a `Proxy:` line each); stops at the first failure. */
export async function startLaunchProxies(
  hub: LabHub,
  opts: Pick<CliOptions, 'proxies' | 'toxiproxyApi'>
): Promise<LaunchedProxies> {
  for (const spec of opts.proxies) {
    // From the command line: it runs but is not saved into the workspace.
    const r = await hub.run('proxy:create', spec, { source: 'cli' })
    if (!r.ok)
      return { api: null, error: `--proxy ${spec.name}: ${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}` }
    const p = r.value as ProxyInfo
    process.stdout.write(`Proxy: ${p.name} on ${p.listen} → ${p.upstream}\n`)
    // A TLS-terminating proxy: the file to trust, as a TLS server's card shows it.
    if (p.certificate)
      process.stdout.write(
        `  certificate: ${p.certificate.certPath ?? '(not written)'} (${p.certificate.trustCommands[0] ?? ''})\n`
      )
  }
  return { api: null, error: null }
}
