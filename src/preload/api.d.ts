import type { CommandInput, CommandName, CommandResult } from '../shared/contract'
import type { EventBatch } from '../shared/model'

/** The narrow API the preload puts on `window.tcpLab`. */
export interface TcpLabPreloadApi {
  /** Runs one command of the contract by its channel name. */
  request<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>>
  /** Subscribes to event batches; returns the unsubscribe. */
  onEvents(listener: (batch: EventBatch) => void): () => void
}

declare global {
  interface Window {
    tcpLab?: TcpLabPreloadApi
  }
}
