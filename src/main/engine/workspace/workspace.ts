import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { CommandName, CommandRequest, CommandValue, WorkspaceProblem, WorkspaceStatus } from '@shared/contract'
import type { ConnectionInfo, LabEvent, ServerInfo, Snapshot } from '@shared/model'
import { WORKSPACE_VERSION } from '@shared/workspace-model'
import type { WorkspaceClient, WorkspaceDocument, WorkspaceProxy } from '@shared/workspace-model'
import { LabFailure } from '../errors'
import { keepAside, writeFileAtomic } from './atomic-file'
import {
  clientAddress,
  isLiveClient,
  proxyEntryFromInfo,
  serverEntryFromInfo,
  withProxyTlsIdentity,
  withTlsIdentity
} from './capture'
import { entriesOf, problemOf, restoreEntry } from './restore'
import type { CommandSource, EntryOutcome, HeldEntry, RunCommand } from './restore'
import { SavedItems } from './saved-items'
import { SequenceRunner } from './sequence-runner'
import { checkDocument, loadWorkspaceFile } from './workspace-file'

/** The commands the workspace answers. */
export type WorkspaceCommand = Extract<CommandName, `workspace:${string}` | `payload:${string}` | `sequence:${string}`>

/** Whether a command belongs to the workspace. */
export function isWorkspaceCommand(name: CommandName): name is WorkspaceCommand {
  return name.startsWith('workspace:') || name.startsWith('payload:') || name.startsWith('sequence:')
}

// Problems in a row that are also shown as notices; the rest are listed in the Workspace section only.
const NOTICES_PER_BURST = 10

// Commands that only read: they never make the workspace save.
const READ_ONLY = new Set([
  'lab:snapshot',
  'lab:ack',
  'connection:send',
  'connection:traffic',
  'kernel:sockets',
  'server:certificate',
  'proxy:certificate',
  'api:status'
])

/** What the workspace needs from its hub. */
export interface WorkspaceHost {
  run: RunCommand
  publish(event: LabEvent): void
  connection(id: number): ConnectionInfo | undefined
}

/** Tuning of a workspace (tests shorten the delay). */
export interface WorkspaceOptions {
  /** Quiet time after a change before the file is written (debounce). */
  saveDelayMs?: number
  /** How the file is written (tests simulate a full disk); atomic by default. */
  writeFile?: (path: string, data: string) => Promise<void>
}

/** What opening a file restored. */
export interface OpenSummary {
  file: string
  servers: number
  proxies: number
  clients: number
  payloads: number
  problems: WorkspaceProblem[]
}

interface Held {
  problem: WorkspaceProblem
  entry: HeldEntry | null
}

/**
 * The lab's setup as a document: servers, clients, proxies (read from the lab through commands), saved payloads,
 * sequences and UI preferences (kept here). Restores through the hub's commands only, saves atomically and
 * debounced, never overwrites a file it could not read, and leaves out what came from the command line.
 */
export class Workspace {
  private file: string | null = null
  private notSaving: string | null = null
  private savedAt: number | null = null
  private lastWritten: string | null = null
  private held: Held[] = []
  private nextProblemId = 1
  private readonly items = new SavedItems()
  private readonly serverNames = new Map<number, string>()
  private readonly cliServers = new Set<number>()
  private readonly cliProxies = new Set<string>()
  private readonly clients = new Map<number, WorkspaceClient>()
  // When this lab has no proxies (no `proxy:list`), the file's proxies are kept as they were.
  private keptProxies: WorkspaceProxy[] = []
  private badFileCopy: string | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private chain: Promise<void> = Promise.resolve()
  private closed = false
  private noticesInBurst = 0
  private readonly saveDelayMs: number
  private readonly writeFile: (path: string, data: string) => Promise<void>
  readonly runner: SequenceRunner

  constructor(
    private readonly host: WorkspaceHost,
    options: WorkspaceOptions = {}
  ) {
    this.saveDelayMs = options.saveDelayMs ?? 300
    this.writeFile = options.writeFile ?? writeFileAtomic
    this.runner = new SequenceRunner({
      run: (name, payload) => host.run(name, payload, 'ui'),
      publish: (e) => host.publish(e),
      connection: (id) => host.connection(id)
    })
  }

  /** Loads a workspace file (a missing one is created on the first change) and starts what it describes. */
  async open(path: string): Promise<OpenSummary> {
    if (this.file !== null) throw new LabFailure('already-open', `This lab already keeps its workspace in ${this.file}`)
    this.file = resolve(path)
    const before = this.held.length
    const summary: OpenSummary = { file: this.file, servers: 0, proxies: 0, clients: 0, payloads: 0, problems: [] }
    const folder = dirname(this.file)
    const folderOk = await stat(folder).then(
      (s) => s.isDirectory(),
      () => false
    )
    const loaded = await loadWorkspaceFile(this.file)
    if (loaded.status === 'missing') {
      if (!folderOk)
        this.refuseFile(
          `The folder ${folder} does not exist`,
          'Create it, or give --workspace a file in an existing folder.'
        )
    } else if (loaded.status === 'unreadable') {
      this.badFileCopy = loaded.keptAs
      this.refuseFile(
        `Workspace ${loaded.message}`,
        `${loaded.keptAs ? `A copy is kept at ${loaded.keptAs}. ` : ''}The file is left as it is and changes are not saved to it until you fix or replace it.`
      )
    } else if (loaded.status === 'invalid') {
      this.refuseFile(
        `Workspace ${this.file} is not valid: ${loaded.message}`,
        'The file is left as it is and changes are not saved to it until you fix it.'
      )
    } else {
      const outcomes = await this.apply(loaded.document, 'workspace')
      summary.servers = outcomes.filter((o) => o.serverId !== undefined).length
      summary.proxies = outcomes.filter((o) => o.proxyName !== undefined).length
      summary.clients = outcomes.filter((o) => o.clientId !== undefined).length
      summary.payloads = loaded.document.payloads.length
      // What was just read is what the file holds: no save until something changes.
      this.lastWritten = null
    }
    summary.problems = this.held.slice(before).map((h) => h.problem)
    this.changed(false)
    return summary
  }

  /** Tells the workspace a command succeeded, so it can track names and origins and save. */
  observe(name: CommandName, req: unknown, value: unknown, source: CommandSource): void {
    if (this.closed) return
    if (name === 'server:start') {
      const id = (value as ServerInfo).id
      if (source === 'cli') this.cliServers.add(id)
    } else if (name === 'server:stop') {
      const id = (req as CommandRequest<'server:stop'>).serverId
      this.serverNames.delete(id)
      this.cliServers.delete(id)
    } else if (name === 'client:connect' && source !== 'cli') {
      const r = req as CommandRequest<'client:connect'>
      this.clients.set((value as ConnectionInfo).id, {
        connect: clientAddress(r.host, r.port),
        ...(r.timeoutMs !== 5_000 ? { timeoutMs: r.timeoutMs } : {})
      })
    } else if ((name as string) === 'proxy:create' && source === 'cli') {
      // The proxy stream's commands, when this lab has them: matched by name so this compiles without them.
      this.cliProxies.add(String((req as { name?: unknown }).name))
    } else if ((name as string) === 'proxy:delete') {
      this.cliProxies.delete(String((req as { name?: unknown }).name))
    }
    if (source !== 'workspace' && !READ_ONLY.has(name) && !isWorkspaceCommand(name) && !/:(list|get)$/.test(name))
      this.scheduleSave()
  }

  /** Runs one workspace command. */
  async handle<C extends WorkspaceCommand>(name: C, req: CommandRequest<C>): Promise<CommandValue<C>> {
    return (await this.dispatch(name, req as never)) as CommandValue<C>
  }

  private async dispatch(name: WorkspaceCommand, req: never): Promise<unknown> {
    switch (name) {
      case 'workspace:get':
        return this.status()
      case 'workspace:export':
        return { document: await this.buildDocument() }
      case 'workspace:import':
        return this.importDocument((req as CommandRequest<'workspace:import'>).document)
      case 'workspace:save':
        return this.saveNow((req as CommandRequest<'workspace:save'>).replaceBadFile === true)
      case 'workspace:retry':
        return this.retry((req as CommandRequest<'workspace:retry'>).problemId)
      case 'workspace:forget':
        this.forget((req as CommandRequest<'workspace:forget'>).problemId)
        return {}
      case 'workspace:set-ui':
        this.edit(() => this.items.setUi((req as CommandRequest<'workspace:set-ui'>).ui))
        return {}
      case 'payload:list':
        return { payloads: [...this.items.payloads] }
      case 'payload:save':
        return { names: this.edit(() => this.items.savePayload((req as CommandRequest<'payload:save'>).payload)) }
      case 'payload:delete':
        return { names: this.edit(() => this.items.deletePayload((req as CommandRequest<'payload:delete'>).name)) }
      case 'sequence:list':
        return { sequences: [...this.items.sequences] }
      case 'sequence:save':
        return { names: this.edit(() => this.items.saveSequence((req as CommandRequest<'sequence:save'>).sequence)) }
      case 'sequence:delete':
        return { names: this.edit(() => this.items.deleteSequence((req as CommandRequest<'sequence:delete'>).name)) }
      case 'sequence:run': {
        const r = req as CommandRequest<'sequence:run'>
        const seq = this.items.sequence(r.sequenceName)
        return this.runner.start(r.connectionId, seq, new Map(this.items.payloads.map((p) => [p.name, p])))
      }
      case 'sequence:stop':
        return this.runner.stop((req as CommandRequest<'sequence:stop'>).runId)
    }
  }

  /** Runs a change of the saved items; once it succeeded, saves and tells the consumers. */
  private edit<T>(change: () => T): T {
    const out = change()
    this.changed(true)
    return out
  }

  /** Where the workspace lives and what it holds. */
  status(): WorkspaceStatus {
    return {
      file: this.file,
      notSaving: this.notSaving,
      savedAt: this.savedAt,
      problems: this.held.map((h) => h.problem),
      payloads: [...this.items.payloads],
      sequences: [...this.items.sequences],
      ui: { ...this.items.ui },
      cliServerIds: [...this.cliServers]
    }
  }

  /** The document the file would hold now: the running lab (without command-line entries) plus what did not load. */
  async buildDocument(): Promise<WorkspaceDocument> {
    const snap = await this.host.run('lab:snapshot', {}, 'workspace')
    const servers: WorkspaceDocument['servers'] = []
    const clients: WorkspaceDocument['clients'] = []
    if (snap.ok) {
      const s = snap.value as Snapshot
      for (const info of s.servers) {
        if (this.cliServers.has(info.id)) continue
        const entry = serverEntryFromInfo(info, this.serverNames.get(info.id))
        if (entry) servers.push(await withTlsIdentity(entry, info, this.host.run))
      }
      const live = new Set(s.connections.filter(isLiveClient).map((c) => c.id))
      for (const [id, entry] of this.clients) {
        if (live.has(id)) clients.push(entry)
        else this.clients.delete(id)
      }
    }
    let proxies: WorkspaceProxy[]
    const listed = await this.host.run('proxy:list', {}, 'workspace')
    if (listed.ok) {
      const list = ((listed.value as { proxies?: unknown[] }).proxies ?? []) as unknown[]
      proxies = []
      for (const info of list) {
        const entry = proxyEntryFromInfo(info)
        if (entry === null || this.cliProxies.has(entry.name)) continue
        proxies.push(await withProxyTlsIdentity(entry, info, this.host.run))
      }
    } else {
      proxies = [...this.keptProxies]
    }
    for (const h of this.held) {
      const e = h.entry
      if (!e) continue
      if (e.section === 'servers') servers.push(e.entry)
      else if (e.section === 'clients') clients.push(e.entry)
      else if (e.section === 'proxies' && !proxies.some((p) => p.name === e.entry.name)) proxies.push(e.entry)
      else if (e.section === 'toxics') {
        const p = proxies.find((x) => x.name === e.proxy)
        if (p && !p.toxics.some((t) => t.name !== undefined && t.name === e.entry.name))
          p.toxics = [...p.toxics, e.entry]
      } else if (e.section === 'responders') {
        // A responder that did not load stays in the file on its proxy, unless the direction has one now.
        const p = proxies.find((x) => x.name === e.proxy)
        if (p && p.responders?.[e.stream] === undefined)
          p.responders = {
            ...p.responders,
            [e.stream]: e.entry as NonNullable<WorkspaceProxy['responders']>['upstream']
          }
      }
    }
    // Names stay unique (the file would be refused otherwise): a later server with a taken name keeps no name.
    const names = new Set<string>()
    for (const sv of servers) {
      if (sv.name === undefined) continue
      if (names.has(sv.name)) delete sv.name
      else names.add(sv.name)
    }
    const { payloads, sequences, ui } = this.items
    return {
      version: WORKSPACE_VERSION,
      servers,
      clients,
      proxies,
      payloads: [...payloads],
      sequences: [...sequences],
      ui: { ...ui }
    }
  }

  /** Writes any pending change and stops saving and every sequence (before the lab closes its servers). */
  async close(): Promise<void> {
    if (this.closed) return
    const pending = this.timer !== null
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.runner.stopAll()
    if (pending) await this.enqueueSave()
    await this.chain
    this.closed = true
  }

  // ---- changing the document ---------------------------------------------------------------

  private async apply(doc: WorkspaceDocument, source: CommandSource): Promise<EntryOutcome[]> {
    this.noticesInBurst = 0
    this.items.merge(doc)
    const outcomes: EntryOutcome[] = []
    // One entry at a time, in order: a failure is reported on its entry and the rest still start.
    for (const held of entriesOf(doc)) outcomes.push(...(await this.restore(held, source)))
    return outcomes
  }

  private async restore(held: HeldEntry, source: CommandSource): Promise<EntryOutcome[]> {
    const outcomes = await restoreEntry(held, this.host.run, source)
    for (const o of outcomes) {
      if (o.serverId !== undefined && held.section === 'servers' && held.entry.name)
        this.serverNames.set(o.serverId, held.entry.name)
      if (o.clientId !== undefined && held.section === 'clients') this.clients.set(o.clientId, held.entry)
      if (!o.failure) continue
      if (o.failure.unknownCommand && o.failure.held.section === 'proxies') {
        // No proxies in this lab: the entry stays in the file as it was, reported once.
        this.keptProxies.push(o.failure.held.entry)
        this.addProblem(problemOf(this.nextProblemId++, o.failure), null)
        continue
      }
      this.addProblem(problemOf(this.nextProblemId++, o.failure), o.failure.unknownCommand ? null : o.failure.held)
    }
    return outcomes
  }

  private async importDocument(raw: unknown): Promise<CommandValue<'workspace:import'>> {
    const checked = checkDocument(raw)
    if (!checked.ok)
      throw new LabFailure('invalid', `The workspace is not valid: ${checked.message}`, 'Nothing was changed.')
    const before = this.held.length
    await this.apply(checked.document, 'ui')
    this.changed(true)
    return { problems: this.held.slice(before).map((h) => h.problem) }
  }

  private async retry(problemId: number): Promise<CommandValue<'workspace:retry'>> {
    const i = this.held.findIndex((h) => h.problem.id === problemId)
    const h = this.held[i]
    if (!h) throw new LabFailure('not-found', `There is no workspace problem ${problemId}`)
    if (!h.entry) throw new LabFailure('not-retryable', `${h.problem.entry} cannot be retried`, h.problem.hint)
    this.held.splice(i, 1)
    const before = this.held.length
    this.noticesInBurst = 0
    await this.restore(h.entry, 'ui')
    this.changed(true)
    return { problems: this.held.slice(before).map((x) => x.problem) }
  }

  private forget(problemId: number): void {
    const i = this.held.findIndex((h) => h.problem.id === problemId)
    if (i < 0) throw new LabFailure('not-found', `There is no workspace problem ${problemId}`)
    const [h] = this.held.splice(i, 1)
    if (h.entry?.section === 'proxies')
      this.keptProxies = this.keptProxies.filter((p) => p.name !== (h.entry as { entry: WorkspaceProxy }).entry.name)
    this.changed(h.entry !== null)
  }

  // ---- saving ------------------------------------------------------------------------------

  private refuseFile(message: string, hint: string): void {
    this.notSaving = message
    this.addProblem(
      { id: this.nextProblemId++, kind: 'file', entry: this.file ?? '', message, hint, retryable: false },
      null
    )
  }

  private addProblem(problem: WorkspaceProblem, entry: HeldEntry | null): void {
    this.held.push({ problem, entry })
    // A file of 1000 bad entries keeps them all (and lists them), but only the first few become notices.
    this.noticesInBurst++
    if (this.noticesInBurst <= NOTICES_PER_BURST) {
      this.host.publish({
        type: 'notice',
        at: Date.now(),
        level: 'warning',
        message: `Workspace: ${problem.entry}: ${problem.message}`
      })
    } else if (this.noticesInBurst === NOTICES_PER_BURST + 1) {
      this.host.publish({
        type: 'notice',
        at: Date.now(),
        level: 'warning',
        message: 'Workspace: more entries did not load; see the Workspace section'
      })
    }
  }

  private changed(save: boolean): void {
    if (save) this.scheduleSave()
    this.host.publish({ type: 'workspace.updated', at: Date.now() })
  }

  private scheduleSave(): void {
    if (this.closed || this.file === null || this.notSaving !== null || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.enqueueSave()
    }, this.saveDelayMs)
  }

  private async saveNow(replaceBadFile: boolean): Promise<WorkspaceStatus> {
    if (this.file === null)
      throw new LabFailure(
        'no-file',
        'This lab keeps no workspace file',
        'Start it with --workspace FILE, or export the workspace instead.'
      )
    if (this.notSaving !== null) {
      if (!replaceBadFile)
        throw new LabFailure(
          'not-saving',
          this.notSaving,
          'Pass replaceBadFile to save over it (a copy of it is kept first).'
        )
      if (!this.badFileCopy) {
        // The person's file is copied aside before anything replaces it; if it cannot be copied, it is not replaced.
        this.badFileCopy = await keepAside(this.file).catch((err: unknown) => {
          const code = (err as NodeJS.ErrnoException).code
          if (code === 'ENOENT') return ''
          throw new LabFailure(
            'cannot-copy',
            `Cannot keep a copy of ${this.file} (${code ?? String(err)})`,
            'So it is not replaced.'
          )
        })
      }
      this.notSaving = null
      this.held = this.held.filter((h) => h.problem.kind !== 'file')
    }
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.enqueueSave()
    return this.status()
  }

  private enqueueSave(): Promise<void> {
    this.chain = this.chain.then(() => this.writeOnce())
    return this.chain
  }

  private async writeOnce(): Promise<void> {
    if (this.file === null || this.notSaving !== null || this.closed) return
    this.noticesInBurst = 0
    const doc = await this.buildDocument()
    // Never write a file the next start would refuse.
    const check = checkDocument(doc)
    if (!check.ok) {
      this.held = this.held.filter((h) => h.problem.kind !== 'save')
      this.addProblem(
        {
          id: this.nextProblemId++,
          kind: 'save',
          entry: this.file,
          message: `Not saved: the workspace would not be valid (${check.message})`,
          retryable: false
        },
        null
      )
      this.host.publish({ type: 'workspace.updated', at: Date.now() })
      return
    }
    const text = `${JSON.stringify(doc, null, 2)}\n`
    if (text === this.lastWritten) return
    try {
      await this.writeFile(this.file, text)
      this.lastWritten = text
      this.savedAt = Date.now()
      const hadSaveProblem = this.held.some((h) => h.problem.kind === 'save')
      this.held = this.held.filter((h) => h.problem.kind !== 'save')
      if (hadSaveProblem)
        this.host.publish({ type: 'notice', at: Date.now(), level: 'info', message: `Workspace saved to ${this.file}` })
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const why =
        e.code === 'ENOSPC'
          ? 'the disk is full'
          : e.code === 'EACCES' || e.code === 'EPERM'
            ? 'permission denied'
            : (e.code ?? e.message)
      this.held = this.held.filter((h) => h.problem.kind !== 'save')
      this.addProblem(
        {
          id: this.nextProblemId++,
          kind: 'save',
          entry: this.file,
          message: `Cannot save the workspace: ${why}`,
          hint: 'The file keeps its previous content; the next change tries again.',
          retryable: false
        },
        null
      )
    }
    this.host.publish({ type: 'workspace.updated', at: Date.now() })
  }
}
