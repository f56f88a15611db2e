import { z } from 'zod'
import { proxyResponderInfoSchema } from './responders/proxy-schema'
import { certificateInfoSchema } from './certificate-model'
import { splitTransport } from './transport-prefix'

/** Toxiproxy's fault types, by its names. */
export const TOXIC_TYPES = [
  'latency',
  'bandwidth',
  'slicer',
  'limit_data',
  'timeout',
  'reset_peer',
  'slow_close'
] as const
/** A fault type. */
export type ToxicType = (typeof TOXIC_TYPES)[number]

/** `upstream` = client → server, `downstream` = server → client (Toxiproxy's default). */
export const toxicStreamSchema = z.enum(['upstream', 'downstream'], {
  error: 'stream was invalid, can be either upstream or downstream'
})
/** A direction of a proxy. */
export type ToxicStream = z.infer<typeof toxicStreamSchema>

const count = (what: string, max: number): z.ZodNumber =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must not be negative`)
    .max(max, `${what} is over ${max}`)

const HOUR_MS = 3_600_000

/** Each type's attributes, with Toxiproxy's names and units (missing ones are 0, as in Toxiproxy). */
export const toxicAttributeSchemas = {
  latency: z.strictObject({
    latency: count('latency (ms)', HOUR_MS).default(0),
    jitter: count('jitter (ms)', HOUR_MS).default(0)
  }),
  bandwidth: z.strictObject({ rate: count('rate (KB/s)', 10_000_000).default(0) }),
  slicer: z.strictObject({
    average_size: count('average_size (bytes)', 16 * 1024 * 1024).default(0),
    size_variation: count('size_variation (bytes)', 16 * 1024 * 1024).default(0),
    delay: count('delay (µs)', HOUR_MS * 1000).default(0)
  }),
  limit_data: z.strictObject({ bytes: count('bytes', Number.MAX_SAFE_INTEGER).default(0) }),
  timeout: z.strictObject({ timeout: count('timeout (ms)', HOUR_MS).default(0) }),
  reset_peer: z.strictObject({ timeout: count('timeout (ms)', HOUR_MS).default(0) }),
  slow_close: z.strictObject({ delay: count('delay (ms)', HOUR_MS).default(0) })
} as const satisfies Record<ToxicType, z.ZodType>

/** Attributes of any type (validated per type by the engine). */
export type ToxicAttributes = Record<string, number>

/** Longest text/hex pattern of a match condition; also the overlap kept between chunks. */
export const MATCH_PATTERN_MAX = 256
/** Most bytes one regex search looks at: the new chunk's first bytes plus the overlap. */
export const MATCH_SCAN_MAX = 64 * 1024

/** When a fault applies, beyond Toxiproxy: after N bytes, on a match, for chosen connections. All given parts must hold. */
export const toxicConditionSchema = z.strictObject({
  /** The fault starts once this many bytes passed in its direction (exactly: a chunk is split at the boundary). */
  afterBytes: count('afterBytes', Number.MAX_SAFE_INTEGER).optional(),
  /** The fault starts at the first byte of the first match in its direction. */
  match: z
    .strictObject({
      kind: z.enum(['text', 'regex', 'hex']),
      value: z
        .string()
        .min(1, 'A match needs a pattern')
        .max(MATCH_PATTERN_MAX, `A pattern is at most ${MATCH_PATTERN_MAX} characters`)
    })
    .optional(),
  /** Only the Nth connection of the proxy (1 = the first accepted). */
  nthConnection: z.number().int().min(1).optional(),
  /** Only every Nth connection (2 = the 2nd, 4th, …). */
  everyNth: z.number().int().min(1).optional(),
  /** Only this pair (its client leg's connection id), e.g. chosen from its row. */
  pairId: z.number().int().min(0).optional()
})
/** A toxic's condition. */
export type ToxicCondition = z.infer<typeof toxicConditionSchema>

/** A fault as Toxiproxy's API shows it, plus the lab's optional condition. */
export const toxicInfoSchema = z.object({
  name: z.string(),
  type: z.enum(TOXIC_TYPES),
  stream: toxicStreamSchema,
  toxicity: z.number(),
  attributes: z.record(z.string(), z.number()),
  condition: toxicConditionSchema.optional()
})
/** A fault. */
export type ToxicInfo = z.infer<typeof toxicInfoSchema>

/** A TLS-terminating proxy's certificate source as `proxy:list` shows it: files, or nothing (made at start / PEM text). */
export const proxyListenTlsInfoSchema = z.object({
  certFile: z.string().optional(),
  keyFile: z.string().optional()
})
/** A proxy's TLS towards the client, as shown. */
export type ProxyListenTlsInfo = z.infer<typeof proxyListenTlsInfoSchema>

/** A proxy's TLS client settings towards its upstream, as shown (the request form is `tlsClientOptionsSchema`). */
export const proxyUpstreamTlsInfoSchema = z.object({
  /** SNI and the name checked; absent: the upstream host when it is a name, none for an IP address. */
  servername: z.string().optional(),
  alpn: z.array(z.string()).optional(),
  /** false: the upstream's certificate is not checked (a problem is still shown on the leg). */
  verify: z.boolean(),
  /** An extra CA (PEM) trusted for the upstream, e.g. a lab TLS server's certificate. */
  caPem: z.string().optional()
})
/** A proxy's TLS towards its upstream, as shown. */
export type ProxyUpstreamTlsInfo = z.infer<typeof proxyUpstreamTlsInfoSchema>

/** A proxy in Toxiproxy's shape, plus what the lab knows. */
export const proxyInfoSchema = z.object({
  name: z.string(),
  /** The bound address (`127.0.0.1:26379`, `[::1]:80`, `unix:/path`); the requested one while disabled. */
  listen: z.string(),
  upstream: z.string(),
  enabled: z.boolean(),
  toxics: z.array(toxicInfoSchema),
  /** What a client gets when the upstream cannot be reached: a FIN (close) or a RST (reset). */
  onUpstreamFailure: z.enum(['close', 'reset']).optional(),
  /** Pairs accepted so far / open now. */
  accepted: z.number().int().optional(),
  open: z.number().int().optional(),
  /** Responders per direction (`proxy:respond`), with their hit counters over all pairs. */
  responders: z
    .object({ upstream: proxyResponderInfoSchema.optional(), downstream: proxyResponderInfoSchema.optional() })
    .optional(),
  /** TLS towards the client (listen `tls:…`): the certificate the lab presents and the commands that trust it. */
  certificate: certificateInfoSchema.optional(),
  /** TLS towards the client: the certificate files, when it came from files (PEM text is never shown here). */
  listenTls: proxyListenTlsInfoSchema.optional(),
  /** TLS to the upstream (upstream `tls:…`): what the lab's client leg sends and checks. */
  upstreamTls: proxyUpstreamTlsInfoSchema.optional()
})
/** A proxy. */
export type ProxyInfo = z.infer<typeof proxyInfoSchema>

/** A connection that is one leg of a proxied pair. */
export const proxyLegSchema = z.object({
  proxyName: z.string(),
  /** The pair's id: the client leg's connection id. */
  pairId: z.number().int(),
  leg: z.enum(['client', 'upstream'])
})
/** A proxy leg. */
export type ProxyLeg = z.infer<typeof proxyLegSchema>

/** One fault's effect, marked on a leg's timeline where it happened. */
export const faultMarkSchema = z.object({
  at: z.number(),
  /** The leg's last chunk sequence number when the mark was made (-1: before any chunk). */
  afterSeq: z.number().int(),
  stream: toxicStreamSchema,
  toxic: z.string(),
  /** A fault's type, or `respond` for a proxy responder's answer or replacement. */
  type: z.enum([...TOXIC_TYPES, 'respond']),
  text: z.string(),
  /** A responder's mark: which rule (0-based) fired and what it did. */
  responder: z.object({ rule: z.number().int(), action: z.enum(['answer', 'replace']) }).optional()
})
/** A fault mark. */
export type FaultMark = z.infer<typeof faultMarkSchema>

/** A proxy name: what Toxiproxy clients use in URLs. */
export const proxyNameSchema = z
  .string({ error: 'A proxy name must be text' })
  .min(1, 'missing required field: name')
  .max(100, 'A proxy name is at most 100 characters')
  .regex(/^[\w.-]+$/, 'A proxy name may use letters, digits, "_", "-" and "." only')

/** A parsed proxy address; `tls` on a listen address terminates TLS there, on an upstream opens TLS to it. */
export type ProxyAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number; tls?: boolean }

/**
 * Parses `HOST:PORT`, `[IPV6]:PORT`, `PORT` (127.0.0.1) or `unix:PATH`, optionally prefixed by `tls:` (as in
 * `--listen`: the prefix is read by the same `splitTransport`); a sentence when it is wrong.
 */
export function parseProxyAddress(text: string, what: 'listen' | 'upstream'): ProxyAddress | string {
  const { protocol, rest } = splitTransport(text.trim())
  if (protocol === null) return parsePlainAddress(text, what)
  if (protocol === 'udp') return `${what}: a proxy carries streams (TCP, TLS or unix:), not udp:`
  if (rest.trim().startsWith('unix:')) return `${what}: ${protocol}: needs an IP address and port, not a unix: path`
  if (rest.trim() === '') return `${what}: an address is missing after "${protocol}:"; e.g. ${protocol}:127.0.0.1:8443`
  if (splitTransport(rest.trim()).protocol !== null)
    return `${what}: give one transport prefix, not ${JSON.stringify(text.trim().slice(0, 60))}`
  const a = parsePlainAddress(rest, what)
  if (typeof a === 'string' || a.kind === 'unix' || protocol === 'tcp') return a
  return { ...a, tls: true }
}

function parsePlainAddress(text: string, what: 'listen' | 'upstream'): ProxyAddress | string {
  const t = text.trim()
  if (t.startsWith('unix:')) {
    const path = t.slice(5)
    if (path === '') return `${what}: unix: needs a socket path, e.g. unix:/tmp/lab.sock`
    if (path.includes('\0')) return `${what}: a socket path cannot contain a NUL byte`
    return { kind: 'unix', path }
  }
  let host = '127.0.0.1'
  let portText = t
  if (t.startsWith('[')) {
    const m = /^\[([^\]]*)\]:(\d+)$/.exec(t)
    if (!m || !m[1].includes(':')) return `${what}: write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:6379`
    host = m[1]
    portText = m[2]
  } else if (t.includes(':')) {
    const colon = t.lastIndexOf(':')
    host = t.slice(0, colon) || '127.0.0.1'
    portText = t.slice(colon + 1)
    if (host.includes(':')) return `${what}: write an IPv6 address in brackets, e.g. [${host}]:${portText}`
    if (/[\s/@]/.test(host) || host.length > 255)
      return `${what}: ${JSON.stringify(host)} is not a host name or address`
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return `${what}: expected HOST:PORT, [IPV6]:PORT or unix:PATH, not ${JSON.stringify(text.slice(0, 60))}`
  }
  const port = Number(portText)
  if (what === 'upstream' && port === 0) return 'upstream: the port must be from 1 to 65535'
  return { kind: 'tcp', host, port }
}

/** An address in the lab's ADDRESS form. */
export function formatProxyAddress(a: ProxyAddress): string {
  if (a.kind === 'unix') return `unix:${a.path}`
  const prefix = a.tls === true ? 'tls:' : ''
  return a.host.includes(':') ? `${prefix}[${a.host}]:${a.port}` : `${prefix}${a.host}:${a.port}`
}
