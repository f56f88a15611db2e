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
import { huntSelfConnection } from './lesson/self-connect'
import { runLoad } from './lesson/load-run'
import { serverCertificate } from './servers/create-server'

/** What a command runs against: the lab, and the consumer's outlet when it comes through a session. */
interface CommandContext {
  lab: Lab
  /** Absent for `hub.run` (no consumer): a snapshot then starts at 0 and an ack is a no-op. */
  outlet?: Outlet
}

/** How each command runs, keyed by channel: a new command is one more row (after its contract entry). */
const COMMANDS: { [C in CommandName]: (ctx: CommandContext, req: CommandRequest<C>) => CommandValue<C> | Promise<CommandValue<C>> } = {
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
  'server:certificate': ({ lab }, req) => serverCertificate(lab.servers, req)
}

/** Runs one validated command. */
async function runCommand<C extends CommandName>(ctx: CommandContext, name: C, req: CommandRequest<C>): Promise<CommandValue<C>> {
  return COMMANDS[name](ctx, req)
}

/** Runs a command by name: typed by the contract for a known name, `Result<unknown>` for untrusted input. */
export interface RunCommand {
  <C extends CommandName>(name: C, payload: unknown): Promise<CommandResult<C>>
  (name: unknown, payload: unknown): Promise<Result<unknown>>
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
  /** A new consumer; `send` receives its batches. */
  connect(send: (batch: EventBatch) => void): LabSession
  /** Runs a command with no consumer attached (e.g. `--listen` at launch). */
  run: RunCommand
  dispose(): Promise<void>
}

/** Options of a hub. */
export interface LabHubOptions extends LabOptions {
  batcher?: Partial<BatcherOptions>
}

/** Builds a lab and its batcher. */
export function createLabHub(options: LabHubOptions = {}): LabHub {
  // On Linux the kernel can name who holds a port; tests may pass their own.
  const lab = new Lab({ whoHoldsPort, ...options })
  const batcher = new EventBatcher(lab, options.batcher)

  async function dispatch(name: unknown, payload: unknown, outlet?: Outlet): Promise<Result<unknown>> {
    if (!isCommandName(name)) {
      return { ok: false, error: { code: 'unknown-command', message: `Unknown command ${quoteInput(name)}` } }
    }
    try {
      const parsed = commands[name].request.safeParse(payload ?? {})
      if (!parsed.success) {
        return { ok: false, error: { code: 'invalid', message: describeIssues(parsed.error) } }
      }
      return { ok: true, value: await runCommand({ lab, outlet }, name, parsed.data as CommandRequest<typeof name>) }
    } catch (err) {
      if (err instanceof LabFailure) return { ok: false, error: err.toLabError() }
      return { ok: false, error: { code: 'internal', message: `Internal error: ${(err as Error)?.message ?? String(err)}` } }
    }
  }

  return {
    lab,
    batcher,
    connect(send) {
      const outlet = batcher.openOutlet(send)
      return {
        handle: ((name: unknown, payload: unknown) => dispatch(name, payload, outlet)) as RunCommand,
        close: () => outlet.close()
      }
    },
    run: ((name: unknown, payload: unknown) => dispatch(name, payload)) as RunCommand,
    async dispose() {
      batcher.dispose()
      await lab.dispose()
    }
  }
}
