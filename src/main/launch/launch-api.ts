import type { CliOptions } from './cli-args'
import type { LabHub } from '../engine/lab-hub'
import type { ApiStatus } from '@shared/api-settings'
import { hostPort } from '@shared/endpoint-format'
import type { LaunchOutput } from './launch-workspace'

const stdio: LaunchOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`)
}

/** The lines a launch prints for a listening API. */
function announce(status: ApiStatus, output: LaunchOutput): void {
  output.out(`Toxiproxy API: http://${status.listen}`)
  if (status.warning)
    output.err(
      `WARNING: the Toxiproxy API listens on ${status.listen}, not on loopback: anyone who can reach it can open ports and proxies on this machine.`
    )
}

/**
 * `--toxiproxy-api [HOST:]PORT`: switches the API on through the same `api:configure` the window uses, for this run
 * only (never saved). Call it before the workspace opens, so the command line wins over the saved preference.
 */
export async function startLaunchApi(
  hub: LabHub,
  opts: Pick<CliOptions, 'toxiproxyApi'>,
  output: LaunchOutput = stdio
): Promise<string | null> {
  if (!opts.toxiproxyApi) return null
  const { host, port } = opts.toxiproxyApi
  const r = await hub.run('api:configure', { enabled: true, listen: hostPort(host, port) }, { source: 'cli' })
  if (!r.ok) return `--toxiproxy-api ${hostPort(host, port)}: ${r.error.message.replace(/^Cannot serve[^:]*: /, '')}`
  announce(r.value, output)
  return null
}

/** After the workspace opened: switches the API on as it remembers (unless the command line decided); a failure is a line, not an exit. */
export async function restoreLaunchApi(hub: LabHub, output: LaunchOutput = stdio): Promise<void> {
  const error = await hub.api.restore(hub.workspace.status().ui)
  if (error) output.err(`Workspace: Toxiproxy API: ${error}`)
  else if (hub.api.status().source === 'workspace' && hub.api.status().enabled) announce(hub.api.status(), output)
}
