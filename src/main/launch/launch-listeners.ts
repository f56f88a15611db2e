import type { LabError } from '@shared/contract'
import type { ListenRequest } from '@shared/listen-spec'
import type { ServerInfo } from '@shared/model'
import { parseCliArgs } from './cli-args'
import type { LabHub } from '../engine/lab-hub'
import { hostPort } from '@shared/endpoint-format'

/** A listening server as `--listen` reports it: `echo on 127.0.0.1:9000 (nc 127.0.0.1 9000)`. */
export function describeListening(s: ServerInfo): string {
  if (s.family === 'unix') return `${s.behaviour} on unix:${s.bound.address} (nc -U ${s.bound.address})`
  const at = hostPort(s.bound.address, s.bound.port)
  if (s.protocol === 'udp') return `${s.behaviour} on udp:${at} (nc -u ${s.bound.address} ${s.bound.port})`
  if (s.protocol === 'tls') {
    const trust = s.certificate?.trustCommands[1] ?? `openssl s_client -connect ${at}`
    return `${s.behaviour} on tls:${at} (${trust}; certificate SHA-256 ${s.certificate?.fingerprint256 ?? 'unknown'})`
  }
  return `${s.behaviour} on ${at} (nc ${s.bound.address} ${s.bound.port})`
}

/** Where a `--listen` value asked to listen, for messages: `127.0.0.1:9000`, `[::1]:80`, `unix:/path`. */
export function listenTarget(spec: ListenRequest): string {
  return spec.host.startsWith('unix:') ? spec.host : hostPort(spec.host, String(spec.port ?? ''))
}

/** Why a `--listen` server could not start. */
export interface ListenFailure {
  spec: ListenRequest
  error: LabError
}

/** Starts the servers in order, printing a `Listening:` line for each; stops at the first failure. */
export async function startListeners(hub: LabHub, specs: readonly ListenRequest[]): Promise<ListenFailure | null> {
  for (const spec of specs) {
    // From the command line: in the running lab, but never saved into the workspace file.
    const r = await hub.run('server:start', spec, { source: 'cli' })
    if (!r.ok) return { spec, error: r.error }
    process.stdout.write(`Listening: ${describeListening(r.value)}\n`)
  }
  return null
}

/** The desktop app's `--listen`: returns a sentence about the first failure, or null. */
export async function startListenSpecs(hub: LabHub, argv: readonly string[]): Promise<string | null> {
  // Electron and Chromium add switches of their own: unknown arguments are ignored here.
  const parsed = parseCliArgs(argv, { strict: false })
  if (!parsed.ok) return `tcp-lab: ${parsed.error}`
  const failure = await startListeners(hub, parsed.value.listen)
  if (!failure) return null
  const { error } = failure
  return `tcp-lab: --listen ${listenTarget(failure.spec)}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`
}
