import type { ServerInfo } from '@shared/model'
import { parseCliArgs } from './cli-args'
import type { LabHub } from './engine/lab-hub'

/** Starts the servers `--listen` asks for; returns a sentence about the first failure, or null. */
export async function startListenSpecs(hub: LabHub, argv: readonly string[]): Promise<string | null> {
  // Electron and Chromium add switches of their own: unknown arguments are ignored here.
  const parsed = parseCliArgs(argv, { strict: false })
  if (!parsed.ok) return `tcp-lab: ${parsed.error}`
  for (const spec of parsed.value.listen) {
    const r = await hub.run('server:start', spec)
    if (!r.ok) return `tcp-lab: --listen ${spec.host}${spec.port !== undefined ? `:${spec.port}` : ''}: ${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}`
    const s = r.value as ServerInfo
    console.log(`Listening: ${s.behaviour} on ${s.family === 'unix' ? `unix:${s.bound.address}` : `${s.bound.address}:${s.bound.port}`}`)
  }
  return null
}
