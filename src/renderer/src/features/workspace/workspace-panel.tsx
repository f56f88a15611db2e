import { useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { WorkspaceProblem } from '@shared/contract'
import { WS_MAX_MESSAGE_BYTES } from '@shared/ws-protocol'
import { BUTTON, HEADING } from '@renderer/ui/classes'
import { useCommand } from '@renderer/store/use-command'
import { useLabStore } from '@renderer/store/use-lab'
import { downloadText, exportFileName, readJsonFile } from './workspace-file'
import { useUiPrefs } from './use-ui-prefs'
import { useWorkspace } from '@renderer/store/workspace-store'

/** The sidebar's workspace section: where the setup is kept, export / import, and what did not load. */
export function WorkspacePanel(): ReactNode {
  const { run } = useCommand()
  const kind = useLabStore().transport.kind
  const status = useWorkspace((v) => v.status)
  const fetchError = useWorkspace((v) => v.error)
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)
  const picker = useRef<HTMLInputElement>(null)
  useUiPrefs()

  const exportNow = async (): Promise<void> => {
    const r = await run('workspace:export', {})
    if (!r.ok) return setMessage({ tone: 'error', text: r.error.message })
    downloadText(exportFileName(), `${JSON.stringify(r.value.document, null, 2)}\n`)
    setMessage({ tone: 'ok', text: 'Exported the workspace.' })
  }

  const importFile = async (file: File): Promise<void> => {
    const read = await readJsonFile(file)
    if (!read.ok) return setMessage({ tone: 'error', text: read.error })
    if (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) {
      return setMessage({ tone: 'error', text: `${file.name} does not hold a workspace object` })
    }
    // Browser mode's WebSocket takes messages up to 1 MiB (a larger one would close the link): say so instead.
    if (kind === 'web' && new Blob([JSON.stringify(read.value)]).size > WS_MAX_MESSAGE_BYTES - 1024) {
      return setMessage({
        tone: 'error',
        text: `${file.name} is too big to import through the browser (1 MiB at most); start the lab with --workspace ${file.name} instead`
      })
    }
    const r = await run('workspace:import', { document: read.value as Record<string, unknown> })
    if (!r.ok) return setMessage({ tone: 'error', text: r.error.message })
    const n = r.value.problems.length
    setMessage({
      tone: n === 0 ? 'ok' : 'error',
      text:
        n === 0
          ? `Imported ${file.name}.`
          : `Imported ${file.name}; ${n} ${n === 1 ? 'entry' : 'entries'} did not load (below).`
    })
  }

  if (!status) {
    return fetchError ? null : <section aria-label="Workspace" />
  }
  const others = status.problems.filter((p) => p.kind !== 'servers')
  return (
    <section aria-labelledby="workspace-heading" className="space-y-2">
      <h2 id="workspace-heading" className={HEADING}>
        Workspace
      </h2>
      <p className="text-xs break-all text-slate-600 dark:text-slate-400" data-testid="workspace-file">
        {status.file ? (
          <>
            Kept in <span className="font-mono">{status.file}</span>
            {status.savedAt ? <span> · saved {new Date(status.savedAt).toLocaleTimeString()}</span> : null}
          </>
        ) : (
          'Not kept: this lab was started without --workspace, so its setup is gone when it exits. Export it to keep it.'
        )}
      </p>
      {status.notSaving ? <NotSaving text={status.notSaving} /> : null}
      <div className="flex gap-2">
        <button type="button" className={BUTTON.secondary} onClick={() => void exportNow()}>
          Export…
        </button>
        <button type="button" className={BUTTON.secondary} onClick={() => picker.current?.click()}>
          Import…
        </button>
        <input
          ref={picker}
          type="file"
          accept=".json,application/json"
          aria-label="Workspace file to import"
          className="hidden"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0]
            e.currentTarget.value = ''
            if (f) void importFile(f)
          }}
        />
      </div>
      {message ? (
        <p
          role={message.tone === 'error' ? 'alert' : 'status'}
          className={`text-xs ${message.tone === 'error' ? 'text-red-700 dark:text-red-300' : 'text-emerald-700 dark:text-emerald-300'}`}
        >
          {message.text}
        </p>
      ) : null}
      {others.length > 0 ? (
        <ul aria-label="Workspace problems" className="space-y-1.5">
          {others.map((p) => (
            <ProblemCard key={p.id} problem={p} />
          ))}
        </ul>
      ) : null}
    </section>
  )
}

function NotSaving({ text }: { text: string }): ReactNode {
  const { run } = useCommand()
  const [error, setError] = useState<string | null>(null)
  return (
    <div
      role="alert"
      className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
    >
      <p>Changes are not being saved: {text}</p>
      <button
        type="button"
        className={`${BUTTON.secondary} mt-1.5`}
        onClick={() =>
          void run('workspace:save', { replaceBadFile: true }).then((r) => setError(r.ok ? null : r.error.message))
        }
      >
        Save over it (a copy is kept)
      </button>
      {error ? <p className="mt-1 text-red-700 dark:text-red-300">{error}</p> : null}
    </div>
  )
}

/** One entry that did not load (or a file problem), with retry and forget. */
export function ProblemCard({ problem }: { problem: WorkspaceProblem }): ReactNode {
  const { run } = useCommand()
  const [error, setError] = useState<string | null>(null)
  const act = async (what: 'retry' | 'forget'): Promise<void> => {
    const r =
      what === 'retry'
        ? await run('workspace:retry', { problemId: problem.id })
        : await run('workspace:forget', { problemId: problem.id })
    setError(r.ok ? null : r.error.message)
  }
  return (
    <li
      aria-label={`Not started: ${problem.entry}`}
      className="rounded-lg border border-dashed border-red-300 bg-red-50/60 p-2 text-xs dark:border-red-900 dark:bg-red-950/30"
    >
      <p className="font-mono text-slate-800 dark:text-slate-200">{problem.entry}</p>
      <p className="mt-0.5 text-red-800 dark:text-red-300">{problem.message}</p>
      {problem.hint ? <p className="mt-0.5 text-slate-600 dark:text-slate-400">{problem.hint}</p> : null}
      {problem.kind !== 'file' && problem.kind !== 'save' ? (
        <div className="mt-1.5 flex gap-2">
          {problem.retryable ? (
            <button type="button" className={BUTTON.secondary} onClick={() => void act('retry')}>
              Retry
            </button>
          ) : null}
          <button
            type="button"
            className={BUTTON.ghost}
            title="Drop this entry from the workspace file"
            onClick={() => void act('forget')}
          >
            Forget
          </button>
        </div>
      ) : null}
      {error ? <p className="mt-1 text-red-700 dark:text-red-300">{error}</p> : null}
    </li>
  )
}

/** Servers of the workspace that did not start (a port now taken): shown as cards in the server list. */
export function UnrestoredServers(): ReactNode {
  const problems = useWorkspace((v) => v.status?.problems)
  const servers = (problems ?? []).filter((p) => p.kind === 'servers')
  if (servers.length === 0) return null
  return (
    <ul aria-label="Servers that did not start" className="space-y-1.5">
      {servers.map((p) => (
        <ProblemCard key={p.id} problem={p} />
      ))}
    </ul>
  )
}
