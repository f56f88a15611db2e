import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkspaceDocument } from '@shared/workspace-model'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { startPeer } from '../../helpers/processes'
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

function newLab(certDir: string): TestLab {
  const l = createTestLab({ workspace: { saveDelayMs: 20 }, certDir })
  labs.push(l)
  return l
}

/** A free loopback port, found by binding port 0 and letting it go. */
async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

function waitForFile(file: string, pred: (d: WorkspaceDocument) => boolean, what: string): Promise<WorkspaceDocument> {
  return waitFor(
    async () => {
      const d = (await readFile(file, 'utf8').then(JSON.parse, () => null)) as WorkspaceDocument | null
      return d && pred(d) ? d : null
    },
    { what, timeoutMs: 5_000 }
  )
}

describe('workspace: TLS proxies and TLS servers keep their certificate across restarts', () => {
  it('a TLS-terminating proxy to a TLS upstream comes back with the same fingerprint, its TLS settings and the upstream CA', async () => {
    const dir = await tempDir()
    const file = join(dir, 'lab.json')
    const [proxyPort, serverPort] = [await freePort(), await freePort()]
    const a = newLab(join(dir, 'certs-a'))
    await a.hub.workspace.open(file)
    const server = await a.ok('server:start', {
      host: '127.0.0.1',
      port: serverPort,
      behaviour: 'echo',
      protocol: 'tls'
    })
    const { certPem: serverCa } = await a.ok('server:certificate', { serverId: server.id })
    const created = await a.ok('proxy:create', {
      name: 'both',
      listen: `tls:127.0.0.1:${proxyPort}`,
      upstream: `tls:127.0.0.1:${serverPort}`,
      upstreamTls: { caPem: serverCa, servername: 'localhost' }
    })
    const fingerprint = created.certificate!.fingerprint256
    const trusted = created.certificate!.certPath!
    const doc = await waitForFile(file, (d) => d.proxies.length === 1 && d.servers.length === 1, 'the save')
    expect(doc.proxies[0]).toMatchObject({
      name: 'both',
      listen: `tls:127.0.0.1:${proxyPort}`,
      upstream: `tls:127.0.0.1:${serverPort}`,
      upstreamTls: { verify: true, servername: 'localhost', caPem: serverCa }
    })
    expect(doc.proxies[0].listenTls).toMatchObject({ certPem: expect.stringContaining('BEGIN CERTIFICATE') })
    expect(doc.servers[0].tls).toEqual({ certPem: serverCa, keyPem: expect.stringContaining('PRIVATE KEY') })
    // The file holds private keys: it is private to its owner.
    expect((await stat(file)).mode & 0o077).toBe(0)
    await a.dispose()
    labs.splice(labs.indexOf(a), 1)

    const b = newLab(join(dir, 'certs-b'))
    expect(await b.hub.workspace.open(file)).toMatchObject({ servers: 1, proxies: 1, problems: [] })
    const [again] = (await b.ok('proxy:list', {})).proxies
    expect(again.certificate?.fingerprint256).toBe(fingerprint)
    expect(again.upstreamTls).toMatchObject({ caPem: serverCa, servername: 'localhost' })
    const snap = await b.ok('lab:snapshot', {})
    expect(snap.servers[0].certificate?.fingerprint256).toBe(server.certificate!.fingerprint256)
    // The file written by the first lab still verifies the restarted proxy: a trusted certificate stays trusted.
    const peer = startPeer('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${proxyPort}`,
      '-CAfile',
      trusted,
      '-verify_return_error',
      '-quiet'
    ])
    try {
      peer.child.stdin.write('same identity\n')
      await waitFor(() => peer.output().toString() === 'same identity\n', {
        what: 'the echo through the restored proxy'
      })
    } finally {
      peer.kill()
    }
  })
})
