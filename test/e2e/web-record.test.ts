// `tcp-lab web --record DIR` as a real process: records from launch, and the file is complete after Ctrl-C.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../helpers/processes'
import { followTcp } from '../helpers/tshark'
import { runCli, startWebLab, webBuildReady } from './helpers/web-lab'

const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-web-record-'))
beforeAll(() => {
  if (!webBuildReady())
    throw new Error('browser mode is not built: run `npx electron-vite build` first (npm test does)')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('tcp-lab web --record DIR', () => {
  it('records every connection from launch into a new file, complete after SIGINT', async () => {
    writeFileSync(join(dir, 'other.txt'), 'untouched')
    const l = await startWebLab(['--listen', '0', '--record', dir])
    const line = l
      .stdout()
      .split('\n')
      .find((s) => s.startsWith('Recording: '))
    expect(line).toMatch(/^Recording: .*tcp-lab-[^/]+\.pcapng \(disk budget 1073741824 bytes\)$/)
    const file = /^Recording: (.*) \(disk budget/.exec(line!)![1]
    expect(file.startsWith(dir)).toBe(true)
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(l.stdout())?.[1])
    const r = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'recorded from launch\n' })
    expect(r.stdout.toString()).toBe('recorded from launch\n')
    expect(await l.stop('SIGINT')).toBe(0)
    const f = await followTcp(file, 0)
    expect(f.fromNode0.toString()).toBe('recorded from launch\n')
    expect(f.fromNode1.toString()).toBe('recorded from launch\n')
    expect(readdirSync(dir).sort()).toEqual(['other.txt', file.slice(dir.length + 1)].sort())
  })

  it('refuses a folder it cannot write to, and says --record needs a value', async () => {
    const notDir = join(dir, 'other.txt')
    const r = await runCli(['web', '--ui-port', '0', '--record', join(notDir, 'sub')])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/--record .*Cannot record into/)
    const none = await runCli(['web', '--record'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/--record needs a value/)
    const help = await runCli(['--help'])
    expect(help.stdout).toContain('--record DIR')
  })
})
