import type { ReactNode } from 'react'
import { serverAddress } from '@renderer/store/describe'
import { useLab } from '@renderer/store/use-lab'
import { useCommand } from '@renderer/store/use-command'
import type { StateFilter } from '@renderer/store/ui-store'
import { useUi, useUiStore } from '@renderer/store/ui-store'
import { BUTTON, INPUT } from '@renderer/ui/classes'
import { ErrorAlert } from '@renderer/ui/error-alert'

/** The id of the filter input (the `/` shortcut focuses it). */
export const FILTER_ID = 'connection-filter'

const SEGMENT =
  'px-2.5 py-1 text-xs font-medium first:rounded-l-md last:rounded-r-md border border-slate-300 dark:border-slate-700 -ml-px first:ml-0 max-w-48 truncate'
const SEGMENT_ON =
  'bg-slate-800 text-white border-slate-800 dark:bg-slate-200 dark:text-slate-900 dark:border-slate-200 relative z-[1]'
const SEGMENT_OFF =
  'bg-white text-slate-600 hover:bg-slate-100 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800'

/** Which connections the table shows: scope (all / the selected server), text, state; and "Clear closed". */
export function ConnectionsToolbar({ shown, total }: { shown: number; total: number }): ReactNode {
  const ui = useUiStore()
  const serverId = useUi((s) => s.selectedServerId)
  const outgoing = useUi((s) => s.outgoingSelected)
  const text = useUi((s) => s.filterText)
  const stateFilter = useUi((s) => s.stateFilter)
  const server = useLab((s) => (serverId === null ? undefined : s.servers.get(serverId)))
  const scoped = serverId !== null || outgoing

  const { run, error, setError } = useCommand()
  const clearClosed = async (): Promise<void> => {
    await run('connection:clear-closed', serverId === null ? {} : { serverId })
  }

  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
      <div role="group" aria-label="Servers shown" className="flex">
        <button
          type="button"
          aria-pressed={!scoped}
          className={`${SEGMENT} ${!scoped ? SEGMENT_ON : SEGMENT_OFF}`}
          onClick={() => ui.set({ selectedServerId: null, outgoingSelected: false })}
        >
          All
        </button>
        {server || outgoing ? (
          <span
            data-testid="table-scope"
            className={`${SEGMENT} ${SEGMENT_ON} flex items-center gap-1.5 max-w-none`}
            title="The table shows only this server's connections; × shows every server's"
          >
            <span>
              {server ? (
                <>
                  only <span className="font-mono">{serverAddress(server)}</span>
                </>
              ) : (
                'only outgoing clients'
              )}
            </span>
            <button
              type="button"
              aria-label="Show every server's connections"
              className="rounded px-0.5 leading-none hover:bg-white/20"
              onClick={() => ui.set({ selectedServerId: null, outgoingSelected: false })}
            >
              ×
            </button>
          </span>
        ) : null}
      </div>
      <div className="relative min-w-28 flex-1">
        <input
          id={FILTER_ID}
          type="search"
          aria-label="Filter connections"
          placeholder="Filter…"
          title="Filter by address, port or #id"
          className={`${INPUT} py-1 pr-7`}
          value={text}
          onChange={(e) => ui.set({ filterText: e.target.value })}
        />
        <kbd className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 rounded border border-slate-300 px-1 font-mono text-[10px] text-slate-400 dark:border-slate-700">
          /
        </kbd>
      </div>
      <label className="flex items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400">
        Show
        <select
          aria-label="Show"
          className={`${INPUT} w-auto py-1 text-xs`}
          value={stateFilter}
          onChange={(e) => ui.set({ stateFilter: e.target.value as StateFilter })}
        >
          <option value="any">any state</option>
          <option value="active">open only</option>
          <option value="closed">closed only</option>
        </select>
      </label>
      <span className="font-mono text-xs text-slate-500 tabular-nums dark:text-slate-400" aria-live="off">
        {shown === total ? `${total}` : `${shown} of ${total}`} rows
      </span>
      <button
        type="button"
        className={BUTTON.secondary}
        onClick={() => void clearClosed()}
        title="Forget closed connections (of the selected server, or all)"
      >
        Clear closed
      </button>
      {error && (
        <div className="w-full">
          <ErrorAlert error={error} onDismiss={() => setError(null)} />
        </div>
      )}
    </div>
  )
}
