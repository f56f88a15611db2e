import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { portOf, startUpstream } from '../../helpers/proxy-peers'
import type { Upstream } from '../../helpers/proxy-peers'
import { waitFor } from '../../helpers/wait'
import { generateIdentity } from '../../../src/main/engine/tls/certificate'
import { startToxiproxyApi } from '../../../src/main/api/toxiproxy-api'
import { parseProxySpec } from '@shared/proxy-spec'

let lab: TestLab
let dir: string
let up: Upstream | undefined
const sockets: tls.TLSSocket[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcp-lab-proxy-tls-cfg-'))
  lab = createTestLab({ certDir: dir })
})
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await up?.close()
  up = undefined
  await lab.dispose()
  await rm(dir, { recursive: true, force: true })
})

/** A real TLS client trusting the proxy's certificate file; collects what it reads. */
async function tlsClient(port: number, caFile: string): Promise<{ socket: tls.TLSSocket; got: () => Buffer }> {
  const ca = await readFile(caFile, 'utf8')
  const chunks: Buffer[] = []
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
  sockets.push(socket)
  socket.on('data', (d: Buffer) => chunks.push(d))
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve)
    socket.once('error', reject)
  })
  return { socket, got: () => Buffer.concat(chunks) }
}

describe('faults sit between the legs: they act on the plaintext', () => {
  it('a latency toxic on a TLS-terminated proxy delays the decrypted echo by at least its latency', async () => {
    up = await startUpstream({ echo: true })
    const p = await lab.ok('proxy:create', {
      name: 'slow',
      listen: 'tls:127.0.0.1:0',
      upstream: `127.0.0.1:${up.port}`
    })
    await lab.ok('toxic:add', {
      proxy: 'slow',
      toxic: { type: 'latency', stream: 'downstream', attributes: { latency: 300 } }
    })
    const c = await tlsClient(portOf(p.listen), p.certificate!.certPath!)
    const started = Date.now()
    c.socket.write('ping\n')
    await waitFor(() => c.got().toString() === 'ping\n', { what: 'the delayed echo' })
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(290)
    expect(took).toBeLessThan(5_000)
    // The mark is on the client leg's timeline, and the upstream saw the plaintext at once.
    const client = await lab.waitConn((x) => x.proxy?.leg === 'client' && x.bytesOut === 5)
    const t = await lab.ok('connection:traffic', { connectionId: client.id })
    expect(t.marks?.some((f) => f.type === 'latency' && f.stream === 'downstream')).toBe(true)
    expect((await up.peer()).bytes().toString()).toBe('ping\n')
  })

  it('limit_data counts plaintext bytes: the TLS client reads exactly that many decrypted bytes, then the close', async () => {
    up = await startUpstream({ echo: true })
    const p = await lab.ok('proxy:create', { name: 'lim', listen: 'tls:127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
    await lab.ok('toxic:add', {
      proxy: 'lim',
      toxic: { type: 'limit_data', stream: 'downstream', attributes: { bytes: 7 } }
    })
    const c = await tlsClient(portOf(p.listen), p.certificate!.certPath!)
    const closed = new Promise<void>((r) => c.socket.once('close', () => r()))
    c.socket.write('0123456789abcdef')
    await closed
    expect(c.got().toString()).toBe('0123456')
  })
})

describe('bad input is refused in words and changes nothing', () => {
  it('refuses unix: with tls:, udp:, doubled prefixes, a key that is not the certificate’s, and half a certificate', async () => {
    const a = await generateIdentity()
    const b = await generateIdentity()
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { listen: 'tls:unix:/tmp/x.sock', upstream: '127.0.0.1:1' },
        /listen: tls: needs an IP address and port, not a unix: path/
      ],
      [
        { listen: '127.0.0.1:0', upstream: 'udp:127.0.0.1:53' },
        /upstream: a proxy carries streams \(TCP, TLS or unix:\), not udp:/
      ],
      [{ listen: 'tls:tls:127.0.0.1:0', upstream: '127.0.0.1:1' }, /listen: give one transport prefix/],
      [{ listen: 'tls:', upstream: '127.0.0.1:1' }, /listen: an address is missing after "tls:"/],
      [
        { listen: 'unix:/tmp/lab-x.sock', upstream: '127.0.0.1:1', listenTls: {} },
        /TLS towards the client needs an IP address and port/
      ],
      [
        { listen: '127.0.0.1:0', upstream: 'unix:/tmp/up.sock', upstreamTls: { verify: true } },
        /TLS to the upstream needs an IP address and port/
      ],
      [
        { listen: 'tls:127.0.0.1:0', upstream: '127.0.0.1:1', listenTls: { certPem: a.certPem, keyPem: b.keyPem } },
        /The private key does not belong to the certificate/
      ],
      [
        { listen: 'tls:127.0.0.1:0', upstream: '127.0.0.1:1', listenTls: { certPem: a.certPem } },
        /Give the certificate and its private key together/
      ],
      [
        { listen: 'tls:127.0.0.1:0', upstream: '127.0.0.1:1', listenTls: { certPem: 'nope', keyPem: 'nope' } },
        /not PEM/
      ],
      [
        { listen: '127.0.0.1:0', upstream: 'tls:127.0.0.1:1', upstreamTls: { caPem: 'x' } },
        /The CA certificate is not PEM/
      ]
    ]
    for (const [req, message] of cases) {
      const r = await lab.session.handle('proxy:create', { name: 'bad', ...req } as never)
      expect(r.ok, JSON.stringify(req)).toBe(false)
      if (!r.ok) expect(r.error.message, JSON.stringify(req)).toMatch(message)
    }
    expect((await lab.ok('proxy:list', {})).proxies).toEqual([])
    const r = await lab.session.handle('proxy:certificate', { name: 'bad' })
    expect(r.ok).toBe(false)
    // --proxy takes the same forms, and refuses the same way.
    expect(parseProxySpec('web=tls:8443=127.0.0.1:8080')).toEqual({
      ok: true,
      value: { name: 'web', listen: 'tls:8443', upstream: '127.0.0.1:8080' }
    })
    const bad = parseProxySpec('web=8443=udp:127.0.0.1:53')
    expect(bad.ok ? '' : bad.error).toMatch(
      /^--proxy "web=8443=udp:127\.0\.0\.1:53": upstream: a proxy carries streams/
    )
  })

  it('a user certificate is served as given; proxy:update turns TLS on and off and a bad new certificate changes nothing', async () => {
    up = await startUpstream({ echo: true })
    const mine = await generateIdentity()
    const p = await lab.ok('proxy:create', {
      name: 'cfg',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${up.port}`,
      listenTls: { certPem: mine.certPem, keyPem: mine.keyPem }
    })
    expect(p.listen).toMatch(/^tls:/)
    expect(p.certificate?.source).toBe('provided')
    expect(p.listenTls).toEqual({})
    const port = portOf(p.listen)
    const c = await tlsClient(port, p.certificate!.certPath!)
    c.socket.write('mine\n')
    await waitFor(() => c.got().toString() === 'mine\n', { what: 'the echo with the user certificate' })

    const other = await generateIdentity()
    const refused = await lab.session.handle('proxy:update', {
      name: 'cfg',
      listenTls: { certPem: other.certPem, keyPem: mine.keyPem }
    })
    expect(refused.ok).toBe(false)
    const still = (await lab.ok('proxy:list', {})).proxies[0]
    expect(still.certificate?.fingerprint256).toBe(p.certificate?.fingerprint256)
    expect(still.listen).toBe(p.listen)

    const plain = await lab.ok('proxy:update', { name: 'cfg', listenTls: null })
    expect(plain.listen).toBe(`127.0.0.1:${port}`)
    expect(plain.certificate).toBeUndefined()
    const back = await lab.ok('proxy:update', { name: 'cfg', listen: `tls:127.0.0.1:${port}` })
    expect(back.certificate?.source).toBe('generated')
    expect(back.certificate?.fingerprint256).not.toBe(p.certificate?.fingerprint256)
    const up2 = await lab.ok('proxy:update', { name: 'cfg', upstream: `tls:127.0.0.1:${up.port}` })
    expect(up2.upstream).toBe(`tls:127.0.0.1:${up.port}`)
    expect(up2.upstreamTls).toEqual({ verify: true })
    const up3 = await lab.ok('proxy:update', { name: 'cfg', upstreamTls: null })
    expect(up3.upstream).toBe(`127.0.0.1:${up.port}`)
    expect(up3.upstreamTls).toBeUndefined()
  })

  it('the Toxiproxy API takes tls: in listen and upstream as plain strings and shows them back', async () => {
    up = await startUpstream({ echo: true })
    const api = await startToxiproxyApi(lab.hub, '127.0.0.1', 0)
    try {
      const res = await fetch(`http://127.0.0.1:${api.port}/proxies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'api', listen: 'tls:127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
      })
      expect(res.status).toBe(201)
      const body = (await res.json()) as { listen: string; upstream: string }
      expect(body.listen).toMatch(/^tls:127\.0\.0\.1:\d+$/)
      const info = (await lab.ok('proxy:list', {})).proxies[0]
      const c = await tlsClient(portOf(body.listen), info.certificate!.certPath!)
      c.socket.write('api\n')
      await waitFor(() => c.got().toString() === 'api\n', { what: 'the echo through an API-made TLS proxy' })
    } finally {
      await api.close()
    }
  })
})

describe('clients that never finish a handshake', () => {
  it('a port check (connect, close) is said in words; a silent client is closed when the proxy is disabled; IPv6 trust commands', async () => {
    up = await startUpstream({ echo: true })
    const p = await lab.ok('proxy:create', { name: 'v6', listen: 'tls:[::1]:0', upstream: `127.0.0.1:${up.port}` })
    expect(p.listen).toMatch(/^tls:\[::1\]:\d+$/)
    const port = portOf(p.listen)
    expect(p.certificate?.trustCommands[0]).toBe(`curl --cacert ${p.certificate?.certPath} https://[::1]:${port}/`)

    const probe = net.connect({ host: '::1', port })
    await new Promise<void>((r) => probe.once('connect', () => r()))
    probe.end()
    const checked = await lab.waitConn((c) => c.proxy?.proxyName === 'v6' && c.state === 'closed', 'the port check')
    expect(checked.tls?.failure).toMatch(/without starting a handshake/)

    const silent = net.connect({ host: '::1', port })
    silent.on('error', () => {})
    await new Promise<void>((r) => silent.once('connect', () => r()))
    const waiting = await lab.waitConn((c) => c.proxy?.proxyName === 'v6' && c.state !== 'closed', 'the silent client')
    expect(waiting.tls?.handshake).toBe('pending')
    expect((await lab.ok('proxy:list', {})).proxies[0].open).toBe(1)
    await lab.ok('proxy:update', { name: 'v6', enabled: false })
    await lab.waitConn((c) => c.id === waiting.id && c.state === 'closed', 'the silent client closed')
    expect((await lab.ok('proxy:list', {})).proxies[0].open).toBe(0)
    expect(up.peers).toEqual([])
    silent.destroy()
  })
})

describe('encrypted counts of live TLS legs', () => {
  it('are re-announced on the event stream while the pair is open (both legs TLS)', async () => {
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const p = await lab.ok('proxy:create', {
      name: 'counts',
      listen: 'tls:127.0.0.1:0',
      upstream: `tls:127.0.0.1:${server.bound.port}`,
      upstreamTls: { verify: false }
    })
    const c = await tlsClient(portOf(p.listen), p.certificate!.certPath!)
    c.socket.write('y'.repeat(5000))
    await waitFor(() => c.got().length === 5000, { what: 'the echo of 5000 bytes' })
    const legs = await waitFor(
      () => {
        const seen = new Map<string, number>()
        for (const b of lab.batches)
          for (const e of b.events)
            if (e.type === 'connection.updated' && e.connection.proxy?.proxyName === 'counts')
              seen.set(
                e.connection.proxy.leg,
                Math.max(seen.get(e.connection.proxy.leg) ?? 0, e.connection.tls?.wireBytesOut ?? 0)
              )
        return (seen.get('client') ?? 0) > 5000 && (seen.get('upstream') ?? 0) > 5000 ? seen : undefined
      },
      { what: 'wire counts of both legs in the events', timeoutMs: 5_000 }
    )
    expect(legs.size).toBe(2)
  })
})

describe('a certificate from files', () => {
  it('is served, shown by path in proxy:list, and kept by path in the workspace document (a made one as PEM)', async () => {
    up = await startUpstream({ echo: true })
    const id = await generateIdentity()
    const certFile = join(dir, 'mine.pem')
    const keyFile = join(dir, 'mine.key')
    await writeFile(certFile, id.certPem)
    await writeFile(keyFile, id.keyPem, { mode: 0o600 })
    const p = await lab.ok('proxy:create', {
      name: 'files',
      listen: 'tls:127.0.0.1:0',
      upstream: `127.0.0.1:${up.port}`,
      listenTls: { certFile, keyFile }
    })
    expect(p.listenTls).toEqual({ certFile, keyFile })
    expect(p.certificate?.source).toBe('provided')
    const c = await tlsClient(portOf(p.listen), certFile)
    c.socket.write('files\n')
    await waitFor(() => c.got().toString() === 'files\n', { what: 'the echo with a certificate from files' })
    await lab.ok('proxy:create', { name: 'made', listen: 'tls:127.0.0.1:0', upstream: `127.0.0.1:${up.port}` })
    const { document } = await lab.ok('workspace:export', {})
    const byName = new Map(document.proxies.map((x) => [x.name, x]))
    expect(byName.get('files')?.listenTls).toEqual({ certFile, keyFile })
    expect(byName.get('made')?.listenTls).toMatchObject({ certPem: expect.stringContaining('BEGIN CERTIFICATE') })
  })
})
