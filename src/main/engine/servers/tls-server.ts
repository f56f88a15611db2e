import type net from 'node:net'
import tls from 'node:tls'
import type { CertificateInfo, ServerInfo } from '@shared/model'
import type { TlsServerOptions } from '@shared/contract'
import { LabConnection } from '../lab-connection'
import type { ServerOwner, ServerSpec } from '../tcp-server'
import { LabTcpServer } from '../tcp-server'
import type { CertificateFolder, TlsIdentity } from '../tls/certificate'
import { certificateFacts, generateIdentity, loadIdentity } from '../tls/certificate'
import { describeServerHandshakeError, handshakeFacts, pendingFacts } from '../tls/tls-words'

/** How often open TLS connections whose encrypted counts moved are re-announced (the batches carry decrypted counts). */
const WIRE_REFRESH_MS = 1_000

/** What a TLS server needs beyond a TCP one. */
export interface TlsServerSpec extends ServerSpec {
  tls?: TlsServerOptions
}

/** Picks the application protocol: http/1.1 when offered (curl offers h2 first, which no behaviour speaks), else the client's first. */
function chooseAlpn({ protocols }: { protocols: string[] }): string | undefined {
  return protocols.includes('http/1.1') ? 'http/1.1' : protocols[0]
}

function hostForCommands(address: string, family: string): string {
  if (family === 'IPv6') return address === '::' || address === '' ? '[::1]' : `[${address}]`
  return address === '0.0.0.0' || address === '' ? '127.0.0.1' : address
}

/**
 * A TCP server that speaks TLS: every accepted socket is wrapped in a TLSSocket, so the behaviour and the
 * traffic record see the decrypted bytes while the TCP socket underneath counts the encrypted ones. Each
 * connection shows its handshake (version, cipher, ALPN, SNI, client certificate) or why it failed.
 */
export class LabTlsServer extends LabTcpServer {
  identity: TlsIdentity | null = null
  certificate: CertificateInfo | null = null
  private context: tls.SecureContext | null = null
  private wireTimer: NodeJS.Timeout | null = null
  private readonly announcedWire = new WeakMap<LabConnection, number>()

  constructor(
    serverId: number,
    private readonly tlsSpec: TlsServerSpec,
    owner: ServerOwner,
    private readonly certFolder: CertificateFolder
  ) {
    super(serverId, tlsSpec, owner)
  }

  /** Loads or makes the certificate (first time only), then listens. */
  override async listen(): Promise<void> {
    if (this.context === null) {
      const given = await loadIdentity(this.tlsSpec.tls)
      const identity = given ?? (await generateIdentity())
      this.context = tls.createSecureContext({ cert: identity.certPem, key: identity.keyPem, minVersion: 'TLSv1.2' })
      this.identity = identity
      this.certificate = {
        ...certificateFacts(identity.certPem),
        source: given ? 'provided' : 'generated',
        certPath: null,
        trustCommands: []
      }
    }
    await super.listen()
    if (this.certificate && this.certificate.certPath === null) await this.writeCertificateFile()
    if (this.wireTimer === null) {
      this.wireTimer = setInterval(() => this.refreshWireCounts(), WIRE_REFRESH_MS)
      this.wireTimer.unref()
    }
  }

  /** Stops listening; the refresh timer ends with the last connection's server. */
  override async stop(keepConnections: boolean, abrupt = false): Promise<void> {
    if (!keepConnections && this.wireTimer) {
      clearInterval(this.wireTimer)
      this.wireTimer = null
    }
    await super.stop(keepConnections, abrupt)
  }

  /** The PEM files the server was started from, if any. */
  givenFiles(): { certFile: string; keyFile: string } | Record<string, never> {
    const t = this.tlsSpec.tls
    return t?.certFile !== undefined && t.keyFile !== undefined ? { certFile: t.certFile, keyFile: t.keyFile } : {}
  }

  /** The wire form, with the certificate. */
  override info(): ServerInfo {
    return { ...super.info(), protocol: 'tls', ...(this.certificate ? { certificate: this.certificate } : {}) }
  }

  protected override wrapAccepted(raw: net.Socket, queued: boolean): LabConnection {
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: this.context ?? undefined,
      // Ask for a client certificate (to show it) without requiring one.
      requestCert: true,
      rejectUnauthorized: false,
      ALPNCallback: chooseAlpn
    })
    // Registered before the connection's own listeners, so the closed event already carries the words.
    let settled = false
    socket.once('secure', () => {
      settled = true
      conn.tls = handshakeFacts(socket)
      conn.announce()
    })
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return
      settled = true
      this.handshakeFailed(conn, err)
    })
    socket.once('close', () => {
      if (!settled) this.handshakeFailed(conn, null)
    })
    const conn = new LabConnection({
      id: this.owner.nextConnectionId(),
      serverId: this.serverId,
      origin: 'accepted',
      socket,
      budget: this.owner.budget,
      owner: this.owner,
      queued,
      kind: 'tls',
      wire: raw
    })
    conn.tls = pendingFacts()
    return conn
  }

  private handshakeFailed(conn: LabConnection, err: NodeJS.ErrnoException | null): void {
    const words = describeServerHandshakeError(err, conn.wireCounts().wireBytesIn)
    conn.tls = { ...(conn.tls ?? pendingFacts()), handshake: 'failed', failure: words }
    // Set before the connection's own error handler runs its generic `??=`; the TLS facts keep the whole sentence.
    conn.error = `TLS handshake failed: ${words.split(/ \(|: /)[0]}`
  }

  private async writeCertificateFile(): Promise<void> {
    const cert = this.certificate
    if (!cert || !this.identity) return
    let path: string | null = null
    try {
      path = await this.certFolder.write(`server-${this.serverId}-port-${this.bound.port}`, this.identity.certPem)
    } catch (err) {
      this.notice(
        'warning',
        `Server ${this.serverId}: could not write its certificate file (${(err as Error).message})`
      )
    }
    const host = hostForCommands(this.bound.address, this.family)
    const port = this.bound.port
    const file = path ?? 'CERT.pem'
    const q = file.includes(' ') ? `'${file}'` : file
    cert.certPath = path
    cert.trustCommands = [
      `curl --cacert ${q} https://${host}:${port}/`,
      `openssl s_client -connect ${host}:${port} -CAfile ${q} -verify_return_error`,
      `socat - OPENSSL:${host}:${port},cafile=${q}`,
      `openssl x509 -in ${q} -noout -fingerprint -sha256`
    ]
  }

  private refreshWireCounts(): void {
    for (const c of this.connections) {
      const now = c.wireCounts()
      const sum = now.wireBytesIn + now.wireBytesOut
      if (this.announcedWire.get(c) !== sum) {
        this.announcedWire.set(c, sum)
        c.announce()
      }
    }
  }
}
