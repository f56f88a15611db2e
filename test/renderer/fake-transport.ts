import type { CommandInput, CommandName, CommandResult, CommandValue, LabError } from '@shared/contract'
import type { EventBatch } from '@shared/model'
import type { LabTransport } from '@renderer/transport/transport'

/** A handler the fake runs for one command: a value, an error, or a promise of either. */
export type FakeHandler<C extends CommandName> = (
  input: CommandInput<C>
) => CommandResult<C> | CommandValue<C> | LabError | Promise<CommandResult<C>>

/** One recorded call. */
export interface FakeCall {
  name: CommandName
  input: unknown
}

/**
 * An in-memory transport for component tests only: records calls, answers from handlers,
 * and lets a test push batches and flip the link.
 */
export class FakeTransport implements LabTransport {
  // A test stands in for the browser front door (the kinds are the product's, not the tests').
  readonly kind = 'web' as const
  readonly calls: FakeCall[] = []
  private readonly handlers = new Map<CommandName, (input: unknown) => unknown>()
  private readonly batchListeners = new Set<(b: EventBatch) => void>()
  private readonly linkListeners = new Set<(up: boolean) => void>()

  /** Answers `name` with `handler` from now on. */
  on<C extends CommandName>(name: C, handler: FakeHandler<C>): this {
    this.handlers.set(name, handler as (input: unknown) => unknown)
    return this
  }

  async request<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>> {
    this.calls.push({ name, input })
    const h = this.handlers.get(name)
    if (!h) {
      if (name === 'lab:ack') return { ok: true, value: {} } as CommandResult<C>
      return { ok: false, error: { code: 'not-handled', message: `The fake has no handler for ${name}` } }
    }
    const out = await h(input)
    if (out && typeof out === 'object' && 'ok' in out) return out as CommandResult<C>
    if (out && typeof out === 'object' && 'code' in out && 'message' in out)
      return { ok: false, error: out as LabError }
    return { ok: true, value: out as CommandValue<C> }
  }

  onBatch(listener: (batch: EventBatch) => void): () => void {
    this.batchListeners.add(listener)
    return () => this.batchListeners.delete(listener)
  }

  onLinkChange(listener: (up: boolean) => void): () => void {
    this.linkListeners.add(listener)
    return () => this.linkListeners.delete(listener)
  }

  /** Delivers a batch to every listener. */
  emit(batch: EventBatch): void {
    for (const l of this.batchListeners) l(batch)
  }

  /** Reports the link going down or up. */
  setLink(up: boolean): void {
    for (const l of this.linkListeners) l(up)
  }

  /** The calls made for one command. */
  callsOf(name: CommandName): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input)
  }

  /** Whether anyone listens for batches. */
  get listening(): boolean {
    return this.batchListeners.size > 0
  }
}
