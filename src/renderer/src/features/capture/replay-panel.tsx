import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import type { CommandInput } from '@shared/contract'
import type { ReplayInfo } from '@shared/model'
import type { LabRequest } from './lab-request'
import { useUiStore } from '@renderer/store/ui-store'
import { BUTTON, INPUT, LABEL } from '@renderer/ui/classes'
import { fileToBase64 } from './download'

type StartInput = CommandInput<'replay:start'>

/** Largest file the page uploads in one command (browser mode takes messages up to 1 MiB); larger ones go by path. */
export const UPLOAD_MAX_BYTES = 700 * 1024

/** The replay dialog: what to play (the selected connection or a pcapng), as a client to HOST:PORT or as a mock server on ADDRESS, and the pace. */
export function ReplayPanel({ request, selected }: { request: LabRequest; selected: number | null }): ReactNode {
  const ui = useUiStore()
  const [from, setFrom] = useState<'connection' | 'file' | 'path'>(selected !== null ? 'connection' : 'file')
  const [path, setPath] = useState('')
  const [file, setFile] = useState<File | null>(null)
  const [stream, setStream] = useState(0)
  const [mode, setMode] = useState<'client' | 'server'>('client')
  const [target, setTarget] = useState('')
  const [pace, setPace] = useState<'fast' | 'original'>('fast')
  const [wait, setWait] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [replays, setReplays] = useState<ReplayInfo[]>([])

  const refresh = async (): Promise<void> => {
    const r = await request('replay:list', {})
    if (r.ok) setReplays(r.value.replays)
  }
  useEffect(() => {
    void refresh()
    const t = setInterval(() => void refresh(), 1_000)
    return () => clearInterval(t)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request])

  const start = async (): Promise<void> => {
    setError(null)
    let source: StartInput['source']
    if (from === 'connection') {
      if (selected === null) return setError('Select a connection to replay first')
      source = { connectionId: selected }
    } else if (from === 'path') {
      if (!path.trim()) return setError('Give the path of a pcapng file on the machine the lab runs on')
      source = { path: path.trim(), stream }
    } else {
      if (!file) return setError('Choose a pcapng file the lab wrote')
      if (file.size > UPLOAD_MAX_BYTES) {
        return setError(
          `That file is ${Math.round(file.size / 1024)} KiB; the page uploads at most ${UPLOAD_MAX_BYTES / 1024} KiB. Give its path on the lab's machine instead.`
        )
      }
      source = { pcapngBase64: await fileToBase64(file), stream }
    }
    const r = await request('replay:start', {
      source,
      mode,
      target: target || (mode === 'server' ? '127.0.0.1:0' : ''),
      pace,
      waitForReplies: wait
    })
    if (!r.ok) return setError(r.error.hint ? `${r.error.message}. ${r.error.hint}` : r.error.message)
    await refresh()
  }

  return (
    <section
      aria-label="Replay"
      className="mt-2 grid gap-2 rounded-md border border-slate-200 p-2 text-xs dark:border-slate-700"
    >
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <span className={LABEL}>Play</span>
          <select
            aria-label="Replay source"
            className={`${INPUT} w-auto py-1 text-xs`}
            value={from}
            onChange={(e) => setFrom(e.target.value as 'connection' | 'file' | 'path')}
          >
            <option value="connection">
              {selected !== null ? `connection #${selected}` : 'the selected connection'}
            </option>
            <option value="file">a pcapng file (upload)</option>
            <option value="path">a pcapng file on the lab's machine</option>
          </select>
        </div>
        {from !== 'connection' && (
          <>
            {from === 'file' ? (
              <input
                aria-label="Capture file"
                type="file"
                accept=".pcapng,application/x-pcapng"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            ) : (
              <input
                aria-label="Capture path"
                className={`${INPUT} w-56 py-1 font-mono text-xs`}
                placeholder="/path/to/tcp-lab-….pcapng"
                value={path}
                onChange={(e) => setPath(e.target.value)}
              />
            )}
            <label className="flex items-center gap-1">
              stream
              <input
                aria-label="TCP stream number"
                type="number"
                min={0}
                className={`${INPUT} w-16 py-1 text-xs`}
                value={stream}
                onChange={(e) => setStream(Math.max(0, Number(e.target.value) || 0))}
              />
            </label>
          </>
        )}
        <div>
          <span className={LABEL}>As</span>
          <select
            aria-label="Replay mode"
            className={`${INPUT} w-auto py-1 text-xs`}
            value={mode}
            onChange={(e) => setMode(e.target.value as 'client' | 'server')}
          >
            <option value="client">client, connecting to</option>
            <option value="server">mock server, listening on</option>
          </select>
        </div>
        <input
          aria-label={mode === 'client' ? 'Server to connect to' : 'Address to listen on'}
          className={`${INPUT} w-40 py-1 font-mono text-xs`}
          placeholder={mode === 'client' ? 'HOST:PORT' : '127.0.0.1:0'}
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
        <select
          aria-label="Pace"
          className={`${INPUT} w-auto py-1 text-xs`}
          value={pace}
          onChange={(e) => setPace(e.target.value as 'fast' | 'original')}
        >
          <option value="fast">as fast as possible</option>
          <option value="original">original pace</option>
        </select>
        <label
          className="flex items-center gap-1"
          title="Before each chunk, wait until the other side has sent what it sent before it in the recording"
        >
          <input type="checkbox" checked={wait} onChange={(e) => setWait(e.target.checked)} />
          wait for answers
        </label>
        <button type="button" className={BUTTON.primary} onClick={() => void start()}>
          Start replay
        </button>
      </div>
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      {replays.length > 0 && (
        <ul aria-label="Replays" className="space-y-1">
          {replays.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center gap-2 font-mono">
              <span>
                #{r.id} {r.mode === 'client' ? `client → ${r.target}` : `mock server on ${r.target}`} · {r.state} ·{' '}
                {r.chunksSent}/{r.chunksTotal} chunks
                {r.message ? ` · ${r.message}` : ''}
              </span>
              {r.connectionIds.map((id) => (
                <button
                  key={id}
                  type="button"
                  className={BUTTON.ghost}
                  onClick={() => ui.set({ selectedConnectionId: id })}
                >
                  open #{id}
                </button>
              ))}
              {r.state === 'running' && (
                <button
                  type="button"
                  className={BUTTON.ghost}
                  onClick={() => void request('replay:stop', { replayId: r.id }).then(refresh)}
                >
                  stop
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
