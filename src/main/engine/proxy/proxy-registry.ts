import type { CommandRequest, CommandValue } from '@shared/contract'
import type { ProxyAddress, ProxyInfo, ToxicInfo } from '@shared/proxy-model'
import { parseProxyAddress, toxicAttributeSchemas } from '@shared/proxy-model'
import { describeIssues } from '@shared/contract'
import { LabFailure } from '../errors'
import { LabProxy } from './lab-proxy'
import type { ProxyOwner } from './lab-proxy'
import { validateCondition } from './condition'
import { DirectionResponder } from './proxy-responder'
import { resolveSideTls, upstreamTextFor, withTlsFlag } from './proxy-tls'

/** Most proxies one lab runs at once. */
export const MAX_PROXIES = 256
/** Most faults one proxy has at once. */
export const MAX_TOXICS_PER_PROXY = 32

/** What the registry reports to the lab. */
export interface ProxyRegistryOwner extends ProxyOwner {
  proxyChanged(info: ProxyInfo): void
  proxyRemoved(name: string): void
}

function address(text: string, what: 'listen' | 'upstream'): ProxyAddress {
  const a = parseProxyAddress(text, what)
  if (typeof a === 'string') throw new LabFailure('invalid', a)
  return a
}

/** Every proxy of a lab, by name, and the `proxy:*` / `toxic:*` commands. */
export class ProxyRegistry {
  private readonly proxies = new Map<string, LabProxy>()

  constructor(private readonly owner: ProxyRegistryOwner) {}

  /** `proxy:create`. */
  async create(req: CommandRequest<'proxy:create'>): Promise<CommandValue<'proxy:create'>> {
    if (this.proxies.has(req.name))
      throw new LabFailure(
        'exists',
        'proxy already exists',
        `A proxy named ${req.name} exists; pick another name or update it.`
      )
    if (this.proxies.size >= MAX_PROXIES) throw new LabFailure('too-many', `A lab runs at most ${MAX_PROXIES} proxies`)
    const listen = address(req.listen, 'listen')
    const upstream = address(req.upstream, 'upstream')
    const listenTls = resolveSideTls('listen', listen, req.listenTls, null, true, {})
    const upstreamTls = resolveSideTls('upstream', upstream, req.upstreamTls, null, true, { verify: true })
    const proxy = new LabProxy(
      {
        name: req.name,
        listen: withTlsFlag(listen, listenTls !== null),
        upstream: withTlsFlag(upstream, upstreamTls !== null),
        upstreamText: upstreamTextFor(req.upstream, upstreamTls !== null),
        onUpstreamFailure: req.onUpstreamFailure,
        listenTls,
        upstreamTls
      },
      this.owner
    )
    // A certificate that cannot be used is refused now, even for a proxy created disabled.
    if (listenTls) await proxy.listenIdentity.prepare(listenTls)
    if (req.enabled) await proxy.start()
    // Checked again: another create of the same name may have finished while this one was binding.
    if (this.proxies.has(req.name)) {
      proxy.stop()
      throw new LabFailure('exists', 'proxy already exists')
    }
    this.proxies.set(req.name, proxy)
    return this.changed(proxy)
  }

  /**
   * `proxy:update`: a new listen address or upstream restarts the proxy (its connections close), as in Toxiproxy;
   * so does turning TLS on or off on a side, or a new certificate. New upstream TLS options alone apply to new pairs.
   */
  async update(req: CommandRequest<'proxy:update'>): Promise<CommandValue<'proxy:update'>> {
    const proxy = this.get(req.name)
    const before = proxy.settings
    const listen = req.listen !== undefined ? address(req.listen, 'listen') : before.listen
    const upstream = req.upstream !== undefined ? address(req.upstream, 'upstream') : before.upstream
    const listenTls = resolveSideTls('listen', listen, req.listenTls, before.listenTls, req.listen !== undefined, {})
    const upstreamTls = resolveSideTls(
      'upstream',
      upstream,
      req.upstreamTls,
      before.upstreamTls,
      req.upstream !== undefined,
      {
        verify: true
      }
    )
    const upstreamText = upstreamTextFor(req.upstream ?? before.upstreamText, upstreamTls !== null)
    const current = proxy.info()
    const listenTextChanged =
      req.listen !== undefined && upstreamTextFor(req.listen, false) !== upstreamTextFor(current.listen, false)
    const listenTlsChanged = (listenTls !== null) !== (before.listenTls !== null) || (req.listenTls ?? null) !== null
    const listenChanged = listenTextChanged || listenTlsChanged
    const upstreamChanged = upstreamText !== before.upstreamText
    // A new certificate is loaded (or made) before anything stops, so a bad one changes nothing.
    const identity = listenTlsChanged && listenTls !== null ? proxy.newIdentity() : null
    if (identity && listenTls) await identity.prepare(listenTls)
    const enable = req.enabled ?? proxy.enabled
    if (req.onUpstreamFailure) proxy.settings.onUpstreamFailure = req.onUpstreamFailure
    if (listenChanged || upstreamChanged) {
      const settingsBefore = proxy.settings
      const identityBefore = proxy.listenIdentity
      const wasEnabled = proxy.enabled
      proxy.stop()
      proxy.settings = {
        ...settingsBefore,
        listen: withTlsFlag(listen, listenTls !== null),
        upstream: withTlsFlag(upstream, upstreamTls !== null),
        upstreamText,
        listenTls,
        upstreamTls
      }
      if (identity) proxy.listenIdentity = identity
      if (listenTextChanged) proxy.forgetBound()
      if (enable) {
        try {
          await proxy.start()
        } catch (err) {
          // The new address failed: go back to the old one, so a failure changes nothing but the closed connections.
          proxy.settings = settingsBefore
          proxy.listenIdentity = identityBefore
          if (wasEnabled) await proxy.start().catch(() => undefined)
          this.changed(proxy)
          throw err
        }
      }
    } else {
      proxy.settings = { ...proxy.settings, upstreamTls }
      if (enable && !proxy.enabled) await proxy.start()
      else if (!enable && proxy.enabled) proxy.stop()
    }
    return this.changed(proxy)
  }

  /** `proxy:certificate`: a TLS-terminating proxy's certificate and key as PEM (the workspace keeps them). */
  certificate(req: CommandRequest<'proxy:certificate'>): CommandValue<'proxy:certificate'> {
    const proxy = this.get(req.name)
    const identity = proxy.settings.listenTls ? proxy.listenIdentity.identity : null
    if (!identity) {
      throw new LabFailure(
        'not-tls',
        `Proxy ${req.name} does not terminate TLS`,
        'Only a proxy listening on tls:HOST:PORT has a certificate (it is made or loaded when the proxy starts).'
      )
    }
    return { certPem: identity.certPem, keyPem: identity.keyPem, certPath: proxy.info().certificate?.certPath ?? null }
  }

  /** `proxy:delete`. */
  delete(req: CommandRequest<'proxy:delete'>): CommandValue<'proxy:delete'> {
    const proxy = this.get(req.name)
    proxy.stop()
    this.proxies.delete(req.name)
    this.owner.proxyRemoved(req.name)
    return {}
  }

  /** `proxy:list`. */
  list(): CommandValue<'proxy:list'> {
    return { proxies: this.infos() }
  }

  /** Every proxy's wire form, by name. */
  infos(): ProxyInfo[] {
    return [...this.proxies.values()].map((p) => p.info()).sort((a, b) => a.name.localeCompare(b.name))
  }

  /** `proxy:reset`: every fault removed, every proxy enabled (Toxiproxy's /reset). */
  async reset(): Promise<CommandValue<'proxy:reset'>> {
    for (const proxy of this.proxies.values()) {
      for (const t of [...proxy.toxics]) this.removeToxicFrom(proxy, t.name)
      if (!proxy.enabled) await proxy.start()
      this.changed(proxy)
    }
    return {}
  }

  /** `toxic:add`: applies to live connections too. */
  addToxic(req: CommandRequest<'toxic:add'>): CommandValue<'toxic:add'> {
    const proxy = this.get(req.proxy)
    const t = req.toxic
    const name = t.name && t.name.length > 0 ? t.name : `${t.type}_${t.stream}`
    if (proxy.toxics.some((x) => x.name === name))
      throw new LabFailure('exists', 'toxic already exists', `Proxy ${proxy.name} has a toxic named ${name}.`)
    if (proxy.toxics.length >= MAX_TOXICS_PER_PROXY)
      throw new LabFailure('too-many', `A proxy has at most ${MAX_TOXICS_PER_PROXY} toxics`)
    validateCondition(t.condition)
    const toxic: ToxicInfo = {
      name,
      type: t.type,
      stream: t.stream,
      toxicity: t.toxicity,
      attributes: this.attributes(t.type, t.attributes),
      ...(t.condition ? { condition: t.condition } : {})
    }
    proxy.toxics.push(toxic)
    for (const pair of proxy.pairs) pair.addToxic(toxic)
    this.changed(proxy)
    return toxic
  }

  /** `toxic:update`: attributes merge over the current ones, as in Toxiproxy. */
  updateToxic(req: CommandRequest<'toxic:update'>): CommandValue<'toxic:update'> {
    const proxy = this.get(req.proxy)
    const i = proxy.toxics.findIndex((x) => x.name === req.name)
    if (i < 0)
      throw new LabFailure('not-found', 'toxic not found', `Proxy ${proxy.name} has no toxic named ${req.name}.`)
    const old = proxy.toxics[i]
    if (req.condition) validateCondition(req.condition)
    const next: ToxicInfo = {
      ...old,
      toxicity: req.toxicity ?? old.toxicity,
      attributes: this.attributes(old.type, { ...old.attributes, ...req.attributes })
    }
    if (req.condition === null) delete next.condition
    else if (req.condition !== undefined) next.condition = req.condition
    proxy.toxics[i] = next
    for (const pair of proxy.pairs) pair.updateToxic(next, next.toxicity !== old.toxicity)
    this.changed(proxy)
    return next
  }

  /** `toxic:remove`. */
  removeToxic(req: CommandRequest<'toxic:remove'>): CommandValue<'toxic:remove'> {
    const proxy = this.get(req.proxy)
    if (!proxy.toxics.some((x) => x.name === req.name))
      throw new LabFailure('not-found', 'toxic not found', `Proxy ${proxy.name} has no toxic named ${req.name}.`)
    this.removeToxicFrom(proxy, req.name)
    this.changed(proxy)
    return {}
  }

  /** `proxy:respond`: sets, replaces or (null) clears one direction's responder, on open pairs and new ones. */
  respond(req: CommandRequest<'proxy:respond'>): CommandValue<'proxy:respond'> {
    const proxy = this.get(req.proxy)
    proxy.setResponder(req.stream, req.responder ? new DirectionResponder(req.responder) : null)
    return this.changed(proxy)
  }

  /** Closes every proxy (the lab shuts down). */
  dispose(): void {
    for (const p of this.proxies.values()) p.stop()
    this.proxies.clear()
  }

  private removeToxicFrom(proxy: LabProxy, name: string): void {
    const i = proxy.toxics.findIndex((x) => x.name === name)
    if (i < 0) return
    const [toxic] = proxy.toxics.splice(i, 1)
    for (const pair of [...proxy.pairs]) pair.removeToxic(toxic)
  }

  private attributes(type: ToxicInfo['type'], raw: Record<string, number>): Record<string, number> {
    const parsed = toxicAttributeSchemas[type].safeParse(raw)
    if (!parsed.success) throw new LabFailure('invalid', `${type}: ${describeIssues(parsed.error)}`)
    return parsed.data as Record<string, number>
  }

  private get(name: string): LabProxy {
    const p = this.proxies.get(name)
    if (!p) throw new LabFailure('not-found', 'proxy not found', `There is no proxy named ${name}.`)
    return p
  }

  private changed(proxy: LabProxy): ProxyInfo {
    const info = proxy.info()
    this.owner.proxyChanged(info)
    return info
  }
}
