import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkspaceStatus } from '@shared/contract'
import { writeFileAtomic } from '../../../src/main/engine/workspace/atomic-file'
import { migrateDocument } from '../../../src/main/engine/workspace/migrate'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { waitFor } from '../../helpers/wait'

const labs: TestLab[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const l of labs.splice(0)) await l.dispose()
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tcp-lab-ws-'))
  dirs.push(d)
  return d
}

function newLab(): TestLab {
  const l = createTestLab({ workspace: { saveDelayMs: 10 } })
  labs.push(l)
  return l
}

const payload = { name: 'p', format: 'text', text: 'x', lineEnding: 'none' } as const

describe('a workspace file the lab cannot use', () => {
  for (const [what, content] of [
    ['half-written JSON', '{"version": 1, "servers": [{"listen": "127.0.0.1:9'],
    ['an empty file', ''],
    ['binary garbage', Buffer.from([0xff, 0x00, 0xfe, 0x7b, 0x0a])]
  ] as const) {
    it(`${what}: reported, kept aside as .corrupt-<time>, left byte-identical and never overwritten`, async () => {
      const dir = await tempDir()
      const file = join(dir, 'lab.json')
      const bytes = Buffer.from(content)
      await writeFile(file, bytes)
      const lab = newLab()
      const opened = await lab.hub.workspace.open(file)
      expect(opened.problems).toHaveLength(1)
      expect(opened.problems[0].kind).toBe('file')
      expect(opened.problems[0].message).toContain('cannot be read')
      const copies = (await readdir(dir)).filter((n) => n.startsWith('lab.json.corrupt-'))
      expect(copies).toHaveLength(1)
      expect(opened.problems[0].hint).toContain(copies[0])
      expect(await readFile(join(dir, copies[0]))).toEqual(bytes)
      // Changes go on in memory but never reach the file.
      await lab.ok('server:start', { host: '127.0.0.1', port: 0 })
      await lab.ok('payload:save', { payload })
      const status = (await lab.ok('workspace:get', {})) as WorkspaceStatus
      expect(status.notSaving).toContain('cannot be read')
      const refused = await lab.session.handle('workspace:save', {})
      expect(refused).toMatchObject({ ok: false, error: { code: 'not-saving' } })
      await lab.dispose()
      labs.length = 0
      expect(await readFile(file)).toEqual(bytes)
      expect((await readdir(dir)).sort()).toEqual(['lab.json', copies[0]].sort())
    })
  }

  it('a file that is JSON but not a workspace: the message names the field and the problem; the file is untouched', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const text = JSON.stringify({
      version: 1,
      servers: [
        { listen: '127.0.0.1:70000', behaviour: 'echo' },
        { listen: '127.0.0.1:1', behaviour: 'ech' }
      ],
      sever: []
    })
    await writeFile(file, text)
    const lab = newLab()
    const opened = await lab.hub.workspace.open(file)
    expect(opened.servers).toBe(0)
    const msg = opened.problems[0].message
    expect(msg).toContain('servers[0].listen: port must be a whole number from 0 to 65535, not 70000')
    expect(msg).toContain('servers[1].behaviour: Unknown behaviour "ech"')
    expect(msg).toContain('unknown field "sever"')
    await lab.ok('payload:save', { payload })
    await lab.dispose()
    labs.length = 0
    expect(await readFile(file, 'utf8')).toBe(text)
  })

  it('a file from a newer version is refused with the version named, and kept', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    await writeFile(file, '{"version": 7, "servers": []}')
    const lab = newLab()
    const opened = await lab.hub.workspace.open(file)
    expect(opened.problems[0].message).toContain(
      'version: 7 was written by a newer TCP Lab; this one reads versions up to 1'
    )
    await lab.ok('payload:save', { payload })
    await lab.dispose()
    labs.length = 0
    expect(await readFile(file, 'utf8')).toBe('{"version": 7, "servers": []}')
  })

  it('replaceBadFile saves over a bad file only after a copy of it is kept', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    await writeFile(file, '{"version": 1, "servers": 3}')
    const lab = newLab()
    await lab.hub.workspace.open(file)
    await lab.ok('payload:save', { payload })
    const status = (await lab.ok('workspace:save', { replaceBadFile: true })) as WorkspaceStatus
    expect(status.notSaving).toBeNull()
    const names = await readdir(dir)
    const copy = names.find((n) => n.startsWith('lab.json.corrupt-'))
    expect(copy).toBeDefined()
    expect(await readFile(join(dir, copy!), 'utf8')).toBe('{"version": 1, "servers": 3}')
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, payloads: [payload] })
  })

  it('a folder that does not exist is reported and nothing is created', async () => {
    const dir = await tempDir()
    const file = join(dir, 'missing', 'lab.json')
    const lab = newLab()
    const opened = await lab.hub.workspace.open(file)
    expect(opened.problems[0].message).toContain('does not exist')
    await lab.ok('payload:save', { payload })
    expect(await readdir(dir)).toEqual([])
  })

  it('a save that fails (a full disk, simulated half-way through the atomic write) is reported; the old file keeps its content', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    let full = false
    const writeFile = (path: string, data: string): Promise<void> =>
      writeFileAtomic(path, data, {
        beforeRename: () => {
          if (full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
        }
      })
    const lab = createTestLab({ workspace: { saveDelayMs: 10, writeFile } })
    labs.push(lab)
    await lab.hub.workspace.open(file)
    await lab.ok('payload:save', { payload })
    await waitFor(async () => (await readFile(file, 'utf8').catch(() => '')).includes('"p"'), {
      what: 'the first save'
    })
    const before = await readFile(file, 'utf8')
    full = true
    await lab.ok('payload:save', { payload: { ...payload, name: 'q' } })
    const problem = await waitFor(
      async () => {
        const s = (await lab.ok('workspace:get', {})) as WorkspaceStatus
        return s.problems.find((p) => p.kind === 'save')
      },
      { what: 'a save problem' }
    )
    expect(problem.message).toBe('Cannot save the workspace: the disk is full')
    expect(await readFile(file, 'utf8')).toBe(before)
    expect(await readdir(dir)).toEqual(['lab.json'])
    // The next change saves again and clears the problem.
    full = false
    await lab.ok('payload:save', { payload: { ...payload, name: 'r' } })
    await waitFor(async () => (await readFile(file, 'utf8')).includes('"r"'), { what: 'the save after space is back' })
    const status = (await lab.ok('workspace:get', {})) as WorkspaceStatus
    expect(status.problems).toEqual([])
  })
})

describe('atomic save', () => {
  it('a crash between writing the temporary file and the rename leaves the old file intact', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    await writeFile(file, 'old content\n')
    await expect(
      writeFileAtomic(file, 'new content\n', {
        beforeRename: () => {
          throw new Error('simulated crash')
        }
      })
    ).rejects.toThrow('simulated crash')
    expect(await readFile(file, 'utf8')).toBe('old content\n')
    // The temporary file is the function's own, and is removed.
    expect(await readdir(dir)).toEqual(['lab.json'])
    await writeFileAtomic(file, 'new content\n')
    expect(await readFile(file, 'utf8')).toBe('new content\n')
  })

  it('writes through a symbolic link to the file it names; the link stays a link', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'dotfiles'))
    const real = join(dir, 'dotfiles', 'lab.json')
    const link = join(dir, 'lab.json')
    await writeFile(real, 'old')
    await symlink(real, link)
    await writeFileAtomic(link, 'new')
    expect((await lstat(link)).isSymbolicLink()).toBe(true)
    expect(await readFile(real, 'utf8')).toBe('new')
    expect(await readdir(join(dir, 'dotfiles'))).toEqual(['lab.json'])
  })

  it('keeps the permissions of the file it replaces; a new file is private', async () => {
    const dir = await tempDir()
    const file = join(dir, 'a.json')
    await writeFileAtomic(file, '1')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    await chmod(file, 0o644)
    await writeFileAtomic(file, '2')
    expect((await stat(file)).mode & 0o777).toBe(0o644)
  })
})

describe('migration by version', () => {
  it('runs each step from the file version to the current one, in order', () => {
    const seen: number[] = []
    const migrations = {
      1: (d: Record<string, unknown>) => (seen.push(1), { ...d, servers: d.listeners, listeners: undefined }),
      2: (d: Record<string, unknown>) => (seen.push(2), { ...d, payloads: [] })
    }
    const r = migrateDocument({ version: 1, listeners: [{ listen: '1' }] }, 3, migrations)
    expect(r).toEqual({
      ok: true,
      from: 1,
      value: { version: 3, servers: [{ listen: '1' }], listeners: undefined, payloads: [] }
    })
    expect(seen).toEqual([1, 2])
  })

  it('names what is wrong with the version', () => {
    expect(migrateDocument([])).toMatchObject({ ok: false })
    expect(migrateDocument({})).toEqual({
      ok: false,
      error: 'version: missing; a TCP Lab workspace starts with "version": 1'
    })
    expect(migrateDocument({ version: '1' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('version: must be a whole number')
    })
    expect(migrateDocument({ version: 2 }, 3, {})).toEqual({
      ok: false,
      error: 'version: no way to read version 2 files'
    })
  })
})
