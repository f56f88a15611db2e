import { useCallback, useContext, useMemo, useState } from 'react'
import type { CommandInput, CommandName, CommandResult, LabError } from '@shared/contract'
import type { LabRequest } from '@renderer/transport/transport'
import { LabStoreContext } from './use-lab'

/** What useCommand gives a component. */
export interface CommandRunner {
  /** Runs a command of the contract; never throws. A failure is also kept in `error` until the next run. */
  run<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>>
  /** True while a command this component started has not answered. */
  busy: boolean
  /** The last failure, for <ErrorAlert>; null after a success. */
  error: LabError | null
  /** Sets or clears the failure shown (a check of the component's own, or dismissing it). */
  setError(error: LabError | null): void
}

const NO_LAB: LabError = { code: 'no-lab', message: 'Not connected to a lab' }

/**
 * The one way a component runs a command: typed by the contract, with busy state and the failure as a LabError.
 * Uses the tree's lab store; a component that is handed a `request` function (panels rendered on their own in
 * tests) passes it here instead.
 */
export function useCommand(request?: LabRequest, options: { trackBusy?: boolean } = {}): CommandRunner {
  // A poll (the traffic of the shown connection) runs without busy state, so it costs no extra render.
  const trackBusy = options.trackBusy ?? true
  const store = useContext(LabStoreContext)
  const send = useMemo<LabRequest | null>(
    () => request ?? (store ? (store.transport.request.bind(store.transport) as LabRequest) : null),
    [request, store]
  )
  const [pending, setPending] = useState(0)
  const [error, setError] = useState<LabError | null>(null)

  const run = useCallback(
    async <C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandResult<C>> => {
      if (!send) {
        setError(NO_LAB)
        return { ok: false, error: NO_LAB }
      }
      if (trackBusy) setPending((n) => n + 1)
      try {
        const result = await send(name, input)
        setError(result.ok ? null : result.error)
        return result
      } finally {
        if (trackBusy) setPending((n) => n - 1)
      }
    },
    [send, trackBusy]
  )
  return { run, busy: pending > 0, error, setError }
}
