import net from 'node:net'
import type { ProxyAddress, ProxyInfo, ToxicInfo, ToxicStream } from '@shared/proxy-model'
import { formatProxyAddress } from '@shared/proxy-model'
import { LabConnection } from '../lab-connection'
import type { ServerOwner } from '../tcp-server'
import { describeSocketError } from '../errors'
import { ProxyPair } from './proxy-pair'
import type { DirectionResponder } from './proxy-responder'

/** How long a new client waits for its upstream connection before it is closed (or reset). */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000

/** What a proxy needs from the lab that owns it. */
export type ProxyOwner = ServerOwner

/** A proxy's settings as the registry keeps them. */
export interface ProxySettings {
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
  private server: net.Server | null = null
  private bound: ProxyAddress | null = null
  accepted = 0

  constructor(
    public settings: ProxySettings,
    private readonly owner: ProxyOwner
  ) {}

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
  }

  /** Closes the listener and every connection of the proxy (Toxiproxy's "disabled"). */
  stop(): void {
    const server = this.server
    this.server = null
    server?.close()
    for (const [client, socket] of this.dialing) {
      socket.destroy()
      client.close('lab-close')
    }
    this.dialing.clear()
    for (const p of [...this.pairs]) p.close()
  }

  /** Forgets the bound port: the next start listens on the requested address again. */
  forgetBound(): void {
    this.bound = null
  }

  /** The wire form (Toxiproxy's shape plus the lab's fields). */
  info(): ProxyInfo {
    return {
      name: this.name,
      listen: formatProxyAddress(this.bound ?? this.settings.listen),
      upstream: this.settings.upstreamText,
      enabled: this.enabled,
      toxics: this.toxics.map((t) => ({ ...t, attributes: { ...t.attributes } })),
      onUpstreamFailure: this.settings.onUpstreamFailure,
      accepted: this.accepted,
      open: this.pairs.size + this.dialing.size,
      ...this.respondersInfo()
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

  private onClient(socket: net.Socket): void {
    socket.setNoDelay(true)
    const unixPath = this.settings.listen.kind === 'unix' ? this.settings.listen.path : undefined
    const client = new LabConnection({
      id: this.owner.nextConnectionId(),
      serverId: null,
      origin: 'accepted',
      socket,
      budget: this.owner.budget,
      owner: this.owner,
      unixPath,
      // Not read until its upstream is connected: its bytes wait in the kernel.
      queued: true
    })
    client.relay = true
    client.proxy = { proxyName: this.name, pairId: client.id, leg: 'client' }
    const index = ++this.accepted
    this.owner.adopt(client)
    this.dial(client, index)
  }

  private dial(client: LabConnection, index: number): void {
    const up = this.settings.upstream
    const socket =
      up.kind === 'unix'
        ? net.connect({ path: up.path, allowHalfOpen: true })
        : net.connect({ host: up.host, port: up.port, allowHalfOpen: true })
    socket.pause()
    socket.setNoDelay(true)
    this.dialing.set(client, socket)
    const timer = setTimeout(
      () => fail(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
      UPSTREAM_CONNECT_TIMEOUT_MS
    )
    timer.unref()
    const settle = (): boolean => {
      clearTimeout(timer)
      socket.removeAllListeners('connect')
      socket.removeAllListeners('error')
      return this.dialing.delete(client)
    }
    const fail = (err: unknown): void => {
      if (!settle()) return
      socket.destroy()
      const f = describeSocketError(err, {
        op: 'connect',
        host: up.kind === 'unix' ? `unix:${up.path}` : up.host,
        port: up.kind === 'tcp' ? up.port : undefined
      })
      client.error = `Upstream ${this.settings.upstreamText}: ${f.message}${f.hint ? `. ${f.hint}` : ''}`
      if (this.settings.onUpstreamFailure === 'reset') client.reset('lab-reset')
      else client.close('lab-close')
    }
    // A client that leaves while its upstream is being dialled takes the dial with it.
    client.handlers = {
      onData() {},
      onPeerEnd() {},
      onClose: () => {
        if (settle()) socket.destroy()
      }
    }
    socket.once('error', fail)
    socket.once('connect', () => {
      if (!settle()) return socket.destroy()
      const upstream = new LabConnection({
        id: this.owner.nextConnectionId(),
        serverId: null,
        origin: 'outgoing',
        socket,
        budget: this.owner.budget,
        owner: this.owner,
        unixPath: up.kind === 'unix' ? up.path : undefined
      })
      upstream.relay = true
      upstream.proxy = { proxyName: this.name, pairId: client.id, leg: 'upstream' }
      this.owner.adopt(upstream)
      const pair = new ProxyPair(client, upstream, index, this.toxics, (p) => this.pairs.delete(p), this.responders)
      this.pairs.add(pair)
      client.activate()
    })
  }
}
