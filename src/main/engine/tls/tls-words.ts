import type { TLSSocket } from 'node:tls'
import type { TlsConnectionInfo } from '@shared/model'
import { certificateFacts } from './certificate'

type Err = { code?: string; message?: string }

/**
 * Why a TLS server's handshake failed, in words, from OpenSSL's error on the server side (the client's
 * alert, or what the server itself refused).
 */
export function describeServerHandshakeError(err: Err | null, bytesReceived = 1): string {
  const text = `${err?.code ?? ''} ${err?.message ?? ''}`.toLowerCase()
  if (err === null && bytesReceived === 0) {
    return 'The client closed the connection without starting a handshake (it sent nothing: a port check such as nc -z?)'
  }
  if (err === null) {
    return 'The client closed the connection before the handshake finished: it may not trust this certificate (a self-signed certificate needs curl --cacert FILE or openssl s_client -CAfile FILE)'
  }
  if (
    /unknown.ca|bad.certificate|certificate.unknown|unsupported.certificate|certificate.expired|decrypt.error/.test(
      text
    )
  ) {
    return 'The client does not trust this certificate (it answered with a TLS alert): give it the certificate to trust, e.g. curl --cacert FILE or openssl s_client -CAfile FILE'
  }
  if (/http.request/.test(text)) return 'The client spoke plain HTTP to a TLS port: use https:// (and --cacert FILE)'
  // A record whose version field is nonsense is not TLS at all (plain text typed with nc, say).
  if (
    /wrong.version.number|packet.length.too.long|record.layer.failure|unexpected.message|ssl3_get_record/.test(text)
  ) {
    return 'The client did not speak TLS (the first bytes were not a TLS record: plain text, e.g. from nc?)'
  }
  if (/unsupported.protocol|no.protocols.available|protocol.version|version.too.low|version.too.high/.test(text)) {
    return 'No shared protocol version: the client and the lab have no TLS version in common (the lab speaks TLS 1.2 and 1.3)'
  }
  if (/no.shared.cipher|handshake.failure|insufficient.security/.test(text)) {
    return 'No shared cipher: the client offered no cipher suite the lab accepts'
  }
  if (/no.application.protocol/.test(text))
    return 'No shared application protocol (ALPN): the client insisted on a protocol the lab does not offer'
  if (/econnreset/.test(text)) return 'The client reset the connection during the handshake'
  return `The TLS handshake failed: ${err?.message ?? err?.code}`
}

/** Words for a certificate problem an outgoing client found (Node's verify error codes). */
export function describeCertificateProblem(err: Err, host: string): string {
  switch (err.code) {
    case 'CERT_HAS_EXPIRED':
      return 'The certificate has expired'
    case 'CERT_NOT_YET_VALID':
      return 'The certificate is not valid yet (its start date is in the future)'
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `Wrong name: the certificate is not valid for ${host} (${err.message ?? ''})`
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'The certificate is self-signed and not trusted here (give its PEM as a CA to trust, or turn verification off)'
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'Unknown issuer: the certificate was signed by an authority this client does not trust'
    case 'CERT_REVOKED':
      return 'The certificate has been revoked'
    case 'CERT_SIGNATURE_FAILURE':
      return "The certificate's signature does not verify"
    default:
      return err.message ?? err.code ?? 'The certificate could not be verified'
  }
}

/** Whether an error of tls.connect is a certificate verification failure (as opposed to a network or protocol one). */
export function isCertificateProblem(err: Err): boolean {
  return /CERT|ALTNAME|LEAF_SIGNATURE|ISSUER/.test(err.code ?? '')
}

/** The handshake facts of a connected TLS socket. */
export function handshakeFacts(socket: TLSSocket): Omit<TlsConnectionInfo, 'wireBytesIn' | 'wireBytesOut'> {
  const peer = socket.getPeerX509Certificate()
  const servername = (socket as TLSSocket & { servername?: string | false }).servername
  return {
    handshake: 'done',
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.standardName ?? socket.getCipher()?.name ?? null,
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
    sni: typeof servername === 'string' && servername !== '' ? servername : null,
    peerCertificate: peer ? certificateFacts(peer) : null,
    failure: null
  }
}

/** The facts of a TLS connection whose handshake has not finished. */
export function pendingFacts(): Omit<TlsConnectionInfo, 'wireBytesIn' | 'wireBytesOut'> {
  return {
    handshake: 'pending',
    protocol: null,
    cipher: null,
    alpn: null,
    sni: null,
    peerCertificate: null,
    failure: null
  }
}
