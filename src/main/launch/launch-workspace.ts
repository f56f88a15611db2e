import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseCliArgs } from './cli-args'
import type { LabHub } from '../engine/lab-hub'
import type { OpenSummary } from '../engine/workspace/workspace'

/** Where the desktop app keeps its workspace when no --workspace is given. */
export const DESKTOP_WORKSPACE_NAME = 'workspace.json'

/** How a launch reports: one line at a time. */
export interface LaunchOutput {
  out(line: string): void
  err(line: string): void
}

const stdio: LaunchOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`)
}

/** `restored 2 servers, 1 proxy` — only what there was. */
function counted(summary: OpenSummary): string {
  const parts: string[] = []
  const add = (n: number, one: string, many: string): void => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`)
  }
  add(summary.servers, 'server', 'servers')
  add(summary.proxies, 'proxy', 'proxies')
  add(summary.clients, 'client', 'clients')
  add(summary.payloads, 'saved payload', 'saved payloads')
  return parts.length > 0 ? `restored ${parts.join(', ')}` : 'nothing to restore'
}

/** Opens a workspace file for a launch and prints what it restored and what it could not. */
export async function openLaunchWorkspace(
  hub: LabHub,
  file: string,
  output: LaunchOutput = stdio
): Promise<OpenSummary> {
  const summary = await hub.workspace.open(file)
  output.out(`Workspace: ${summary.file} (${counted(summary)})`)
  for (const p of summary.problems) output.err(`Workspace: ${p.entry}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`)
  return summary
}

/** The desktop app's workspace: `--workspace FILE`, else workspace.json in its user-data folder (created if needed). */
export async function desktopWorkspaceFile(argv: readonly string[], userDataDir: string): Promise<string> {
  const parsed = parseCliArgs(argv, { strict: false })
  if (parsed.ok && parsed.value.workspace !== null) return parsed.value.workspace
  await mkdir(userDataDir, { recursive: true })
  return join(userDataDir, DESKTOP_WORKSPACE_NAME)
}
