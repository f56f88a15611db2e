import { memo, useMemo, useState } from 'react'
import type { ReactElement } from 'react'
import { formatBytes } from '@shared/byte-format'
import { SMALL_BUTTON } from './bytes-view'
import type { ByteViewMode } from './bytes-view'
import type { FramingInput } from '@shared/framing'
import { ChunkList } from './chunk-list'
import { MessagesView } from './messages-view'
import { droppedOf, joinBytes } from './traffic-window'
import type { TrafficWindow } from './traffic-window'
import { Segmented } from '@renderer/ui/segmented'
import { transcriptText } from './transcript'

type DirFilter = 'both' | 'in' | 'out'

const MODES: { value: ByteViewMode; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'hex', label: 'Hex' },
  { value: 'escaped', label: 'Escaped' }
]

/** `N earlier bytes in M chunks are no longer kept; counters stay exact`, or null when nothing was dropped. */
export function droppedNote(win: TrafficWindow): string | null {
  const d = droppedOf(win)
  if (d.bytes <= 0 && d.chunks <= 0) return null
  const bytes = `${d.bytes.toLocaleString('en-US')} earlier ${d.bytes === 1 ? 'byte' : 'bytes'}`
  const chunks = d.chunks > 0 ? ` in ${d.chunks.toLocaleString('en-US')} ${d.chunks === 1 ? 'chunk' : 'chunks'}` : ''
  return `${bytes}${chunks} ${d.bytes === 1 ? 'is' : 'are'} no longer kept; counters stay exact`
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoke after the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 1_000)
}

/** The traffic of one connection: views, chunks/joined toggle, copy and save of the kept bytes. */
export const TrafficPanel = memo(function TrafficPanel(props: {
  connectionId: number
  window: TrafficWindow
  openedAt: number
  /** For the MESSAGES view: the connection's server, its responder framing, and whether it is closed. */
  serverId?: number | null
  serverFraming?: FramingInput
  ended?: boolean
}): ReactElement {
  const { connectionId, window: win, openedAt } = props
  const [messages, setMessages] = useState(false)
  const [mode, setMode] = useState<ByteViewMode>('text')
  const [joined, setJoined] = useState(false)
  const [dir, setDir] = useState<DirFilter>('both')
  const [status, setStatus] = useState<string | null>(null)
  const chunks = useMemo(
    () => (dir === 'both' ? win.chunks : win.chunks.filter((c) => c.dir === dir)),
    [win.chunks, dir]
  )
  const note = droppedNote(win)
  const suffix = dir === 'both' ? '' : `-${dir}`

  const copy = async (): Promise<void> => {
    const text = transcriptText(chunks, mode, openedAt, joined)
    try {
      await navigator.clipboard.writeText(text)
      setStatus(`Copied ${formatBytes(text.length)} of ${mode} to the clipboard`)
    } catch {
      setStatus('The clipboard is not available here; use Save instead')
    }
  }

  return (
    <section aria-label="Traffic" className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-1.5 text-xs">
        <Segmented label="View" options={MODES} value={mode} onChange={setMode} />
        <button
          type="button"
          className={SMALL_BUTTON}
          aria-pressed={messages}
          onClick={() => setMessages(!messages)}
          title="Cut the stream into the protocol's messages"
        >
          Messages
        </button>
        <button type="button" className={SMALL_BUTTON} aria-pressed={joined} onClick={() => setJoined(!joined)}>
          {joined ? 'Show chunks' : 'Joined'}
        </button>
        <label
          className="flex items-center gap-1"
          title="Which direction to show: in = from the peer, out = to the peer"
        >
          <span className="sr-only">Direction</span>
          <select
            aria-label="Direction"
            value={dir}
            onChange={(e) => setDir(e.target.value as DirFilter)}
            className="rounded border border-slate-300 bg-transparent px-1 py-px dark:border-slate-600"
          >
            <option value="both">in and out</option>
            <option value="in">in only</option>
            <option value="out">out only</option>
          </select>
        </label>
        <span className="ml-auto flex items-center gap-1">
          <button
            type="button"
            className={SMALL_BUTTON}
            onClick={() => void copy()}
            disabled={chunks.length === 0}
            title={`Copy the ${mode} view as text`}
          >
            Copy
          </button>
          <button
            type="button"
            className={SMALL_BUTTON}
            disabled={chunks.length === 0}
            title="Save the kept bytes exactly as they were sent"
            onClick={() =>
              download(
                `connection-${connectionId}${suffix}.bin`,
                new Blob([joinBytes(chunks)], { type: 'application/octet-stream' })
              )
            }
          >
            Save .bin
          </button>
          <button
            type="button"
            className={SMALL_BUTTON}
            disabled={chunks.length === 0}
            title={`Save the ${mode} view as text`}
            onClick={() =>
              download(
                `connection-${connectionId}${suffix}-${mode}.txt`,
                new Blob([transcriptText(chunks, mode, openedAt, joined)], { type: 'text/plain' })
              )
            }
          >
            Save .txt
          </button>
        </span>
      </div>
      {status && (
        <p role="status" className="text-xs text-slate-500 dark:text-slate-400">
          {status}
        </p>
      )}
      {note && (
        <p className="rounded bg-yellow-50 px-2 py-1 text-xs text-yellow-900 dark:bg-yellow-950/50 dark:text-yellow-200">
          {note}
        </p>
      )}
      {messages ? (
        <MessagesView
          connectionId={connectionId}
          serverId={props.serverId ?? null}
          window={win}
          ended={props.ended ?? false}
          serverFraming={props.serverFraming}
        />
      ) : (
        <ChunkList chunks={chunks} mode={mode} joined={joined} openedAt={openedAt} />
      )}
    </section>
  )
})
