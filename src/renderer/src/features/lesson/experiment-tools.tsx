import { useState } from 'react'
import type { ReactElement } from 'react'
import type { CommandValue } from '@shared/contract'
import type { ServerInfo } from '@shared/model'
import { useLab } from '@renderer/store/use-lab'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import type { CheckResult, ExperimentAction, ExperimentContext } from './experiments-deeper'

const BUTTON =
  'rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-700'

/** "Check what happened": reads the kernel's view and the lab's rows, then judges the experiment's effect. */
export function ExperimentCheck({ check }: { check: (ctx: ExperimentContext) => CheckResult | null }): ReactElement {
  const servers = useLab((s) => s.servers)
  const connections = useLab((s) => s.connections)
  const [result, setResult] = useState<CheckResult | null>(null)
  const { run: runCommand, busy } = useCommand()
  const run = async (): Promise<void> => {
    // Without the kernel's view the check still judges from the lab's rows.
    const r = await runCommand('kernel:sockets', { scope: 'all' })
    const kernel = r.ok ? r.value : null
    setResult(check({ servers: [...servers.values()], connections: [...connections.values()], kernel }))
  }
  return (
    <div className="mt-1">
      <button type="button" className={BUTTON} disabled={busy} onClick={() => void run()}>
        {busy ? 'Checking…' : 'Check what happened'}
      </button>
      {result && (
        <p
          role="status"
          className={`mt-1 rounded px-2 py-1 text-xs ${result.happened ? 'bg-emerald-50 dark:bg-emerald-950/40' : 'bg-amber-50 dark:bg-amber-950/40'}`}
        >
          {result.happened ? '✓ ' : '… '}
          {result.text}
        </p>
      )}
    </div>
  )
}

type LoadRun = CommandValue<'lesson:load'>

/** Answer times of one load run as bars, slowest at full width. */
export function AnswerTimes({ run, server }: { run: LoadRun; server: ServerInfo }): ReactElement {
  const max = Math.max(1, ...run.clients.map((c) => c.answerMs ?? 0))
  const mode = server.acceptMode === 'pool' ? `pool of ${server.poolSize ?? '?'}` : server.acceptMode
  return (
    <figure className="mt-1" aria-label="Answer times">
      <figcaption className="text-xs text-slate-600 dark:text-slate-300">
        {run.clients.length} clients against {mode}: answer times (ms from the start)
      </figcaption>
      <ol className="mt-1 flex flex-col gap-0.5">
        {run.clients.map((c) => (
          <li key={c.index} className="flex items-center gap-2 text-xs" data-answer-ms={c.answerMs ?? ''}>
            <span className="w-16 shrink-0 tabular-nums">client {c.index}</span>
            {c.answerMs === null ? (
              <span className="text-rose-700 dark:text-rose-300">{c.error}</span>
            ) : (
              <>
                <span
                  className="h-2 rounded bg-sky-500"
                  style={{ width: `${Math.max(2, (c.answerMs / max) * 80)}%` }}
                />
                <span className="tabular-nums">{c.answerMs.toLocaleString('en-US')} ms</span>
              </>
            )}
          </li>
        ))}
      </ol>
    </figure>
  )
}

/** The lab-side action an experiment offers: a built-in load against a server, or the self-connection hunt. */
export function ExperimentAction({
  action,
  servers
}: {
  action: ExperimentAction
  servers: readonly ServerInfo[]
}): ReactElement {
  const tcp = servers.filter((s) => s.state === 'listening' && s.family !== 'unix' && (s.protocol ?? 'tcp') === 'tcp')
  const [serverId, setServerId] = useState<number | null>(null)
  const { run, busy, error } = useCommand()
  const [message, setMessage] = useState<string | null>(null)
  const [load, setLoad] = useState<{ run: LoadRun; server: ServerInfo } | null>(null)
  const [port, setPort] = useState('40002')
  const chosen = tcp.find((s) => s.id === serverId) ?? tcp[0] ?? null

  const runLoad = async (): Promise<void> => {
    if (!chosen) return
    setMessage(null)
    const host =
      chosen.bound.address === '0.0.0.0' ? '127.0.0.1' : chosen.bound.address === '::' ? '::1' : chosen.bound.address
    const r = await run('lesson:load', { host, port: chosen.bound.port, clients: 10 })
    if (r.ok) setLoad({ run: r.value, server: chosen })
  }
  const hunt = async (): Promise<void> => {
    setMessage('Connecting again and again…')
    const r = await run('lesson:self-connect-hunt', { port: Number(port) })
    if (!r.ok) return setMessage(null)
    setMessage(
      r.value.connection
        ? `Connected to itself after ${r.value.tries.toLocaleString('en-US')} tries (${r.value.elapsedMs.toLocaleString('en-US')} ms): connection ${r.value.connection.id}.`
        : `No self-connection in ${r.value.tries.toLocaleString('en-US')} tries (${r.value.elapsedMs.toLocaleString('en-US')} ms). On Linux, try an even port.`
    )
  }

  if (action === 'self-connect-hunt') {
    return (
      <div className="mt-1 flex flex-wrap items-center gap-2 text-xs">
        <label className="flex items-center gap-1">
          Port to hit
          <input
            className="w-20 rounded border border-slate-300 px-1 dark:border-slate-600 dark:bg-slate-800"
            inputMode="numeric"
            value={port}
            onChange={(e) => setPort(e.target.value)}
          />
        </label>
        <button type="button" className={BUTTON} disabled={busy} onClick={() => void hunt()}>
          Hunt for a self-connection
        </button>
        {message && <span role="status">{message}</span>}
        <ErrorAlert error={error} />
      </div>
    )
  }
  return (
    <div className="mt-1 text-xs">
      <div className="flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-1">
          Server to load
          <select
            className="rounded border border-slate-300 px-1 dark:border-slate-600 dark:bg-slate-800"
            value={chosen?.id ?? ''}
            onChange={(e) => setServerId(Number(e.target.value))}
          >
            {tcp.map((s) => (
              <option key={s.id} value={s.id}>
                #{s.id} {s.behaviour} :{s.bound.port} (
                {s.acceptMode === 'pool' ? `pool of ${s.poolSize ?? '?'}` : s.acceptMode})
              </option>
            ))}
          </select>
        </label>
        <button type="button" className={BUTTON} disabled={busy || !chosen} onClick={() => void runLoad()}>
          {busy ? 'Running…' : 'Run 10 clients'}
        </button>
      </div>
      <ErrorAlert error={error} />
      {load && <AnswerTimes run={load.run} server={load.server} />}
    </div>
  )
}
