import type { LabError } from '@shared/contract'
import type { ReactNode } from 'react'

/** An inline failure: the engine's message, and its hint of what to do, announced as an alert. */
export function ErrorAlert({ error, onDismiss }: { error: LabError | null; onDismiss?: () => void }): ReactNode {
  if (!error) return null
  return (
    <div
      role="alert"
      className="flex items-start gap-2 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900/70 dark:bg-red-950/50 dark:text-red-200"
    >
      <span aria-hidden="true" className="mt-px font-bold">
        !
      </span>
      <div className="min-w-0 flex-1">
        <p className="font-medium break-words">{error.message}</p>
        {error.hint ? <p className="mt-0.5 text-red-700/90 dark:text-red-300/80 break-words">{error.hint}</p> : null}
      </div>
      {onDismiss ? (
        <button
          type="button"
          onClick={onDismiss}
          aria-label="Dismiss error"
          className="rounded px-1 text-red-700 hover:bg-red-100 dark:text-red-300 dark:hover:bg-red-900/50"
        >
          ×
        </button>
      ) : null}
    </div>
  )
}
