import type tls from 'node:tls'
import type { TlsClientOptions, TlsServerOptions } from '@shared/contract'
import type { ProxyAddress, ProxyInfo } from '@shared/proxy-model'
import { splitTransport } from '@shared/transport-prefix'
import { LabFailure } from '../errors'
import { CertificateFolder } from '../tls/certificate'
import { prepareIdentity, publishCertificate } from '../tls/tls-identity'
import type { ListenerIdentity } from '../tls/tls-identity'
import { describeCertificateProblem, isCertificateProblem } from '../tls/tls-words'
import { tlsServername } from '../tls/tls-dial'

/** A proxy's TLS settings: non-null = terminate TLS towards the client / open TLS to the upstream. */
export interface ProxyTlsSettings {
  listenTls: TlsServerOptions | null
  upstreamTls: TlsClientOptions | null
}

/** Folder for proxies' certificate files when the owner has none of its own (tests with a bare owner). */
let fallbackFolder: CertificateFolder | null = null

/**
 * A TLS-terminating proxy's identity: loaded or made before the first bind, kept across disable/enable (so the
 * fingerprint users trusted stays), its PEM written once for `curl --cacert`, its trust commands following the port.
 */
export class ProxyListenIdentity {
  private prepared: ListenerIdentity | null = null

  constructor(
    private readonly name: string,
    private readonly folder: CertificateFolder | undefined
  ) {}

  /** The context handshakes use (null before `prepare`). */
  get context(): tls.SecureContext | undefined {
    return this.prepared?.context
  }

  /** The PEMs (null before `prepare`). */
  get identity(): ListenerIdentity['identity'] | null {
    return this.prepared?.identity ?? null
  }

  /** Loads the given certificate or makes one (first time only); rejects in words, changing nothing. */
  async prepare(opts: TlsServerOptions): Promise<void> {
    this.prepared ??= await prepareIdentity(opts)
  }

  /** After a bind: writes the PEM file once and points the trust commands at the bound port. */
  async publish(bound: ProxyAddress, warn: (message: string) => void): Promise<void> {
    if (!this.prepared || bound.kind !== 'tcp') return
    fallbackFolder ??= this.folder ? null : new CertificateFolder()
    const folder = this.folder ?? (fallbackFolder as CertificateFolder)
    const family = bound.host.includes(':') ? 'IPv6' : 'IPv4'
    await publishCertificate(
      this.prepared,
      folder,
      `proxy-${this.name}`,
      { address: bound.host, port: bound.port, family },
      warn
    )
  }

  /** The card's part of ProxyInfo. */
  info(opts: TlsServerOptions | null): Pick<ProxyInfo, 'certificate' | 'listenTls'> {
    if (opts === null) return {}
    const files = opts.certFile !== undefined ? { certFile: opts.certFile, keyFile: opts.keyFile } : {}
    return {
      listenTls: files,
      ...(this.prepared
        ? { certificate: { ...this.prepared.certificate, trustCommands: [...this.prepared.certificate.trustCommands] } }
        : {})
    }
  }
}

/** The upstream TLS settings as ProxyInfo shows them. */
export function upstreamTlsInfo(opts: TlsClientOptions | null): Pick<ProxyInfo, 'upstreamTls'> {
  if (opts === null) return {}
  return {
    upstreamTls: {
      verify: opts.verify,
      ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
      ...(opts.alpn !== undefined ? { alpn: [...opts.alpn] } : {}),
      ...(opts.caPem !== undefined ? { caPem: opts.caPem } : {})
    }
  }
}

/** Why the TLS handshake with the upstream failed, in words (the pair's row shows it). */
export function upstreamTlsWords(err: NodeJS.ErrnoException, host: string, opts: TlsClientOptions): string {
  const name = tlsServername(host, opts) ?? host
  if (isCertificateProblem(err)) return `TLS handshake failed: ${describeCertificateProblem(err, name)}`
  const text = `${err.code ?? ''} ${err.message}`.toLowerCase()
  if (err.code === 'ETIMEDOUT') return 'the TLS handshake timed out (is the upstream speaking TLS on that port?)'
  if (/wrong.version.number|packet.length.too.long|record.layer.failure|unexpected.message/.test(text))
    return 'TLS handshake failed: the upstream did not answer in TLS (a plain TCP server? drop the tls: prefix)'
  if (/econnreset|socket disconnected|socket hang up/.test(text))
    return 'TLS handshake failed: the upstream closed the connection during the handshake (is it speaking TLS?)'
  if (/no.application.protocol/.test(text))
    return 'TLS handshake failed: no shared application protocol (ALPN) with the upstream'
  if (/unsupported.protocol|protocol.version|version.too/.test(text))
    return 'TLS handshake failed: no shared protocol version with the upstream'
  return `TLS handshake failed: ${err.message}`
}

/**
 * The TLS settings one side of a create/update asks for: a structured field wins (null: plain), else the address's
 * `tls:` prefix when an address was given, else what the proxy had. TLS needs an IP address and port.
 */
export function resolveSideTls<T extends object>(
  side: 'listen' | 'upstream',
  addr: ProxyAddress,
  given: T | null | undefined,
  current: T | null,
  addressGiven: boolean,
  fallback: T
): T | null {
  let out: T | null
  if (given !== undefined) out = given
  else if (addressGiven) out = addr.kind === 'tcp' && addr.tls === true ? (current ?? fallback) : null
  else out = current
  if (out !== null && addr.kind === 'unix') {
    throw new LabFailure(
      'invalid',
      side === 'listen'
        ? 'TLS towards the client needs an IP address and port to listen on, not a unix: path'
        : 'TLS to the upstream needs an IP address and port, not a unix: path'
    )
  }
  return out
}

/** The address with its `tls` flag set from the settings. */
export function withTlsFlag(addr: ProxyAddress, on: boolean): ProxyAddress {
  if (addr.kind === 'unix') return addr
  const { tls: _old, ...plain } = addr
  return on ? { ...plain, tls: true } : plain
}

/** The upstream as ProxyInfo shows it: the user's text, with `tls:` in front exactly when TLS is opened to it. */
export function upstreamTextFor(text: string, tls: boolean): string {
  const t = text.trim()
  const { protocol, rest } = splitTransport(t)
  const plain = protocol === 'tls' || protocol === 'tcp' ? rest.trim() : t
  return tls ? `tls:${plain}` : plain
}
