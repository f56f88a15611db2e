import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import type { Sequence } from '@shared/contract'
import type { ConnectionInfo, SequenceRun } from '@shared/model'
import { BUTTON } from '@renderer/ui/classes'
import { useCommand } from '@renderer/store/use-command'
import { useWorkspace } from '@renderer/store/workspace-store'

const FIELD = 'rounded border border-slate-300 bg-white px-1 py-0.5 text-xs dark:border-slate-600 dark:bg-slate-900'

/** Sequences: saved payloads with delays, run on the selected connection with progress and a stop button. */
export function SequencesPanel({ connection }: { connection: ConnectionInfo | null }): ReactNode {
  const { run } = useCommand()
  const sequences = useWorkspace((v) => v.status?.sequences)
  const runs = useWorkspace((v) => v.runs)
  const [error, setError] = useState<string | null>(null)
  const [editing, setEditing] = useState<Sequence | 'new' | null>(null)
  const list = sequences ?? []
  const running = connection ? [...runs.values()].reverse().find((r) => r.connectionId === connection.id) : undefined

  const runOne = async (name: string): Promise<void> => {
    if (!connection) return
    const r = await run('sequence:run', { connectionId: connection.id, sequenceName: name })
    setError(r.ok ? null : r.error.hint ? `${r.error.message}. ${r.error.hint}` : r.error.message)
  }

  return (
    <section aria-label="Sequences" className="space-y-1 pt-1">
      <div className="flex items-center justify-between text-xs font-semibold text-slate-600 dark:text-slate-300">
        <span>Sequences</span>
        <button type="button" className={BUTTON.ghost} onClick={() => setEditing('new')}>
          New sequence
        </button>
      </div>
      {running ? <RunProgress run={running} /> : null}
      {list.length > 0 ? (
        <ul className="space-y-1">
          {list.map((s) => (
            <li key={s.name} className="flex items-center gap-1.5 text-xs">
              <span
                className="min-w-0 flex-1 truncate"
                title={s.steps.map((st) => `${st.delayMs} ms → ${st.payload}`).join(', ')}
              >
                {s.name} <span className="text-slate-400">({s.steps.length} steps)</span>
              </span>
              <button
                type="button"
                className={BUTTON.secondary}
                aria-label={`Run ${s.name} on this connection`}
                disabled={!connection || connection.state === 'closed' || running?.state === 'running'}
                onClick={() => void runOne(s.name)}
              >
                Run
              </button>
              <button
                type="button"
                className={BUTTON.ghost}
                aria-label={`Edit sequence ${s.name}`}
                onClick={() => setEditing(s)}
              >
                ✎
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {editing ? (
        <SequenceEditor
          key={editing === 'new' ? '' : editing.name}
          initial={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
    </section>
  )
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!active) return
    const t = setInterval(() => setNow(Date.now()), 200)
    return () => clearInterval(t)
  }, [active])
  return now
}

/** A run's progress: steps sent of all, the wait to the next one, and Stop. */
function RunProgress({ run }: { run: SequenceRun }): ReactNode {
  const command = useCommand()
  const active = run.state === 'running'
  const now = useNow(active)
  const wait = run.nextAt !== null ? Math.max(0, run.nextAt - now) : null
  const words: Record<SequenceRun['state'], string> = {
    running: 'sending',
    done: 'done',
    stopped: 'stopped',
    failed: 'failed'
  }
  return (
    <div
      role="status"
      aria-label={`Sequence ${run.sequenceName}`}
      className="rounded border border-slate-200 p-1.5 text-xs dark:border-slate-700"
    >
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate">
          {run.sequenceName}: {run.sent}/{run.steps} sent, {words[run.state]}
          {active && wait !== null ? ` · next in ${(wait / 1000).toFixed(1)} s` : ''}
        </span>
        {active ? (
          <button
            type="button"
            className={BUTTON.danger}
            onClick={() => void command.run('sequence:stop', { runId: run.runId })}
          >
            Stop
          </button>
        ) : null}
      </div>
      <progress className="mt-1 h-1.5 w-full" max={run.steps} value={run.sent} />
      {run.error ? <p className="mt-0.5 text-red-700 dark:text-red-300">{run.error}</p> : null}
    </div>
  )
}

/** Edits a sequence: its name and its steps (a saved payload and the wait before it). */
function SequenceEditor({ initial, onDone }: { initial: Sequence | null; onDone: () => void }): ReactNode {
  const { run } = useCommand()
  const payloads = useWorkspace((v) => v.status?.payloads) ?? []
  const [name, setName] = useState(initial?.name ?? '')
  const [steps, setSteps] = useState<Sequence['steps']>(
    initial?.steps ?? [{ payload: payloads[0]?.name ?? '', delayMs: 0 }]
  )
  const [error, setError] = useState<string | null>(null)
  const setStep = (i: number, patch: Partial<Sequence['steps'][number]>): void =>
    setSteps((s) => s.map((st, j) => (j === i ? { ...st, ...patch } : st)))
  const save = async (): Promise<void> => {
    const r = await run('sequence:save', { sequence: { name, steps } })
    if (!r.ok) return setError(r.error.message)
    onDone()
  }
  const remove = async (): Promise<void> => {
    if (!initial) return
    const r = await run('sequence:delete', { name: initial.name })
    if (!r.ok) return setError(r.error.message)
    onDone()
  }
  if (payloads.length === 0)
    return <p className="text-xs text-slate-500">Save a payload first: a sequence sends saved payloads.</p>
  return (
    <form
      aria-label={initial ? `Edit sequence ${initial.name}` : 'New sequence'}
      className="flex flex-col gap-1 rounded border border-slate-200 p-1.5 dark:border-slate-700"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <input
        aria-label="Sequence name"
        placeholder="name, e.g. login"
        className={FIELD}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <ol className="space-y-1">
        {steps.map((st, i) => (
          <li key={i} className="flex items-center gap-1 text-xs">
            <span className="w-4 text-slate-400">{i + 1}.</span>
            wait
            <input
              aria-label={`Step ${i + 1} delay in ms`}
              type="number"
              min={0}
              max={600000}
              className={`${FIELD} w-20`}
              value={st.delayMs}
              onChange={(e) => setStep(i, { delayMs: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
            />
            ms, send
            <select
              aria-label={`Step ${i + 1} payload`}
              className={`${FIELD} min-w-0 flex-1`}
              value={st.payload}
              onChange={(e) => setStep(i, { payload: e.target.value })}
            >
              {payloads.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
            <button
              type="button"
              className={BUTTON.ghost}
              aria-label={`Remove step ${i + 1}`}
              disabled={steps.length === 1}
              onClick={() => setSteps((s) => s.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      <div className="flex items-center gap-1.5">
        <button
          type="button"
          className={BUTTON.ghost}
          disabled={steps.length >= 200}
          onClick={() => setSteps((s) => [...s, { payload: payloads[0].name, delayMs: 500 }])}
        >
          Add step
        </button>
        <span className="flex-1" />
        {initial ? (
          <button type="button" className={BUTTON.ghost} onClick={() => void remove()}>
            Delete
          </button>
        ) : null}
        <button type="button" className={BUTTON.ghost} onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className={BUTTON.secondary} disabled={name.trim() === ''}>
          Save sequence
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </form>
  )
}
