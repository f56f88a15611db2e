import { parseProxyAddress, proxyNameSchema } from './proxy-model'

/** The `proxy:create` input a `--proxy` value stands for. */
export interface ProxySpec {
  name: string
  listen: string
  upstream: string
}

/** The form `--proxy` takes, for messages and `--help`. */
export const PROXY_FORM = 'NAME=LISTEN=UPSTREAM'

/**
 * Parses `NAME=LISTEN=UPSTREAM` (e.g. `redis=127.0.0.1:26379=127.0.0.1:6379`, `api=8080=unix:/run/api.sock`);
 * LISTEN and UPSTREAM are `HOST:PORT`, `[IPV6]:PORT`, `PORT` (127.0.0.1) or `unix:PATH`; LISTEN cannot contain `=`.
 * `tls:` before LISTEN terminates TLS there (a self-signed certificate), before UPSTREAM opens TLS to it (verified),
 * e.g. `web=tls:8443=127.0.0.1:8080`.
 */
export function parseProxySpec(spec: string): { ok: true; value: ProxySpec } | { ok: false; error: string } {
  const fail = (why: string): { ok: false; error: string } => ({
    ok: false,
    error: `--proxy ${JSON.stringify(spec.slice(0, 120))}: ${why}`
  })
  const first = spec.indexOf('=')
  const second = first < 0 ? -1 : spec.indexOf('=', first + 1)
  if (first < 0 || second < 0) return fail(`expected ${PROXY_FORM}, e.g. redis=127.0.0.1:26379=127.0.0.1:6379`)
  const name = spec.slice(0, first).trim()
  const listen = spec.slice(first + 1, second).trim()
  const upstream = spec.slice(second + 1).trim()
  const n = proxyNameSchema.safeParse(name)
  if (!n.success) return fail(n.error.issues[0]?.message ?? 'bad name')
  for (const [text, what] of [
    [listen, 'listen'],
    [upstream, 'upstream']
  ] as const) {
    const a = parseProxyAddress(text, what)
    if (typeof a === 'string') return fail(a)
  }
  return { ok: true, value: { name, listen, upstream } }
}

/** Parses `--toxiproxy-api [HOST:]PORT` (loopback 127.0.0.1 unless a host is given). */
export function parseApiAddress(
  text: string
): { ok: true; value: { host: string; port: number } } | { ok: false; error: string } {
  const a = parseProxyAddress(text, 'listen')
  if (typeof a === 'string' || a.kind === 'unix' || a.tls === true) {
    return {
      ok: false,
      error: `--toxiproxy-api ${JSON.stringify(text.slice(0, 60))}: expected PORT or HOST:PORT, e.g. 8474`
    }
  }
  return { ok: true, value: { host: a.host, port: a.port } }
}
