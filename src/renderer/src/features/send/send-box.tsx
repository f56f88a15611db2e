import { useRef, useState } from 'react'
import type { KeyboardEvent, ReactElement } from 'react'
import { formatExactBytes, hexDumpLines } from '@shared/byte-format'
import type { Payload } from '@shared/contract'
import type { ConnectionInfo, ServerInfo } from '@shared/model'
import type { LabRequest } from '@renderer/transport/transport'
import { useCommand } from '@renderer/store/use-command'
import { ErrorAlert } from '@renderer/ui/error-alert'
import { ConnectionActions } from './connection-actions'
import { useSendDraft } from './use-send-draft'
import type { SendTarget } from './use-send-draft'
import { historyLabel, pushHistory } from './send-history'

/** Props of the send box. */
export interface SendBoxProps {
  connection: ConnectionInfo | null
  server: ServerInfo | null
  /** Runs the commands; by default the lab store of the tree (tests pass their own). */
  request?: LabRequest
  /** Sent messages, newest first, when the caller keeps them across connections; otherwise the box keeps its own. */
  history?: readonly Payload[]
  /** Called with the new history after a send (with `history`). */
  onHistoryChange?: (history: Payload[]) => void
}

type Target = SendTarget

const FIELD = 'rounded border border-slate-300 bg-white px-1 py-0.5 text-xs dark:border-slate-600 dark:bg-slate-900'
const PREVIEW_BYTES = 32

function canWrite(c: ConnectionInfo | null): boolean {
  return c !== null && c.state !== 'closed' && c.state !== 'lab-half-closed'
}

/** The message editor: text/hex/escapes, line ending, this peer or all peers, live validation, history, and the connection's actions. */
export function SendBox({
  connection,
  server,
  request,
  history: sharedHistory,
  onHistoryChange
}: SendBoxProps): ReactElement {
  const [ownHistory, setOwnHistory] = useState<Payload[]>([])
  const [open, setOpen] = useState(true)
  const box = useRef<HTMLTextAreaElement>(null)
  const history = sharedHistory ?? ownHistory
  const { run, busy: sending } = useCommand(request)
  const draft = useSendDraft(connection?.id ?? null)
  const { text, format, lineEnding, cursor, status, error, payload, encoded } = draft

  const serverId = server?.id ?? connection?.serverId ?? null
  const effectiveTarget: Target = connection === null ? 'server' : draft.target
  const targetReady = effectiveTarget === 'peer' ? canWrite(connection) : serverId !== null
  const sendable = encoded.ok && encoded.bytes.length > 0 && targetReady && !sending

  const send = async (): Promise<void> => {
    if (!sendable) return
    draft.setOutcome({ status: null, error: null })
    const input =
      effectiveTarget === 'peer' && connection
        ? { connectionId: connection.id, payload }
        : { serverId: serverId ?? 0, payload }
    const result = await run('connection:send', input)
    if (!result.ok) {
      draft.setOutcome({ error: result.error })
      return
    }
    const n = result.value.connections
    draft.sent(`Sent ${formatExactBytes(result.value.bytes)} to ${n} ${n === 1 ? 'connection' : 'connections'}`)
    const next = pushHistory(history, payload)
    if (onHistoryChange) onHistoryChange(next)
    else setOwnHistory(next)
  }

  const recall = (index: number): void => {
    if (history[index]) draft.recall(index, history[index])
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault()
      void send()
      return
    }
    const el = e.currentTarget
    // Arrows walk the history only from the edges of the box, so they still move the caret inside text.
    if (e.key === 'ArrowUp' && history.length > 0 && el.selectionStart === 0 && el.selectionEnd === 0) {
      e.preventDefault()
      recall(Math.min(cursor + 1, history.length - 1))
    } else if (e.key === 'ArrowDown' && cursor >= 0 && el.selectionStart === el.value.length) {
      e.preventDefault()
      if (cursor === 0) draft.recall(-1, undefined)
      else recall(cursor - 1)
    }
  }

  const goToError = (): void => {
    if (encoded.ok || !box.current) return
    box.current.focus()
    box.current.setSelectionRange(encoded.error.position, encoded.error.position + 1)
  }

  const preview = encoded.ok
    ? hexDumpLines(encoded.bytes.subarray(0, PREVIEW_BYTES))
        .map((l) => l.hex)
        .join('  ')
    : ''
  const targetNote =
    effectiveTarget === 'peer'
      ? connection === null
        ? 'Select a connection to send to it.'
        : canWrite(connection)
          ? null
          : `Connection #${connection.id} is ${connection.state === 'closed' ? 'closed' : 'half-closed by the lab (we sent FIN)'}: nothing more can be written to it.`
      : serverId === null
        ? 'No server to send to.'
        : null

  const summary =
    effectiveTarget === 'peer' && connection
      ? `Send to connection #${connection.id}`
      : serverId !== null
        ? `Send to every peer of server #${serverId}`
        : 'Send'

  return (
    <section aria-label="Send" className="flex flex-col gap-2">
      {connection && <ConnectionActions connection={connection} request={request} />}
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="group">
        <summary className="flex cursor-pointer items-center gap-1.5 text-xs font-semibold text-slate-600 select-none dark:text-slate-300">
          <span aria-hidden="true" className="inline-block transition-transform group-open:rotate-90">
            ▸
          </span>
          {summary}
          {!open && history.length > 0 ? (
            <span className="font-normal text-slate-400">({history.length} sent)</span>
          ) : null}
        </summary>
        <form
          className="mt-1.5 flex flex-col gap-1.5"
          onSubmit={(e) => {
            e.preventDefault()
            void send()
          }}
        >
          <label htmlFor="send-box" className="sr-only">
            Message
          </label>
          <textarea
            id="send-box"
            ref={box}
            rows={3}
            value={text}
            spellCheck={false}
            aria-invalid={!encoded.ok}
            aria-describedby="send-box-check"
            onChange={(e) => draft.setText(e.target.value)}
            onKeyDown={onKeyDown}
            placeholder={`${format === 'hex' ? '48 65 6c 6c 6f' : format === 'escapes' ? 'hello\\r\\n\\x00' : 'hello'}   (Ctrl+Enter sends)`}
            className={`${FIELD} resize-y px-1.5 font-mono text-[13px] leading-5 ${encoded.ok ? '' : 'border-red-500 dark:border-red-400'}`}
          />
          <div className="flex items-center gap-2">
            <div id="send-box-check" className="min-w-0 flex-1 truncate text-[11px]" aria-live="polite">
              {encoded.ok ? (
                <span className="text-slate-500 dark:text-slate-400">
                  {formatExactBytes(encoded.bytes.length)}
                  {preview && (
                    <span className="ml-2 font-mono">
                      {preview}
                      {encoded.bytes.length > PREVIEW_BYTES ? ' …' : ''}
                    </span>
                  )}
                </span>
              ) : (
                <span className="text-red-700 dark:text-red-300">
                  {encoded.error.message}{' '}
                  <button type="button" className="underline" onClick={goToError}>
                    Go to position {encoded.error.position}
                  </button>
                </span>
              )}
            </div>
            <button
              type="submit"
              disabled={!sendable}
              title="Ctrl+Enter or ⌘+Enter"
              className="shrink-0 rounded-md bg-sky-600 px-3 py-0.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-40"
            >
              Send
            </button>
          </div>
          <div className="flex flex-wrap items-center gap-x-2.5 gap-y-1.5 text-xs text-slate-600 dark:text-slate-300">
            <label className="flex items-center gap-1">
              Format
              <select
                className={FIELD}
                value={format}
                onChange={(e) => draft.setFormat(e.target.value as Payload['format'])}
              >
                <option value="text">Text</option>
                <option value="hex">Hex</option>
                <option value="escapes">Escapes</option>
              </select>
            </label>
            <label className="flex items-center gap-1" title="Appended to the message when it is sent">
              Ending
              <select
                aria-label="Line ending"
                className={FIELD}
                value={lineEnding}
                onChange={(e) => draft.setLineEnding(e.target.value as Payload['lineEnding'])}
              >
                <option value="none">None</option>
                <option value="lf">LF</option>
                <option value="crlf">CRLF</option>
              </select>
            </label>
            <label className="flex items-center gap-1">
              To
              <select
                className={FIELD}
                value={effectiveTarget}
                onChange={(e) => draft.setTarget(e.target.value as Target)}
              >
                <option value="peer" disabled={connection === null}>
                  this peer
                </option>
                <option value="server" disabled={serverId === null}>
                  all peers
                </option>
              </select>
            </label>
            {history.length > 0 && (
              <label className="flex min-w-0 basis-full items-center gap-1">
                History
                {/* Its own line, as wide as the box: the entries are never cut to a stub. */}
                <select
                  className={`${FIELD} min-w-0 flex-1`}
                  value={cursor}
                  onChange={(e) => recall(Number(e.target.value))}
                >
                  <option value={-1}>({history.length} sent; ↑/↓ in the box)</option>
                  {history.map((h, i) => (
                    <option key={i} value={i}>
                      {historyLabel(h)}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          {targetNote && <p className="text-xs text-slate-500 dark:text-slate-400">{targetNote}</p>}
          {status && (
            <p role="status" className="text-xs text-emerald-700 dark:text-emerald-300">
              {status}
            </p>
          )}
          <ErrorAlert error={error} />
        </form>
      </details>
    </section>
  )
}
