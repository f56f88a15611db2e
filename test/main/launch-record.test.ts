import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import { parseCliArgs } from '../../src/main/launch/cli-args'
import { startLaunchRecording } from '../../src/main/launch/launch-record'

let hub: LabHub
const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-launch-record-'))
afterEach(async () => hub?.dispose())
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('--record in the desktop app', () => {
  it('is parsed among Electron switches and starts recording into DIR, which becomes the default folder', async () => {
    const parsed = parseCliArgs(['--no-sandbox', '--record', dir, '--inspect=9229'], { strict: false })
    expect(parsed.ok && parsed.value.record).toBe(dir)
    expect(parseCliArgs(['web', '--record=/x']).ok).toBe(true)
    hub = createLabHub()
    expect(await startLaunchRecording(hub, dir)).toBeNull()
    const status = await hub.run('capture:record-status', {})
    expect(status.ok && (status.value as { recording: boolean; dir: string }).dir).toBe(dir)
    const stopped = await hub.run('capture:record-stop', {})
    expect(stopped.ok).toBe(true)
    // A later start from the UI without a folder goes to the same place.
    const again = await hub.run('capture:record-start', {})
    expect(again.ok && (again.value as { file: string }).file.startsWith(dir)).toBe(true)
  })

  it('does nothing without --record', async () => {
    hub = createLabHub()
    expect(await startLaunchRecording(hub, undefined)).toBeNull()
    const status = await hub.run('capture:record-status', {})
    expect(status.ok && (status.value as { recording: boolean }).recording).toBe(false)
  })
})
