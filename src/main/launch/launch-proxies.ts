import type { ProxyInfo } from '@shared/proxy-model'
import type { CliOptions } from './cli-args'
import { isLoopbackHost } from './cli-args'
import type { LabHub } from '../engine/lab-hub'
import { startToxiproxyApi } from '../api/toxiproxy-api'
import type { ToxiproxyApi } from '../api/toxiproxy-api'
import { bracketHost } from '@shared/endpoint-format'

/** What `--proxy` and `--toxiproxy-api` started, or the sentence about the first failure. */
export interface LaunchedProxies {
  api: ToxiproxyApi | null
  error: string | null
}

/** Starts the launch proxies in order (a `Proxy:` line each), then the API; stops at the first failure. */
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
  if (!opts.toxiproxyApi) return { api: null, error: null }
  const { host, port } = opts.toxiproxyApi
  try {
    const api = await startToxiproxyApi(hub, host, port)
    process.stdout.write(`Toxiproxy API: http://${bracketHost(api.host)}:${api.port}\n`)
    if (!isLoopbackHost(host)) {
      process.stderr.write(
        `WARNING: the Toxiproxy API listens on ${bracketHost(host)}, not on loopback: anyone who can reach it can open ports and proxies on this machine.\n`
      )
    }
    return { api, error: null }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${port} is already in use (is a Toxiproxy server running?)`
        : `${e.code ?? ''} ${e.message}`.trim()
    return { api: null, error: `--toxiproxy-api ${bracketHost(host)}:${port}: ${why}` }
  }
}
