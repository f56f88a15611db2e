import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { DEFAULT_API_LISTEN } from '@shared/api-settings'
import type { ApiStatus } from '@shared/api-settings'
import { useApiStatus } from '@renderer/store/api-store'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { BUTTON, INPUT, LABEL } from '@renderer/ui/classes'
import { CopyButton } from '@renderer/ui/copy-button'

const SOURCE_WORDS: Record<NonNullable<ApiStatus['source']>, string> = {
  cli: 'from the command line (--toxiproxy-api), for this run only',
  ui: 'switched on here',
  workspace: 'restored from the workspace'
}

/** The Toxiproxy-compatible API's switch, its address, and where it listens (or why it does not). */
export function ApiSettings(): ReactNode {
  const status = useApiStatus((v) => v.status)
  const fetchError = useApiStatus((v) => v.error)
  const { run, busy, error, setError } = useCommand()
  const [draft, setDraft] = useState<string | null>(null)
  if (!status) {
    return fetchError ? null : <p className="text-xs text-slate-500 dark:text-slate-400">Toxiproxy API: …</p>
  }
  if (!status.available) return null
  const address = draft ?? status.listen ?? DEFAULT_API_LISTEN
  const configure = async (enabled: boolean): Promise<void> => {
    const r = await run('api:configure', { enabled, listen: address.trim() })
    if (r.ok) setDraft(null)
  }
  const apply = (e: FormEvent): void => {
    e.preventDefault()
    void configure(true)
  }
  const command = status.enabled && status.listen ? `toxiproxy-cli -h ${status.listen} list` : null
  return (
    <form
      aria-label="Toxiproxy API"
      onSubmit={apply}
      className="space-y-2 rounded-lg border border-slate-200 p-2.5 dark:border-slate-800"
      noValidate
    >
      <div className="flex items-center justify-between gap-2">
        <span id="toxiproxy-api-label" className="text-sm font-medium text-slate-800 dark:text-slate-200">
          Toxiproxy API
        </span>
        <button
          type="button"
          role="switch"
          aria-checked={status.enabled}
          aria-labelledby="toxiproxy-api-label"
          disabled={busy}
          onClick={() => void configure(!status.enabled)}
          className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors disabled:opacity-50 ${status.enabled ? 'bg-sky-600' : 'bg-slate-300 dark:bg-slate-700'}`}
        >
          <span
            aria-hidden="true"
            className={`inline-block h-4 w-4 rounded-full bg-white shadow transition-transform ${status.enabled ? 'translate-x-4' : 'translate-x-0.5'}`}
          />
        </button>
      </div>
      <div>
        <label
          htmlFor="toxiproxy-api-listen"
          className={LABEL}
          title="PORT or HOST:PORT; loopback unless a host is given"
        >
          Address
        </label>
        <div className="flex gap-1.5">
          <input
            id="toxiproxy-api-listen"
            className={`${INPUT} font-mono`}
            value={address}
            spellCheck={false}
            onChange={(e) => setDraft(e.target.value)}
          />
          {status.enabled && draft !== null && draft.trim() !== status.listen ? (
            <button type="submit" className={BUTTON.secondary} disabled={busy}>
              Move
            </button>
          ) : null}
        </div>
      </div>
      <p role="status" aria-label="Toxiproxy API status" className="text-xs text-slate-600 dark:text-slate-400">
        {status.enabled && command ? (
          <>
            Listening on <span className="font-mono">{status.listen}</span> —{' '}
            <code className="font-mono break-all">{command}</code>{' '}
            <CopyButton text={command} label="Copy the toxiproxy-cli command" />
            {status.source ? <span className="block">{SOURCE_WORDS[status.source]}</span> : null}
          </>
        ) : status.error ? (
          <span className="text-red-700 dark:text-red-300">Not listening: {status.error}</span>
        ) : (
          'Off. Switch it on to drive the lab with Toxiproxy clients, its CLI or Testcontainers (loopback only).'
        )}
      </p>
      {status.warning ? <p className="text-xs text-amber-700 dark:text-amber-300">{status.warning}</p> : null}
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
    </form>
  )
}
