import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, open, readFile, rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CertificateFacts } from '@shared/model'
import type { TlsServerOptions } from '@shared/contract'
import { LabFailure } from '../errors'

/** A certificate and its private key, PEM. */
export interface TlsIdentity {
  certPem: string
  keyPem: string
}

/** How long a generated certificate is valid (a workspace keeps it, so it should not expire in a lesson). */
export const GENERATED_CERT_DAYS = 365

/**
 * A self-signed certificate for `localhost`, `127.0.0.1` and `::1` (ECDSA P-256, SHA-256), made with the
 * `selfsigned` package (pure JavaScript on WebCrypto, so it works on every platform without openssl).
 */
export async function generateIdentity(
  days = GENERATED_CERT_DAYS,
  notBefore = new Date(Date.now() - 60_000)
): Promise<TlsIdentity> {
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000)
  // Loaded on first use: the package and what it pulls in add ~10 MB to every lab process's resident memory.
  const { generate } = await import('selfsigned')
  const pems = await generate(
    [
      { name: 'commonName', value: 'localhost' },
      { name: 'organizationName', value: 'TCP Lab' }
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: notBefore,
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' }
          ]
        }
      ]
    }
  )
  return { certPem: pems.cert, keyPem: pems.private }
}

/** Subject, issuer, names, validity and SHA-256 fingerprint of a certificate (PEM or a parsed one). */
export function certificateFacts(cert: string | X509Certificate): CertificateFacts {
  const x = typeof cert === 'string' ? new X509Certificate(cert) : cert
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    altNames: (x.subjectAltName ?? '')
      .split(', ')
      .filter((n) => n !== '')
      .map((n) => n.replace(/^IP Address:0:0:0:0:0:0:0:1$/, 'IP Address:::1')),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    fingerprint256: x.fingerprint256
  }
}

async function readPemFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO'
    throw new LabFailure(code, `Cannot read the ${what} file ${path} (${code})`, 'Check the path and its permissions.')
  }
}

/** The identity a TLS server asked for: PEM text, PEM files, or null (make one). Checks the key fits the certificate. */
export async function loadIdentity(opts: TlsServerOptions | undefined): Promise<TlsIdentity | null> {
  let certPem = opts?.certPem
  let keyPem = opts?.keyPem
  if (opts?.certFile !== undefined && opts.keyFile !== undefined) {
    certPem = await readPemFile(opts.certFile, 'certificate')
    keyPem = await readPemFile(opts.keyFile, 'private key')
  }
  if (certPem === undefined || keyPem === undefined) return null
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certPem)
  } catch (err) {
    throw new LabFailure('bad-certificate', `The certificate is not a readable X.509 PEM: ${(err as Error).message}`)
  }
  let fits: boolean
  try {
    fits = cert.checkPrivateKey(createPrivateKey(keyPem))
  } catch (err) {
    throw new LabFailure(
      'bad-key',
      `The private key is not a readable PEM key: ${(err as Error).message}`,
      'An encrypted key is not supported: give it unencrypted.'
    )
  }
  if (!fits)
    throw new LabFailure(
      'key-mismatch',
      'The private key does not belong to the certificate',
      'Give the key the certificate was made for.'
    )
  return { certPem, keyPem }
}

/** Where a lab writes certificate files: a folder of its own (created once, never shared with other programs). */
export class CertificateFolder {
  private dir: Promise<string> | null = null

  constructor(private readonly parent?: string) {}

  /** Writes a certificate PEM under a new unique name (tmp, fsync, rename: never overwrites); returns its path. */
  async write(stem: string, pem: string): Promise<string> {
    const dir = await this.folder()
    const name = `${stem}-${randomBytes(4).toString('hex')}.pem`
    const final = join(dir, name)
    const tmp = join(dir, `.${name}.tmp`)
    const handle = await open(tmp, 'wx', 0o644)
    try {
      await handle.writeFile(pem)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, final)
    return final
  }

  private folder(): Promise<string> {
    this.dir ??=
      this.parent !== undefined
        ? mkdir(this.parent, { recursive: true }).then(() => mkdtemp(join(this.parent as string, 'certs-')))
        : mkdtemp(join(tmpdir(), 'tcp-lab-certs-'))
    return this.dir
  }
}
