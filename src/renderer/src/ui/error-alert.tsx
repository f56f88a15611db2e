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
      <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 h-4 w-4 shrink-0 fill-current">
        <path d="M10 1.5a8.5 8.5 0 1 0 0 17 8.5 8.5 0 0 0 0-17Zm-.9 4.2h1.8v5.6H9.1V5.7Zm0 7.2h1.8v1.8H9.1v-1.8Z" />
      </svg>
      <div className="min-w-0 flex-1">
        <p className="font-medium break-words">{readable(error.message)}</p>
        {error.hint ? (
          <p className="mt-0.5 text-red-700/90 dark:text-red-300/80 break-words">
            {/* Read aloud (and copied) as two sentences; shown as two lines. */}
            <span className="sr-only">{/[.!?]$/.test(error.message) ? ' ' : '. '}</span>
            {error.hint}
          </p>
        ) : null}
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

/** Drops a leading field path the validator adds (`port: Port must be…` reads `Port must be…`). */
export function readable(message: string): string {
  return message.replace(/^[\w.]+: (?=[A-Z])/, '')
}
