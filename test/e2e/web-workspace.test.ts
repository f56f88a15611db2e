// `tcp-lab web --workspace FILE` as a real process: restore at start, CLI servers not saved, and a process
// killed (SIGKILL) in the middle of a save leaves the previous file whole.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { openWs } from './helpers/http-ws'
import { runCli, startWebLab, webBuildReady } from './helpers/web-lab'
import type { WebLab } from './helpers/web-lab'
import { freePort } from './helpers/ui'

const labs: WebLab[] = []
const dirs: string[] = []
beforeAll(() => {
  if (!webBuildReady())
    throw new Error('browser mode is not built: run `npx electron-vite build` first (npm test does)')
})
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.stop('SIGKILL')))
})
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tcp-lab-wsweb-'))
  dirs.push(d)
  return d
}

/** The pid of the process running the lab: the CLI's own, or its only child when it runs as a supervisor. */
async function labPid(cliPid: number): Promise<number> {
  const r = await run('ps', ['-o', 'pid=', '--ppid', String(cliPid)])
  const children = r.stdout
    .toString()
    .split('\n')
    .map(Number)
    .filter((n) => n > 0)
  return children.length === 1 ? children[0] : cliPid
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function lab(args: string[]): Promise<WebLab> {
  const l = await startWebLab(args)
  labs.push(l)
  return l
}

/** An authenticated WebSocket that runs commands and returns their results. */
async function commander(l: WebLab): Promise<{
  call(name: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>
  ws: WebSocket
}> {
  const o = await openWs(l.port, { Origin: l.origin })
  if (o.kind !== 'open') throw new Error('WebSocket refused')
  const ws = o.ws
  const waiting = new Map<number, (r: never) => void>()
  let ready: () => void
  const isReady = new Promise<void>((r) => (ready = r))
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { type: string; id?: number; result?: never }
    if (m.type === 'ready') ready()
    if (m.type === 'result' && m.id !== undefined) waiting.get(m.id)?.(m.result as never)
  })
  ws.send(JSON.stringify({ type: 'auth', token: l.token }))
  await isReady
  let id = 0
  return {
    ws,
    call: (name, payload) =>
      new Promise((resolve) => {
        const n = ++id
        waiting.set(n, resolve as never)
        ws.send(JSON.stringify({ type: 'request', id: n, name, payload }))
      })
  }
}

describe('tcp-lab web --workspace', () => {
  it('--help says browser mode keeps nothing without --workspace', async () => {
    const help = await runCli(['--help'])
    expect(help.stdout).toContain('--workspace FILE')
    expect(help.stdout).toContain('Without --workspace,')
    expect(help.stdout).toContain('browser mode keeps nothing')
  })

  it('restores the file at start; --listen servers run but are not saved', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const [p1, p2] = [await freePort(), await freePort()]
    await writeFile(
      file,
      JSON.stringify({ version: 1, servers: [{ name: 'shout', listen: `127.0.0.1:${p1}`, behaviour: 'uppercase' }] })
    )
    const l = await lab(['--listen', `chat@127.0.0.1:${p2}`, '--workspace', file])
    expect(l.stdout()).toContain(`Workspace: ${file} (restored 1 server)`)
    const r = await run('nc', ['-N', '127.0.0.1', String(p1)], { input: 'hi\n' })
    expect(r.stdout.toString()).toBe('HI\n')
    const c = await commander(l)
    const saved = await c.call('payload:save', {
      payload: { name: 'hello', format: 'text', text: 'hello', lineEnding: 'lf' }
    })
    expect(saved.ok).toBe(true)
    const doc = await waitFor(
      async () => {
        const d = JSON.parse(await readFile(file, 'utf8')) as { payloads?: unknown[]; servers: { listen: string }[] }
        return d.payloads?.length === 1 ? d : null
      },
      { what: 'the save' }
    )
    expect(doc.servers.map((s) => s.listen)).toEqual([`127.0.0.1:${p1}`])
    c.ws.close()
  })

  it('a process killed in the middle of saves never leaves a partial file', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const l = await lab(['--workspace', file])
    const c = await commander(l)
    // Large enough (about 9 MiB of JSON) that a save takes a while, so the kill lands inside one.
    const text = 'A\\x00'.repeat(12 * 1024)
    for (let i = 0; i < 120; i++) {
      const r = await c.call('payload:save', {
        payload: { name: `p${i}`, format: 'escapes', text, lineEnding: 'none' }
      })
      expect(r.error).toBeUndefined()
    }
    await waitFor(async () => ((await readFile(file, 'utf8').catch(() => '')).includes('"p119"') ? true : null), {
      what: 'the first big save',
      timeoutMs: 20_000
    })
    const before = await readFile(file, 'utf8')
    // Another change starts a save; kill the process as soon as its temporary file appears.
    void c.call('payload:save', { payload: { name: 'last', format: 'text', text: 'x', lineEnding: 'none' } })
    const tmp = await waitFor(async () => (await readdir(dir)).find((n) => n.includes('.tmp-')), {
      what: 'the temporary file',
      intervalMs: 1,
      timeoutMs: 20_000
    })
    expect(tmp).toBeDefined()
    // The process that writes is the lab itself: browser mode may run it as the child of a thin supervisor
    // (launch/heap-options.ts) that would let it shut down cleanly. Kill the writer, by its pid.
    const writer = await labPid(l.child.pid ?? 0)
    process.kill(writer, 'SIGKILL')
    await waitFor(() => !alive(writer), { what: 'the lab process to be gone' })
    await l.stop('SIGKILL')
    const after = await readFile(file, 'utf8')
    // Either the old file or the new one, complete: never a mix or a truncation.
    expect(() => JSON.parse(after)).not.toThrow()
    if (after !== before) expect(after).toContain('"last"')
    // A new lab reads it back.
    const again = await lab(['--workspace', file])
    expect(again.stdout()).toMatch(/Workspace: .*restored \d+ saved payloads/)
  })
})
