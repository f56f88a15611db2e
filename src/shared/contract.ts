import { z } from 'zod'
import {
  acceptModeSchema,
  behaviourOptionsSchema,
  behaviourSchema,
  connectionInfoSchema,
  portSchema,
  serverInfoSchema,
  serverProtocolSchema,
  snapshotSchema,
  trafficRecordSchema
} from './model'
import { kernelViewSchema } from './kernel-model'
import { proxyInfoSchema, proxyNameSchema, toxicConditionSchema, toxicInfoSchema, toxicStreamSchema, TOXIC_TYPES } from './proxy-model'
import type { CommandChannel } from './channels'
import { COMMAND_CHANNELS, isCommandChannel } from './channels'

export { EVENTS_CHANNEL } from './channels'

const id = z.number({ error: 'An id must be a number' }).int().nonnegative()
const host = z
  .string({ error: 'Host must be text' })
  .trim()
  .min(1, 'Host must not be empty')
  .max(4096, 'Host is too long')
  .refine((v) => !v.includes('\0'), 'Host must not contain a NUL byte')
  .refine((v) => !v.startsWith('unix:') || v.slice(5).trim() !== '', 'A unix: address needs a socket path, e.g. unix:/tmp/lab.sock')
  .refine((v) => v.startsWith('unix:') || v.length <= 255, 'Host is too long')
  // `[::1]` is how people write an IPv6 address next to a port; the socket API wants it bare.
  .transform((v) => (/^\[[^\]]*\]$/.test(v) ? v.slice(1, -1) : v))

/** How a payload typed by a person is turned into bytes. */
export const payloadSchema = z.strictObject({
  format: z.enum(['text', 'hex', 'escapes']),
  text: z.string().max(16 * 1024 * 1024, 'Payload is over 16 MiB'),
  lineEnding: z.enum(['none', 'lf', 'crlf']).default('none')
})
/** A payload to send. */
export type Payload = z.infer<typeof payloadSchema>

const empty = z.strictObject({})
const pem = (what: string) =>
  z
    .string({ error: `${what} must be PEM text` })
    .max(1024 * 1024, `${what} is over 1 MiB`)
    .refine((v) => v.includes('-----BEGIN'), `${what} is not PEM (no -----BEGIN line)`)
const filePath = z.string({ error: 'A file path must be text' }).trim().min(1, 'A file path must not be empty').max(4096)

/** A TLS server's certificate: made at start when nothing is given, else PEM text or PEM files (cert and key together). */
export const tlsServerOptionsSchema = z
  .strictObject({
    certPem: pem('The certificate').optional(),
    keyPem: pem('The private key').optional(),
    certFile: filePath.optional(),
    keyFile: filePath.optional()
  })
  .refine((v) => (v.certPem === undefined) === (v.keyPem === undefined), {
    message: 'Give the certificate and its private key together (certPem and keyPem)'
  })
  .refine((v) => (v.certFile === undefined) === (v.keyFile === undefined), {
    message: 'Give the certificate file and the key file together (certFile and keyFile)'
  })
  .refine((v) => v.certPem === undefined || v.certFile === undefined, {
    message: 'Give the certificate either as PEM text or as files, not both'
  })
/** A TLS server's certificate options. */
export type TlsServerOptions = z.infer<typeof tlsServerOptionsSchema>

/** An outgoing TLS client's options. */
export const tlsClientOptionsSchema = z.strictObject({
  /** The name sent as SNI and checked against the certificate; defaults to the host when it is a name. */
  servername: z.string().trim().min(1).max(255).optional(),
  /** Application protocols offered by ALPN, e.g. ["h2", "http/1.1"]. */
  alpn: z.array(z.string().min(1).max(255)).max(16).optional(),
  /** false: connect even if the certificate cannot be verified (the problem is still shown). */
  verify: z.boolean().default(true),
  /** Extra certificate authority to trust, PEM (e.g. a lab server's certificate). */
  caPem: pem('The CA certificate').optional()
})
/** An outgoing TLS client's options. */
export type TlsClientOptions = z.infer<typeof tlsClientOptionsSchema>

const poolSize = z.number().int().min(1, 'A pool needs at least 1 worker').max(1024, 'A pool has at most 1,024 workers')
const startServer = z
  .strictObject({
    /** `127.0.0.1`, `0.0.0.0`, `::`, a local address, a name, or `unix:/path`. */
    host: host.default('127.0.0.1'),
    port: portSchema.optional(),
    behaviour: behaviourSchema.default('echo'),
    options: behaviourOptionsSchema.default({}),
    backlog: z.number().int().min(1).max(65535).optional(),
    maxConnections: z.number().int().min(1).max(1_000_000).nullable().optional(),
    acceptMode: acceptModeSchema.optional(),
    poolSize: poolSize.optional(),
    /** Every accepted connection starts with reading paused (the peer's bytes wait in kernel buffers). */
    pauseOnAccept: z.boolean().optional(),
    /** tcp (default), udp or tls. */
    protocol: serverProtocolSchema.optional(),
    /** TLS only: the certificate (made at start when absent). */
    tls: tlsServerOptionsSchema.optional(),
    /** UDP only: a flow closes after this long without a datagram (default 60 s). */
    udpIdleTimeoutMs: z.number().int().min(100, 'The idle timeout must be at least 100 ms').max(86_400_000).optional()
  })
  .refine((v) => v.host.startsWith('unix:') || v.port !== undefined, {
    message: 'Port is required (0 picks a free one)',
    path: ['port']
  })
  .refine((v) => !v.host.startsWith('unix:') || (v.protocol ?? 'tcp') !== 'udp', {
    message: 'UDP needs an IP address and port, not a unix: path',
    path: ['protocol']
  })
  .refine((v) => v.tls === undefined || v.protocol === 'tls', {
    message: 'tls options need protocol "tls"',
    path: ['tls']
  })

/**
 * Every command, by IPC channel (`domain:verb`): its request and its response schema.
 * Main, preload, browser mode and renderer all derive their types from this one table.
 */
export const commands = {
  'lab:snapshot': { request: empty, response: snapshotSchema },
  'lab:ack': { request: z.strictObject({ seq: z.number().int() }), response: empty },
  'server:start': { request: startServer, response: serverInfoSchema },
  'server:stop': { request: z.strictObject({ serverId: id }), response: empty },
  'server:configure': {
    request: z.strictObject({
      serverId: id,
      behaviour: behaviourSchema.optional(),
      options: behaviourOptionsSchema.optional(),
      maxConnections: z.number().int().min(1).max(1_000_000).nullable().optional(),
      acceptMode: acceptModeSchema.optional(),
      poolSize: poolSize.optional(),
      /** false closes the listener but keeps its connections; true listens again. */
      accepting: z.boolean().optional(),
      /** New connections start with reading paused (connections already open keep their state). */
      pauseOnAccept: z.boolean().optional()
    }),
    response: serverInfoSchema
  },
  'server:close-all': {
    request: z.strictObject({ serverId: id }),
    response: z.object({ closed: z.number().int() })
  },
  'client:connect': {
    request: z
      .strictObject({
        host,
        port: portSchema.optional(),
        timeoutMs: z.number().int().min(1).max(120_000).default(5_000),
        /** tcp (default), udp (a connected datagram socket) or tls. */
        protocol: serverProtocolSchema.optional(),
        tls: tlsClientOptionsSchema.optional(),
        /** Bind the client's own end first: an address of this machine and/or a port (0 or absent = the system picks). */
        localAddress: z.string().trim().min(1).max(255).optional(),
        localPort: portSchema.optional()
      })
      .refine((v) => v.host.startsWith('unix:') || (v.port !== undefined && v.port > 0), {
        message: 'Port must be a whole number from 1 to 65535',
        path: ['port']
      })
      .refine((v) => !v.host.startsWith('unix:') || (v.protocol ?? 'tcp') !== 'udp', {
        message: 'UDP needs an IP address and port, not a unix: path',
        path: ['protocol']
      })
      .refine((v) => v.tls === undefined || v.protocol === 'tls', {
        message: 'tls options need protocol "tls"',
        path: ['tls']
      }),
    response: connectionInfoSchema
  },
  'connection:send': {
    request: z
      .strictObject({ connectionId: id.optional(), serverId: id.optional(), payload: payloadSchema })
      .refine((v) => (v.connectionId === undefined) !== (v.serverId === undefined), {
        message: 'Name exactly one target: a connectionId or a serverId'
      }),
    response: z.object({ bytes: z.number().int(), connections: z.number().int() })
  },
  'connection:action': {
    request: z.strictObject({
      connectionId: id,
      action: z.enum(['half-close', 'reset', 'close', 'pause', 'resume'])
    }),
    response: connectionInfoSchema
  },
  'connection:traffic': {
    request: z.strictObject({ connectionId: id, afterSeq: z.number().int().optional() }),
    response: trafficRecordSchema
  },
  'connection:clear-closed': {
    request: z.strictObject({ serverId: id.optional() }),
    response: z.object({ removed: z.number().int() })
  },
  'lesson:self-connect-hunt': {
    request: z.strictObject({
      port: z.number().int().min(1, 'Port must be from 1 to 65535').max(65535, 'Port must be from 1 to 65535'),
      maxTries: z.number().int().min(1).max(200_000).default(100_000),
      timeoutMs: z.number().int().min(100).max(60_000).default(30_000)
    }),
    response: z.object({ tries: z.number().int(), elapsedMs: z.number(), connection: connectionInfoSchema.nullable() })
  },
  'lesson:load': {
    request: z.strictObject({
      host: host.default('127.0.0.1'),
      port: z.number().int().min(1, 'Port must be from 1 to 65535').max(65535, 'Port must be from 1 to 65535'),
      clients: z.number().int().min(1).max(200, 'At most 200 clients').default(10),
      payload: payloadSchema.default({ format: 'text', text: 'request\n', lineEnding: 'none' }),
      /** Bytes that make a complete answer (default: as many as the request, i.e. an echo). */
      answerBytes: z.number().int().min(1).optional(),
      timeoutMs: z.number().int().min(100).max(60_000).default(20_000)
    }),
    response: z.object({
      clients: z.array(
        z.object({
          index: z.number().int(),
          connectMs: z.number().nullable(),
          answerMs: z.number().nullable(),
          bytes: z.number().int(),
          error: z.string().nullable()
        })
      ),
      elapsedMs: z.number()
    })
  },
  'kernel:sockets': {
    request: z.strictObject({ scope: z.enum(['lab', 'all']).default('lab') }),
    response: kernelViewSchema
  },
  'server:certificate': {
    /** A TLS server's certificate and key as PEM, so a workspace can start it again with the same identity. */
    request: z.strictObject({ serverId: id }),
    response: z.object({ certPem: z.string(), keyPem: z.string(), certPath: z.string().nullable() })
  },
  'proxy:create': {
    request: z.strictObject({
      name: proxyNameSchema,
      listen: z.string().min(1, 'missing required field: listen').max(1000),
      upstream: z.string().min(1, 'missing required field: upstream').max(1000),
      enabled: z.boolean().default(true),
      onUpstreamFailure: z.enum(['close', 'reset']).default('close')
    }),
    response: proxyInfoSchema
  },
  'proxy:update': {
    request: z.strictObject({
      name: proxyNameSchema,
      listen: z.string().min(1).max(1000).optional(),
      upstream: z.string().min(1).max(1000).optional(),
      enabled: z.boolean().optional(),
      onUpstreamFailure: z.enum(['close', 'reset']).optional()
    }),
    response: proxyInfoSchema
  },
  'proxy:delete': { request: z.strictObject({ name: proxyNameSchema }), response: empty },
  'proxy:list': { request: empty, response: z.object({ proxies: z.array(proxyInfoSchema) }) },
  /** Toxiproxy's /reset: every toxic removed, every proxy enabled. */
  'proxy:reset': { request: empty, response: empty },
  'toxic:add': {
    request: z.strictObject({
      proxy: proxyNameSchema,
      toxic: z.strictObject({
        name: z.string().max(100).optional(),
        type: z.enum(TOXIC_TYPES, { error: 'invalid toxic type' }),
        stream: toxicStreamSchema.default('downstream'),
        toxicity: z.number().min(0, 'toxicity is from 0 to 1').max(1, 'toxicity is from 0 to 1').default(1),
        attributes: z.record(z.string(), z.number()).default({}),
        condition: toxicConditionSchema.optional()
      })
    }),
    response: toxicInfoSchema
  },
  'toxic:update': {
    request: z.strictObject({
      proxy: proxyNameSchema,
      name: z.string().min(1).max(100),
      toxicity: z.number().min(0, 'toxicity is from 0 to 1').max(1, 'toxicity is from 0 to 1').optional(),
      attributes: z.record(z.string(), z.number()).optional(),
      /** null removes the condition. */
      condition: toxicConditionSchema.nullable().optional()
    }),
    response: toxicInfoSchema
  },
  'toxic:remove': { request: z.strictObject({ proxy: proxyNameSchema, name: z.string().min(1).max(100) }), response: empty }
} as const satisfies Record<CommandChannel, { request: z.ZodType; response: z.ZodType }>

/** The table of commands. */
export type Commands = typeof commands
/** A command's channel name. */
export type CommandName = keyof Commands
/** What a caller passes for a command (defaults may be left out). */
export type CommandInput<C extends CommandName> = z.input<Commands[C]['request']>
/** A command's request after validation, defaults filled in. */
export type CommandRequest<C extends CommandName> = z.output<Commands[C]['request']>
/** A command's successful value. */
export type CommandValue<C extends CommandName> = z.output<Commands[C]['response']>

/** The channel names, for code that must list them (preload, WebSocket router). */
export const COMMAND_NAMES: readonly CommandName[] = COMMAND_CHANNELS

/** A failure in words: a stable code, a sentence for people, and a hint of what to do. */
export const labErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional()
})
/** A failure in words. */
export type LabError = z.infer<typeof labErrorSchema>

/** What every command answers: its value, or an error that changed nothing. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: LabError }
/** The result of a named command. */
export type CommandResult<C extends CommandName> = Result<CommandValue<C>>

/** Whether a string names a command. */
export function isCommandName(name: unknown): name is CommandName {
  return isCommandChannel(name)
}

/** Turns a validation failure into one readable sentence. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length > 0 ? `${i.path.join('.')}: ` : ''
      return `${where}${i.message}`
    })
    .join('; ')
}
