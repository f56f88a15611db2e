// Issue 16: a TLS server's certificate is kept in the workspace, so a restart serves the same identity.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerInfo } from '@shared/model'
import type { WorkspaceDocument } from '@shared/workspace-model'
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
  const d = await mkdtemp(join(tmpdir(), 'tcp-lab-ws-tls-'))
  dirs.push(d)
  return d
}

function newLab(): TestLab {
  const l = createTestLab({ workspace: { saveDelayMs: 20 } })
  labs.push(l)
  return l
}

const readDoc = async (file: string): Promise<WorkspaceDocument | null> =>
  JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as WorkspaceDocument | null

function waitForServers(file: string, n: number): Promise<WorkspaceDocument> {
  return waitFor(
    async () => {
      const d = await readDoc(file)
      return d && d.servers.length === n ? d : null
    },
    { what: `${n} servers in the file`, timeoutMs: 5_000 }
  )
}

async function tlsServers(lab: TestLab): Promise<ServerInfo[]> {
  const snap = await lab.ok('lab:snapshot', {})
  return snap.servers.filter((s) => s.protocol === 'tls')
}

describe('a TLS server in the workspace', () => {
  it('keeps a generated certificate, so the restarted server has the same fingerprint', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const a = newLab()
    await a.hub.workspace.open(file)
    const started = await a.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const fingerprint = started.certificate?.fingerprint256
    expect(fingerprint).toMatch(/^[0-9A-F:]+$/)
    const doc = await waitForServers(file, 1)
    expect(doc.servers[0].tls?.certPem).toContain('-----BEGIN CERTIFICATE-----')
    expect(doc.servers[0].tls?.keyPem).toContain('PRIVATE KEY-----')
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)

    const b = newLab()
    const opened = await b.hub.workspace.open(file)
    expect(opened.problems).toEqual([])
    const [again] = await tlsServers(b)
    expect(again.certificate?.fingerprint256).toBe(fingerprint)
    expect(again.certificate?.source).toBe('provided')
  })

  it('keeps the paths of the PEM files a server was started from, not a copy of the key', async () => {
    const dir = await tempDir()
    const maker = newLab()
    const made = await maker.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const pem = await maker.ok('server:certificate', { serverId: made.id })
    const certFile = join(dir, 'cert.pem')
    const keyFile = join(dir, 'key.pem')
    await writeFile(certFile, pem.certPem)
    await writeFile(keyFile, pem.keyPem)
    const file = join(dir, 'lab.json')
    const a = newLab()
    await a.hub.workspace.open(file)
    await a.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'echo',
      protocol: 'tls',
      tls: { certFile, keyFile }
    })
    const doc = await waitForServers(file, 1)
    expect(doc.servers[0].tls).toEqual({ certFile, keyFile })
    expect(await readFile(file, 'utf8')).not.toContain('PRIVATE KEY')
  })
})
