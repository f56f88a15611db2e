import tls from 'node:tls'
import type { CertificateInfo } from '@shared/model'
import type { TlsServerOptions } from '@shared/contract'
import type { CertificateFolder, TlsIdentity } from './certificate'
import { certificateFacts, generateIdentity, loadIdentity } from './certificate'

/** A listener's TLS identity: the PEMs, the context handshakes use, and the certificate card. */
export interface ListenerIdentity {
  identity: TlsIdentity
  context: tls.SecureContext
  certificate: CertificateInfo
}

/** Loads the certificate the options name (PEM text or files), or makes a self-signed one; rejects in words. */
export async function prepareIdentity(opts: TlsServerOptions | undefined): Promise<ListenerIdentity> {
  const given = await loadIdentity(opts)
  const identity = given ?? (await generateIdentity())
  return {
    identity,
    context: tls.createSecureContext({ cert: identity.certPem, key: identity.keyPem, minVersion: 'TLSv1.2' }),
    certificate: {
      ...certificateFacts(identity.certPem),
      source: given ? 'provided' : 'generated',
      certPath: null,
      trustCommands: []
    }
  }
}

/** The host a client on this machine uses for a bound address (a wildcard is reached on loopback). */
export function hostForCommands(address: string, family: string): string {
  if (family === 'IPv6' || address.includes(':')) return address === '::' || address === '' ? '[::1]' : `[${address}]`
  return address === '0.0.0.0' || address === '' ? '127.0.0.1' : address
}

/** The shell commands that trust a certificate file and reach host:port with it. */
export function trustCommands(host: string, port: number, certPath: string | null): string[] {
  const file = certPath ?? 'CERT.pem'
  const q = file.includes(' ') ? `'${file}'` : file
  return [
    `curl --cacert ${q} https://${host}:${port}/`,
    `openssl s_client -connect ${host}:${port} -CAfile ${q} -verify_return_error`,
    `socat - OPENSSL:${host}:${port},cafile=${q}`,
    `openssl x509 -in ${q} -noout -fingerprint -sha256`
  ]
}

/**
 * Writes the certificate PEM for clients to trust (once per identity) and fills in its path and trust commands;
 * a file that cannot be written is reported through `warn` and the commands name CERT.pem instead.
 */
export async function publishCertificate(
  li: ListenerIdentity,
  folder: CertificateFolder,
  stem: string,
  bound: { address: string; port: number; family: string },
  warn: (message: string) => void
): Promise<void> {
  const cert = li.certificate
  if (cert.certPath === null) {
    try {
      cert.certPath = await folder.write(stem, li.identity.certPem)
    } catch (err) {
      warn(`could not write its certificate file (${(err as Error).message})`)
    }
  }
  cert.trustCommands = trustCommands(hostForCommands(bound.address, bound.family), bound.port, cert.certPath)
}
