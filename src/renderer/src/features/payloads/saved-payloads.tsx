import { useState } from 'react'
import type { ReactNode } from 'react'
import { formatExactBytes } from '@shared/byte-format'
import type { SavedPayload } from '@shared/contract'
import type { ConnectionInfo } from '@shared/model'
import { encodePayload } from '@shared/payload-codec'
import { BADGE, BUTTON, TONES } from '@renderer/ui/classes'
import { useCommand } from '@renderer/store/use-command'
import { useWorkspace } from '@renderer/store/workspace-store'
import { usePayloadShortcuts } from './payload-shortcuts'
import { SequencesPanel } from './sequences-panel'

const FIELD = 'rounded border border-slate-300 bg-white px-1 py-0.5 text-xs dark:border-slate-600 dark:bg-slate-900'
const ENDING: Record<SavedPayload['lineEnding'], string> = { none: '', lf: 'LF', crlf: 'CRLF' }

function writable(c: ConnectionInfo | null): boolean {
  return c !== null && c.state !== 'closed' && c.state !== 'lab-half-closed'
}

/** Saved payloads: one click (or Alt+1…9) sends one to this connection, Alt+Shift or "All" to every peer of its server. */
export function SavedPayloads({
  connection,
  serverId
}: {
  connection: ConnectionInfo | null
  serverId: number | null
}): ReactNode {
  const { run } = useCommand()
  const status = useWorkspace((v) => v.status)
  const payloads = status?.payloads ?? []
  const [note, setNote] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)
  const [editing, setEditing] = useState<SavedPayload | null>(null)

  const send = async (p: SavedPayload, toAll: boolean): Promise<void> => {
    const payload = { format: p.format, text: p.text, lineEnding: p.lineEnding }
    if (!toAll && !writable(connection))
      return setNote({ tone: 'error', text: 'Select an open connection to send to it.' })
    if (toAll && serverId === null)
      return setNote({ tone: 'error', text: 'This connection has no lab server: there are no other peers.' })
    const r =
      toAll || !connection
        ? await run('connection:send', { serverId: serverId ?? 0, payload })
        : await run('connection:send', { connectionId: connection.id, payload })
    if (!r.ok)
      return setNote({ tone: 'error', text: r.error.hint ? `${r.error.message}. ${r.error.hint}` : r.error.message })
    const n = r.value.connections
    setNote({
      tone: 'ok',
      text: `Sent "${p.name}" (${formatExactBytes(r.value.bytes)}) to ${n} ${n === 1 ? 'connection' : 'connections'}`
    })
  }

  usePayloadShortcuts((index, toAll) => {
    const p = payloads[index]
    if (p) void send(p, toAll)
  })

  if (!status) return null
  return (
    <details className="group mt-2" open={payloads.length > 0}>
      <summary className="flex cursor-pointer items-center gap-1.5 text-xs font-semibold text-slate-600 select-none dark:text-slate-300">
        <span aria-hidden="true" className="inline-block transition-transform group-open:rotate-90">
          ▸
        </span>
        Saved payloads <span className="font-normal text-slate-400">({payloads.length})</span>
      </summary>
      <div className="mt-1.5 space-y-1.5">
        {payloads.length > 0 ? (
          <ul aria-label="Saved payloads" className="space-y-1">
            {payloads.map((p, i) => (
              <li key={p.name} className="flex items-center gap-1.5 text-xs">
                <span
                  className="w-9 shrink-0 text-[10px] text-slate-400"
                  title={i < 9 ? `Alt+${i + 1} sends it here, Alt+Shift+${i + 1} to all peers` : undefined}
                >
                  {i < 9 ? `⌥${i + 1}` : ''}
                </span>
                <span className="min-w-0 flex-1 truncate font-medium" title={p.text}>
                  {p.name}
                </span>
                <span className={`${BADGE} ${TONES.grey}`}>{p.format}</span>
                {ENDING[p.lineEnding] ? <span className={`${BADGE} ${TONES.sky}`}>{ENDING[p.lineEnding]}</span> : null}
                <button
                  type="button"
                  className={BUTTON.secondary}
                  aria-label={`Send ${p.name} to this connection`}
                  disabled={!writable(connection)}
                  onClick={() => void send(p, false)}
                >
                  Send
                </button>
                <button
                  type="button"
                  className={BUTTON.ghost}
                  aria-label={`Send ${p.name} to all peers`}
                  disabled={serverId === null}
                  onClick={() => void send(p, true)}
                >
                  All
                </button>
                <button
                  type="button"
                  className={BUTTON.ghost}
                  aria-label={`Edit ${p.name}`}
                  onClick={() => setEditing(p)}
                >
                  ✎
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Name a message below to keep it; it is saved with the workspace.
          </p>
        )}
        {note ? (
          <p
            role={note.tone === 'error' ? 'alert' : 'status'}
            className={`text-xs ${note.tone === 'error' ? 'text-red-700 dark:text-red-300' : 'text-emerald-700 dark:text-emerald-300'}`}
          >
            {note.text}
          </p>
        ) : null}
        {editing ? (
          <PayloadEditor key={editing.name} initial={editing} onDone={() => setEditing(null)} />
        ) : (
          <details open={payloads.length === 0}>
            <summary className="cursor-pointer text-xs text-slate-600 select-none dark:text-slate-300">
              New payload…
            </summary>
            <PayloadEditor initial={null} onDone={() => setEditing(null)} />
          </details>
        )}
        <SequencesPanel connection={connection} />
      </div>
    </details>
  )
}

/** Names and keeps a payload (or changes / deletes the one being edited). */
function PayloadEditor({ initial, onDone }: { initial: SavedPayload | null; onDone: () => void }): ReactNode {
  const { run } = useCommand()
  const [name, setName] = useState(initial?.name ?? '')
  const [text, setText] = useState(initial?.text ?? '')
  const [format, setFormat] = useState<SavedPayload['format']>(initial?.format ?? 'text')
  const [lineEnding, setLineEnding] = useState<SavedPayload['lineEnding']>(initial?.lineEnding ?? 'none')
  const [error, setError] = useState<string | null>(null)
  const encoded = encodePayload({ text, format, lineEnding })
  const save = async (): Promise<void> => {
    const r = await run('payload:save', { payload: { name, text, format, lineEnding } })
    if (!r.ok) return setError(r.error.message)
    setError(null)
    if (!initial) {
      setName('')
      setText('')
    }
    onDone()
  }
  const remove = async (): Promise<void> => {
    if (!initial) return
    const r = await run('payload:delete', { name: initial.name })
    if (!r.ok) return setError(r.error.hint ? `${r.error.message}. ${r.error.hint}` : r.error.message)
    onDone()
  }
  return (
    <form
      aria-label={initial ? `Edit payload ${initial.name}` : 'New saved payload'}
      className="flex flex-col gap-1 rounded border border-slate-200 p-1.5 dark:border-slate-700"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <div className="flex gap-1.5">
        <input
          aria-label="Payload name"
          placeholder="name, e.g. login"
          className={`${FIELD} min-w-0 flex-1`}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <select
          aria-label="Payload format"
          className={FIELD}
          value={format}
          onChange={(e) => setFormat(e.target.value as SavedPayload['format'])}
        >
          <option value="text">Text</option>
          <option value="hex">Hex</option>
          <option value="escapes">Escapes</option>
        </select>
        <select
          aria-label="Payload line ending"
          className={FIELD}
          value={lineEnding}
          onChange={(e) => setLineEnding(e.target.value as SavedPayload['lineEnding'])}
        >
          <option value="none">None</option>
          <option value="lf">LF</option>
          <option value="crlf">CRLF</option>
        </select>
      </div>
      <textarea
        aria-label="Payload text"
        rows={2}
        spellCheck={false}
        className={`${FIELD} font-mono`}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="flex items-center gap-1.5 text-[11px]">
        <span className={`min-w-0 flex-1 truncate ${encoded.ok ? 'text-slate-500' : 'text-red-700 dark:text-red-300'}`}>
          {encoded.ok ? formatExactBytes(encoded.bytes.length) : encoded.error.message}
        </span>
        {initial ? (
          <button type="button" className={BUTTON.ghost} onClick={() => void remove()}>
            Delete
          </button>
        ) : null}
        <button
          type="submit"
          className={BUTTON.secondary}
          disabled={name.trim() === '' || !encoded.ok || encoded.bytes.length === 0}
        >
          {initial ? 'Save changes' : 'Save payload'}
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
