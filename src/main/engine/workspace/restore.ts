import type { LabError, Result, WorkspaceProblem } from '@shared/contract'
import type { ServerInfo } from '@shared/model'
import { clientEntryToConnect, serverEntryToStart } from '@shared/workspace-model'
import type {
  WorkspaceClient,
  WorkspaceDocument,
  WorkspaceProxy,
  WorkspaceServer,
  WorkspaceToxic
} from '@shared/workspace-model'

/** Where a command came from: the person (UI), the command line, or a workspace being restored. */
export type CommandSource = 'ui' | 'cli' | 'workspace'

/** Runs a command through the hub, the one way the workspace changes the lab. */
export type RunCommand = (name: string, payload: unknown, source: CommandSource) => Promise<Result<unknown>>

/** An entry that did not load: kept in the file, shown to the person, and retryable. */
export type HeldEntry =
  | { section: 'servers'; entry: WorkspaceServer }
  | { section: 'clients'; entry: WorkspaceClient }
  | { section: 'proxies'; entry: WorkspaceProxy }
  | { section: 'toxics'; proxy: string; entry: WorkspaceToxic }
  | { section: 'responders'; proxy: string; stream: 'upstream' | 'downstream'; entry: unknown }

/** What one entry's restore produced. */
export interface EntryOutcome {
  failure?: { held: HeldEntry; label: string; error: LabError; unknownCommand: boolean }
  serverId?: number
  clientId?: number
  proxyName?: string
}

/** A server entry in words: `echo "api" on 127.0.0.1:9000`. */
export function describeEntry(held: HeldEntry): string {
  switch (held.section) {
    case 'servers':
      return `${held.entry.behaviour}${held.entry.name ? ` "${held.entry.name}"` : ''} on ${held.entry.listen}`
    case 'clients':
      return `client to ${held.entry.connect}`
    case 'proxies':
      return `proxy "${held.entry.name}" ${held.entry.listen} → ${held.entry.upstream}`
    case 'toxics':
      return `toxic ${held.entry.name ? `"${held.entry.name}" ` : ''}(${held.entry.type}) on proxy "${held.proxy}"`
    case 'responders':
      return `responder on the ${held.stream} of proxy "${held.proxy}"`
  }
}

function failed(held: HeldEntry, error: LabError): EntryOutcome {
  return { failure: { held, label: describeEntry(held), error, unknownCommand: error.code === 'unknown-command' } }
}

/** Starts one entry through the hub. */
export async function restoreEntry(held: HeldEntry, run: RunCommand, source: CommandSource): Promise<EntryOutcome[]> {
  switch (held.section) {
    case 'servers': {
      const r = await run('server:start', serverEntryToStart(held.entry), source)
      if (!r.ok) return [failed(held, r.error)]
      const info = r.value as ServerInfo
      if (held.entry.accepting === false) {
        const c = await run('server:configure', { serverId: info.id, accepting: false }, source)
        if (!c.ok) return [{ serverId: info.id }, failed(held, c.error)]
      }
      return [{ serverId: info.id }]
    }
    case 'clients': {
      const r = await run('client:connect', clientEntryToConnect(held.entry), source)
      if (!r.ok) return [failed(held, r.error)]
      return [{ clientId: (r.value as { id: number }).id }]
    }
    case 'proxies': {
      const { toxics, responders, ...proxy } = held.entry
      const r = await run('proxy:create', proxy, source)
      if (!r.ok) return [failed(held, r.error)]
      const out: EntryOutcome[] = [{ proxyName: proxy.name }]
      for (const toxic of toxics)
        out.push(...(await restoreEntry({ section: 'toxics', proxy: proxy.name, entry: toxic }, run, source)))
      for (const stream of ['upstream', 'downstream'] as const) {
        const entry = responders?.[stream]
        if (entry === undefined) continue
        out.push(...(await restoreEntry({ section: 'responders', proxy: proxy.name, stream, entry }, run, source)))
      }
      return out
    }
    case 'responders': {
      const r = await run('proxy:respond', { proxy: held.proxy, stream: held.stream, responder: held.entry }, source)
      return r.ok ? [] : [failed(held, r.error)]
    }
    case 'toxics': {
      const r = await run('toxic:add', { proxy: held.proxy, toxic: held.entry }, source)
      return r.ok ? [] : [failed(held, r.error)]
    }
  }
}

/** The entries of a document in the order they start: servers, then proxies (whose upstreams may be those servers), then clients. */
export function entriesOf(doc: WorkspaceDocument): HeldEntry[] {
  return [
    ...doc.servers.map((entry): HeldEntry => ({ section: 'servers', entry })),
    ...doc.proxies.map((entry): HeldEntry => ({ section: 'proxies', entry })),
    ...doc.clients.map((entry): HeldEntry => ({ section: 'clients', entry }))
  ]
}

/** A problem as the contract shows it. */
export function problemOf(id: number, failure: NonNullable<EntryOutcome['failure']>): WorkspaceProblem {
  const { held, label, error, unknownCommand } = failure
  return {
    id,
    kind: held.section,
    entry: label,
    message: unknownCommand
      ? `This TCP Lab cannot run ${held.section === 'toxics' ? 'toxics' : held.section} (${error.message})`
      : error.message,
    ...(unknownCommand ? { hint: 'The entry is kept in the file unchanged.' } : error.hint ? { hint: error.hint } : {}),
    retryable: !unknownCommand
  }
}
