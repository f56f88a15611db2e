import type { CommandInput } from './contract'
import { BEHAVIOURS } from './model'
import type { Behaviour } from './model'
import { splitTransport } from './transport-prefix'

/** The `server:start` input a `--listen` value stands for. */
export type ListenRequest = CommandInput<'server:start'> & { host: string; behaviour: Behaviour }

/** A parsed `--listen` value, or a sentence saying what is wrong with it. */
export type ListenSpecResult = { ok: true; value: ListenRequest } | { ok: false; error: string }

/** The forms `--listen` accepts, for error messages and `--help`. */
export const LISTEN_FORMS =
  'PORT, HOST:PORT, [IPV6]:PORT or unix:PATH, optionally prefixed by BEHAVIOUR@; udp: or tls: before the address picks the protocol'

const DEFAULT_HOST = '127.0.0.1'

function fail(spec: string, why: string): ListenSpecResult {
  return { ok: false, error: `--listen ${JSON.stringify(spec)}: ${why}` }
}

function parsePort(text: string): number | string {
  if (!/^\d{1,5}$/.test(text)) return `port must be a whole number from 0 to 65535, not ${JSON.stringify(text)}`
  const port = Number(text)
  if (port > 65535) return `port must be a whole number from 0 to 65535, not ${port}`
  return port
}

/**
 * Parses `[BEHAVIOUR@][udp:|tls:]ADDRESS` where ADDRESS is `PORT`, `HOST:PORT`, `[IPV6]:PORT` or `unix:PATH`
 * (e.g. `9000`, `chat@0.0.0.0:9001`, `http@[::1]:8080`, `echo@udp:127.0.0.1:9000`, `http@tls:8443`);
 * BEHAVIOUR defaults to `echo`, HOST to 127.0.0.1, the protocol to tcp.
 */
export function parseListenSpec(spec: string): ListenSpecResult {
  const text = spec.trim()
  if (text === '') return fail(spec, `expected ${LISTEN_FORMS}`)

  let behaviour: Behaviour = 'echo'
  let address = text
  // Only a name-like prefix is a behaviour, so an `@` inside a unix path stays part of the path.
  const prefixed = /^([A-Za-z][\w-]*)@(.*)$/.exec(text)
  if (prefixed && !text.startsWith('unix:')) {
    const name = prefixed[1].toLowerCase()
    if (!(BEHAVIOURS as readonly string[]).includes(name)) {
      return fail(spec, `unknown behaviour ${JSON.stringify(prefixed[1])}; choose one of ${BEHAVIOURS.join(', ')}`)
    }
    behaviour = name as Behaviour
    address = prefixed[2]
  }

  // `udp:ADDRESS` / `tls:ADDRESS` (and an explicit `tcp:`) pick the transport; the address keeps its forms.
  const { protocol, rest } = splitTransport(address)
  if (protocol !== null) {
    if (rest.startsWith('unix:')) return fail(spec, `${protocol}: needs an IP address and port, not a unix: path`)
    if (rest === '') return fail(spec, `an address is missing after "${protocol}:"; e.g. ${protocol}:127.0.0.1:9000`)
    const inner = parseListenSpec(`${behaviour}@${rest}`)
    if (!inner.ok) return fail(spec, inner.error.replace(/^--listen "[^"]*": /, ''))
    if (protocol === 'tcp') return inner
    return { ok: true, value: { ...inner.value, protocol } }
  }

  if (address.startsWith('unix:')) {
    const path = address.slice(5)
    if (path === '') return fail(spec, 'unix: needs a socket path, e.g. unix:/tmp/lab.sock')
    if (path.includes('\0')) return fail(spec, 'a socket path cannot contain a NUL byte')
    return { ok: true, value: { host: address, behaviour } }
  }

  if (address === '') return fail(spec, `an address is missing after "@"; expected ${LISTEN_FORMS}`)

  if (/^\d+$/.test(address)) {
    const port = parsePort(address)
    if (typeof port === 'string') return fail(spec, port)
    return { ok: true, value: { host: DEFAULT_HOST, port, behaviour } }
  }

  let host: string
  let portText: string
  if (address.startsWith('[')) {
    const m = /^\[([^\]]*)\]:(.*)$/.exec(address)
    if (!m) return fail(spec, 'an IPv6 address is written [ADDRESS]:PORT, e.g. [::1]:8080')
    if (!m[1].includes(':')) return fail(spec, `${JSON.stringify(m[1])} in brackets is not an IPv6 address`)
    host = m[1]
    portText = m[2]
  } else {
    const colon = address.lastIndexOf(':')
    if (colon < 0) return fail(spec, `expected ${LISTEN_FORMS}`)
    host = address.slice(0, colon)
    portText = address.slice(colon + 1)
    if (host.includes(':')) {
      return fail(spec, `write an IPv6 address in brackets, e.g. [${host}]:${portText}`)
    }
  }
  if (host === '') return fail(spec, 'the host before ":" is empty; give one or write just the port')
  if (/[\s/@]/.test(host)) return fail(spec, `${JSON.stringify(host)} is not a host name or address`)
  if (host.length > 255) return fail(spec, 'the host is too long')
  if (portText === '') return fail(spec, 'the port after ":" is missing')
  const port = parsePort(portText)
  if (typeof port === 'string') return fail(spec, port)
  return { ok: true, value: { host, port, behaviour } }
}
