import type { RecordStatus } from '@shared/model'
import type { LabHub } from '../engine/lab-hub'
import { captureOf } from '../engine/record/capture-service'

/** `--record DIR` (app and browser mode): starts recording into DIR and makes it the UI's default folder; returns a sentence about a failure, or null. */
export async function startLaunchRecording(hub: LabHub, dir: string | undefined): Promise<string | null> {
  if (dir === undefined) return null
  captureOf(hub.lab).defaultDir = dir
  const r = await hub.run('capture:record-start', { dir })
  if (!r.ok) return `tcp-lab: --record ${dir}: ${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}`
  const s = r.value as RecordStatus
  process.stdout.write(`Recording: ${s.file} (disk budget ${s.budgetBytes} bytes)\n`)
  return null
}
