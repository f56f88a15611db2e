import { useState } from 'react'
import type { ReactElement } from 'react'
import type { CommandInput } from '@shared/contract'
import type { ConnectionInfo } from '@shared/model'
import type { LabRequest } from '@renderer/transport/transport'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'

type Action = CommandInput<'connection:action'>['action']

/** What the peer observes after each action, in one line. */
export const ACTION_EXPLANATIONS: Readonly<Record<Action, string>> = {
  'half-close': 'Sends FIN: the peer reads end-of-file but can still send to us',
  reset: "Sends RST: the peer's next read or write fails with 'connection reset by peer'",
  close:
    'Sends FIN after anything queued, then releases the socket: the peer reads end-of-file; if it writes again, our kernel answers with RST',
  pause:
    "Stops reading: the peer's data piles up in our receive buffer, then its own send buffer, then its writes block",
  resume: 'Reads again: the bytes waiting in our receive buffer arrive at once and the peer can write again'
}

const LABELS: Readonly<Record<Action, string>> = {
  'half-close': 'Half-close',
  reset: 'Reset',
  close: 'Close',
  pause: 'Pause reading',
  resume: 'Resume reading'
}

const STYLE: Readonly<Record<Action, string>> = {
  'half-close': 'border-violet-400 text-violet-800 dark:text-violet-200',
  reset: 'border-red-400 text-red-700 dark:text-red-300',
  close: 'border-slate-400',
  pause: 'border-orange-400 text-orange-800 dark:text-orange-200',
  resume: 'border-emerald-400 text-emerald-800 dark:text-emerald-200'
}

function disabledFor(action: Action, c: ConnectionInfo): boolean {
  if (c.state === 'closed') return true
  // A UDP flow has no FIN to send and no way to make its peer wait.
  if (c.kind === 'udp' && action !== 'close') return true
  if (action === 'half-close') return c.state === 'lab-half-closed'
  return false
}

/** The hint shown under the actions while none is hovered or focused. */
export const ACTIONS_IDLE_HINT = 'Point at an action to see what the peer will observe'

/**
 * Half-close, Reset, Close and Pause/Resume reading for one connection, as one compact row. Each
 * button's explanation is its tooltip and its accessible description, and shows in one shared line
 * under the row while the button is hovered or focused.
 */
export function ConnectionActions({
  connection,
  request
}: {
  connection: ConnectionInfo
  request?: LabRequest
}): ReactElement {
  const { run: runCommand, busy, error } = useCommand(request)
  const [pointed, setPointed] = useState<Action | null>(null)
  const actions: Action[] = ['half-close', 'reset', 'close', connection.paused ? 'resume' : 'pause']

  const run = async (action: Action): Promise<void> => {
    await runCommand('connection:action', { connectionId: connection.id, action })
  }

  return (
    <div className="flex flex-col gap-1">
      <ul aria-label="Connection actions" className="flex flex-wrap gap-1.5" onMouseLeave={() => setPointed(null)}>
        {actions.map((a) => {
          const hintId = `action-${connection.id}-${a}`
          return (
            <li key={a}>
              <button
                type="button"
                title={ACTION_EXPLANATIONS[a]}
                aria-describedby={hintId}
                disabled={disabledFor(a, connection) || busy}
                onClick={() => void run(a)}
                onMouseEnter={() => setPointed(a)}
                onFocus={() => setPointed(a)}
                onBlur={() => setPointed(null)}
                className={`rounded-md border bg-white px-2 py-0.5 text-xs font-medium hover:bg-slate-100 disabled:opacity-40 dark:bg-slate-900 dark:hover:bg-slate-800 ${STYLE[a]}`}
              >
                {LABELS[a]}
              </button>
              <span id={hintId} className="sr-only">
                {ACTION_EXPLANATIONS[a]}
              </span>
            </li>
          )
        })}
      </ul>
      {/* The same words as the buttons' descriptions, so hidden from assistive technology. */}
      <p
        aria-hidden="true"
        data-testid="action-hint"
        className={`h-4 truncate text-[11px] leading-4 ${pointed ? 'text-slate-700 dark:text-slate-200' : 'text-slate-400 dark:text-slate-500'}`}
        title={pointed ? ACTION_EXPLANATIONS[pointed] : undefined}
      >
        {pointed ? ACTION_EXPLANATIONS[pointed] : ACTIONS_IDLE_HINT}
      </p>
      <ErrorAlert error={error} />
    </div>
  )
}
