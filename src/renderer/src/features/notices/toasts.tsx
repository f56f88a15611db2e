import { useEffect } from 'react'
import type { ReactNode } from 'react'
import { useLab, useLabStore } from '@renderer/store/use-lab'
import type { Notice } from '@renderer/store/lab-state'

const LIFETIME_MS: Record<Notice['level'], number> = { info: 5_000, warning: 8_000, error: 12_000 }

const TONE: Record<Notice['level'], string> = {
  info: 'border-sky-300 bg-white text-slate-800 dark:border-sky-800 dark:bg-slate-900 dark:text-slate-100',
  warning: 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100',
  error: 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100'
}

/** The engine's notices and command failures, as toasts that fade after a few seconds. */
export function Toasts(): ReactNode {
  const notices = useLab((s) => s.notices)
  // Polite announcements: inline form errors are the page's alerts, toasts must not compete with them.
  return (
    <div
      role="status"
      aria-label="Notifications"
      className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2"
    >
      {notices.slice(-4).map((n) => (
        <Toast key={n.id} notice={n} />
      ))}
    </div>
  )
}

function Toast({ notice }: { notice: Notice }): ReactNode {
  const store = useLabStore()
  useEffect(() => {
    const t = setTimeout(() => store.dismissNotice(notice.id), LIFETIME_MS[notice.level])
    return () => clearTimeout(t)
  }, [store, notice.id, notice.level])
  return (
    <div
      className={`pointer-events-auto flex items-start gap-2 rounded-lg border px-3 py-2 text-sm shadow-lg ${TONE[notice.level]}`}
    >
      <div className="min-w-0 flex-1">
        <p className="break-words">{notice.message}</p>
        {notice.hint ? <p className="mt-0.5 text-xs opacity-80">{notice.hint}</p> : null}
      </div>
      <button
        type="button"
        aria-label="Dismiss notification"
        onClick={() => store.dismissNotice(notice.id)}
        className="rounded px-1 opacity-60 hover:opacity-100"
      >
        ×
      </button>
    </div>
  )
}
