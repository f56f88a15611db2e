import type { CommandInput, CommandName, CommandResult } from '@shared/contract'
import type { EventBatch } from '@shared/model'

/**
 * The one seam between the renderer and a lab: in Electron the preload API, in a browser a WebSocket.
 * No other renderer code knows which one it runs in.
 */
export interface LabTransport {
  /** Which front door this is, for display only. */
  readonly kind: 'electron' | 'web'
  /** Runs a command; never throws: failures come back as `{ ok: false, error }`. */
  request<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>>
  /** Receives every event batch in order; returns the unsubscribe. */
  onBatch(listener: (batch: EventBatch) => void): () => void
  /** Told when the link itself drops or comes back (the browser's WebSocket); returns the unsubscribe. */
  onLinkChange?(listener: (up: boolean) => void): () => void
}

/** The `request` function a feature component is given. */
export type LabRequest = LabTransport['request']
