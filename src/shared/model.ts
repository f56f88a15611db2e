import { z } from 'zod'
import { certificateFactsSchema, certificateInfoSchema } from './certificate-model'
import { faultMarkSchema, proxyInfoSchema, proxyLegSchema } from './proxy-model'
import { framingSchema } from './framing/spec'
import { compileResponder } from './responders/rules'
import { respondRulesSchema, templateSchema } from './responders/schema'
import { apiStatusSchema } from './api-settings'

/** A bad value quoted in an error message, cut short so a huge input never comes back whole. */
export function quoteInput(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? typeof value
  } catch {
    // BigInt, cycles, or a hostile toString: name the type rather than fail.
    text = typeof value === 'bigint' ? `${value}n` : typeof value
  }
  return text.length > 40 ? `${text.slice(0, 37)}…` : text
}

/** Every server behaviour the lab implements, by the name used in the UI and in `--listen NAME@ADDR`. */
export const BEHAVIOURS = [
  'echo',
  'echo-after-eof',
  'discard',
  'uppercase',
  'chargen',
  'daytime',
  'chat',
  'telemetry',
  'http',
  'manual',
  'respond'
] as const
/** Schema of a behaviour name. */
export const behaviourSchema = z.enum(BEHAVIOURS, {
  error: (issue) => `Unknown behaviour ${quoteInput(issue.input)}; choose one of ${BEHAVIOURS.join(', ')}`
})
/** A behaviour name. */
export type Behaviour = z.infer<typeof behaviourSchema>

/** Options some behaviours take; unknown keys are refused. */
export const behaviourOptionsSchema = z
  .strictObject({
    /** echo: wait this long before sending each chunk back (a server that does work, for the server-pattern experiment). */
    echoDelayMs: z.number().int().min(0).max(60_000, 'Echo delay must be at most 60,000 ms').optional(),
    /** telemetry: how often each peer gets a line. */
    telemetryIntervalMs: z
      .number()
      .int()
      .min(10, 'Telemetry interval must be at least 10 ms')
      .max(3_600_000)
      .optional(),
    /** respond: how messages are cut from the stream (default `line`). */
    framing: framingSchema.optional(),
    /** respond: sent on connect (a template without captures). */
    greeting: templateSchema.optional(),
    /** respond: the reply to a message no rule matches (none when absent). */
    fallback: templateSchema.optional(),
    /** respond: ordered rules; the first that matches a message answers it. */
    rules: respondRulesSchema.optional()
  })
  .superRefine((opts, ctx) => {
    // A bad regex or template is refused here, with its position, before any server sees it.
    if (opts.rules === undefined && opts.greeting === undefined && opts.fallback === undefined) return
    const r = compileResponder(opts)
    if (!r.ok) ctx.addIssue({ code: 'custom', path: r.error.path, message: r.error.message })
  })
/** Options of a behaviour. */
export type BehaviourOptions = z.infer<typeof behaviourOptionsSchema>

/** A TCP port as typed by a person or sent by a program: a whole number 0–65535 (digits in a string are accepted). */
export const portSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
  z
    .number({ error: (i) => `Port must be a whole number from 0 to 65535, not ${quoteInput(i.input)}` })
    .int({ error: (i) => `Port must be a whole number from 0 to 65535, not ${quoteInput(i.input)}` })
    .min(0, { error: (i) => `Port must be a whole number from 0 to 65535, not ${quoteInput(i.input)}` })
    .max(65535, { error: (i) => `Port must be a whole number from 0 to 65535, not ${quoteInput(i.input)}` })
)

/** An address family as the lab reports it. */
export const familySchema = z.enum(['IPv4', 'IPv6', 'unix'])
/** An address family. */
export type Family = z.infer<typeof familySchema>

/** One end of a connection; for Unix sockets `address` is the path and `port` is 0. */
export const endpointSchema = z.object({ address: z.string(), port: z.number().int() })
/** One end of a connection. */
export type Endpoint = z.infer<typeof endpointSchema>

/**
 * How a server hands out its connections: `concurrent` (an event loop: everyone at once), `one-at-a-time` (a
 * sequential server), `pool` (at most `poolSize` served at once, the rest wait in the lab's queue), `never` (listen
 * but never accept: clients wait in the kernel's accept queue until the mode changes).
 */
export const acceptModeSchema = z.enum(['concurrent', 'one-at-a-time', 'pool', 'never'])
/** How a server hands out its accepted connections. */
export type AcceptMode = z.infer<typeof acceptModeSchema>

// ---- UDP and TLS ------------------------------------------------------------------------------

/** What carries a connection: a TCP stream, a Unix stream, TLS over TCP, or a UDP flow. */
export const connectionKindSchema = z.enum(['tcp', 'unix', 'tls', 'udp'])
/** What carries a connection. */
export type ConnectionKind = z.infer<typeof connectionKindSchema>

/** A server's transport. */
export const serverProtocolSchema = z.enum(['tcp', 'udp', 'tls'], {
  error: (issue) => `Unknown protocol ${quoteInput(issue.input)}; choose tcp, udp or tls`
})
/** A server's transport. */
export type ServerProtocol = z.infer<typeof serverProtocolSchema>

/** The behaviours a UDP server offers (each works per datagram); stream behaviours need a connection. */
export const UDP_BEHAVIOURS: readonly Behaviour[] = ['echo', 'discard', 'daytime', 'manual', 'respond']

// The certificate schemas live in their own file so proxy-model (which model imports) can use them too.
export { certificateFactsSchema, certificateInfoSchema } from './certificate-model'
export type { CertificateFacts, CertificateInfo } from './certificate-model'
/** A UDP server's flow settings. */
export const udpServerInfoSchema = z.object({
  idleTimeoutMs: z.number().int(),
  /** Most flows open at once; datagrams from further peers are counted and dropped. */
  maxFlows: z.number().int(),
  /** Datagrams dropped because the flow table was full. */
  droppedDatagrams: z.number().int()
})
/** A UDP server's flow settings. */
export type UdpServerInfo = z.infer<typeof udpServerInfoSchema>

/** One TLS connection's handshake and its encrypted byte counts. */
export const tlsConnectionInfoSchema = z.object({
  handshake: z.enum(['pending', 'done', 'failed']),
  /** e.g. TLSv1.3. */
  protocol: z.string().nullable(),
  cipher: z.string().nullable(),
  /** The application protocol agreed by ALPN, if any. */
  alpn: z.string().nullable(),
  /** The server name the client asked for (SNI). */
  sni: z.string().nullable(),
  /** The peer's certificate: the client's (if it sent one) on a server, the server's on an outgoing client. */
  peerCertificate: certificateFactsSchema.nullable(),
  /** Outgoing clients: whether the certificate was checked, and what the check found (null when it passed). */
  verify: z.boolean().optional(),
  verifyError: z.string().nullable().optional(),
  /** Why the handshake failed, in words. */
  failure: z.string().nullable(),
  /** Bytes on the wire (encrypted, handshake included); `bytesIn`/`bytesOut` count the decrypted bytes. */
  wireBytesIn: z.number(),
  wireBytesOut: z.number()
})
/** One TLS connection's handshake. */
export type TlsConnectionInfo = z.infer<typeof tlsConnectionInfoSchema>

/** A listening server as the lab knows it. */
export const serverInfoSchema = z.object({
  id: z.number().int(),
  /** The host (or `unix:/path`) the user asked for. */
  requestedHost: z.string(),
  requestedPort: z.number().int(),
  /** The address the listening socket is really bound to. */
  bound: endpointSchema,
  family: familySchema,
  behaviour: behaviourSchema,
  options: behaviourOptionsSchema,
  /** listening: accepting; not-accepting: listener closed, connections kept. */
  state: z.enum(['listening', 'not-accepting']),
  acceptMode: acceptModeSchema,
  /** With accept mode `pool`: how many connections are served at once. */
  poolSize: z.number().int().optional(),
  /** With accept mode `never`: the helper process that holds the listening socket without accepting. */
  holderPid: z.number().int().nullable().optional(),
  maxConnections: z.number().int().nullable(),
  backlog: z.number().int(),
  startedAt: z.number(),
  /** Things worth knowing about this address, e.g. a localhost family mismatch. */
  notes: z.array(z.string()),
  /** Every accepted connection starts with reading paused; absent = false. */
  pauseOnAccept: z.boolean().optional(),
  /** The transport: absent means tcp (a stream; or a Unix socket, see `family`). */
  protocol: serverProtocolSchema.optional(),
  /** TLS only: the certificate it serves and the commands that trust it. */
  certificate: certificateInfoSchema.optional(),
  /** UDP only: flows (one a remote address:port) close after this long without a datagram. */
  udp: udpServerInfoSchema.optional()
})
/** A listening server. */
export type ServerInfo = z.infer<typeof serverInfoSchema>

/** Live counters of a server: totals over every connection it ever accepted. */
export const serverCountersSchema = z.object({
  id: z.number().int(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  accepted: z.number().int(),
  open: z.number().int()
})
/** Live counters of a server. */
export type ServerCounters = z.infer<typeof serverCountersSchema>

/** A connection's place in its life. */
export const connectionStateSchema = z.enum(['queued', 'open', 'peer-half-closed', 'lab-half-closed', 'closed'])
/** A connection's state. */
export type ConnectionState = z.infer<typeof connectionStateSchema>

/** Why a connection closed. */
export const closeReasonSchema = z.enum([
  'peer-fin',
  'peer-reset',
  'error',
  'lab-close',
  'lab-reset',
  'server-stopped',
  'max-connections',
  /** A UDP flow that saw no datagram for its server's idle timeout. */
  'idle-timeout'
])
/** Why a connection closed. */
export type CloseReason = z.infer<typeof closeReasonSchema>

/** A connection as the lab knows it: accepted by a lab server, or opened by the lab as a client. */
export const connectionInfoSchema = z.object({
  id: z.number().int(),
  /** The lab server that accepted it; null for an outgoing client. */
  serverId: z.number().int().nullable(),
  origin: z.enum(['accepted', 'outgoing']),
  family: familySchema,
  local: endpointSchema,
  remote: endpointSchema,
  state: connectionStateSchema,
  closeReason: closeReasonSchema.nullable(),
  /** The system's words for an error that ended the connection. */
  error: z.string().nullable(),
  openedAt: z.number(),
  peerEndedAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  lastActivity: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  chunksIn: z.number(),
  chunksOut: z.number(),
  /** Reading paused by the user (the peer's writes pile up in kernel buffers). */
  paused: z.boolean(),
  /** When the lab sent its FIN (half-close or close); absent until it did, and for an RST. */
  labEndedAt: z.number().nullable().optional(),
  /**
   * Where each FIN falls in the ordered traffic record: the seq the next chunk had when it happened
   * (every chunk with a lower seq came before it). Timestamps tie within a millisecond; these do not.
   */
  peerEndedSeq: z.number().int().nullable().optional(),
  labEndedSeq: z.number().int().nullable().optional(),
  /** What carries it: absent means a plain TCP or Unix stream (see `family`). UDP: chunks are datagrams. */
  kind: connectionKindSchema.optional(),
  /** TLS only: the handshake and the encrypted byte counts of the socket underneath. */
  tls: tlsConnectionInfoSchema.optional(),
  /** Set when the connection is one leg of a proxied pair. */
  proxy: proxyLegSchema.optional()
})
/** A connection. */
export type ConnectionInfo = z.infer<typeof connectionInfoSchema>

/** Whole-lab totals. */
export const totalsSchema = z.object({
  bytesIn: z.number(),
  bytesOut: z.number(),
  connectionsOpen: z.number().int(),
  connectionsEver: z.number().int()
})
/** Whole-lab totals. */
export type Totals = z.infer<typeof totalsSchema>

/** A sequence being sent to a connection: which step it reached, and how it ended. */
export const sequenceRunSchema = z.object({
  runId: z.number().int(),
  sequenceName: z.string(),
  connectionId: z.number().int(),
  /** Steps sent so far. */
  sent: z.number().int(),
  steps: z.number().int(),
  state: z.enum(['running', 'done', 'stopped', 'failed']),
  /** When the next step goes out, while running. */
  nextAt: z.number().nullable(),
  error: z.string().nullable()
})
/** A sequence run. */
export type SequenceRun = z.infer<typeof sequenceRunSchema>

/** A discrete, ordered event: everything except the byte counters, which travel as per-batch counters. */
export const labEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('server.listening'), at: z.number(), server: serverInfoSchema }),
  z.object({ type: z.literal('server.updated'), at: z.number(), server: serverInfoSchema }),
  z.object({ type: z.literal('server.stopped'), at: z.number(), serverId: z.number().int() }),
  z.object({
    type: z.literal('server.error'),
    at: z.number(),
    serverId: z.number().int(),
    message: z.string()
  }),
  z.object({ type: z.literal('connection.opened'), at: z.number(), connection: connectionInfoSchema }),
  z.object({ type: z.literal('connection.updated'), at: z.number(), connection: connectionInfoSchema }),
  z.object({ type: z.literal('connection.peer-ended'), at: z.number(), connection: connectionInfoSchema }),
  z.object({ type: z.literal('connection.closed'), at: z.number(), connection: connectionInfoSchema }),
  z.object({ type: z.literal('connections.removed'), at: z.number(), ids: z.array(z.number().int()) }),
  z.object({
    type: z.literal('notice'),
    at: z.number(),
    level: z.enum(['info', 'warning', 'error']),
    message: z.string()
  }),
  z.object({ type: z.literal('proxy.updated'), at: z.number(), proxy: proxyInfoSchema }),
  z.object({ type: z.literal('proxy.removed'), at: z.number(), name: z.string() }),
  z.object({ type: z.literal('sequence.progress'), at: z.number(), run: sequenceRunSchema }),
  /** The workspace's status changed (saved, a problem, payloads): fetch it with `workspace:get`. */
  z.object({ type: z.literal('workspace.updated'), at: z.number() }),
  /** The Toxiproxy API was switched on or off (or its address changed): every window shows the same status. */
  z.object({ type: z.literal('api.updated'), at: z.number(), api: apiStatusSchema })
])
/** A discrete lab event. */
export type LabEvent = z.infer<typeof labEventSchema>

/** Absolute counters of the connections that changed since the last batch, as parallel columns. */
export const counterColumnsSchema = z.object({
  ids: z.array(z.number().int()),
  bytesIn: z.array(z.number()),
  bytesOut: z.array(z.number()),
  chunksIn: z.array(z.number()),
  chunksOut: z.array(z.number()),
  lastActivity: z.array(z.number())
})
/** Counter columns. */
export type CounterColumns = z.infer<typeof counterColumnsSchema>

/** One numbered batch of the event stream. */
export const eventBatchSchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  /** True when too much changed to list: the consumer must take a fresh snapshot. */
  resync: z.boolean(),
  events: z.array(labEventSchema),
  counters: counterColumnsSchema,
  servers: z.array(serverCountersSchema),
  totals: totalsSchema
})
/** One numbered batch. */
export type EventBatch = z.infer<typeof eventBatchSchema>

/** How much of a flood the lab keeps (see README, limits): head, then sampled windows at a keep rate. */
export const trafficFloodPolicySchema = z.object({
  /** The first bytes of every connection, kept in full whatever the rate. */
  headBytes: z.number(),
  /** After the head, bytes are kept while a connection stays under this rate (a token bucket)... */
  keepBytesPerSecond: z.number(),
  /** ...with bursts up to this many bytes. */
  keepBurstBytes: z.number(),
  /** All connections together never copy more than this per second. */
  labKeepBytesPerSecond: z.number()
})
/** How much of a flood the lab keeps. */
export type TrafficFloodPolicy = z.infer<typeof trafficFloodPolicySchema>

/** The whole state, for a consumer that starts or lost track; `seq` is the last batch it already covers. */
export const snapshotSchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  servers: z.array(serverInfoSchema),
  serverCounters: z.array(serverCountersSchema),
  connections: z.array(connectionInfoSchema),
  totals: totalsSchema,
  /** The proxies (absent from labs that have none to report). */
  proxies: z.array(proxyInfoSchema).optional(),
  limits: z.object({
    trafficBytesPerConnection: z.number(),
    trafficBytesTotal: z.number(),
    closedConnectionsKept: z.number(),
    /** What the lab keeps of a flood (absent: everything within the byte caps). */
    trafficFlood: trafficFloodPolicySchema.optional()
  })
})
/** The whole state. */
export type Snapshot = z.infer<typeof snapshotSchema>

/** One recorded chunk: a single read or write, its boundaries kept. */
export const trafficChunkSchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  dir: z.enum(['in', 'out']),
  size: z.number().int(),
  /** The bytes, base64; shorter than `size` when only the chunk's tail is still kept. */
  data: z.string(),
  keptBytes: z.number().int(),
  /** Present when the chunk's bytes were not kept at all (only its facts): 'flood' = over the keep rate. */
  notKept: z.enum(['flood']).optional()
})
/** One recorded chunk. */
export type TrafficChunk = z.infer<typeof trafficChunkSchema>

/** A run of consecutive chunks whose bytes were not kept (flood policy): a marker the timeline can show. */
export const trafficGapSchema = z.object({
  kind: z.literal('gap'),
  reason: z.literal('flood'),
  /** The first and last chunk of the run (their facts are in `chunks`). */
  fromSeq: z.number().int(),
  toSeq: z.number().int(),
  chunks: z.number().int(),
  /** Bytes of the run that were counted but not kept. */
  bytes: z.number()
})
/** A run of chunks whose bytes were not kept. */
export type TrafficGap = z.infer<typeof trafficGapSchema>

/** The kept part of a connection's traffic. */
export const trafficRecordSchema = z.object({
  connectionId: z.number().int(),
  chunks: z.array(trafficChunkSchema),
  droppedChunks: z.number().int(),
  droppedBytes: z.number(),
  /** The sequence number the next chunk will get: pass `nextSeq - 1` as `afterSeq` to fetch only newer chunks. */
  nextSeq: z.number().int(),
  /** Runs of returned chunks whose bytes were not kept (flood): "not kept (flood): N bytes" markers. */
  gaps: z.array(trafficGapSchema).optional(),
  /** Every byte (and chunk) of this connection ever counted but not kept under the flood policy. */
  floodBytes: z.number().optional(),
  floodChunks: z.number().int().optional(),
  /** Faults' effects on this connection (proxy legs), oldest first, bounded. */
  marks: z.array(faultMarkSchema).optional()
})
/** The kept part of a connection's traffic. */
export type TrafficRecord = z.infer<typeof trafficRecordSchema>

/** Formats a capture export can take. */
export const captureFormatSchema = z.enum(['pcapng', 'raw', 'jsonl', 'hexdump'])
/** A capture export format. */
export type CaptureFormat = z.infer<typeof captureFormatSchema>

/** One file an export produced, for the renderer to download. */
export const captureFileSchema = z.object({
  name: z.string(),
  mime: z.string(),
  /** base64 for binary files (pcapng, raw), text for JSONL and hex dumps. */
  encoding: z.enum(['base64', 'text']),
  content: z.string()
})
/** One exported file. */
export type CaptureFile = z.infer<typeof captureFileSchema>

/** What `capture:export` answers: the files, and sentences about what they lack (bytes not kept). */
export const captureExportSchema = z.object({
  files: z.array(captureFileSchema),
  notes: z.array(z.string())
})
/** The result of an export. */
export type CaptureExport = z.infer<typeof captureExportSchema>

/** The disk recorder's state, shown while recording. */
export const recordStatusSchema = z.object({
  recording: z.boolean(),
  /** The file being (or last) written. */
  file: z.string().nullable(),
  dir: z.string().nullable(),
  startedAt: z.number().nullable(),
  /** Bytes written to the file so far. */
  bytesWritten: z.number(),
  budgetBytes: z.number(),
  /** Payload bytes the disk could not keep up with (counted, marked in the file as gaps). */
  droppedBytes: z.number(),
  packets: z.number(),
  /** Why the last recording stopped: asked, budget reached, a write error. */
  stoppedReason: z.string().nullable()
})
/** The disk recorder's state. */
export type RecordStatus = z.infer<typeof recordStatusSchema>

/** A running or finished replay. */
export const replayInfoSchema = z.object({
  id: z.number().int(),
  mode: z.enum(['client', 'server']),
  /** Where it connects (client) or listens (server). */
  target: z.string(),
  state: z.enum(['running', 'done', 'stopped', 'failed']),
  /** The lab connection(s) the replay drives: one as a client, one per accepted peer as a server. */
  connectionIds: z.array(z.number().int()),
  serverId: z.number().int().nullable(),
  /** The connection the conversation came from, when it was a lab connection. */
  sourceConnectionId: z.number().int().nullable(),
  chunksSent: z.number().int(),
  chunksTotal: z.number().int(),
  message: z.string().nullable()
})
/** A replay. */
export type ReplayInfo = z.infer<typeof replayInfoSchema>
