import { useState } from 'react'
import type { ReactNode } from 'react'
import { formatBytes } from '@shared/byte-format'
import type { CaptureFormat } from '@shared/model'
import { useLabStore } from '@renderer/store/use-lab'
import { useCommand } from '@renderer/store/use-command'
import { useUi } from '@renderer/store/ui-store'
import { BUTTON, INPUT } from '@renderer/ui/classes'
import { downloadFile } from './download'
import { useRecordStatus } from './use-record-status'
import { ReplayPanel } from './replay-panel'

/** The export formats, as the menu names them. */
export const FORMAT_LABELS: Readonly<Record<CaptureFormat, string>> = {
  pcapng: 'pcapng (Wireshark)',
  raw: 'raw bytes per direction',
  jsonl: 'JSONL (chunks and events)',
  hexdump: 'hex dump text'
}

type Scope = 'selected' | 'shown' | 'all'

const SELECT = `${INPUT} w-auto py-1 text-xs`

/** Export (connection / shown / all × format), record to disk with its budget, and replay. */
export function CaptureBar({ shownIds }: { shownIds: () => readonly number[] }): ReactNode {
  const store = useLabStore()
  // Polls and one-off commands: failures become notices here, so no busy state is tracked.
  const { run: request } = useCommand(undefined, { trackBusy: false })
  const selected = useUi((s) => s.selectedConnectionId)
  const [scope, setScope] = useState<Scope>('shown')
  const [format, setFormat] = useState<CaptureFormat>('pcapng')
  const [busy, setBusy] = useState(false)
  const [replayOpen, setReplayOpen] = useState(false)
  const [dir, setDir] = useState('')
  const { status, refresh } = useRecordStatus(request)

  const canExport = !busy && (scope !== 'selected' || selected !== null)

  const runExport = async (): Promise<void> => {
    // The shown rows are read at the click: the table's order changes with every batch.
    const ids =
      scope === 'selected' ? (selected !== null ? [selected] : []) : scope === 'shown' ? [...shownIds()] : undefined
    if (ids !== undefined && ids.length === 0)
      return store.addNotice('warning', 'The table shows no connection to export')
    setBusy(true)
    const r = await request('capture:export', { format, connectionIds: ids })
    setBusy(false)
    if (!r.ok) return store.addNotice('error', r.error.message, r.error.hint)
    for (const f of r.value.files) downloadFile(f)
    for (const n of r.value.notes) store.addNotice('warning', n)
  }

  const toggleRecord = async (): Promise<void> => {
    setBusy(true)
    const r = status?.recording
      ? await request('capture:record-stop', {})
      : await request('capture:record-start', dir.trim() ? { dir: dir.trim() } : {})
    setBusy(false)
    if (!r.ok) store.addNotice('error', r.error.message, r.error.hint)
    await refresh()
  }

  const recording = status?.recording === true
  return (
    <div className="border-b border-slate-200 px-3 py-1.5 dark:border-slate-800">
      <div role="group" aria-label="Capture" className="flex flex-wrap items-center gap-1.5 text-xs">
        <label className="sr-only" htmlFor="export-scope">
          Export which connections
        </label>
        <select id="export-scope" className={SELECT} value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
          <option value="selected" disabled={selected === null}>
            {selected !== null ? `Connection #${selected}` : 'Selected connection'}
          </option>
          <option value="shown">Connections the table shows</option>
          <option value="all">All connections</option>
        </select>
        <label className="sr-only" htmlFor="export-format">
          Export format
        </label>
        <select
          id="export-format"
          className={SELECT}
          value={format}
          onChange={(e) => setFormat(e.target.value as CaptureFormat)}
        >
          {(Object.keys(FORMAT_LABELS) as CaptureFormat[]).map((f) => (
            <option key={f} value={f}>
              {FORMAT_LABELS[f]}
            </option>
          ))}
        </select>
        <button
          type="button"
          className={BUTTON.secondary}
          disabled={!canExport}
          onClick={() => void runExport()}
          title="Download what the lab kept of these connections"
        >
          Export
        </button>
        <span className="mx-1 h-4 w-px bg-slate-300 dark:bg-slate-700" aria-hidden="true" />
        {!recording && (
          <>
            <label className="sr-only" htmlFor="record-dir">
              Recording folder
            </label>
            <input
              id="record-dir"
              className={`${INPUT} w-44 py-1 text-xs`}
              placeholder={status?.dir ?? 'folder on the lab machine'}
              value={dir}
              onChange={(e) => setDir(e.target.value)}
              title="The folder the recording goes to, on the machine the lab runs on (a new file; nothing is overwritten)"
            />
          </>
        )}
        <button
          type="button"
          className={recording ? BUTTON.danger : BUTTON.secondary}
          aria-pressed={recording}
          disabled={busy}
          onClick={() => void toggleRecord()}
          title="Write everything the lab sees, in full, to a pcapng file, up to the disk budget"
        >
          <span
            aria-hidden="true"
            className={`h-2 w-2 rounded-full ${recording ? 'animate-pulse bg-red-500' : 'bg-slate-400'}`}
          />
          {recording ? 'Stop recording' : 'Record'}
        </button>
        {status && (status.recording || status.file) ? (
          <span
            role="status"
            aria-label="Recording status"
            className="truncate font-mono text-slate-600 dark:text-slate-300"
            title={status.file ?? ''}
          >
            {status.recording ? 'Recording' : 'Saved'} {formatBytes(status.bytesWritten)} of{' '}
            {formatBytes(status.budgetBytes)}
            {status.droppedBytes > 0 ? ` · ${formatBytes(status.droppedBytes)} not written (disk too slow)` : ''}
            {!status.recording && status.stoppedReason ? ` · ${status.stoppedReason}` : ''} · {status.file}
          </span>
        ) : null}
        <span className="mx-1 h-4 w-px bg-slate-300 dark:bg-slate-700" aria-hidden="true" />
        <button
          type="button"
          className={BUTTON.secondary}
          aria-expanded={replayOpen}
          onClick={() => setReplayOpen((o) => !o)}
        >
          Replay…
        </button>
      </div>
      {replayOpen && <ReplayPanel request={request} selected={selected} />}
    </div>
  )
}
