import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { formatRate } from '@shared/byte-format'
import { RateChart } from '@renderer/features/charts/rate-chart'
import { Sparkline } from '@renderer/features/charts/sparkline'
import { KernelPanel } from '@renderer/features/kernel/kernel-view'
import { ServerLifeSteps } from '@renderer/features/lesson/server-life-steps'
import { TryThisPanel } from '@renderer/features/lesson/try-this-panel'
import { serverAddress } from '@renderer/store/describe'
import { EMPTY_SERIES } from '@renderer/store/rate-history'
import { useLab, useLabStore } from '@renderer/store/use-lab'
import { useUi, useUiStore } from '@renderer/store/ui-store'

type Tab = 'try' | 'life' | 'rates' | 'kernel'

const TABS: { id: Tab; label: string }[] = [
  { id: 'try', label: 'Try this' },
  { id: 'life', label: 'Server life' },
  { id: 'rates', label: 'Rates' },
  { id: 'kernel', label: 'Kernel sockets' }
]

const KEY = 'tcp-lab:dock'

function loadDock(): { tab: Tab; open: boolean } {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as { tab?: unknown; open?: unknown } | null
    const tab = TABS.some((t) => t.id === v?.tab) ? (v?.tab as Tab) : 'try'
    return { tab, open: v?.open !== false }
  } catch {
    return { tab: 'try', open: true }
  }
}

/** The lesson area under the table: guided experiments, each server's life, live rate charts, the kernel's view. */
export function LessonDock(): ReactNode {
  const [state, setState] = useState(loadDock)
  const change = (patch: Partial<typeof state>): void => {
    const next = { ...state, ...patch }
    setState(next)
    try {
      localStorage.setItem(KEY, JSON.stringify(next))
    } catch {
      // Only a preference.
    }
  }
  return (
    <div className={`flex shrink-0 flex-col border-t border-slate-200 dark:border-slate-800 ${state.open ? 'h-[40%] min-h-52' : ''}`}>
      <div role="tablist" aria-label="Lesson and views" className="flex items-center gap-1 bg-slate-50 px-2 dark:bg-slate-900/60">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={state.open && state.tab === t.id}
            onClick={() => change({ tab: t.id, open: true })}
            className={`border-b-2 px-2.5 py-2 text-xs font-medium ${
              state.open && state.tab === t.id
                ? 'border-sky-500 text-slate-900 dark:text-slate-50'
                : 'border-transparent text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200'
            }`}
          >
            {t.label}
          </button>
        ))}
        <button
          type="button"
          className="ml-auto rounded px-2 py-1 text-xs text-slate-500 hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800"
          aria-expanded={state.open}
          onClick={() => change({ open: !state.open })}
        >
          {state.open ? 'Hide' : 'Show'}
        </button>
      </div>
      {state.open ? (
        <div role="tabpanel" aria-label={TABS.find((t) => t.id === state.tab)?.label} className="min-h-0 flex-1 overflow-y-auto p-3">
          {state.tab === 'try' ? <TryTab /> : state.tab === 'life' ? <LifeTab /> : state.tab === 'rates' ? <RatesTab /> : <KernelTab />}
        </div>
      ) : null}
    </div>
  )
}

function TryTab(): ReactNode {
  const servers = useLab((s) => s.servers)
  const list = useMemo(() => [...servers.values()], [servers])
  return <TryThisPanel servers={list} />
}

function LifeTab(): ReactNode {
  const servers = useLab((s) => s.servers)
  const counters = useLab((s) => s.serverCounters)
  const selected = useUi((s) => s.selectedServerId)
  const list = [...servers.values()].filter((s) => selected === null || s.id === selected).sort((a, b) => b.id - a.id)
  if (list.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">Start a server to see its system calls, step by step.</p>
  return (
    <div className="grid gap-3 xl:grid-cols-2">
      {list.map((s) => (
        <div key={s.id} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <p className="mb-2 font-mono text-xs font-semibold text-slate-700 dark:text-slate-300">{serverAddress(s)}</p>
          <ServerLifeSteps server={s} openConnections={counters.get(s.id)?.open ?? 0} acceptedTotal={counters.get(s.id)?.accepted ?? 0} />
        </div>
      ))}
    </div>
  )
}

function RatesTab(): ReactNode {
  const history = useLab((s) => s.totalHistory)
  const serverHistory = useLab((s) => s.serverHistory)
  const servers = useLab((s) => s.servers)
  // uPlot counts time in seconds; the store keeps milliseconds.
  const series = useMemo(() => ({ ...history, t: history.t.map((t) => t / 1000) }), [history])
  return (
    <div className="flex flex-col gap-3">
      <RateChart series={series.t.length > 0 ? series : EMPTY_SERIES} height={150} />
      <ul className="grid gap-2 md:grid-cols-2 min-[106.25rem]:grid-cols-3">
        {[...servers.values()].map((s) => {
          const h = serverHistory.get(s.id)
          const values = h ? h.in.map((v, i) => v + h.out[i]) : []
          const last = values.length > 0 ? values[values.length - 1] : 0
          return (
            <li key={s.id} className="flex items-center gap-2 rounded-md border border-slate-200 px-2 py-1.5 text-xs dark:border-slate-800">
              <span className="min-w-0 flex-1 truncate font-mono" title={serverAddress(s)}>
                {serverAddress(s)}
              </span>
              {values.length > 1 ? <Sparkline values={values} width={80} height={20} label={`Rate of ${serverAddress(s)}`} /> : null}
              <span className="w-20 text-right font-mono tabular-nums text-slate-500 dark:text-slate-400">{formatRate(last)}</span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}

function KernelTab(): ReactNode {
  const store = useLabStore()
  const ui = useUiStore()
  const request = useMemo(() => store.transport.request.bind(store.transport) as typeof store.transport.request, [store])
  return <KernelPanel request={request} visible onSelectConnection={(id) => ui.set({ selectedConnectionId: id })} />
}
