import { generate } from 'selfsigned'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestLab } from '../../helpers/lab'
import type { TestLab } from '../../helpers/lab'
import { generateIdentity } from '../../../src/main/engine/tls/certificate'
import { waitFor } from '../../helpers/wait'

let lab: TestLab
let dir: string | undefined
afterEach(async () => {
  await lab?.dispose()
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

async function tlsLab(): Promise<TestLab> {
  dir = await mkdtemp(join(tmpdir(), 'tcp-lab-tls-client-'))
  return createTestLab({ certDir: dir })
}

describe('outgoing TLS clients', () => {
  it('to a lab TLS server: verification on fails in words (self-signed); off connects and still names the problem', async () => {
    lab = await tlsLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const refused = await lab.session.handle('client:connect', {
      host: 'localhost',
      port: server.bound.port,
      protocol: 'tls',
      tls: { verify: true }
    })
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.error.code).toBe('tls-certificate')
      expect(refused.error.message).toMatch(/failed: The certificate is self-signed and not trusted here/)
    }
    // The lab's server saw that client give up during the handshake.
    await lab.waitConn(
      (c) => c.serverId === server.id && c.tls?.handshake === 'failed',
      'the server side of the refusal'
    )

    const client = await lab.ok('client:connect', {
      host: '127.0.0.1',
      port: server.bound.port,
      protocol: 'tls',
      tls: { verify: false, alpn: ['lab'], servername: 'localhost' }
    })
    expect(client.kind).toBe('tls')
    expect(client.tls).toMatchObject({
      handshake: 'done',
      protocol: 'TLSv1.3',
      alpn: 'lab',
      sni: 'localhost',
      verify: false
    })
    expect(client.tls?.verifyError).toMatch(/self-signed/)
    expect(client.tls?.peerCertificate?.fingerprint256).toBe(server.certificate?.fingerprint256)
    await lab.ok('connection:send', { connectionId: client.id, payload: { format: 'text', text: 'ping' } })
    const echoed = await lab.waitConn((c) => c.id === client.id && c.bytesIn === 4)
    expect(echoed.tls!.wireBytesOut).toBeGreaterThan(4)
    const accepted = await lab.waitConn((c) => c.serverId === server.id && c.tls?.handshake === 'done')
    expect(accepted.tls?.sni).toBe('localhost')
  })

  it('trusts the server certificate given as the CA, and then names a wrong host name', async () => {
    lab = await tlsLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const { certPem } = await lab.ok('server:certificate', { serverId: server.id })
    const ok = await lab.ok('client:connect', {
      host: 'localhost',
      port: server.bound.port,
      protocol: 'tls',
      tls: { caPem: certPem }
    })
    expect(ok.tls).toMatchObject({ handshake: 'done', verify: true, verifyError: null })
    const wrong = await lab.session.handle('client:connect', {
      host: '127.0.0.1',
      port: server.bound.port,
      protocol: 'tls',
      tls: { caPem: certPem, servername: 'wrong.example' }
    })
    expect(wrong.ok ? '' : wrong.error.message).toMatch(/Wrong name: the certificate is not valid for wrong\.example/)
  })

  it('names an expired certificate and an unknown issuer', async () => {
    lab = await tlsLab()
    const expired = await generateIdentity(1, new Date(Date.now() - 3 * 86_400_000))
    const old = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      protocol: 'tls',
      tls: { certPem: expired.certPem, keyPem: expired.keyPem }
    })
    const r1 = await lab.session.handle('client:connect', {
      host: 'localhost',
      port: old.bound.port,
      protocol: 'tls',
      tls: { caPem: expired.certPem }
    })
    expect(r1.ok ? '' : r1.error.message).toMatch(/The certificate has expired/)

    const ca = await generate([{ name: 'commonName', value: 'Lab Test CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true }
      ]
    })
    const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }]
    })
    const signed = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      protocol: 'tls',
      tls: { certPem: leaf.cert, keyPem: leaf.private }
    })
    expect(signed.certificate?.issuer).toMatch(/CN=Lab Test CA/)
    const r2 = await lab.session.handle('client:connect', {
      host: 'localhost',
      port: signed.bound.port,
      protocol: 'tls'
    })
    expect(r2.ok ? '' : r2.error.message).toMatch(/Unknown issuer/)
    const trusted = await lab.ok('client:connect', {
      host: 'localhost',
      port: signed.bound.port,
      protocol: 'tls',
      tls: { caPem: ca.cert }
    })
    expect(trusted.tls?.peerCertificate?.issuer).toMatch(/Lab Test CA/)
  })

  it('re-announces a TLS connection whose encrypted counts moved, so the event stream carries them (about once a second)', async () => {
    lab = await tlsLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo', protocol: 'tls' })
    const client = await lab.ok('client:connect', {
      host: '127.0.0.1',
      port: server.bound.port,
      protocol: 'tls',
      tls: { verify: false }
    })
    const accepted = await lab.waitConn((c) => c.serverId === server.id && c.tls?.handshake === 'done')
    await lab.ok('connection:send', { connectionId: client.id, payload: { format: 'text', text: 'x'.repeat(5000) } })
    await lab.waitConn((c) => c.id === client.id && c.bytesIn === 5000)
    const seen = await waitFor(
      () => {
        for (const b of lab.batches) {
          for (const e of b.events) {
            if (
              e.type === 'connection.updated' &&
              e.connection.id === accepted.id &&
              (e.connection.tls?.wireBytesIn ?? 0) > 5000
            )
              return e.connection.tls
          }
        }
        return undefined
      },
      { what: 'an update with the encrypted count past 5,000 bytes', timeoutMs: 5_000 }
    )
    expect(seen?.wireBytesOut).toBeGreaterThan(5000)
  })

  it('a reset of a TLS connection sends RST on the TCP socket underneath', async () => {
    lab = await tlsLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual', protocol: 'tls' })
    const client = await lab.ok('client:connect', {
      host: '127.0.0.1',
      port: server.bound.port,
      protocol: 'tls',
      tls: { verify: false }
    })
    const accepted = await lab.waitConn((c) => c.serverId === server.id && c.tls?.handshake === 'done')
    await lab.ok('connection:action', { connectionId: accepted.id, action: 'reset' })
    const gone = await lab.waitConn((c) => c.id === client.id && c.state === 'closed', 'the client to see the reset')
    expect(gone.closeReason).toBe('peer-reset')
    expect(net.isIP(gone.remote.address)).toBe(4)
  })

  it('a plain TCP port is not a TLS server: the handshake failure comes back in words', async () => {
    lab = await tlsLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'daytime' })
    const r = await lab.session.handle('client:connect', {
      host: '127.0.0.1',
      port: server.bound.port,
      protocol: 'tls',
      timeoutMs: 3_000
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed/)
  })
})
