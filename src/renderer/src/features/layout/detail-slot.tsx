import { useMemo, useState, useSyncExternalStore } from 'react'
import type { ReactNode } from 'react'
import { formatRate } from '@shared/byte-format'
import type { Payload } from '@shared/contract'
import { ConnectionDetail } from '@renderer/features/detail/connection-detail'
import { CaptureDetail } from '@renderer/features/capture/capture-detail'
import { DEFAULT_WINDOW_LIMITS } from '@renderer/features/detail/traffic-window'
import type { WindowLimits } from '@renderer/features/detail/traffic-window'
import { SendBox } from '@renderer/features/send/send-box'
import { PairTimeline } from '@renderer/features/proxy/pair-timeline'
import { SavedPayloads } from '@renderer/features/payloads/saved-payloads'
import { Sparkline } from '@renderer/ui/charts/sparkline'
import { useLab, useLabStore } from '@renderer/store/use-lab'
import { useUi, useUiStore } from '@renderer/store/ui-store'
import { useHiddenBy } from '@renderer/features/connections/connections-table'
import { HEADING } from '@renderer/ui/classes'

/** The right-hand column: the selected connection's detail, and the send box (to it, or to all peers of the server). */
export function DetailSlot(): ReactNode {
  const connectionId = useUi((s) => s.selectedConnectionId)
  const selectedServerId = useUi((s) => s.selectedServerId)
  const connection = useLab((s) => (connectionId === null ? undefined : s.connections.get(connectionId)))
  const serverId = connection ? connection.serverId : selectedServerId
  const server = useLab((s) => (serverId === null ? undefined : s.servers.get(serverId)))
  const limitBytes = useLab((s) => s.limits?.trafficBytesPerConnection)
  const limits = useMemo<WindowLimits>(
    () =>
      limitBytes
        ? { ...DEFAULT_WINDOW_LIMITS, maxBytes: Math.max(DEFAULT_WINDOW_LIMITS.maxBytes, limitBytes) }
        : DEFAULT_WINDOW_LIMITS,
    [limitBytes]
  )
  // Kept here so the history survives switching between connections (the box resets its draft).
  const [history, setHistory] = useState<Payload[]>([])

  return (
    <section aria-label="Connection detail" className="flex min-h-0 flex-1 flex-col">
      <div className="min-h-0 flex-1 overflow-y-auto p-4">
        {connection ? (
          <>
            <HiddenSelectionNote />
            <ConnectionSparkline id={connection.id} />
            {connection.proxy ? <PairTimeline connection={connection} /> : null}
            <ConnectionDetail key={connection.id} connection={connection} server={server ?? null} limits={limits} />
            <CaptureDetail key={`capture-${connection.id}`} connection={connection} />
          </>
        ) : (
          <EmptyDetail />
        )}
      </div>
      {connection || server ? (
        <div className="max-h-[45%] shrink-0 overflow-y-auto border-t border-slate-200 bg-slate-50/80 px-3 py-2.5 dark:border-slate-800 dark:bg-slate-900/60">
          <SendBox
            connection={connection ?? null}
            server={server ?? null}
            history={history}
            onHistoryChange={setHistory}
          />
          <SavedPayloads connection={connection ?? null} serverId={serverId} />
        </div>
      ) : null}
    </section>
  )
}

function ConnectionSparkline({ id }: { id: number }): ReactNode {
  const store = useLabStore()
  // The ring's series object changes only when a sample is taken, so this re-renders at 2 Hz at most.
  const series = useSyncExternalStore(store.subscribe, () => store.connectionSeries(id))
  const values = useMemo(() => (series ? series.in.map((v, i) => v + series.out[i]) : []), [series])
  if (values.length < 2) return null
  return (
    <div className="mb-2 flex items-center justify-end gap-2 text-[11px] text-slate-500 dark:text-slate-400">
      <span>rate, last 30 s</span>
      <Sparkline
        values={values}
        width={90}
        height={22}
        label={`Rate of connection ${id}: ${formatRate(values[values.length - 1])}`}
      />
    </div>
  )
}

/** Shown when the table's scope or filter hides the connection the detail shows. */
function HiddenSelectionNote(): ReactNode {
  const ui = useUiStore()
  const hidden = useUi((s) => s.selectionHidden === true)
  const hiddenBy = useHiddenBy()
  if (!hidden) return null
  return (
    <p
      role="note"
      data-testid="selection-hidden"
      className="mb-2 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950/50 dark:text-amber-200"
    >
      This connection is not in the table right now{hiddenBy.length > 0 ? `: ${hiddenBy.join(' and ')} hides it` : ''}.{' '}
      <button
        type="button"
        className="underline"
        onClick={() => ui.set({ selectedServerId: null, outgoingSelected: false, filterText: '', stateFilter: 'any' })}
      >
        Show it in the table
      </button>
    </p>
  )
}

function EmptyDetail(): ReactNode {
  return (
    <div className="flex h-full flex-col items-center justify-center gap-3 px-6 text-center text-sm text-slate-500 dark:text-slate-400">
      <p className={HEADING}>Connection detail</p>
      <p>
        Select a connection to see its 4-tuple, every chunk it sent and received, and its life from accept to close.
      </p>
      <p className="text-xs">
        <kbd className="rounded border border-slate-300 px-1 font-mono dark:border-slate-700">↑</kbd>{' '}
        <kbd className="rounded border border-slate-300 px-1 font-mono dark:border-slate-700">↓</kbd> move through the
        table, <kbd className="rounded border border-slate-300 px-1 font-mono dark:border-slate-700">n</kbd> new server,{' '}
        <kbd className="rounded border border-slate-300 px-1 font-mono dark:border-slate-700">/</kbd> filter,{' '}
        <kbd className="rounded border border-slate-300 px-1 font-mono dark:border-slate-700">s</kbd> send box
      </p>
    </div>
  )
}
