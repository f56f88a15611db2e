import net from 'node:net'
import type tls from 'node:tls'
import type { ProxyAddress, ProxyInfo, ToxicInfo, ToxicStream } from '@shared/proxy-model'
import { formatProxyAddress } from '@shared/proxy-model'
import { LabConnection } from '../lab-connection'
import type { ServerOwner } from '../tcp-server'
import { describeSocketError } from '../errors'
import type { CertificateFolder } from '../tls/certificate'
import { acceptTls } from '../tls/tls-accept'
import { clientTlsFacts, startTlsClient } from '../tls/tls-dial'
import { WireRefresh } from '../tls/wire-refresh'
import { ProxyPair } from './proxy-pair'
import type { DirectionResponder } from './proxy-responder'
import type { ProxyTlsSettings } from './proxy-tls'
import { ProxyListenIdentity, upstreamTlsInfo, upstreamTlsWords } from './proxy-tls'

/** How long a new client waits for its upstream connection before it is closed (or reset). */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000

/** What a proxy needs from the lab that owns it. */
export interface ProxyOwner extends ServerOwner {
  /** Where TLS-terminating proxies write the certificate files clients trust. */
  readonly certificates?: CertificateFolder
}

/** A proxy's settings as the registry keeps them (`listen.tls` / `upstream.tls` follow the TLS settings). */
export interface ProxySettings extends ProxyTlsSettings {
  name: string
  listen: ProxyAddress
  upstream: ProxyAddress
  upstreamText: string
  onUpstreamFailure: 'close' | 'reset'
}

/** A listener whose every accepted client is paired with a new connection to the upstream. */
export class LabProxy {
  readonly toxics: ToxicInfo[] = []
  /** Rules per direction (proxy:respond), applied to every pair. */
  readonly responders: Partial<Record<ToxicStream, DirectionResponder>> = {}
  readonly pairs = new Set<ProxyPair>()
  /** Clients waiting for their upstream connection. */
  private readonly dialing = new Map<LabConnection, net.Socket>()
  /** TLS towards the client: clients whose handshake is not done yet (no upstream dialled). */
  private readonly handshaking = new Set<LabConnection>()
  private server: net.Server | null = null
  private bound: ProxyAddress | null = null
  accepted = 0
  /** TLS towards the client: the certificate it presents (made or loaded at the first start). */
  listenIdentity: ProxyListenIdentity
  private readonly wireRefresh = new WireRefresh(() => this.legs())

  constructor(
    public settings: ProxySettings,
    private readonly owner: ProxyOwner
  ) {
    this.listenIdentity = new ProxyListenIdentity(settings.name, owner.certificates)
  }

  get name(): string {
    return this.settings.name
  }

  get enabled(): boolean {
    return this.server !== null
  }

  /** Binds the listener; rejects with a LabFailure in words. */
  async start(): Promise<void> {
    if (this.server) return
    const listen = this.bound ?? this.settings.listen
    if (this.settings.listenTls) await this.listenIdentity.prepare(this.settings.listenTls)
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true })
    server.on('connection', (s) => this.onClient(s))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      const done = (): void => {
        server.removeListener('error', reject)
        resolve()
      }
      if (listen.kind === 'unix') server.listen({ path: listen.path }, done)
      else server.listen({ host: listen.host, port: listen.port }, done)
    }).catch((err: unknown) => {
      throw describeSocketError(err, {
        op: 'listen',
        host: listen.kind === 'unix' ? `unix:${listen.path}` : listen.host,
        port: listen.kind === 'tcp' ? listen.port : undefined
      })
    })
    server.on('error', (err) => this.owner.notice('error', `Proxy ${this.name}: ${err.message}`))
    const a = server.address()
    this.bound = a === null || typeof a === 'string' ? listen : { kind: 'tcp', host: a.address, port: a.port }
    this.server = server
    if (this.settings.listenTls) {
      await this.listenIdentity.publish(this.bound, (why) => this.owner.notice('warning', `Proxy ${this.name}: ${why}`))
    }
    if (this.settings.listenTls || this.settings.upstreamTls) this.wireRefresh.start()
  }

  /** Closes the listener and every connection of the proxy (Toxiproxy's "disabled"). */
  stop(): void {
    const server = this.server
    this.server = null
    server?.close()
    this.wireRefresh.stop()
    for (const [client, socket] of this.dialing) {
      socket.destroy()
      client.close('lab-close')
    }
    this.dialing.clear()
    for (const client of [...this.handshaking]) client.close('lab-close')
    this.handshaking.clear()
    for (const p of [...this.pairs]) p.close()
  }

  /** A fresh identity holder (a new certificate is loaded or made at the next start). */
  newIdentity(): ProxyListenIdentity {
    return new ProxyListenIdentity(this.name, this.owner.certificates)
  }

  /** Forgets the bound port: the next start listens on the requested address again. */
  forgetBound(): void {
    this.bound = null
  }

  /** The wire form (Toxiproxy's shape plus the lab's fields). */
  info(): ProxyInfo {
    const listen = this.bound ?? this.settings.listen
    return {
      name: this.name,
      listen: formatProxyAddress(listen.kind === 'tcp' ? { ...listen, tls: this.settings.listenTls !== null } : listen),
      upstream: this.settings.upstreamText,
      enabled: this.enabled,
      toxics: this.toxics.map((t) => ({ ...t, attributes: { ...t.attributes } })),
      onUpstreamFailure: this.settings.onUpstreamFailure,
      accepted: this.accepted,
      open: this.pairs.size + this.dialing.size + this.handshaking.size,
      ...this.respondersInfo(),
      ...this.listenIdentity.info(this.settings.listenTls),
      ...upstreamTlsInfo(this.settings.upstreamTls)
    }
  }

  /** Sets (or, null, clears) one direction's responder, for open pairs and new ones. */
  setResponder(stream: ToxicStream, settings: DirectionResponder | null): void {
    if (settings) this.responders[stream] = settings
    else delete this.responders[stream]
    for (const pair of this.pairs) pair.setResponder(stream, settings)
  }

  private respondersInfo(): Pick<ProxyInfo, 'responders'> {
    const { upstream, downstream } = this.responders
    if (!upstream && !downstream) return {}
    return {
      responders: {
        ...(upstream ? { upstream: upstream.info() } : {}),
        ...(downstream ? { downstream: downstream.info() } : {})
      }
    }
  }

  /** Every leg of the proxy that is open or waiting (for the TLS wire-count refresh). */
  private *legs(): Iterable<LabConnection> {
    yield* this.dialing.keys()
    yield* this.handshaking
    for (const p of this.pairs) {
      yield p.client
      yield p.upstream
    }
  }

  private onClient(raw: net.Socket): void {
    raw.setNoDelay(true)
    const unixPath = this.settings.listen.kind === 'unix' ? this.settings.listen.path : undefined
    const make = (socket: net.Socket, tls: boolean): LabConnection =>
      new LabConnection({
        id: this.owner.nextConnectionId(),
        serverId: null,
        origin: 'accepted',
        socket,
        budget: this.owner.budget,
        owner: this.owner,
        unixPath,
        // Not read until its upstream is connected: its bytes wait in the kernel. A TLS client is read during its
        // handshake (so a FIN or a port check is seen and said in words) and held from 'secure' on (see onClient).
        queued: !tls,
        ...(tls ? { kind: 'tls' as const, wire: raw } : {})
      })
    const index = ++this.accepted
    let client: LabConnection
    if (this.settings.listenTls) {
      // TLS towards the client: the upstream is dialled once the client's handshake is done, so a client that
      // does not trust the certificate leaves one failed row (in words, like a TLS server's) and no upstream leg.
      client = acceptTls(
        raw,
        this.listenIdentity.context,
        (socket) => make(socket, true),
        (c) => {
          // 'secure' comes before any decrypted byte: holding here keeps them in the TLS socket until the pair exists.
          c.holdReading(true)
          if (!this.handshaking.delete(c) || c.closed) return
          this.dial(c, index)
        }
      )
      this.handshaking.add(client)
      client.handlers = {
        onData() {},
        // A FIN before the handshake ends it: there is nothing to relay (the close says why in words).
        onPeerEnd: (c) => c.close('lab-close'),
        onClose: (c) => {
          this.handshaking.delete(c)
        }
      }
    } else client = make(raw, false)
    client.relay = true
    client.proxy = { proxyName: this.name, pairId: client.id, leg: 'client' }
    this.owner.adopt(client)
    if (!this.settings.listenTls) this.dial(client, index)
  }

  private dial(client: LabConnection, index: number): void {
    const up = this.settings.upstream
    const upTls = up.kind === 'tcp' ? this.settings.upstreamTls : null
    const raw =
      up.kind === 'unix'
        ? net.connect({ path: up.path, allowHalfOpen: true })
        : net.connect({ host: up.host, port: up.port, allowHalfOpen: true })
    if (!upTls) raw.pause()
    raw.setNoDelay(true)
    // The socket to destroy if the dial is given up: the TLS socket once its handshake started.
    let socket: net.Socket = raw
    this.dialing.set(client, raw)
    const timer = setTimeout(
      () => fail(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
      UPSTREAM_CONNECT_TIMEOUT_MS
    )
    timer.unref()
    let handshaking = false
    const settle = (): boolean => {
      clearTimeout(timer)
      raw.removeAllListeners('connect')
      raw.removeListener('error', fail)
      socket.removeListener('error', fail)
      return this.dialing.delete(client)
    }
    const fail = (err: NodeJS.ErrnoException): void => {
      if (!settle()) return
      socket.destroy()
      raw.destroy()
      let words: string
      if (handshaking && upTls && up.kind === 'tcp') words = upstreamTlsWords(err, up.host, upTls)
      else {
        const f = describeSocketError(err, {
          op: 'connect',
          host: up.kind === 'unix' ? `unix:${up.path}` : up.host,
          port: up.kind === 'tcp' ? up.port : undefined
        })
        words = `${f.message}${f.hint ? `. ${f.hint}` : ''}`
      }
      client.error = `Upstream ${this.settings.upstreamText}: ${words}`
      if (this.settings.onUpstreamFailure === 'reset') client.reset('lab-reset')
      else client.close('lab-close')
    }
    // A client that leaves while its upstream is being dialled takes the dial with it.
    client.handlers = {
      onData() {},
      onPeerEnd() {},
      onClose: () => {
        if (settle()) {
          socket.destroy()
          raw.destroy()
        }
      }
    }
    const connected = (): void => {
      if (!settle()) {
        socket.destroy()
        return
      }
      const tlsUp = socket !== raw ? (socket as tls.TLSSocket) : null
      const upstream = new LabConnection({
        id: this.owner.nextConnectionId(),
        serverId: null,
        origin: 'outgoing',
        socket,
        budget: this.owner.budget,
        owner: this.owner,
        unixPath: up.kind === 'unix' ? up.path : undefined,
        ...(tlsUp ? { kind: 'tls' as const, wire: raw } : {})
      })
      if (tlsUp && upTls && up.kind === 'tcp') upstream.tls = clientTlsFacts(tlsUp, up.host, upTls)
      upstream.relay = true
      upstream.proxy = { proxyName: this.name, pairId: client.id, leg: 'upstream' }
      this.owner.adopt(upstream)
      const pair = new ProxyPair(client, upstream, index, this.toxics, (p) => this.pairs.delete(p), this.responders)
      this.pairs.add(pair)
      client.activate()
      client.holdReading(false)
    }
    raw.once('error', fail)
    raw.once('connect', () => {
      if (!upTls || up.kind !== 'tcp') return connected()
      // TLS to the upstream: the handshake runs on the connected TCP socket, still within the connect timeout.
      handshaking = true
      raw.removeListener('error', fail)
      const t = startTlsClient(raw, up.host, upTls)
      t.pause()
      socket = t
      this.dialing.set(client, t)
      t.once('error', fail)
      t.once('secureConnect', connected)
    })
  }
}
