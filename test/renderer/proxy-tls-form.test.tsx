import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { ProxyInfo } from '@shared/proxy-model'
import type { ConnectionInfo } from '@shared/model'
import { renderApp } from './render-app'
import { FakeTransport } from './fake-transport'
import { makeSnapshot } from './fixtures'
import { makeConnectionInfo } from '../helpers/model-fixtures'

const CERT = {
  subject: 'CN=localhost, O=TCP Lab',
  issuer: 'CN=localhost, O=TCP Lab',
  altNames: ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:::1'],
  validFrom: '2026-12-01T00:00:00.000Z',
  validTo: '2027-12-01T00:00:00.000Z',
  fingerprint256: 'AA:BB:CC',
  source: 'generated' as const,
  certPath: '/tmp/certs/proxy-web.pem',
  trustCommands: [
    'curl --cacert /tmp/certs/proxy-web.pem https://127.0.0.1:8443/',
    'openssl s_client -connect 127.0.0.1:8443 -CAfile /tmp/certs/proxy-web.pem -verify_return_error'
  ]
}

const tlsProxy: ProxyInfo = {
  name: 'web',
  listen: 'tls:127.0.0.1:8443',
  upstream: 'tls:127.0.0.1:9443',
  enabled: true,
  toxics: [],
  onUpstreamFailure: 'close',
  certificate: CERT,
  listenTls: {},
  upstreamTls: { verify: false, servername: 'localhost' }
}

describe('TLS on a proxy in the UI', () => {
  it('the form sends "TLS towards the client" and "TLS to the upstream" (verify, SNI, CA) as listenTls/upstreamTls', async () => {
    const fake = new FakeTransport().on('proxy:create', (input) => ({ ...tlsProxy, name: input.name }))
    await renderApp(makeSnapshot({ proxies: [] }), fake)
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'New proxy…' }))
    const form = screen.getByRole('form', { name: 'New proxy' })
    await user.click(within(form).getByLabelText(/TLS towards the client/))
    await user.click(within(form).getByLabelText(/TLS to the upstream/))
    await user.click(within(form).getByLabelText(/Verify the certificate/))
    await user.type(within(form).getByLabelText('Server name (SNI)'), 'api.internal')
    await user.type(within(form).getByLabelText('Also trust this CA (PEM, optional)'), '-----BEGIN CERTIFICATE-----x')
    await user.click(within(form).getByRole('button', { name: 'Start proxy' }))
    await vi.waitFor(() => expect(fake.callsOf('proxy:create')).toHaveLength(1))
    expect(fake.callsOf('proxy:create')[0]).toMatchObject({
      listenTls: {},
      upstreamTls: { verify: false, servername: 'api.internal', caPem: '-----BEGIN CERTIFICATE-----x\n' }
    })
  })

  it('"Use my own certificate" sends the PEMs as listenTls', async () => {
    const fake = new FakeTransport().on('proxy:create', (input) => ({ ...tlsProxy, name: input.name }))
    await renderApp(makeSnapshot({ proxies: [] }), fake)
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'New proxy…' }))
    const form = screen.getByRole('form', { name: 'New proxy' })
    await user.click(within(form).getByLabelText(/TLS towards the client/))
    await user.click(within(form).getByText('Use my own certificate (PEM)…'))
    await user.type(within(form).getByLabelText('Certificate (PEM)'), '-----BEGIN CERTIFICATE-----c')
    await user.type(within(form).getByLabelText('Private key (PEM, unencrypted)'), '-----BEGIN PRIVATE KEY-----k')
    await user.click(within(form).getByRole('button', { name: 'Start proxy' }))
    await vi.waitFor(() => expect(fake.callsOf('proxy:create')).toHaveLength(1))
    expect(fake.callsOf('proxy:create')[0]).toMatchObject({
      listenTls: { certPem: '-----BEGIN CERTIFICATE-----c', keyPem: '-----BEGIN PRIVATE KEY-----k' }
    })
    expect((fake.callsOf('proxy:create')[0] as Record<string, unknown>).upstreamTls).toBeUndefined()
  })

  it('a plain form sends no TLS fields (pass-through, as before)', async () => {
    const fake = new FakeTransport().on('proxy:create', (input) => ({ ...tlsProxy, name: input.name }))
    await renderApp(makeSnapshot({ proxies: [] }), fake)
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'New proxy…' }))
    await user.click(
      within(screen.getByRole('form', { name: 'New proxy' })).getByRole('button', { name: 'Start proxy' })
    )
    await vi.waitFor(() => expect(fake.callsOf('proxy:create')).toHaveLength(1))
    const sent = fake.callsOf('proxy:create')[0] as Record<string, unknown>
    expect(sent.listenTls).toBeUndefined()
    expect(sent.upstreamTls).toBeUndefined()
  })

  it('the card shows both TLS sides, the certificate and its trust commands; the pair row marks TLS legs', async () => {
    const client: ConnectionInfo = makeConnectionInfo(7, {
      serverId: null,
      origin: 'accepted',
      kind: 'tls',
      proxy: { proxyName: 'web', pairId: 7, leg: 'client' },
      tls: {
        handshake: 'done',
        protocol: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        alpn: 'http/1.1',
        sni: 'localhost',
        peerCertificate: null,
        failure: null,
        wireBytesIn: 900,
        wireBytesOut: 1800
      }
    })
    await renderApp(makeSnapshot({ proxies: [tlsProxy], connections: [client] }))
    const card = screen.getByRole('article', { name: 'Proxy web' })
    expect(card.textContent).toContain('TLS to the client')
    expect(card.textContent).toContain('TLS to the upstream · not verified · SNI localhost')
    expect(within(card).getByTestId('cert-fingerprint').textContent).toBe('AA:BB:CC')
    expect(card.textContent).toContain('curl --cacert /tmp/certs/proxy-web.pem https://127.0.0.1:8443/')
    await vi.waitFor(() => expect(document.querySelector('[data-kind="tls"]')).not.toBeNull())
    expect(document.querySelector('[data-kind="upstream-tls"]')?.getAttribute('title')).toMatch(/verification off/)
  })
})
