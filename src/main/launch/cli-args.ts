import { LISTEN_FORMS, parseListenSpec } from '@shared/listen-spec'
import type { ListenRequest } from '@shared/listen-spec'
import { BEHAVIOURS } from '@shared/model'
import { parseApiAddress, parseProxySpec, PROXY_FORM } from '@shared/proxy-spec'
import type { ProxySpec } from '@shared/proxy-spec'

/** The browser UI's default port: fixed so an `ssh -L 7357:127.0.0.1:7357` recipe keeps working. */
export const DEFAULT_UI_PORT = 7357
/** The browser UI's default address: this machine only. */
export const DEFAULT_UI_HOST = '127.0.0.1'

/** What the command line asks for (desktop app and `tcp-lab web` alike). */
export interface CliOptions {
  /** `web` for browser mode; null when no command word was given (the desktop app). */
  command: 'web' | null
  /** Servers to start at launch, in order. */
  listen: ListenRequest[]
  /** Proxies to start at launch, in order. */
  proxies: ProxySpec[]
  /** Where to serve the Toxiproxy-compatible API; null = off. */
  toxiproxyApi: { host: string; port: number } | null
  /** `--workspace FILE`: where the lab keeps its setup; null = the desktop app's default, or nothing in browser mode. */
  workspace: string | null
  uiHost: string
  uiPort: number
  help: boolean
  /** `--record DIR`: record every connection to a new pcapng file in DIR from launch. */
  record?: string
}

/** Parsed arguments, or one sentence about the first bad one. */
export type CliArgsResult = { ok: true; value: CliOptions } | { ok: false; error: string }

/** How to parse: the desktop app ignores what it does not know (Electron and Chromium add switches). */
export interface CliParseOptions {
  strict?: boolean
}

/** `tcp-lab --help`. */
export const USAGE = `Usage: tcp-lab web [options]

Runs TCP Lab headless and serves its UI to a browser. Prints the URL to open,
with a one-time token: TCP Lab UI: http://127.0.0.1:${DEFAULT_UI_PORT}/#token=...

Options:
  --listen [BEHAVIOUR@]ADDRESS  Start a server at launch (repeatable).
                                ADDRESS is ${LISTEN_FORMS.replace(', optionally prefixed by BEHAVIOUR@', '')}.
                                BEHAVIOUR (default echo) is one of
                                ${BEHAVIOURS.slice(0, 5).join(', ')},
                                ${BEHAVIOURS.slice(5).join(', ')}.
                                Examples: --listen 9000,
                                --listen chat@0.0.0.0:9001, --listen http@[::1]:8080,
                                --listen echo@udp:127.0.0.1:9000 (UDP),
                                --listen http@tls:127.0.0.1:8443 (TLS, self-signed)
  --proxy ${PROXY_FORM}
                                Start a proxy at launch (repeatable): every client of
                                LISTEN is paired with a new connection to UPSTREAM.
                                LISTEN/UPSTREAM: HOST:PORT, [IPV6]:PORT, PORT or unix:PATH.
                                tls: before LISTEN terminates TLS there (self-signed
                                certificate, its file is printed); tls: before UPSTREAM
                                opens TLS to it (certificate verified, SNI = its name).
                                Example: --proxy redis=127.0.0.1:26379=127.0.0.1:6379,
                                --proxy web=tls:127.0.0.1:8443=127.0.0.1:8080
  --toxiproxy-api [HOST:]PORT   Serve Toxiproxy's HTTP API (off unless given; HOST
                                defaults to 127.0.0.1), e.g. --toxiproxy-api 8474
  --workspace FILE              Keep the lab's setup in FILE (JSON): servers, outgoing clients,
                                proxies, saved payloads and sequences are restored from it at
                                start and saved to it on every change. Without --workspace,
                                browser mode keeps nothing: everything is gone when it exits.
                                Servers from --listen run but are not saved into the file.
  --ui-host HOST                Address the UI listens on (default ${DEFAULT_UI_HOST}).
                                Anything but a loopback address exposes the lab to
                                your network: anyone with the URL can open sockets here.
  --ui-port PORT                Port of the UI (default ${DEFAULT_UI_PORT}; 0 = any free port).
  --record DIR                  Record everything the lab sees, in full, to a new
                                pcapng file in DIR (made if missing; never overwrites),
                                up to a disk budget of 1 GiB; stop it from the UI.
  -h, --help                    Show this help.

Remote machine: run it there, then on your computer
  ssh -L ${DEFAULT_UI_PORT}:127.0.0.1:${DEFAULT_UI_PORT} user@host
and open the printed URL locally. Ctrl-C stops every server and exits.

The desktop app takes --listen, --proxy, --toxiproxy-api, --workspace and --record too: npm start -- --listen 9000
(it keeps its workspace in its user-data folder, workspace.json, unless --workspace is given).
`

function takeValue(argv: readonly string[], i: number, flag: string): { value: string; next: number } | string {
  const arg = argv[i]
  const eq = arg.indexOf('=')
  if (eq >= 0) return { value: arg.slice(eq + 1), next: i + 1 }
  const value = argv[i + 1]
  if (value === undefined || (value.startsWith('--') && value.length > 2)) return `${flag} needs a value`
  return { value, next: i + 2 }
}

/** Parses command-line arguments (without the node/electron executable and script path). */
export function parseCliArgs(argv: readonly string[], { strict = true }: CliParseOptions = {}): CliArgsResult {
  const options: CliOptions = {
    command: null,
    listen: [],
    proxies: [],
    toxiproxyApi: null,
    workspace: null,
    uiHost: DEFAULT_UI_HOST,
    uiPort: DEFAULT_UI_PORT,
    help: false
  }
  let i = 0
  // Bounded: every branch advances i by at least one.
  while (i < argv.length) {
    const arg = argv[i]
    const flag = arg.startsWith('--') ? arg.split('=')[0] : arg
    if (flag === '--help' || flag === '-h') {
      options.help = true
      i++
    } else if (flag === '--proxy' || flag === '--toxiproxy-api') {
      const taken = takeValue(argv, i, flag)
      if (typeof taken === 'string') return { ok: false, error: taken }
      i = taken.next
      if (flag === '--proxy') {
        const parsed = parseProxySpec(taken.value)
        if (!parsed.ok) return parsed
        if (options.proxies.some((p) => p.name === parsed.value.name))
          return { ok: false, error: `--proxy: the name ${parsed.value.name} is used twice` }
        options.proxies.push(parsed.value)
      } else {
        const parsed = parseApiAddress(taken.value)
        if (!parsed.ok) return parsed
        options.toxiproxyApi = parsed.value
      }
    } else if (flag === '--workspace') {
      const taken = takeValue(argv, i, flag)
      if (typeof taken === 'string') return { ok: false, error: taken }
      i = taken.next
      if (taken.value.trim() === '' || taken.value.includes('\0'))
        return { ok: false, error: '--workspace needs a file name' }
      if (options.workspace !== null)
        return { ok: false, error: '--workspace is given twice; a lab keeps one workspace' }
      options.workspace = taken.value
    } else if (flag === '--listen' || flag === '--ui-host' || flag === '--ui-port' || flag === '--record') {
      const taken = takeValue(argv, i, flag)
      if (typeof taken === 'string') return { ok: false, error: taken }
      i = taken.next
      if (flag === '--record') {
        if (taken.value.trim() === '' || taken.value.includes('\0'))
          return { ok: false, error: `--record needs a folder, not ${JSON.stringify(taken.value)}` }
        options.record = taken.value
      } else if (flag === '--listen') {
        const parsed = parseListenSpec(taken.value)
        if (!parsed.ok) return parsed
        options.listen.push(parsed.value)
      } else if (flag === '--ui-host') {
        const host = taken.value.trim().replace(/^\[(.*)\]$/, '$1')
        if (host === '' || /[\s/@]/.test(host))
          return { ok: false, error: `--ui-host ${JSON.stringify(taken.value)} is not a host name or address` }
        options.uiHost = host
      } else {
        if (!/^\d{1,5}$/.test(taken.value) || Number(taken.value) > 65535) {
          return {
            ok: false,
            error: `--ui-port must be a whole number from 0 to 65535, not ${JSON.stringify(taken.value)}`
          }
        }
        options.uiPort = Number(taken.value)
      }
    } else if (arg === 'web' && options.command === null && strict) {
      options.command = 'web'
      i++
    } else if (strict) {
      return { ok: false, error: `Unknown argument ${JSON.stringify(arg)}; see --help` }
    } else {
      i++
    }
  }
  return { ok: true, value: options }
}

/** Whether an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
}
