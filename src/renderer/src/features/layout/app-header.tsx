import type { ReactNode } from 'react'
import { formatBytes, formatExactBytes, formatRate } from '@shared/byte-format'
import type { LinkState } from '@renderer/store/lab-state'
import { useLab } from '@renderer/store/use-lab'

const LINK: Record<LinkState, { text: string; dot: string; title: string }> = {
  connecting: {
    text: 'Connecting…',
    dot: 'bg-slate-400 animate-pulse',
    title: 'Waiting for the first snapshot of the lab'
  },
  up: {
    text: 'Live',
    dot: 'bg-emerald-500',
    title: 'Linked to the lab: changes arrive in batches several times a second'
  },
  resyncing: {
    text: 'Catching up…',
    dot: 'bg-amber-500 animate-pulse',
    title: 'Some updates were missed: taking a fresh snapshot'
  },
  down: {
    text: 'Disconnected: showing the last known state',
    dot: 'bg-red-500',
    title: 'The link to the lab is down: retrying; what the page shows is stale'
  }
}

/** The top bar: name, link status, and whole-lab totals with the live rate. */
export function AppHeader({ kind }: { kind: string }): ReactNode {
  const link = useLab((s) => s.link)
  const totals = useLab((s) => s.totals)
  const rate = useLab((s) => s.totalRate)
  const l = LINK[link]
  const stale = useLab((s) => s.link === 'down' && s.snapshots > 0)
  return (
    <header className="flex h-12 shrink-0 items-center gap-4 border-b border-slate-200 bg-white px-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex items-center gap-2">
        <Logo />
        <h1 className="text-[15px] font-semibold tracking-tight text-slate-900 dark:text-slate-50">TCP Lab</h1>
      </div>
      <div
        role="status"
        aria-label="Link to the lab"
        title={`${l.title} (${kind})`}
        data-link={link}
        className="flex items-center gap-1.5 rounded-full border border-slate-200 px-2 py-0.5 text-xs text-slate-600 dark:border-slate-700 dark:text-slate-300"
      >
        <span aria-hidden="true" className={`h-2 w-2 rounded-full ${l.dot}`} />
        {l.text}
      </div>
      <dl
        data-stale={stale ? 'true' : undefined}
        title={stale ? 'As last seen: the lab is not reachable' : undefined}
        className={`ml-auto flex items-center gap-5 text-xs ${stale ? 'line-through decoration-slate-400 opacity-50' : ''}`}
      >
        <Total
          label="Open"
          value={String(totals.connectionsOpen)}
          title={`${totals.connectionsEver} connections since the lab started`}
        />
        <Total label="Ever" value={String(totals.connectionsEver)} />
        <Total
          label="In"
          value={formatBytes(totals.bytesIn)}
          title={formatExactBytes(totals.bytesIn)}
          tone="text-sky-600 dark:text-sky-400"
          extra={formatRate(rate.in)}
        />
        <Total
          label="Out"
          value={formatBytes(totals.bytesOut)}
          title={formatExactBytes(totals.bytesOut)}
          tone="text-amber-600 dark:text-amber-400"
          extra={formatRate(rate.out)}
        />
      </dl>
    </header>
  )
}

function Total({
  label,
  value,
  title,
  tone,
  extra
}: {
  label: string
  value: string
  title?: string
  tone?: string
  extra?: string
}): ReactNode {
  return (
    <div title={title} className="flex items-baseline gap-1.5">
      <dt
        className={`text-[10px] font-semibold tracking-wider uppercase ${tone ?? 'text-slate-500 dark:text-slate-400'}`}
      >
        {label}
      </dt>
      <dd className="font-mono text-slate-900 tabular-nums dark:text-slate-100">
        {value}
        {extra !== undefined ? <span className="ml-1.5 text-slate-500 dark:text-slate-400">{extra}</span> : null}
      </dd>
    </div>
  )
}

function Logo(): ReactNode {
  return (
    <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" className="text-sky-600 dark:text-sky-400">
      <rect x="2" y="2" width="20" height="20" rx="5" fill="currentColor" opacity="0.15" />
      <circle cx="7" cy="12" r="2.4" fill="currentColor" />
      <circle cx="17" cy="7.5" r="2" fill="currentColor" />
      <circle cx="17" cy="16.5" r="2" fill="currentColor" />
      <path d="M9 11 15.2 8.2M9 13l6.2 2.8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  )
}
