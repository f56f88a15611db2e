import { commands, describeIssues, isCommandName } from '@shared/contract'
import type { CommandName, CommandRequest, CommandValue, Result } from '@shared/contract'
import type { EventBatch } from '@shared/model'
import { quoteInput } from '@shared/model'
import type { BatcherOptions } from './event-batcher'
import { EventBatcher } from './event-batcher'
import { LabFailure } from './errors'
import type { LabOptions } from './lab'
import { Lab } from './lab'
import { readKernelView } from './kernel-view'
import { whoHoldsPort } from './kernel/port-holder'
import { serverCertificate } from './servers/create-server'
import { huntSelfConnection } from './lesson/self-connect'
import { runLoad } from './lesson/load-run'

/** The commands the lab itself runs; `lab:snapshot` and `lab:ack` belong to a consumer's session. */
type LabCommand = Exclude<CommandName, 'lab:snapshot' | 'lab:ack'>

/** How the lab runs each of its commands, keyed by channel. */
const LAB_COMMANDS: { [C in LabCommand]: (lab: Lab, req: CommandRequest<C>) => CommandValue<C> | Promise<CommandValue<C>> } = {
  'server:start': (lab, req) => lab.startServer(req),
  'server:stop': (lab, req) => lab.stopServer(req),
  'server:configure': (lab, req) => lab.configureServer(req),
  'server:close-all': (lab, req) => lab.closeAll(req),
  'client:connect': (lab, req) => lab.connect(req),
  'connection:send': (lab, req) => lab.send(req),
  'connection:action': (lab, req) => lab.action(req),
  'connection:traffic': (lab, req) => lab.traffic(req),
  'connection:clear-closed': (lab, req) => lab.clearClosed(req),
  'kernel:sockets': readKernelView,
  'lesson:self-connect-hunt': (lab, req) => huntSelfConnection(req, lab),
  'lesson:load': (_lab, req) => runLoad(req),
  'server:certificate': (lab, req) => serverCertificate(lab.servers, req)
}

/** Runs one validated lab command. */
async function runLabCommand<C extends LabCommand>(lab: Lab, name: C, req: CommandRequest<C>): Promise<CommandValue<C>> {
  return LAB_COMMANDS[name](lab, req)
}

/** One consumer's link to the lab: it sends commands and receives its own numbered batches. */
export interface LabSession {
  /** Validates and runs one command; never throws. */
  handle(name: unknown, payload: unknown): Promise<Result<unknown>>
  close(): void
}

/** The lab plus its event stream, shared by every front door (Electron IPC, browser WebSocket). */
export interface LabHub {
  readonly lab: Lab
  readonly batcher: EventBatcher
  /** A new consumer; `send` receives its batches. */
  connect(send: (batch: EventBatch) => void): LabSession
  /** Runs a command with no consumer attached (e.g. `--listen` at launch). */
  run(name: unknown, payload: unknown): Promise<Result<unknown>>
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

  async function dispatch(name: unknown, payload: unknown, session?: ReturnType<EventBatcher['openOutlet']>): Promise<Result<unknown>> {
    if (!isCommandName(name)) {
      return { ok: false, error: { code: 'unknown-command', message: `Unknown command ${quoteInput(name)}` } }
    }
    try {
      const parsed = commands[name].request.safeParse(payload ?? {})
      if (!parsed.success) {
        return { ok: false, error: { code: 'invalid', message: describeIssues(parsed.error) } }
      }
      if (name === 'lab:snapshot' && session) return { ok: true, value: session.snapshot() }
      if (name === 'lab:ack' && session) {
        session.ack((parsed.data as CommandRequest<'lab:ack'>).seq)
        return { ok: true, value: {} }
      }
      if (name === 'lab:snapshot') return { ok: true, value: lab.snapshot(0) }
      if (name === 'lab:ack') return { ok: true, value: {} }
      return { ok: true, value: await runLabCommand(lab, name, parsed.data as CommandRequest<typeof name>) }
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
        handle: (name, payload) => dispatch(name, payload, outlet),
        close: () => outlet.close()
      }
    },
    run: (name, payload) => dispatch(name, payload),
    async dispose() {
      batcher.dispose()
      await lab.dispose()
    }
  }
}
