import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { UDP_BEHAVIOURS } from '@shared/model'
import { FakeTransport } from './fake-transport'
import { TransportFacts } from '@renderer/features/detail/transport-facts'
import { CertificateFacts } from '@renderer/features/servers/certificate-facts'
import { transportCommands } from '@renderer/features/servers/udp-tls-commands'
import { makeConnectionInfo, makeServer, makeSnapshot } from './fixtures'
import { renderApp } from './render-app'

afterEach(() => cleanup())

const CERT = {
  subject: 'CN=localhost, O=TCP Lab',
  issuer: 'CN=localhost, O=TCP Lab',
  altNames: ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:::1'],
  validFrom: '2026-12-01T00:00:00.000Z',
  validTo: '2027-12-01T00:00:00.000Z',
  fingerprint256: 'AA:BB',
  source: 'generated' as const,
  certPath: '/tmp/tcp-lab-certs-x/server-1.pem',
  trustCommands: [
    'curl --cacert /tmp/tcp-lab-certs-x/server-1.pem https://127.0.0.1:8443/',
    'openssl s_client -connect 127.0.0.1:8443 -CAfile /tmp/tcp-lab-certs-x/server-1.pem -verify_return_error'
  ]
}

describe('UDP and TLS in the renderer', () => {
  it('the start form offers the protocol, only per-datagram behaviours for UDP, and sends protocol udp', async () => {
    const fake = new FakeTransport().on('server:start', () => makeServer({ id: 3, protocol: 'udp' }))
    await renderApp(makeSnapshot(), fake)
    const user = userEvent.setup()
    await user.selectOptions(screen.getByLabelText('Behaviour'), 'chat')
    await user.selectOptions(screen.getByLabelText('Protocol'), 'udp')
    const behaviour = screen.getByLabelText('Behaviour') as HTMLSelectElement
    expect([...behaviour.options].map((o) => o.value)).toEqual([...UDP_BEHAVIOURS])
    expect(behaviour.value).toBe('echo')
    await user.type(screen.getByLabelText('Flow idle timeout (s)'), '5')
    await user.click(screen.getByRole('button', { name: 'Start server' }))
    await waitFor(() =>
      expect(fake.callsOf('server:start')).toEqual([
        { host: '127.0.0.1', port: '8080', behaviour: 'echo', protocol: 'udp', udpIdleTimeoutMs: 5000 }
      ])
    )
  })

  it('a UDP flow says its chunks are datagrams; a failed TLS handshake shows its words and the encrypted counts', () => {
    render(<TransportFacts connection={makeConnectionInfo(1, { kind: 'udp', chunksIn: 3, chunksOut: 2 })} />)
    expect(screen.getByTestId('udp-flow-facts').textContent).toMatch(
      /every chunk below is one datagram.*3 datagrams in, 2 out/
    )
    cleanup()
    const tls = {
      handshake: 'failed' as const,
      protocol: null,
      cipher: null,
      alpn: null,
      sni: null,
      peerCertificate: null,
      failure: 'The client does not trust this certificate',
      wireBytesIn: 517,
      wireBytesOut: 900
    }
    render(<TransportFacts connection={makeConnectionInfo(2, { kind: 'tls', tls })} />)
    expect(screen.getByRole('alert').textContent).toBe('The client does not trust this certificate')
    expect(screen.getByTestId('tls-wire').textContent).toMatch(
      /in 517 B encrypted \/ 0 B decrypted · out 900 B encrypted/
    )
    cleanup()
    const { container } = render(<TransportFacts connection={makeConnectionInfo(3)} />)
    expect(container.textContent).toBe('')
  })

  it('a TLS server card shows the certificate facts; its commands are the trust commands; a UDP one gets nc -u, socat and /dev/udp', () => {
    const server = makeServer({ protocol: 'tls', certificate: CERT, bound: { address: '127.0.0.1', port: 8443 } })
    render(<CertificateFacts server={server} />)
    expect(screen.getByTestId('cert-fingerprint').textContent?.trim()).toBe('AA:BB')
    expect(screen.getByTestId('cert-path').textContent?.trim()).toBe(CERT.certPath)
    expect(screen.getByLabelText('Certificate').textContent).toMatch(
      /self-signed, made at start.*2026-12-01 → 2027-12-01/
    )
    expect(transportCommands(server)?.map((c) => c.command)).toEqual(CERT.trustCommands)
    const udp = transportCommands(makeServer({ protocol: 'udp', bound: { address: '::', port: 9000 } }))
    expect(udp?.map((c) => c.command)).toEqual([
      'nc -u ::1 9000',
      'socat - UDP:[::1]:9000',
      "exec 3<>/dev/udp/::1/9000; cat <&3 & printf 'one' >&3; printf 'two' >&3"
    ])
    expect(transportCommands(makeServer())).toBeNull()
  })
})
