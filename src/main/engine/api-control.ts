import type { Result, UiPrefs } from '@shared/contract'
import type { ApiConfigure, ApiStatus } from '@shared/api-settings'
import { API_PREFS, DEFAULT_API_LISTEN } from '@shared/api-settings'
import { hostPort } from '@shared/endpoint-format'
import type { LabEvent } from '@shared/model'
import { parseApiAddress } from '@shared/proxy-spec'
import { LabFailure } from './errors'
import type { CommandSource } from './workspace/restore'

/** A running API server (the HTTP front in src/main/api serves it; the engine only owns its lifetime). */
export interface ApiServer {
  host: string
  port: number
  close(): Promise<void>
}

/** What the API server runs commands against. */
export interface ApiCommands {
  run(name: unknown, payload: unknown): Promise<Result<unknown>>
}

/** Starts the API server on HOST:PORT (rejects with the listen error, e.g. EADDRINUSE). */
export type ServeApi = (hub: ApiCommands, host: string, port: number) => Promise<ApiServer>

/** What the control needs from its hub. */
export interface ApiControlHost {
  /** The HTTP front, when this lab has one (both front doors pass it; a bare engine does not). */
  serve?: ServeApi
  commands: ApiCommands
  publish(event: LabEvent): void
  /** Remembers the switch in the workspace's UI preferences. */
  savePrefs(ui: UiPrefs): Promise<void>
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
}

/** Why a bind failed, in words. */
function bindFailure(host: string, port: number, err: unknown): LabFailure {
  const e = err as NodeJS.ErrnoException
  const where = `Cannot serve the Toxiproxy API on ${hostPort(host, port)}`
  if (e?.code === 'EADDRINUSE')
    return new LabFailure(
      'address-in-use',
      `${where}: port ${port} is already in use (is a Toxiproxy server running?)`,
      'Stop whatever holds it, or choose another port. Nothing was changed.'
    )
  if (e?.code === 'EACCES')
    return new LabFailure('permission-denied', `${where}: permission denied`, 'Ports below 1024 need privileges.')
  if (e?.code === 'EADDRNOTAVAIL')
    return new LabFailure('address-not-available', `${where}: this machine has no such address`)
  return new LabFailure('listen-failed', `${where}: ${`${e?.code ?? ''} ${e?.message ?? String(err)}`.trim()}`)
}

/**
 * Owns the Toxiproxy-compatible API's lifetime for every front door: `--toxiproxy-api`, the window's switch and the
 * workspace preference all go through `configure`. A failed bind changes nothing (the old server keeps serving);
 * every change is published as `api.updated` so all windows and pages agree.
 */
export class ApiControl {
  private server: ApiServer | null = null
  private state: ApiStatus
  private chain: Promise<unknown> = Promise.resolve()
  private disposed = false
  // The address last asked for (`127.0.0.1:0` stays so, while `listen` shows the port it got).
  private asked: string | null = null

  constructor(private readonly host: ApiControlHost) {
    this.state = { available: host.serve !== undefined, enabled: false }
  }

  /** The current status. */
  status(): ApiStatus {
    return { ...this.state }
  }

  /** Switches the API on (at `listen`, default the last address or 127.0.0.1:8474) or off; one change at a time. */
  configure(req: ApiConfigure, source: CommandSource): Promise<ApiStatus> {
    const next = this.chain.then(() => this.apply(req, source))
    this.chain = next.catch(() => undefined)
    return next
  }

  /** At start: switches the API on as the workspace remembers, unless the command line already decided. */
  async restore(ui: UiPrefs): Promise<string | null> {
    if (ui[API_PREFS.enabled] !== true || this.state.source === 'cli' || this.state.enabled) return null
    const listen = typeof ui[API_PREFS.listen] === 'string' ? (ui[API_PREFS.listen] as string) : undefined
    try {
      await this.configure({ enabled: true, ...(listen ? { listen } : {}) }, 'workspace')
      return null
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      // Still wanted (the preference stays on), but not listening: every window says why.
      this.set({
        available: this.state.available,
        enabled: false,
        listen: listen ?? DEFAULT_API_LISTEN,
        error: message
      })
      return message
    }
  }

  /** Stops the server (the lab is closing). */
  async dispose(): Promise<void> {
    this.disposed = true
    await this.chain
    const s = this.server
    this.server = null
    await s?.close()
  }

  private async apply(req: ApiConfigure, source: CommandSource): Promise<ApiStatus> {
    if (this.disposed) throw new LabFailure('closed', 'The lab is closing')
    const text = req.listen ?? this.asked ?? this.state.listen ?? DEFAULT_API_LISTEN
    const parsed = parseApiAddress(text)
    if (!parsed.ok)
      throw new LabFailure(
        'invalid',
        `Toxiproxy API address ${JSON.stringify(text.slice(0, 60))}: expected PORT or HOST:PORT, e.g. 8474 or 127.0.0.1:8474`,
        'Nothing was changed.'
      )
    const { host, port } = parsed.value
    if (!req.enabled) {
      const old = this.server
      this.server = null
      await old?.close()
      this.set({ available: this.state.available, enabled: false, listen: text, source })
    } else {
      const serve = this.host.serve
      if (!serve)
        throw new LabFailure(
          'unavailable',
          'This lab has no HTTP front for the Toxiproxy API',
          'Run the desktop app or tcp-lab web.'
        )
      const old = this.server
      const same = old !== null && port !== 0 && old.port === port && sameHost(old.host, host)
      if (!same) {
        const { server, oldClosed } = await this.bind(serve, host, port, old)
        this.server = server
        if (old && !oldClosed) await old.close()
      }
      const bound = this.server as ApiServer
      this.set({
        available: true,
        enabled: true,
        listen: hostPort(bound.host, bound.port),
        source,
        ...(isLoopback(bound.host)
          ? {}
          : {
              warning: `Not on loopback: anyone who can reach ${hostPort(bound.host, bound.port)} can open ports here`
            })
      })
    }
    this.asked = text
    if (source === 'ui') await this.host.savePrefs({ [API_PREFS.enabled]: req.enabled, [API_PREFS.listen]: text })
    return this.status()
  }

  /** Binds the new server; when the old one holds the same port (another host of it), it steps aside and comes back on failure. */
  private async bind(
    serve: ServeApi,
    host: string,
    port: number,
    old: ApiServer | null
  ): Promise<{ server: ApiServer; oldClosed: boolean }> {
    try {
      return { server: await serve(this.host.commands, host, port), oldClosed: false }
    } catch (err) {
      if (!old || old.port !== port || (err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE')
        throw bindFailure(host, port, err)
    }
    this.server = null
    await old.close()
    try {
      return { server: await serve(this.host.commands, host, port), oldClosed: true }
    } catch (err) {
      // Nothing changed: the old server comes back where it was.
      this.server = await serve(this.host.commands, old.host, old.port).catch(() => null)
      if (!this.server) this.set({ ...this.state, enabled: false, error: 'The old address could not be bound again' })
      throw bindFailure(host, port, err)
    }
  }

  private set(next: ApiStatus): void {
    this.state = next
    this.host.publish({ type: 'api.updated', at: Date.now(), api: this.status() })
  }
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string): string => (h.toLowerCase() === 'localhost' ? '127.0.0.1' : h.toLowerCase())
  return norm(a) === norm(b)
}
