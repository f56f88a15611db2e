import { z } from 'zod'
import {
  acceptModeSchema,
  captureExportSchema,
  captureFormatSchema,
  recordStatusSchema,
  replayInfoSchema,
  behaviourOptionsSchema,
  sequenceRunSchema,
  behaviourSchema,
  connectionInfoSchema,
  portSchema,
  serverInfoSchema,
  serverProtocolSchema,
  snapshotSchema,
  trafficRecordSchema
} from './model'
import { kernelViewSchema } from './kernel-model'
import {
  proxyInfoSchema,
  proxyNameSchema,
  toxicConditionSchema,
  toxicInfoSchema,
  toxicStreamSchema,
  TOXIC_TYPES
} from './proxy-model'
import { proxyResponderSchema } from './responders/proxy-schema'
import type { CommandChannel } from './channels'
import { apiConfigureSchema, apiStatusSchema } from './api-settings'
import type { WorkspaceDocument } from './workspace-model'
import { COMMAND_CHANNELS, isCommandChannel } from './channels'

export { EVENTS_CHANNEL } from './channels'

const id = z.number({ error: 'An id must be a number' }).int().nonnegative()
const host = z
  .string({ error: 'Host must be text' })
  .trim()
  .min(1, 'Host must not be empty')
  .max(4096, 'Host is too long')
  .refine((v) => !v.includes('\0'), 'Host must not contain a NUL byte')
  .refine(
    (v) => !v.startsWith('unix:') || v.slice(5).trim() !== '',
    'A unix: address needs a socket path, e.g. unix:/tmp/lab.sock'
  )
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
const respondTestResponse = z.object({
  messages: z.array(
    z.object({
      start: z.number(),
      end: z.number(),
      summary: z.string().optional(),
      /** Index of the rule that fired; -1 when the fallback (or nothing) answered. */
      rule: z.number().int(),
      fallback: z.boolean(),
      /** The reply, base64; null when nothing would be sent. */
      reply: z.string().nullable(),
      delayMs: z.number(),
      then: z.enum(['half-close', 'close', 'reset']).nullable()
    })
  ),
  pending: z.object({ start: z.number(), size: z.number() }).nullable(),
  broken: z.object({ at: z.number(), reason: z.string() }).nullable()
})

/** What a replay plays: a lab connection's record, or a pcapng the lab wrote (a path on the lab's machine, or its bytes). */
const replaySourceSchema = z.union([
  z.strictObject({ connectionId: id }),
  z.strictObject({ path: z.string().min(1).max(4096), stream: z.number().int().min(0).default(0) }),
  z.strictObject({
    pcapngBase64: z
      .string()
      .min(1)
      .max(96 * 1024 * 1024, 'That file is over 64 MiB'),
    stream: z.number().int().min(0).default(0)
  })
])
const replayStartSchema = z.strictObject({
  source: replaySourceSchema,
  /** client: connect to `target` and send the client side; server: listen on `target` and answer with the server side. */
  mode: z.enum(['client', 'server']),
  /** HOST:PORT, [IPV6]:PORT or unix:PATH. */
  target: z.string().trim().min(1, 'Name an address: HOST:PORT, [IPV6]:PORT or unix:PATH').max(4200),
  /** original: the recorded gaps between chunks; fast: no waiting. */
  pace: z.enum(['original', 'fast']).default('fast'),
  /** Wait for the other side's recorded bytes before sending what followed them. */
  waitForReplies: z.boolean().default(true),
  /** How long to wait for a reply before going on anyway. */
  replyTimeoutMs: z.number().int().min(1).max(600_000).default(5_000)
})
const pem = (what: string) =>
  z
    .string({ error: `${what} must be PEM text` })
    .max(1024 * 1024, `${what} is over 1 MiB`)
    .refine((v) => v.includes('-----BEGIN'), `${what} is not PEM (no -----BEGIN line)`)
const filePath = z
  .string({ error: 'A file path must be text' })
  .trim()
  .min(1, 'A file path must not be empty')
  .max(4096)

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
/** The fields of `server:start` (before its cross-field checks): workspace entries are derived from them. */
export const serverStartFields = z.strictObject({
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
const startServer = serverStartFields
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

// ---- saved payloads, sequences and the workspace (src/main/engine/workspace) ----

const itemName = z
  .string({ error: 'A name must be text' })
  .trim()
  .min(1, 'A name must not be empty')
  .max(80, 'A name is at most 80 characters')
/** Longest text of one saved payload. */
export const SAVED_PAYLOAD_MAX_CHARS = 64 * 1024
/** A payload kept under a name in the workspace. */
export const savedPayloadSchema = z.strictObject({
  name: itemName,
  format: payloadSchema.shape.format,
  text: z.string().max(SAVED_PAYLOAD_MAX_CHARS, 'A saved payload is at most 64 KiB of text'),
  lineEnding: payloadSchema.shape.lineEnding
})
/** A payload kept under a name. */
export type SavedPayload = z.infer<typeof savedPayloadSchema>
/** Longest wait before one step of a sequence (10 minutes). */
export const SEQUENCE_MAX_DELAY_MS = 600_000
/** Most steps in one sequence. */
export const SEQUENCE_MAX_STEPS = 200
/** One step of a sequence: wait `delayMs`, then send the saved payload named `payload`. */
export const sequenceStepSchema = z.strictObject({
  payload: itemName,
  delayMs: z
    .number({ error: 'delayMs must be a number of milliseconds' })
    .int('delayMs must be a whole number of milliseconds')
    .min(0, 'delayMs cannot be negative')
    .max(SEQUENCE_MAX_DELAY_MS, 'delayMs is at most 600000 (10 minutes)')
    .default(0)
})
/** A named list of saved payloads with delays, sent in order to one connection. */
export const sequenceSchema = z.strictObject({
  name: itemName,
  steps: z
    .array(sequenceStepSchema)
    .min(1, 'A sequence needs at least one step')
    .max(SEQUENCE_MAX_STEPS, `A sequence has at most ${SEQUENCE_MAX_STEPS} steps`)
})
/** A sequence. */
export type Sequence = z.infer<typeof sequenceSchema>
/** UI preferences kept in the workspace: a small flat map the renderer owns. */
export const uiPrefsSchema = z
  .record(
    z.string().max(64, 'A preference name is at most 64 characters'),
    z.union([z.string().max(4096), z.number(), z.boolean(), z.null()])
  )
  .refine((v) => Object.keys(v).length <= 100, 'At most 100 UI preferences')
/** UI preferences. */
export type UiPrefs = z.infer<typeof uiPrefsSchema>
/** One thing about the workspace that needs the person's attention (an entry that did not load, a bad file). */
export const workspaceProblemSchema = z.object({
  id: z.number().int(),
  /** What it is about: `file`, `save`, or the section of the entry (`servers`, `proxies`, `clients`, `toxics`, `responders`). */
  kind: z.enum(['file', 'save', 'servers', 'proxies', 'clients', 'toxics', 'responders']),
  /** The entry in words, e.g. `echo on 127.0.0.1:9000`. */
  entry: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  /** Whether `workspace:retry` can try this entry again. */
  retryable: z.boolean()
})
/** A workspace problem. */
export type WorkspaceProblem = z.infer<typeof workspaceProblemSchema>
/** Where the workspace lives and what it holds besides the running servers. */
export const workspaceStatusSchema = z.object({
  /** The file, or null when nothing is kept (browser mode without --workspace). */
  file: z.string().nullable(),
  /** Why changes are not being saved to the file (a bad file is never overwritten), or null. */
  notSaving: z.string().nullable(),
  savedAt: z.number().nullable(),
  problems: z.array(workspaceProblemSchema),
  payloads: z.array(savedPayloadSchema),
  sequences: z.array(sequenceSchema),
  ui: uiPrefsSchema,
  /** Server ids started from the command line (`--listen`): in the lab, not in the file. */
  cliServerIds: z.array(z.number().int())
})
/** The workspace's status. */
export type WorkspaceStatus = z.infer<typeof workspaceStatusSchema>
const workspaceDocument = z.custom<WorkspaceDocument>((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
const payloadList = z.object({ payloads: z.array(savedPayloadSchema) })
const sequenceList = z.object({ sequences: z.array(sequenceSchema) })
// Saving or deleting answers with the names only: the list may hold megabytes of payload text.
const nameList = z.object({ names: z.array(z.string()) })

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
    response: z.object({
      certPem: z.string(),
      keyPem: z.string(),
      certPath: z.string().nullable(),
      /** The user's PEM files, when the server was started from files (a workspace keeps the paths, not a copy). */
      certFile: z.string().optional(),
      keyFile: z.string().optional()
    })
  },
  'proxy:create': {
    request: z.strictObject({
      name: proxyNameSchema,
      listen: z.string().min(1, 'missing required field: listen').max(1000),
      upstream: z.string().min(1, 'missing required field: upstream').max(1000),
      enabled: z.boolean().default(true),
      onUpstreamFailure: z.enum(['close', 'reset']).default('close'),
      /** Terminate TLS towards the client (also `tls:` before listen): the certificate, made at start when absent. */
      listenTls: tlsServerOptionsSchema.optional(),
      /** Open TLS to the upstream (also `tls:` before upstream): SNI, ALPN, verification, an extra CA. */
      upstreamTls: tlsClientOptionsSchema.optional()
    }),
    response: proxyInfoSchema
  },
  'proxy:update': {
    request: z.strictObject({
      name: proxyNameSchema,
      listen: z.string().min(1).max(1000).optional(),
      upstream: z.string().min(1).max(1000).optional(),
      enabled: z.boolean().optional(),
      onUpstreamFailure: z.enum(['close', 'reset']).optional(),
      /** A new certificate towards the client (TLS on); null: plain towards the client. */
      listenTls: tlsServerOptionsSchema.nullable().optional(),
      /** New TLS settings towards the upstream (TLS on); null: plain to the upstream. */
      upstreamTls: tlsClientOptionsSchema.nullable().optional()
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
  'toxic:remove': {
    request: z.strictObject({ proxy: proxyNameSchema, name: z.string().min(1).max(100) }),
    response: empty
  },
  /** Which rule of a responder fires for a sample message, and what it would reply (nothing is sent). */
  'respond:test': {
    request: z.strictObject({ options: behaviourOptionsSchema, sample: payloadSchema }),
    response: respondTestResponse
  },
  /** A `respond` server's live hit counters, per rule. */
  'respond:stats': {
    request: z.strictObject({ serverId: id }),
    response: z.object({
      serverId: z.number().int(),
      hits: z.array(z.number().int()),
      fallback: z.number().int(),
      unmatched: z.number().int(),
      messages: z.number().int(),
      dropped: z.number().int()
    })
  },
  'workspace:get': { request: empty, response: workspaceStatusSchema },
  'workspace:export': { request: empty, response: z.object({ document: workspaceDocument }) },
  'workspace:import': {
    // Checked by the workspace module itself, so a bad document gets messages that name its fields.
    request: z.strictObject({
      document: z.record(z.string(), z.unknown(), { error: 'document must be a JSON object' })
    }),
    response: z.object({ problems: z.array(workspaceProblemSchema) })
  },
  'workspace:save': {
    /** `replaceBadFile: true` saves over a file that could not be read (a copy of it was kept aside first). */
    request: z.strictObject({ replaceBadFile: z.boolean().optional() }),
    response: workspaceStatusSchema
  },
  'workspace:retry': {
    request: z.strictObject({ problemId: id }),
    response: z.object({ problems: z.array(workspaceProblemSchema) })
  },
  'workspace:forget': { request: z.strictObject({ problemId: id }), response: empty },
  'workspace:set-ui': { request: z.strictObject({ ui: uiPrefsSchema }), response: empty },
  'payload:list': { request: empty, response: payloadList },
  'payload:save': { request: z.strictObject({ payload: savedPayloadSchema }), response: nameList },
  'payload:delete': { request: z.strictObject({ name: itemName }), response: nameList },
  'sequence:list': { request: empty, response: sequenceList },
  'sequence:save': { request: z.strictObject({ sequence: sequenceSchema }), response: nameList },
  'sequence:delete': { request: z.strictObject({ name: itemName }), response: nameList },
  'sequence:run': {
    request: z.strictObject({ connectionId: id, sequenceName: itemName }),
    response: sequenceRunSchema
  },
  'sequence:stop': { request: z.strictObject({ runId: id }), response: sequenceRunSchema },
  'capture:export': {
    request: z.strictObject({
      /** Connections to export (open or closed and kept); all of them when left out. */
      connectionIds: z
        .array(id)
        .min(1, 'Name at least one connection, or leave connectionIds out for all')
        .max(100_000)
        .optional(),
      format: captureFormatSchema
    }),
    response: captureExportSchema
  },
  'capture:record-start': {
    request: z.strictObject({
      /** A folder on the machine the lab runs on; the default is --record's, else a folder in the system's temp dir. */
      dir: z.string().trim().min(1, 'Folder must not be empty').max(4096).optional(),
      budgetBytes: z
        .number()
        .int()
        .min(64 * 1024, 'A disk budget must be at least 64 KiB')
        .max(2 ** 50)
        .optional()
    }),
    response: recordStatusSchema
  },
  'capture:record-stop': { request: empty, response: recordStatusSchema },
  'capture:record-status': { request: empty, response: recordStatusSchema },
  'replay:start': { request: replayStartSchema, response: replayInfoSchema },
  'replay:stop': { request: z.strictObject({ replayId: id }), response: replayInfoSchema },
  'replay:list': { request: empty, response: z.object({ replays: z.array(replayInfoSchema) }) },
  /** Sets, replaces or (null) clears the responder of one proxy direction, for open pairs and new ones. */
  'proxy:respond': {
    request: z.strictObject({
      proxy: proxyNameSchema,
      stream: toxicStreamSchema,
      responder: proxyResponderSchema.nullable()
    }),
    response: proxyInfoSchema
  },
  /** A TLS-terminating proxy's certificate and key as PEM, so a workspace can start it again with the same identity. */
  'proxy:certificate': {
    request: z.strictObject({ name: proxyNameSchema }),
    response: z.object({ certPem: z.string(), keyPem: z.string(), certPath: z.string().nullable() })
  },
  'api:status': { request: empty, response: apiStatusSchema },
  'api:configure': { request: apiConfigureSchema, response: apiStatusSchema }
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
