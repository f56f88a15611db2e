import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { run, startPeer } from '../../helpers/processes'
import type { LivePeer } from '../../helpers/processes'
import { waitFor } from '../../helpers/wait'
import { generateIdentity } from '../../../src/main/engine/tls/certificate'
import { X509Certificate } from 'node:crypto'

let lab: TestLab
let dir: string
let peer: LivePeer | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcp-lab-tls-test-'))
})
afterEach(async () => {
  peer?.kill()
  peer = undefined
  await lab?.dispose()
  await rm(dir, { recursive: true, force: true })
})

describe('TLS servers with real peers', () => {
  it('serves echo over TLS 1.3 to openssl s_client; the fingerprint shown equals openssl x509 -fingerprint -sha256', async () => {
    lab = createTestLab({ certDir: dir })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const cert = server.certificate!
    expect(server.protocol).toBe('tls')
    expect(cert.source).toBe('generated')
    expect(cert.subject).toMatch(/CN=localhost/)
    expect(cert.altNames).toEqual(['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:::1'])
    expect(cert.certPath?.startsWith(dir)).toBe(true)
    expect(cert.trustCommands).toContain(`curl --cacert ${cert.certPath} https://127.0.0.1:${server.bound.port}/`)
    const x509 = await run('openssl', ['x509', '-in', cert.certPath!, '-noout', '-fingerprint', '-sha256'])
    expect(x509.stdout.toString().trim()).toBe(`sha256 Fingerprint=${cert.fingerprint256}`)

    peer = startPeer('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${server.bound.port}`,
      '-tls1_3',
      '-CAfile',
      cert.certPath!,
      '-servername',
      'localhost',
      '-alpn',
      'lab-echo',
      '-verify_return_error',
      '-quiet'
    ])
    const conn = await lab.waitConn((c) => c.tls?.handshake === 'done', 'the handshake')
    peer.child.stdin.write('hello over tls\n')
    await waitFor(() => peer!.output().toString() === 'hello over tls\n', { what: 'the echo through openssl' })
    const info = await lab.waitConn((c) => c.id === conn.id && c.bytesOut === 15)
    expect(info.kind).toBe('tls')
    expect(info.tls).toMatchObject({
      protocol: 'TLSv1.3',
      sni: 'localhost',
      alpn: 'lab-echo',
      peerCertificate: null,
      failure: null
    })
    expect(info.tls?.cipher).toMatch(/^TLS_/)
    expect(info.bytesIn).toBe(15)
    // The decrypted timeline holds the plaintext; the socket underneath carried more (handshake, records).
    const traffic = await lab.ok('connection:traffic', { connectionId: conn.id })
    expect(Buffer.from(traffic.chunks[0].data, 'base64').toString()).toBe('hello over tls\n')
    const wire = lab.conn(conn.id).tls!
    expect(wire.wireBytesIn).toBeGreaterThan(info.bytesIn + 200)
    expect(wire.wireBytesOut).toBeGreaterThan(info.bytesOut + 300)
  })

  it('serves the http behaviour to curl --cacert, and shows a curl that does not trust the certificate as a failed handshake in words', async () => {
    lab = createTestLab({ certDir: dir })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'http', protocol: 'tls' })
    const path = server.certificate!.certPath!
    const ok = await run('curl', [
      '-sS',
      '--max-time',
      '5',
      '--cacert',
      path,
      `https://localhost:${server.bound.port}/hello`
    ])
    expect(ok.stderr).toBe('')
    expect(ok.stdout.toString()).toMatch(/GET \/hello HTTP\/1\.1/)
    const good = await lab.waitConn((c) => c.tls?.handshake === 'done' && c.state === 'closed')
    expect(good.tls?.alpn).toBe('http/1.1')

    const bad = await run('curl', ['-sS', '--max-time', '5', `https://127.0.0.1:${server.bound.port}/`])
    expect(bad.code).toBe(60)
    const failed = await lab.waitConn(
      (c) => c.tls?.handshake === 'failed' && c.state === 'closed',
      'the failed handshake'
    )
    expect(failed.tls?.failure).toMatch(/^The client does not trust this certificate/)
    expect(failed.error).toBe('TLS handshake failed: The client does not trust this certificate')
    expect(failed.bytesIn).toBe(0)
    expect(failed.tls!.wireBytesIn).toBeGreaterThan(0)
  })

  it('names a client with no shared protocol version, plain HTTP or plain text to the TLS port, and a port check', async () => {
    lab = createTestLab({ certDir: dir })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    await run('openssl', ['s_client', '-connect', `127.0.0.1:${server.bound.port}`, '-tls1_1'], { input: '' })
    const old = await lab.waitConn((c) => c.tls?.handshake === 'failed' && c.state === 'closed')
    expect(old.tls?.failure).toMatch(/^No shared protocol version/)
    await run('curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${server.bound.port}/`])
    const plain = await lab.waitConn((c) => c.id !== old.id && c.tls?.handshake === 'failed' && c.state === 'closed')
    expect(plain.tls?.failure).toMatch(/plain HTTP to a TLS port/)
    await run('nc', ['-N', '127.0.0.1', String(server.bound.port)], { input: 'hello there\n' })
    const text = await lab.waitConn((c) => c.id > plain.id && c.tls?.handshake === 'failed' && c.state === 'closed')
    expect(text.tls?.failure).toMatch(/^The client did not speak TLS/)
    await run('nc', ['-z', '127.0.0.1', String(server.bound.port)])
    const probe = await lab.waitConn((c) => c.id > text.id && c.tls?.handshake === 'failed' && c.state === 'closed')
    expect(probe.tls?.failure).toMatch(/without starting a handshake \(it sent nothing/)
  })

  it('shows the client certificate openssl s_client presents, and runs chat unchanged over TLS', async () => {
    lab = createTestLab({ certDir: dir })
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'chat', protocol: 'tls' })
    const client = await generateIdentity()
    await writeFile(join(dir, 'client.pem'), client.certPem)
    await writeFile(join(dir, 'client.key'), client.keyPem)
    peer = startPeer('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${server.bound.port}`,
      '-cert',
      join(dir, 'client.pem'),
      '-key',
      join(dir, 'client.key'),
      '-quiet'
    ])
    const withCert = await lab.waitConn((c) => c.tls?.handshake === 'done', 'the handshake with a client certificate')
    expect(withCert.tls?.peerCertificate?.subject).toMatch(/CN=localhost/)
    expect(withCert.tls?.peerCertificate?.fingerprint256).toBe(new X509Certificate(client.certPem).fingerprint256)
    // A second peer, the lab's own TLS client: chat relays between them through the decrypted layer.
    const other = await lab.ok('client:connect', {
      host: '127.0.0.1',
      port: server.bound.port,
      protocol: 'tls',
      tls: { verify: false }
    })
    await lab.waitConn((c) => c.serverId === server.id && c.id !== withCert.id && c.tls?.handshake === 'done')
    await lab.ok('connection:send', {
      connectionId: other.id,
      payload: { format: 'text', text: 'hello chat', lineEnding: 'lf' }
    })
    await waitFor(() => peer!.output().toString().includes('hello chat'), { what: 'openssl to receive the chat line' })
  })

  it('listens on ::1 too: curl --cacert verifies the IPv6 address against the certificate', async () => {
    lab = createTestLab({ certDir: dir })
    const server = await lab.ok('server:start', { host: '::1', port: 0, behaviour: 'http', protocol: 'tls' })
    expect(server.certificate?.trustCommands[0]).toBe(
      `curl --cacert ${server.certificate?.certPath} https://[::1]:${server.bound.port}/`
    )
    const r = await run('curl', [
      '-sS',
      '-g',
      '--max-time',
      '5',
      '--cacert',
      server.certificate!.certPath!,
      `https://[::1]:${server.bound.port}/v6`
    ])
    expect(r.stderr).toBe('')
    expect(r.stdout.toString()).toMatch(/GET \/v6 HTTP\/1\.1/)
    const conn = await lab.waitConn((c) => c.tls?.handshake === 'done')
    expect([conn.family, conn.remote.address]).toEqual(['IPv6', '::1'])
  })

  it('keeps an identity: server:certificate gives the PEMs, a restart with them serves the same fingerprint, a new file each time', async () => {
    lab = createTestLab({ certDir: dir })
    const first = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const pems = await lab.ok('server:certificate', { serverId: first.id })
    expect(pems.keyPem).toMatch(/-----BEGIN PRIVATE KEY-----/)
    expect(pems.certPath).toBe(first.certificate!.certPath)
    const second = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'echo',
      protocol: 'tls',
      tls: { certPem: pems.certPem, keyPem: pems.keyPem }
    })
    expect(second.certificate?.fingerprint256).toBe(first.certificate?.fingerprint256)
    expect(second.certificate?.source).toBe('provided')
    expect(second.certificate?.certPath).not.toBe(first.certificate?.certPath)
    expect(await readFile(first.certificate!.certPath!, 'utf8')).toBe(pems.certPem)
    // The user's PEM files work too, and a key that does not fit is refused in words.
    await writeFile(join(dir, 'c.pem'), pems.certPem)
    await writeFile(join(dir, 'k.pem'), pems.keyPem)
    const third = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'echo',
      protocol: 'tls',
      tls: { certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') }
    })
    expect(third.certificate?.fingerprint256).toBe(first.certificate?.fingerprint256)
    const other = await generateIdentity()
    const wrong = await lab.session.handle('server:start', {
      host: '127.0.0.1',
      port: 0,
      protocol: 'tls',
      tls: { certPem: pems.certPem, keyPem: other.keyPem }
    })
    expect(wrong.ok ? '' : wrong.error.message).toBe('The private key does not belong to the certificate')
    const missing = await lab.session.handle('server:start', {
      host: '127.0.0.1',
      port: 0,
      protocol: 'tls',
      tls: { certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'k.pem') }
    })
    expect(missing.ok ? '' : missing.error.message).toMatch(/Cannot read the certificate file .*nope\.pem \(ENOENT\)/)
    const half = await lab.session.handle('server:start', {
      host: '127.0.0.1',
      port: 0,
      protocol: 'tls',
      tls: { certPem: pems.certPem }
    })
    expect(half.ok ? '' : half.error.message).toMatch(/certificate and its private key together/)
    expect(lab.hub.lab.servers.size).toBe(3)
  })
})
