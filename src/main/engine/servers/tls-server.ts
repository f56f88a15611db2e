import type net from 'node:net'
import type { CertificateInfo, ServerInfo } from '@shared/model'
import type { TlsServerOptions } from '@shared/contract'
import { LabConnection } from '../lab-connection'
import type { ServerOwner, ServerSpec } from '../tcp-server'
import { LabTcpServer } from '../tcp-server'
import type { CertificateFolder, TlsIdentity } from '../tls/certificate'
import { acceptTls } from '../tls/tls-accept'
import type { ListenerIdentity } from '../tls/tls-identity'
import { prepareIdentity, publishCertificate } from '../tls/tls-identity'
import { WireRefresh } from '../tls/wire-refresh'

/** What a TLS server needs beyond a TCP one. */
export interface TlsServerSpec extends ServerSpec {
  tls?: TlsServerOptions
}

/**
 * A TCP server that speaks TLS: every accepted socket is wrapped in a TLSSocket, so the behaviour and the
 * traffic record see the decrypted bytes while the TCP socket underneath counts the encrypted ones. Each
 * connection shows its handshake (version, cipher, ALPN, SNI, client certificate) or why it failed.
 */
export class LabTlsServer extends LabTcpServer {
  private prepared: ListenerIdentity | null = null
  private readonly wireRefresh = new WireRefresh(() => this.connections)

  constructor(
    serverId: number,
    private readonly tlsSpec: TlsServerSpec,
    owner: ServerOwner,
    private readonly certFolder: CertificateFolder
  ) {
    super(serverId, tlsSpec, owner)
  }

  /** The certificate and key it serves (null before the first listen). */
  get identity(): TlsIdentity | null {
    return this.prepared?.identity ?? null
  }

  /** The certificate card (null before the first listen). */
  get certificate(): CertificateInfo | null {
    return this.prepared?.certificate ?? null
  }

  /** Loads or makes the certificate (first time only), then listens. */
  override async listen(): Promise<void> {
    this.prepared ??= await prepareIdentity(this.tlsSpec.tls)
    await super.listen()
    if (this.prepared.certificate.certPath === null) {
      await publishCertificate(
        this.prepared,
        this.certFolder,
        `server-${this.serverId}-port-${this.bound.port}`,
        { address: this.bound.address, port: this.bound.port, family: this.family },
        (why) => this.notice('warning', `Server ${this.serverId}: ${why}`)
      )
    }
    this.wireRefresh.start()
  }

  /** Stops listening; the refresh timer ends with the last connection's server. */
  override async stop(keepConnections: boolean, abrupt = false): Promise<void> {
    if (!keepConnections) this.wireRefresh.stop()
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
    return acceptTls(
      raw,
      this.prepared?.context,
      (socket) =>
        new LabConnection({
          id: this.owner.nextConnectionId(),
          serverId: this.serverId,
          origin: 'accepted',
          socket,
          budget: this.owner.budget,
          owner: this.owner,
          queued,
          kind: 'tls',
          wire: raw,
          local: this.acceptedLocal()
        })
    )
  }
}
