import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCliArgs, USAGE } from '../../src/main/launch/cli-args'
import { desktopWorkspaceFile } from '../../src/main/launch/launch-workspace'

describe('--workspace', () => {
  it('is one shared launch option for both front doors', () => {
    expect(parseCliArgs(['web', '--workspace', 'lab.json'])).toMatchObject({
      ok: true,
      value: { workspace: 'lab.json' }
    })
    expect(parseCliArgs(['--workspace=/tmp/a b.json'], { strict: false })).toMatchObject({
      ok: true,
      value: { workspace: '/tmp/a b.json' }
    })
    expect(parseCliArgs(['web'])).toMatchObject({ ok: true, value: { workspace: null } })
    expect(parseCliArgs(['web', '--workspace'])).toEqual({ ok: false, error: '--workspace needs a value' })
    expect(parseCliArgs(['web', '--workspace', 'a', '--workspace', 'b'])).toEqual({
      ok: false,
      error: '--workspace is given twice; a lab keeps one workspace'
    })
    expect(parseCliArgs(['web', '--workspace='])).toEqual({ ok: false, error: '--workspace needs a file name' })
    expect(USAGE).toContain('browser mode keeps nothing')
  })

  it('the desktop app defaults to workspace.json in its user-data folder, created if missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tcp-lab-ud-'))
    try {
      const userData = join(dir, 'TCP Lab')
      expect(await desktopWorkspaceFile(['--no-sandbox'], userData)).toBe(join(userData, 'workspace.json'))
      expect((await stat(userData)).isDirectory()).toBe(true)
      expect(await desktopWorkspaceFile(['--workspace', '/elsewhere/lab.json'], userData)).toBe('/elsewhere/lab.json')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
