import { useMemo, useRef, useState } from 'react'
import type { KeyboardEvent, PointerEvent } from 'react'
import type { ReactNode } from 'react'
import { formatRate } from '@shared/byte-format'
import { RateChart } from '@renderer/ui/charts/rate-chart'
import { Sparkline } from '@renderer/ui/charts/sparkline'
import { KernelPanel } from '@renderer/features/kernel/kernel-panel'
import { ServerLifeSteps } from '@renderer/features/lesson/server-life-steps'
import { TryThisPanel } from '@renderer/features/lesson/try-this-panel'
import { serverAddress } from '@renderer/store/describe'
import { EMPTY_SERIES } from '@renderer/store/rate-history'
import { useLab } from '@renderer/store/use-lab'
import { useUi, useUiStore } from '@renderer/store/ui-store'

type Tab = 'try' | 'life' | 'rates' | 'kernel'

/** The dock's tabs, in order: a new view is one more row here. */
const TABS: { id: Tab; label: string; Panel: () => ReactNode }[] = [
  { id: 'try', label: 'Try this', Panel: TryTab },
  { id: 'life', label: 'Server life', Panel: LifeTab },
  { id: 'rates', label: 'Rates', Panel: RatesTab },
  { id: 'kernel', label: 'Kernel sockets', Panel: KernelTab }
]

const KEY = 'tcp-lab:dock'

/** The dock's height as a share of the column, by default and at its limits; "Maximise" uses MAX. */
const DOCK = { initial: 0.4, min: 0.18, max: 0.85 } as const

interface DockState {
  tab: Tab
  open: boolean
  /** The share of the column the open dock takes. */
  share: number
  maximised: boolean
}

function clampShare(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(DOCK.max, Math.max(DOCK.min, v)) : DOCK.initial
}

function loadDock(): DockState {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Record<keyof DockState, unknown>> | null
    const tab = TABS.some((t) => t.id === v?.tab) ? (v?.tab as Tab) : 'try'
    return { tab, open: v?.open !== false, share: clampShare(v?.share), maximised: v?.maximised === true }
  } catch {
    return { tab: 'try', open: true, share: DOCK.initial, maximised: false }
  }
}

/** The lesson area under the table: guided experiments, each server's life, live rate charts, the kernel's view. Resizable by its top edge. */
export function LessonDock(): ReactNode {
  const [state, setState] = useState(loadDock)
  const box = useRef<HTMLDivElement>(null)
  const change = (patch: Partial<DockState>): void => {
    setState((prev) => {
      const next = { ...prev, ...patch }
      try {
        localStorage.setItem(KEY, JSON.stringify(next))
      } catch {
        // Only a preference.
      }
      return next
    })
  }
  const share = state.maximised ? DOCK.max : state.share
  const tab = TABS.find((t) => t.id === state.tab) ?? TABS[0]

  // Dragging the top edge sets the share from the pointer's distance to the column's bottom.
  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    const column = box.current?.parentElement
    if (!column || !state.open) return
    e.preventDefault()
    const rect = column.getBoundingClientRect()
    const handle = e.currentTarget
    handle.setPointerCapture(e.pointerId)
    const move = (ev: globalThis.PointerEvent): void =>
      change({ share: clampShare((rect.bottom - ev.clientY) / rect.height), maximised: false })
    const up = (): void => {
      handle.removeEventListener('pointermove', move)
      handle.removeEventListener('pointerup', up)
      handle.removeEventListener('pointercancel', up)
    }
    handle.addEventListener('pointermove', move)
    handle.addEventListener('pointerup', up)
    handle.addEventListener('pointercancel', up)
  }
  const onHandleKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.key === 'ArrowUp' ? 0.05 : e.key === 'ArrowDown' ? -0.05 : 0
    if (step === 0) return
    e.preventDefault()
    change({ share: clampShare(share + step), maximised: false, open: true })
  }

  return (
    <div
      ref={box}
      className={`relative flex shrink-0 flex-col border-t border-slate-200 dark:border-slate-800 ${state.open ? 'min-h-40' : ''}`}
      style={state.open ? { height: `${Math.round(share * 100)}%` } : undefined}
    >
      {state.open ? (
        <div
          role="separator"
          aria-orientation="horizontal"
          aria-label="Resize the lesson dock"
          aria-valuemin={Math.round(DOCK.min * 100)}
          aria-valuemax={Math.round(DOCK.max * 100)}
          aria-valuenow={Math.round(share * 100)}
          tabIndex={0}
          title="Drag to resize (or focus and use ↑/↓)"
          onPointerDown={onPointerDown}
          onKeyDown={onHandleKey}
          onDoubleClick={() => change({ maximised: !state.maximised })}
          className="group absolute inset-x-0 -top-1.5 z-20 flex h-3 cursor-row-resize items-center justify-center focus-visible:outline-none"
        >
          <span className="h-1 w-10 rounded-full bg-slate-300 opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:bg-sky-500 group-focus-visible:opacity-100 dark:bg-slate-600" />
        </div>
      ) : null}
      <div
        role="tablist"
        aria-label="Lesson and views"
        className="flex items-center gap-1 bg-slate-50 px-2 dark:bg-slate-900/60"
      >
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
        <span className="ml-auto" />
        {state.open ? (
          <button
            type="button"
            className="rounded px-2 py-1 text-xs text-slate-500 hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800"
            aria-pressed={state.maximised}
            title={state.maximised ? 'Back to the size you chose' : 'Give the dock most of the column'}
            onClick={() => change({ maximised: !state.maximised })}
          >
            {state.maximised ? 'Restore' : 'Maximise'}
          </button>
        ) : null}
        <button
          type="button"
          className="rounded px-2 py-1 text-xs text-slate-500 hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800"
          aria-expanded={state.open}
          onClick={() => change({ open: !state.open })}
        >
          {state.open ? 'Hide' : 'Show'}
        </button>
      </div>
      {state.open ? (
        <div role="tabpanel" aria-label={tab.label} className="min-h-0 flex-1 overflow-auto p-3">
          <tab.Panel />
        </div>
      ) : null}
    </div>
  )
}

function TryTab(): ReactNode {
  const servers = useLab((s) => s.servers)
  const list = useMemo(() => [...servers.values()], [servers])
  const proxyMap = useLab((s) => s.proxies)
  const proxies = useMemo(() => [...proxyMap.values()], [proxyMap])
  return <TryThisPanel servers={list} proxies={proxies} />
}

function LifeTab(): ReactNode {
  const servers = useLab((s) => s.servers)
  const counters = useLab((s) => s.serverCounters)
  const selected = useUi((s) => s.selectedServerId)
  const list = [...servers.values()].filter((s) => selected === null || s.id === selected).sort((a, b) => b.id - a.id)
  if (list.length === 0)
    return (
      <p className="text-sm text-slate-500 dark:text-slate-400">
        Start a server to see its system calls, step by step.
      </p>
    )
  return (
    <div className="grid gap-3 xl:grid-cols-2">
      {list.map((s) => (
        <div key={s.id} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <p className="mb-2 font-mono text-xs font-semibold text-slate-700 dark:text-slate-300">{serverAddress(s)}</p>
          <ServerLifeSteps
            server={s}
            openConnections={counters.get(s.id)?.open ?? 0}
            acceptedTotal={counters.get(s.id)?.accepted ?? 0}
          />
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
      <ul aria-label="Rate per server" className="grid grid-cols-[repeat(auto-fill,minmax(16rem,1fr))] gap-2">
        {[...servers.values()].map((s) => {
          const h = serverHistory.get(s.id)
          const values = h ? h.in.map((v, i) => v + h.out[i]) : []
          const last = values.length > 0 ? values[values.length - 1] : 0
          const address = serverAddress(s)
          return (
            <li
              key={s.id}
              className="flex items-center gap-2 rounded-md border border-slate-200 px-2 py-1.5 text-xs dark:border-slate-800"
            >
              <span className="flex min-w-0 flex-1 flex-col" title={`${address} (${s.behaviour})`}>
                <span className="font-mono leading-tight [overflow-wrap:anywhere]">{address}</span>
                <span className="text-[11px] text-slate-500 dark:text-slate-400">{s.behaviour}</span>
              </span>
              {values.length > 1 ? (
                <Sparkline values={values} width={80} height={20} label={`Rate of ${address}`} />
              ) : null}
              <span className="w-20 shrink-0 text-right font-mono tabular-nums text-slate-500 dark:text-slate-400">
                {formatRate(last)}
              </span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}

function KernelTab(): ReactNode {
  const ui = useUiStore()
  const connectionMap = useLab((s) => s.connections)
  const connections = useMemo(() => [...connectionMap.values()], [connectionMap])
  return (
    <KernelPanel visible connections={connections} onSelectConnection={(id) => ui.set({ selectedConnectionId: id })} />
  )
}
