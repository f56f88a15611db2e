import { z } from 'zod'
import { commands, savedPayloadSchema, sequenceSchema, serverStartFields, uiPrefsSchema } from './contract'
import type { CommandInput } from './contract'
import { parseListenSpec } from './listen-spec'

/** The workspace format this build writes; older files are migrated on load. */
export const WORKSPACE_VERSION = 1

const entryName = z
  .string({ error: 'A name must be text' })
  .trim()
  .min(1, 'A name must not be empty')
  .max(80, 'A name is at most 80 characters')
const address = z
  .string({ error: 'An address must be text, e.g. "127.0.0.1:9000"' })
  .trim()
  .min(1, 'The address is empty')
  .max(300, 'The address is too long')

/** Addresses in a workspace file are written like `--listen` values; this parses one without a behaviour prefix. */
function parseAddress(text: string): ReturnType<typeof parseListenSpec> {
  if (!text.trim().startsWith('unix:') && /^[A-Za-z][\w-]*@/.test(text.trim())) {
    return { ok: false, error: 'write only the address here (e.g. "127.0.0.1:9000"); the behaviour has its own field' }
  }
  const r = parseListenSpec(text)
  if (!r.ok) return { ok: false, error: r.error.replace(/^--listen "(?:[^"\\]|\\.)*": /, '') }
  return r
}

/** Adds the issues of a command's own schema to a workspace entry's path, so one rule serves both. */
function checkAs(
  ctx: z.RefinementCtx,
  schema: z.ZodType,
  request: unknown,
  pathPrefix: (string | number)[] = []
): void {
  const r = schema.safeParse(request)
  if (r.success) return
  for (const issue of r.error.issues) {
    // Fields of the request that the entry spells differently (host, port) are reported on `listen`/`connect`.
    const path =
      issue.path.length > 0 && (issue.path[0] === 'host' || issue.path[0] === 'port') ? pathPrefix : issue.path
    ctx.addIssue({ code: 'custom', message: issue.message, path: path as PropertyKey[] })
  }
}

/**
 * A server in the workspace: the `server:start` request with `listen` (an ADDRESS as in `--listen`: `HOST:PORT`,
 * `[IPV6]:PORT`, `unix:PATH`) in place of host and port. Fields other streams add to `server:start` come along.
 */
export const workspaceServerSchema = serverStartFields
  .omit({ host: true, port: true })
  .extend({
    name: entryName.optional(),
    listen: address,
    /** false: the listener was closed with its connections kept; it is restored closed. */
    accepting: z.boolean().optional()
  })
  .superRefine((entry, ctx) => {
    const parsed = parseAddress(entry.listen)
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error, path: ['listen'] })
      return
    }
    checkAs(ctx, commands['server:start'].request, serverEntryToStart(entry), ['listen'])
  })
/** A server in the workspace. */
export type WorkspaceServer = z.output<typeof workspaceServerSchema>

/** An outgoing client the lab reconnects at start: `connect` is `HOST:PORT`, `[IPV6]:PORT` or `unix:PATH`. */
export const workspaceClientSchema = z
  .strictObject({
    name: entryName.optional(),
    connect: address,
    timeoutMs: z.number().int().min(1).max(120_000).optional()
  })
  .superRefine((entry, ctx) => {
    const parsed = parseAddress(entry.connect)
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error, path: ['connect'] })
      return
    }
    checkAs(ctx, commands['client:connect'].request, clientEntryToConnect(entry), ['connect'])
  })
/** An outgoing client in the workspace. */
export type WorkspaceClient = z.output<typeof workspaceClientSchema>

/**
 * A toxic in Toxiproxy's JSON shape; its type and attributes are checked by `toxic:add` when it loads. Other
 * fields (e.g. the lab's `condition`) are kept and handed to `toxic:add`, which refuses the ones it does not know.
 */
export const workspaceToxicSchema = z
  .looseObject({
    name: entryName.optional(),
    type: z
      .string({ error: 'A toxic needs a type, e.g. "latency"' })
      .min(1, 'A toxic needs a type, e.g. "latency"')
      .max(64),
    stream: z.enum(['upstream', 'downstream'], { error: 'stream is "upstream" or "downstream"' }).default('downstream'),
    toxicity: z
      .number({ error: 'toxicity is a number from 0 to 1' })
      .min(0, 'toxicity is from 0 to 1')
      .max(1, 'toxicity is from 0 to 1')
      .default(1),
    attributes: z.record(z.string(), z.json()).default({})
  })
  .catchall(z.json())
/** A toxic. */
export type WorkspaceToxic = z.output<typeof workspaceToxicSchema>

/** A proxy in Toxiproxy's JSON shape (`listen` and `upstream` are ADDRESS strings); other fields go to `proxy:create`. */
export const workspaceProxySchema = z
  .object({
    name: entryName,
    listen: address,
    upstream: address,
    enabled: z.boolean().default(true),
    toxics: z.array(workspaceToxicSchema).max(100, 'At most 100 toxics per proxy').default([]),
    /** Rules per direction, as `proxy:respond` takes them (checked by it when the proxy loads). */
    responders: z.strictObject({ upstream: z.json().optional(), downstream: z.json().optional() }).optional()
  })
  .catchall(z.json())
  .superRefine((entry, ctx) => {
    for (const key of ['listen', 'upstream'] as const) {
      const parsed = parseAddress(entry[key])
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error, path: [key] })
    }
  })
/** A proxy. */
export type WorkspaceProxy = z.output<typeof workspaceProxySchema>

function uniqueNames(items: readonly { name?: string }[], ctx: z.RefinementCtx, section: string): void {
  const seen = new Set<string>()
  items.forEach((item, i) => {
    if (item.name === undefined) return
    if (seen.has(item.name))
      ctx.addIssue({
        code: 'custom',
        message: `The name ${JSON.stringify(item.name)} is used twice in ${section}`,
        path: [section, i, 'name']
      })
    seen.add(item.name)
  })
}

/** A whole workspace file, at the current version. Unknown fields are refused, so a typo is named, not ignored. */
export const workspaceDocumentSchema = z
  .strictObject({
    version: z.literal(WORKSPACE_VERSION, { error: `version must be ${WORKSPACE_VERSION}` }),
    servers: z.array(workspaceServerSchema).max(1000, 'At most 1000 servers').default([]),
    clients: z.array(workspaceClientSchema).max(1000, 'At most 1000 clients').default([]),
    proxies: z.array(workspaceProxySchema).max(1000, 'At most 1000 proxies').default([]),
    payloads: z.array(savedPayloadSchema).max(500, 'At most 500 saved payloads').default([]),
    sequences: z.array(sequenceSchema).max(100, 'At most 100 sequences').default([]),
    ui: uiPrefsSchema.default({})
  })
  .superRefine((doc, ctx) => {
    uniqueNames(doc.servers, ctx, 'servers')
    uniqueNames(doc.proxies, ctx, 'proxies')
    uniqueNames(doc.payloads, ctx, 'payloads')
    uniqueNames(doc.sequences, ctx, 'sequences')
    const payloadNames = new Set(doc.payloads.map((p) => p.name))
    doc.sequences.forEach((s, i) =>
      s.steps.forEach((step, j) => {
        if (!payloadNames.has(step.payload)) {
          ctx.addIssue({
            code: 'custom',
            message: `There is no saved payload named ${JSON.stringify(step.payload)}`,
            path: ['sequences', i, 'steps', j, 'payload']
          })
        }
      })
    )
  })
/** A workspace file's content. */
export type WorkspaceDocument = z.output<typeof workspaceDocumentSchema>

/** An empty workspace. */
export function emptyWorkspace(): WorkspaceDocument {
  return { version: WORKSPACE_VERSION, servers: [], clients: [], proxies: [], payloads: [], sequences: [], ui: {} }
}

/** The `server:start` request a workspace server entry stands for. */
export function serverEntryToStart(entry: z.input<typeof workspaceServerSchema>): CommandInput<'server:start'> {
  const { name: _name, listen, accepting: _accepting, ...rest } = entry
  const parsed = parseAddress(listen)
  // An unparsable address is reported by the schema; the request then fails on its missing host.
  const where = parsed.ok
    ? { host: parsed.value.host, ...(parsed.value.port !== undefined ? { port: parsed.value.port } : {}) }
    : { host: '' }
  return { ...rest, ...where } as CommandInput<'server:start'>
}

/** The `client:connect` request a workspace client entry stands for. */
export function clientEntryToConnect(entry: z.input<typeof workspaceClientSchema>): CommandInput<'client:connect'> {
  const parsed = parseAddress(entry.connect)
  const where = parsed.ok
    ? { host: parsed.value.host, ...(parsed.value.port !== undefined ? { port: parsed.value.port } : {}) }
    : { host: '' }
  return { ...where, ...(entry.timeoutMs !== undefined ? { timeoutMs: entry.timeoutMs } : {}) }
}

/** `HOST:PORT`, `[IPV6]:PORT` or `unix:PATH`, as `--listen` and the workspace write addresses. */
export function formatAddress(host: string, port: number | undefined): string {
  if (host.startsWith('unix:')) return host
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? 0}`
}

/** Turns zod issues into one sentence per field, e.g. `servers[0].listen: port must be …`. */
export function describeWorkspaceIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => {
      const where = i.path
        .map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n > 0 ? '.' : ''}${String(p)}`))
        .join('')
      // zod's own message for a key it refuses names the key but not why; say it plainly.
      const message =
        i.code === 'unrecognized_keys'
          ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`
          : i.message
      return where === '' ? message : `${where}: ${message}`
    })
    .join('; ')
    .concat(error.issues.length > 10 ? `; and ${error.issues.length - 10} more` : '')
}
