import { commands, describeIssues, isCommandName } from '@shared/contract'
import type { CommandName, CommandRequest, Result } from '@shared/contract'
import type { EventBatch } from '@shared/model'
import { quoteInput } from '@shared/model'
import type { BatcherOptions } from './event-batcher'
import { EventBatcher } from './event-batcher'
import { LabFailure } from './errors'
import type { LabOptions } from './lab'
import { Lab } from './lab'
import { readKernelView } from './kernel-view'
import { whoHoldsPort } from './kernel/port-holder'

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

  async function execute<C extends CommandName>(name: C, req: CommandRequest<C>): Promise<unknown> {
    // Each case narrows `req` through the table; the casts only restate what the schema already checked.
    switch (name) {
      case 'server:start':
        return lab.startServer(req as CommandRequest<'server:start'>)
      case 'server:stop':
        return lab.stopServer(req as CommandRequest<'server:stop'>)
      case 'server:configure':
        return lab.configureServer(req as CommandRequest<'server:configure'>)
      case 'server:close-all':
        return lab.closeAll(req as CommandRequest<'server:close-all'>)
      case 'client:connect':
        return lab.connect(req as CommandRequest<'client:connect'>)
      case 'connection:send':
        return lab.send(req as CommandRequest<'connection:send'>)
      case 'connection:action':
        return lab.action(req as CommandRequest<'connection:action'>)
      case 'connection:traffic':
        return lab.traffic(req as CommandRequest<'connection:traffic'>)
      case 'connection:clear-closed':
        return lab.clearClosed(req as CommandRequest<'connection:clear-closed'>)
      case 'kernel:sockets':
        return readKernelView(lab, req as CommandRequest<'kernel:sockets'>)
      default:
        throw new LabFailure('unsupported', `Command ${name} needs a consumer session`)
    }
  }

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
      return { ok: true, value: await execute(name, parsed.data as CommandRequest<typeof name>) }
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
