import { commands, describeIssues, isCommandName } from '@shared/contract'
import type { CommandName, CommandRequest, CommandResult, CommandValue, Result } from '@shared/contract'
import type { EventBatch } from '@shared/model'
import { quoteInput } from '@shared/model'
import type { BatcherOptions, Outlet } from './event-batcher'
import { EventBatcher } from './event-batcher'
import { LabFailure } from './errors'
import type { LabOptions } from './lab'
import { Lab } from './lab'
import { readKernelView } from './kernel-view'
import { whoHoldsPort } from './kernel/port-holder'
import { respondStats, respondTest } from './respond-commands'
import { Workspace } from './workspace/workspace'
import type { WorkspaceOptions } from './workspace/workspace'
import type { CommandSource } from './workspace/restore'
import { huntSelfConnection } from './lesson/self-connect'
import { runLoad } from './lesson/load-run'
import { captureOf, disposeCapture } from './record/capture-service'
import { exportCapture } from './record/export'
import { serverCertificate } from './servers/create-server'
import { ApiControl } from './api-control'
import type { ServeApi } from './api-control'

/** What a command runs against: the lab, and the consumer's outlet when it comes through a session. */
interface CommandContext {
  lab: Lab
  /** Absent for `hub.run` (no consumer): a snapshot then starts at 0 and an ack is a no-op. */
  outlet?: Outlet
  /** Saved payloads, sequences and the workspace file. */
  workspace: Workspace
  /** The Toxiproxy-compatible API's switch. */
  api: ApiControl
  /** Who asked: the command line's `api:configure` is not saved into the workspace. */
  source: CommandSource
}

/** How each command runs, keyed by channel: a new command is one more row (after its contract entry). */
const COMMANDS: {
  [C in CommandName]: (ctx: CommandContext, req: CommandRequest<C>) => CommandValue<C> | Promise<CommandValue<C>>
} = {
  'lab:snapshot': ({ lab, outlet }) => (outlet ? outlet.snapshot() : lab.snapshot(0)),
  'lab:ack': ({ outlet }, req) => {
    outlet?.ack(req.seq)
    return {}
  },
  'server:start': ({ lab }, req) => lab.startServer(req),
  'server:stop': ({ lab }, req) => lab.stopServer(req),
  'server:configure': ({ lab }, req) => lab.configureServer(req),
  'server:close-all': ({ lab }, req) => lab.closeAll(req),
  'client:connect': ({ lab }, req) => lab.connect(req),
  'connection:send': ({ lab }, req) => lab.send(req),
  'connection:action': ({ lab }, req) => lab.action(req),
  'connection:traffic': ({ lab }, req) => lab.traffic(req),
  'connection:clear-closed': ({ lab }, req) => lab.clearClosed(req),
  'kernel:sockets': ({ lab }, req) => readKernelView(lab, req),
  'proxy:create': ({ lab }, req) => lab.proxies.create(req),
  'proxy:update': ({ lab }, req) => lab.proxies.update(req),
  'proxy:delete': ({ lab }, req) => lab.proxies.delete(req),
  'proxy:list': ({ lab }) => lab.proxies.list(),
  'proxy:reset': ({ lab }) => lab.proxies.reset(),
  'toxic:add': ({ lab }, req) => lab.proxies.addToxic(req),
  'toxic:update': ({ lab }, req) => lab.proxies.updateToxic(req),
  'toxic:remove': ({ lab }, req) => lab.proxies.removeToxic(req),
  'lesson:self-connect-hunt': ({ lab }, req) => huntSelfConnection(req, lab),
  'lesson:load': (_ctx, req) => runLoad(req),
  'respond:test': (_ctx, req) => respondTest(req),
  'respond:stats': ({ lab }, req) => respondStats(lab, req),
  'workspace:get': ({ workspace }, req) => workspace.handle('workspace:get', req),
  'workspace:export': ({ workspace }, req) => workspace.handle('workspace:export', req),
  'workspace:import': ({ workspace }, req) => workspace.handle('workspace:import', req),
  'workspace:save': ({ workspace }, req) => workspace.handle('workspace:save', req),
  'workspace:retry': ({ workspace }, req) => workspace.handle('workspace:retry', req),
  'workspace:forget': ({ workspace }, req) => workspace.handle('workspace:forget', req),
  'workspace:set-ui': ({ workspace }, req) => workspace.handle('workspace:set-ui', req),
  'payload:list': ({ workspace }, req) => workspace.handle('payload:list', req),
  'payload:save': ({ workspace }, req) => workspace.handle('payload:save', req),
  'payload:delete': ({ workspace }, req) => workspace.handle('payload:delete', req),
  'sequence:list': ({ workspace }, req) => workspace.handle('sequence:list', req),
  'sequence:save': ({ workspace }, req) => workspace.handle('sequence:save', req),
  'sequence:delete': ({ workspace }, req) => workspace.handle('sequence:delete', req),
  'sequence:run': ({ workspace }, req) => workspace.handle('sequence:run', req),
  'sequence:stop': ({ workspace }, req) => workspace.handle('sequence:stop', req),
  'capture:export': ({ lab }, req) => exportCapture(lab, req),
  'capture:record-start': ({ lab }, req) => captureOf(lab).start(req),
  'capture:record-stop': ({ lab }) => captureOf(lab).stop(),
  'capture:record-status': ({ lab }) => captureOf(lab).status(),
  'replay:start': ({ lab }, req) => captureOf(lab).replays.start(req),
  'replay:stop': ({ lab }, req) => captureOf(lab).replays.stop(req.replayId),
  'replay:list': ({ lab }) => ({ replays: captureOf(lab).replays.list() }),
  'server:certificate': ({ lab }, req) => serverCertificate(lab.servers, req),
  'proxy:respond': ({ lab }, req) => lab.proxies.respond(req),
  'proxy:certificate': ({ lab }, req) => lab.proxies.certificate(req),
  'api:status': ({ api }) => api.status(),
  'api:configure': ({ api, source }, req) => api.configure(req, source)
}

/** Runs one validated command. */
async function runCommand<C extends CommandName>(
  ctx: CommandContext,
  name: C,
  req: CommandRequest<C>
): Promise<CommandValue<C>> {
  return COMMANDS[name](ctx, req)
}

/** How `hub.run` was asked: `source: 'cli'` for `--listen`/`--proxy` (run, but never saved into the workspace file). */
export interface RunOptions {
  source?: CommandSource
}

/** Runs a command by name: typed by the contract for a known name, `Result<unknown>` for untrusted input. */
export interface RunCommand {
  <C extends CommandName>(name: C, payload: unknown, options?: RunOptions): Promise<CommandResult<C>>
  (name: unknown, payload: unknown, options?: RunOptions): Promise<Result<unknown>>
}

/** One consumer's link to the lab: it sends commands and receives its own numbered batches. */
export interface LabSession {
  /** Validates and runs one command; never throws. */
  handle: RunCommand
  close(): void
}

/** The lab plus its event stream, shared by every front door (Electron IPC, browser WebSocket). */
export interface LabHub {
  readonly lab: Lab
  readonly batcher: EventBatcher
  /** Saved payloads, sequences and the workspace file (in memory until `workspace.open(file)`). */
  readonly workspace: Workspace
  /** The Toxiproxy-compatible API's lifetime (`api:status`, `api:configure`, `--toxiproxy-api`). */
  readonly api: ApiControl
  /** A new consumer; `send` receives its batches. */
  connect(send: (batch: EventBatch) => void): LabSession
  /** Runs a command with no consumer attached (e.g. `--listen` at launch: `{ source: 'cli' }` keeps it out of the workspace file). */
  run: RunCommand
  dispose(): Promise<void>
}

/** Options of a hub. */
export interface LabHubOptions extends LabOptions {
  batcher?: Partial<BatcherOptions>
  workspace?: WorkspaceOptions
  /** The HTTP front that serves the Toxiproxy API (src/main/api); without it `api:configure` cannot switch it on. */
  serveApi?: ServeApi
}

/** Builds a lab and its batcher. */
export function createLabHub(options: LabHubOptions = {}): LabHub {
  // On Linux the kernel can name who holds a port; tests may pass their own.
  const lab = new Lab({ whoHoldsPort, ...options })
  const batcher = new EventBatcher(lab, options.batcher)
  const workspace = new Workspace(
    {
      run: (name, payload, source) => dispatch(name, payload, undefined, source),
      publish: (event) => lab.publish(event),
      connection: (id) => lab.connections.get(id)?.info()
    },
    options.workspace
  )
  const api = new ApiControl({
    serve: options.serveApi,
    commands: { run: (name, payload) => dispatch(name, payload) },
    publish: (event) => lab.publish(event),
    savePrefs: async (ui) => {
      await workspace.handle('workspace:set-ui', { ui })
    }
  })

  async function dispatch(
    name: unknown,
    payload: unknown,
    outlet?: Outlet,
    source: CommandSource = 'ui'
  ): Promise<Result<unknown>> {
    if (!isCommandName(name)) {
      return { ok: false, error: { code: 'unknown-command', message: `Unknown command ${quoteInput(name)}` } }
    }
    try {
      const parsed = commands[name].request.safeParse(payload ?? {})
      if (!parsed.success) {
        return { ok: false, error: { code: 'invalid', message: describeIssues(parsed.error) } }
      }
      const value = await runCommand(
        { lab, outlet, workspace, api, source },
        name,
        parsed.data as CommandRequest<typeof name>
      )
      workspace.observe(name, parsed.data, value, source)
      return { ok: true, value }
    } catch (err) {
      if (err instanceof LabFailure) return { ok: false, error: err.toLabError() }
      return {
        ok: false,
        error: { code: 'internal', message: `Internal error: ${(err as Error)?.message ?? String(err)}` }
      }
    }
  }

  return {
    lab,
    batcher,
    workspace,
    api,
    connect(send) {
      const outlet = batcher.openOutlet(send)
      return {
        handle: ((name: unknown, payload: unknown) => dispatch(name, payload, outlet)) as RunCommand,
        close: () => outlet.close()
      }
    },
    run: ((name: unknown, payload: unknown, opts?: RunOptions) =>
      dispatch(name, payload, undefined, opts?.source)) as RunCommand,
    async dispose() {
      // The workspace writes its last change while the servers still run, then the lab closes them.
      await workspace.close()
      await api.dispose()
      batcher.dispose()
      await lab.dispose()
      await disposeCapture(lab)
    }
  }
}
