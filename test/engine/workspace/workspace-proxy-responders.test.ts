import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkspaceDocument } from '@shared/workspace-model'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { run } from '../../helpers/processes'
import { portOf } from '../../helpers/proxy-peers'
import { waitFor } from '../../helpers/wait'

const labs: TestLab[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const l of labs.splice(0)) await l.dispose()
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function tempFile(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tcp-lab-ws-resp-'))
  dirs.push(d)
  return join(d, 'lab.json')
}

function newLab(): TestLab {
  const l = createTestLab({ workspace: { saveDelayMs: 20 } })
  labs.push(l)
  return l
}

async function readDoc(file: string): Promise<WorkspaceDocument | null> {
  return readFile(file, 'utf8')
    .then((t) => JSON.parse(t) as WorkspaceDocument)
    .catch(() => null)
}

const upstreamRules = { framing: 'line', rules: [{ match: { equals: 'ping' }, reply: 'pong\\n', action: 'answer' }] }
const downstreamRules = {
  framing: 'crlf',
  rules: [{ match: { regex: '^hello (\\w+)$' }, reply: 'HELLO $1\\r\\n', action: 'replace', delayMs: 5 }]
}

describe('proxy responders in the workspace', () => {
  it('are saved without their counters and come back through proxy:respond after a restart', async () => {
    const file = await tempFile()
    const a = newLab()
    await a.hub.workspace.open(file)
    const echo = await a.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const p = await a.ok('proxy:create', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.bound.port}` })
    await a.ok('proxy:respond', { proxy: 'p', stream: 'upstream', responder: upstreamRules as never })
    await a.ok('proxy:respond', { proxy: 'p', stream: 'downstream', responder: downstreamRules as never })
    const port = portOf(p.listen)
    const first = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'ping\r\nhello lab\r\n' })
    // Upstream lines are LF-framed (a trailing CR is stripped, so "ping\r" matches); downstream CRLF-framed.
    expect(first.stdout.toString()).toBe('pong\nHELLO lab\r\n')
    const doc = await waitFor(
      async () => {
        const d = await readDoc(file)
        return d?.proxies[0]?.responders?.downstream ? d : null
      },
      { what: 'the responders saved', timeoutMs: 5_000 }
    )
    expect(doc.proxies[0].responders).toEqual({
      upstream: { framing: 'line', rules: [{ match: { equals: 'ping' }, reply: 'pong\\n', action: 'answer' }] },
      downstream: downstreamRules
    })
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)

    const b = newLab()
    expect(await b.hub.workspace.open(file)).toMatchObject({ servers: 1, proxies: 1, problems: [] })
    const listed = await b.ok('proxy:list', {})
    expect(listed.proxies[0].responders?.upstream?.stats).toEqual({ hits: [0], messages: 0, unmatched: 0 })
    const again = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'ping\nhello again\r\n' })
    expect(again.stdout.toString()).toBe('pong\nHELLO again\r\n')
  })

  it('a responder the lab refuses is reported on its own, the proxy still runs, and the file keeps it', async () => {
    const file = await tempFile()
    const bad = { framing: 'line', rules: [{ match: { regex: '(unclosed' }, reply: 'x' }] }
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        servers: [{ listen: '127.0.0.1:0', behaviour: 'echo' }],
        proxies: [{ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:9', responders: { upstream: bad } }]
      })
    )
    const a = newLab()
    const opened = await a.hub.workspace.open(file)
    expect(opened.proxies).toBe(1)
    expect(opened.problems).toMatchObject([
      {
        kind: 'responders',
        entry: 'responder on the upstream of proxy "p"',
        retryable: true,
        message: expect.stringMatching(/responder\.rules\.0\.match\.regex: Bad regex/)
      }
    ])
    await a.ok('payload:save', { payload: { name: 'x', format: 'text', text: 'x', lineEnding: 'none' } })
    const d = await waitFor(
      async () => {
        const doc = await readDoc(file)
        return doc && doc.payloads.length === 1 ? doc : null
      },
      { what: 'the save', timeoutMs: 5_000 }
    )
    expect(d.proxies[0].responders).toEqual({ upstream: bad })
  })

  it('a typo in the responders key is named when the file is read', async () => {
    const a = newLab()
    const r = await a.session.handle('workspace:import', {
      document: {
        version: 1,
        proxies: [{ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:9', responders: { upstreams: {} } }]
      }
    })
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.error.message).toMatch(/proxies\[0\]\.responders.*upstreams|upstreams.*proxies\[0\]\.responders/)
  })
})
