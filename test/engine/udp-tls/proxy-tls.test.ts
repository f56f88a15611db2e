import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConnectionInfo } from '@shared/model'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { portOf } from '../../helpers/proxy-peers'
import { run, startPeer } from '../../helpers/processes'
import type { LivePeer } from '../../helpers/processes'
import { waitFor } from '../../helpers/wait'

let lab: TestLab
let dir: string
let peer: LivePeer | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcp-lab-proxy-tls-'))
  lab = createTestLab({ certDir: dir })
})
afterEach(async () => {
  peer?.kill()
  peer = undefined
  await lab.dispose()
  await rm(dir, { recursive: true, force: true })
})

function legsOf(proxyName: string): ConnectionInfo[] {
  return [...lab.hub.lab.connections.values()].map((c) => c.info()).filter((c) => c.proxy?.proxyName === proxyName)
}

async function firstChunk(connectionId: number, dir: 'in' | 'out'): Promise<string> {
  const t = await lab.ok('connection:traffic', { connectionId })
  const ch = t.chunks.find((c) => c.dir === dir)
  return ch ? Buffer.from(ch.data, 'base64').toString('latin1') : ''
}

async function tlsEcho(): Promise<{ port: number; certPem: string; certPath: string }> {
  const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
  const { certPem } = await lab.ok('server:certificate', { serverId: s.id })
  return { port: s.bound.port, certPem, certPath: s.certificate!.certPath! }
}

describe('TLS towards the client: the lab terminates TLS and shows the plaintext between', () => {
  it('curl --cacert through a TLS-terminating proxy to a plain lab http server: GET / decrypted on the client leg, plain upstream', async () => {
    const http = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'http' })
    const p = await lab.ok('proxy:create', {
      name: 'web',
      listen: 'tls:127.0.0.1:0',
      upstream: `127.0.0.1:${http.bound.port}`
    })
    expect(p.listen).toMatch(/^tls:127\.0\.0\.1:\d+$/)
    const port = portOf(p.listen)
    const cert = p.certificate!
    expect(cert.source).toBe('generated')
    expect(cert.subject).toMatch(/CN=localhost/)
    expect(cert.certPath?.startsWith(dir)).toBe(true)
    expect(cert.trustCommands).toContain(`curl --cacert ${cert.certPath} https://127.0.0.1:${port}/`)
    const x509 = await run('openssl', ['x509', '-in', cert.certPath!, '-noout', '-fingerprint', '-sha256'])
    expect(x509.stdout.toString().trim()).toBe(`sha256 Fingerprint=${cert.fingerprint256}`)

    const r = await run('curl', [
      '-sS',
      '--max-time',
      '10',
      '--cacert',
      cert.certPath!,
      `https://127.0.0.1:${port}/hello`
    ])
    expect(r.code).toBe(0)
    expect(r.stdout.toString()).toContain('GET /hello HTTP/1.1')

    const client = await lab.waitConn(
      (c) => c.proxy?.proxyName === 'web' && c.proxy.leg === 'client' && c.state === 'closed'
    )
    const upstream = legsOf('web').find((c) => c.proxy?.leg === 'upstream')!
    expect(client.kind).toBe('tls')
    expect(client.tls).toMatchObject({ handshake: 'done', alpn: 'http/1.1', failure: null })
    expect(client.tls?.protocol).toMatch(/^TLSv1\.[23]$/)
    expect(upstream.kind).toBeUndefined()
    expect(upstream.tls).toBeUndefined()
    // The plaintext between: the client leg's timeline holds the decrypted request, the upstream leg the same bytes.
    const seen = await firstChunk(client.id, 'in')
    expect(seen.startsWith('GET /hello HTTP/1.1\r\n')).toBe(true)
    expect(await firstChunk(upstream.id, 'out')).toBe(seen)
    expect(client.bytesIn).toBe(upstream.bytesOut)
    expect(client.bytesOut).toBe(upstream.bytesIn)
    // Encrypted counts of the socket underneath: handshake and records on top of the plaintext.
    expect(lab.conn(client.id).tls!.wireBytesIn).toBeGreaterThan(client.bytesIn + 200)
  })

  it('a curl that does not trust the certificate: the client leg fails its handshake in words, no upstream is dialled', async () => {
    const http = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'http' })
    const p = await lab.ok('proxy:create', {
      name: 'web',
      listen: 'tls:127.0.0.1:0',
      upstream: `127.0.0.1:${http.bound.port}`
    })
    const r = await run('curl', ['-sS', '--max-time', '10', `https://127.0.0.1:${portOf(p.listen)}/`])
    expect(r.code).not.toBe(0)
    const client = await lab.waitConn((c) => c.proxy?.leg === 'client' && c.state === 'closed')
    expect(client.tls?.handshake).toBe('failed')
    expect(client.tls?.failure).toMatch(/does not trust this certificate/)
    expect(client.error).toMatch(/^TLS handshake failed/)
    expect(legsOf('web').filter((c) => c.proxy?.leg === 'upstream')).toEqual([])
    expect([...lab.hub.lab.connections.values()].filter((c) => c.serverId === http.id)).toEqual([])
    const list = await lab.ok('proxy:list', {})
    expect(list.proxies[0]).toMatchObject({ accepted: 1, open: 0 })
  })
})

describe('TLS to the upstream: the lab opens TLS, the client speaks plain', () => {
  it('nc through a proxy that opens TLS to a lab TLS server: verified with its certificate as CA, plaintext on both legs', async () => {
    const up = await tlsEcho()
    const p = await lab.ok('proxy:create', {
      name: 'down',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${up.port}`,
      upstreamTls: { caPem: up.certPem }
    })
    expect(p.upstream).toBe(`tls:127.0.0.1:${up.port}`)
    expect(p.upstreamTls).toMatchObject({ verify: true, caPem: up.certPem })
    peer = startPeer('nc', ['127.0.0.1', String(portOf(p.listen))])
    peer.child.stdin.write('plain in, tls out\n')
    await waitFor(() => peer!.output().toString() === 'plain in, tls out\n', { what: 'the echo through the proxy' })
    const upstream = await lab.waitConn((c) => c.proxy?.leg === 'upstream' && c.bytesIn === 18)
    const client = legsOf('down').find((c) => c.proxy?.leg === 'client')!
    expect(client.kind).toBeUndefined()
    expect(upstream.kind).toBe('tls')
    expect(upstream.tls).toMatchObject({ handshake: 'done', verify: true, verifyError: null, sni: null })
    expect(upstream.tls?.peerCertificate?.subject).toMatch(/CN=localhost/)
    expect(await firstChunk(upstream.id, 'out')).toBe('plain in, tls out\n')
    expect(await firstChunk(client.id, 'in')).toBe('plain in, tls out\n')
    expect(lab.conn(upstream.id).tls!.wireBytesOut).toBeGreaterThan(18 + 200)
  })

  it('without the CA the upstream handshake fails and the pair row says why in words (self-signed); verify off connects', async () => {
    const up = await tlsEcho()
    const p = await lab.ok('proxy:create', {
      name: 'strict',
      listen: '127.0.0.1:0',
      upstream: `tls:127.0.0.1:${up.port}`
    })
    expect(p.upstreamTls).toEqual({ verify: true })
    const r = await run('nc', ['127.0.0.1', String(portOf(p.listen))], { input: 'x\n', timeoutMs: 5_000 })
    expect(r.stdout.length).toBe(0)
    const client = await lab.waitConn((c) => c.proxy?.proxyName === 'strict' && c.state === 'closed')
    expect(client.error).toMatch(
      new RegExp(`^Upstream tls:127\\.0\\.0\\.1:${up.port}: TLS handshake failed: The certificate is self-signed`)
    )
    expect(client.closeReason).toBe('lab-close')

    const loose = await lab.ok('proxy:create', {
      name: 'loose',
      listen: '127.0.0.1:0',
      upstream: `tls:127.0.0.1:${up.port}`,
      upstreamTls: { verify: false, servername: 'localhost' }
    })
    peer = startPeer('nc', ['127.0.0.1', String(portOf(loose.listen))])
    peer.child.stdin.write('anyway\n')
    await waitFor(() => peer!.output().toString() === 'anyway\n', { what: 'the echo with verification off' })
    const upstream = await lab.waitConn((c) => c.proxy?.proxyName === 'loose' && c.proxy.leg === 'upstream')
    expect(upstream.tls).toMatchObject({ verify: false, sni: 'localhost' })
    expect(upstream.tls?.verifyError).toMatch(/self-signed/)
  })

  it('tls: to a plain upstream fails in words, and reset is honoured', async () => {
    // A plain echo server sends the ClientHello back: not a TLS answer.
    const plain = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const p = await lab.ok('proxy:create', {
      name: 'wrong',
      listen: '127.0.0.1:0',
      upstream: `tls:127.0.0.1:${plain.bound.port}`,
      onUpstreamFailure: 'reset'
    })
    peer = startPeer('nc', ['127.0.0.1', String(portOf(p.listen))])
    const client = await lab.waitConn((c) => c.proxy?.proxyName === 'wrong' && c.state === 'closed', 'the failed pair')
    expect(client.error).toBe(
      `Upstream tls:127.0.0.1:${plain.bound.port}: TLS handshake failed: the upstream did not answer in TLS (a plain TCP server? drop the tls: prefix)`
    )
    expect(client.closeReason).toBe('lab-reset')
  })
})

describe('TLS on both sides', () => {
  it('openssl s_client ↔ lab (TLS) ↔ lab TLS echo server: plaintext on both legs, each leg its own handshake', async () => {
    const up = await tlsEcho()
    const p = await lab.ok('proxy:create', {
      name: 'both',
      listen: 'tls:127.0.0.1:0',
      upstream: `tls:127.0.0.1:${up.port}`,
      upstreamTls: { caPem: up.certPem, servername: 'localhost', alpn: ['lab-echo'] }
    })
    peer = startPeer('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${portOf(p.listen)}`,
      '-CAfile',
      p.certificate!.certPath!,
      '-servername',
      'proxy.localhost',
      '-verify_return_error',
      '-quiet'
    ])
    const client = await lab.waitConn(
      (c) => c.proxy?.leg === 'client' && c.tls?.handshake === 'done',
      'the client handshake'
    )
    peer.child.stdin.write('secret both ways\n')
    await waitFor(() => peer!.output().toString() === 'secret both ways\n', { what: 'the echo through both TLS legs' })
    const upstream = await lab.waitConn((c) => c.proxy?.leg === 'upstream' && c.bytesIn === 17)
    expect(client.tls).toMatchObject({ sni: 'proxy.localhost' })
    expect(upstream.tls).toMatchObject({ handshake: 'done', sni: 'localhost', alpn: 'lab-echo', verifyError: null })
    expect(await firstChunk(client.id, 'in')).toBe('secret both ways\n')
    expect(await firstChunk(upstream.id, 'out')).toBe('secret both ways\n')
    expect(await firstChunk(upstream.id, 'in')).toBe('secret both ways\n')
    // The lab TLS server sees a TLS connection whose SNI the proxy sent.
    const serverSide = await lab.waitConn((c) => c.serverId !== null && c.tls?.handshake === 'done')
    expect(serverSide.tls?.sni).toBe('localhost')
  })
})
