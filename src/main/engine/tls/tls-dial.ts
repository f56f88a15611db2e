import net from 'node:net'
import tls from 'node:tls'
import type { TlsClientOptions } from '@shared/contract'
import type { TlsConnectionInfo } from '@shared/model'
import { LabFailure } from '../errors'
import { describeCertificateProblem, handshakeFacts, isCertificateProblem } from './tls-words'

/** The name an outgoing TLS client sends as SNI and checks: the one given, else the host when it is a name. */
export function tlsServername(host: string, opts: Pick<TlsClientOptions, 'servername'>): string | undefined {
  return opts.servername ?? (net.isIP(host) === 0 ? host : undefined)
}

/** Starts a client handshake over a connected TCP socket (SNI, ALPN, verification on or off, an extra CA). */
export function startTlsClient(raw: net.Socket, host: string, opts: TlsClientOptions): tls.TLSSocket {
  return tls.connect({
    socket: raw,
    host,
    servername: tlsServername(host, opts),
    ALPNProtocols: opts.alpn,
    rejectUnauthorized: opts.verify,
    ...(opts.caPem !== undefined ? { ca: [...tls.rootCertificates, opts.caPem] } : {})
  })
}

/** Why a client handshake failed, as a LabFailure in words (a certificate problem names its reason). */
export function clientHandshakeFailure(err: NodeJS.ErrnoException, name: string, port: number): LabFailure {
  if (isCertificateProblem(err)) {
    return new LabFailure(
      'tls-certificate',
      `TLS handshake with ${name}:${port} failed: ${describeCertificateProblem(err, name)}`,
      "Trust it (give the server's certificate PEM as the CA) or turn verification off to connect anyway."
    )
  }
  if (err.code === 'ETIMEDOUT')
    return new LabFailure(
      'ETIMEDOUT',
      `The TLS handshake with ${name}:${port} timed out`,
      'Is the server speaking TLS on that port?'
    )
  return new LabFailure(
    'tls-handshake',
    `TLS handshake with ${name}:${port} failed: ${err.message}`,
    'Is the server speaking TLS on that port, with a version this client accepts?'
  )
}

/** The facts of a finished client handshake: what was agreed, and what the certificate check found. */
export function clientTlsFacts(
  socket: tls.TLSSocket,
  host: string,
  opts: TlsClientOptions
): Omit<TlsConnectionInfo, 'wireBytesIn' | 'wireBytesOut'> {
  const servername = tlsServername(host, opts)
  const problem = socket.authorized
    ? null
    : describeCertificateProblem(
        { code: String(socket.authorizationError ?? ''), message: String(socket.authorizationError ?? '') },
        servername ?? host
      )
  return { ...handshakeFacts(socket), sni: servername ?? null, verify: opts.verify, verifyError: problem }
}
