import { useMemo, useState } from 'react'
import type { ReactElement } from 'react'
import { escapedText } from '@shared/byte-format'
import { describeFraming, detectFraming, frameTraffic } from '@shared/framing'
import type { FramedDirection, FrameMessage, FramingInput } from '@shared/framing'
import { FramingPicker } from '@renderer/ui/responders/framing-picker'
import { chooseFraming, framingFor, useFramingPrefs } from '@renderer/store/framing-prefs'
import { SMALL_BUTTON } from './bytes-view'
import type { TrafficWindow } from './traffic-window'

/** Most messages listed per direction (the newest); the window itself is bounded too. */
export const MESSAGES_SHOWN = 500
const PREVIEW_BYTES = 160

/** Props of the messages view. */
export interface MessagesViewProps {
  connectionId: number
  serverId: number | null
  window: TrafficWindow
  /** The connection is closed: a message that runs to the end (HTTP without length) is complete. */
  ended: boolean
  /** The responder's framing, the default for its connections. */
  serverFraming?: FramingInput
}

/** The chunk start offsets that fall strictly inside a message (`starts` sorted; binary search, so many messages stay cheap). */
export function boundariesInside(
  m: Pick<FrameMessage, 'start' | 'end'>,
  starts: readonly { offset: number }[]
): number[] {
  let lo = 0
  let hi = starts.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (starts[mid].offset <= m.start) lo = mid + 1
    else hi = mid
  }
  const out: number[] = []
  for (let k = lo; k < starts.length && starts[k].offset < m.end; k++) out.push(starts[k].offset)
  return out
}

/** How many reads held more than one whole message (messages and chunks both in stream order). */
export function readsWithSeveral(d: Pick<FramedDirection, 'messages' | 'chunkStarts'>): number {
  let k = 0
  let inChunk = 0
  let several = 0
  const starts = d.chunkStarts
  for (const m of d.messages) {
    if (m.raw) continue
    while (k + 1 < starts.length && starts[k + 1].offset <= m.start) {
      if (inChunk > 1) several++
      k++
      inChunk = 0
    }
    const end = k + 1 < starts.length ? starts[k + 1].offset : Infinity
    if (m.end <= end) inChunk++
  }
  return several + (inChunk > 1 ? 1 : 0)
}

function MessageRow({
  m,
  dir,
  starts
}: {
  m: FrameMessage
  dir: 'in' | 'out'
  starts: FramedDirection['chunkStarts']
}): ReactElement {
  const inside = boundariesInside(m, starts)
  const size = m.end - m.start
  const preview =
    m.summary ??
    escapedText(m.data.subarray(0, PREVIEW_BYTES)) + (m.data.length > PREVIEW_BYTES || m.oversize ? '…' : '')
  const reads = inside.length + 1
  return (
    <li
      data-testid="message"
      data-dir={dir}
      className={`rounded border-l-4 px-2 py-1 ${dir === 'in' ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40' : 'border-amber-500 bg-amber-50 dark:bg-amber-950/40'}`}
    >
      <div className="flex flex-wrap items-baseline gap-x-2 text-[11px] text-slate-500 dark:text-slate-400">
        <span className="font-mono tabular-nums" title="Stream offsets of its first byte and just past its last">
          {m.start}–{m.end}
        </span>
        <span>{size} B</span>
        {m.raw ? <span className="text-red-700 dark:text-red-300">raw (framing broken)</span> : null}
        {m.oversize ? (
          <span className="text-amber-700 dark:text-amber-300">
            oversize: {m.dataSize} B, first {m.data.length} kept
          </span>
        ) : null}
        <span title="Chunk boundaries inside this message">
          {reads === 1 ? 'one read' : `split over ${reads} reads at ${inside.join(', ')}`}
        </span>
      </div>
      {/* The message as a bar, with a tick where each read ended inside it. */}
      <div aria-hidden="true" className="relative my-0.5 h-1.5 rounded bg-slate-300 dark:bg-slate-600">
        {inside.map((o) => (
          <span
            key={o}
            data-testid="chunk-boundary"
            className="absolute top-[-3px] h-3 w-0.5 bg-red-600"
            style={{ left: `${((o - m.start) / size) * 100}%` }}
          />
        ))}
      </div>
      <div className="font-mono text-xs break-all whitespace-pre-wrap">{preview}</div>
    </li>
  )
}

function Direction({ dir, d }: { dir: 'in' | 'out'; d: FramedDirection }): ReactElement {
  const shown = d.messages.slice(-MESSAGES_SHOWN)
  const together = readsWithSeveral(d)
  return (
    <section
      aria-label={dir === 'in' ? 'Messages from the peer' : 'Messages to the peer'}
      className="min-w-0 flex-1 space-y-1"
    >
      <h4 className="text-xs font-medium">
        {dir === 'in' ? 'in (from the peer)' : 'out (to the peer)'}: {d.messages.filter((m) => !m.raw).length} messages
        in {d.chunkStarts.length} reads
        {together > 0 ? `, ${together} read${together === 1 ? '' : 's'} holding several messages` : ''}
      </h4>
      {d.startsAt > 0 ? (
        <p className="text-[11px] text-amber-700 dark:text-amber-300">
          The first {d.startsAt} bytes are no longer kept: framing starts there and may be out of step.
        </p>
      ) : null}
      {d.messages.length > shown.length ? (
        <p className="text-[11px] text-slate-500">{d.messages.length - shown.length} older messages not listed</p>
      ) : null}
      <ol className="space-y-1">
        {shown.map((m) => (
          <MessageRow key={`${m.start}-${m.raw ? 'r' : 'm'}`} m={m} dir={dir} starts={d.chunkStarts} />
        ))}
      </ol>
      {d.broken ? (
        <p
          role="note"
          className="rounded bg-red-50 px-2 py-1 text-[11px] text-red-800 dark:bg-red-950/50 dark:text-red-200"
        >
          Framing broke at byte {d.broken.at}: {d.broken.reason}. Shown as chunks from there.
        </p>
      ) : null}
      {d.stoppedAt !== null ? (
        <p className="text-[11px] text-amber-700 dark:text-amber-300">
          Framing stopped at byte {d.stoppedAt} after {d.messages.length.toLocaleString('en-US')} messages (a bound per
          refresh); the chunk list shows the rest.
        </p>
      ) : null}
      {d.pending ? (
        <p className="text-[11px] text-amber-700 dark:text-amber-300">
          Incomplete message from byte {d.pending.start}: {d.pending.size} bytes so far
        </p>
      ) : null}
    </section>
  )
}

/** The stream as messages per direction, with the chunk boundaries drawn across them; a framing suggestion to confirm. */
export function MessagesView(props: MessagesViewProps): ReactElement {
  const { connectionId, serverId, window: win, ended, serverFraming } = props
  const prefs = useFramingPrefs()
  const chosen = framingFor(prefs, connectionId, serverId, serverFraming)
  const [scope, setScope] = useState<'connection' | 'server'>('connection')
  const guess = useMemo(() => {
    const first =
      win.chunks.find((c) => c.dir === 'in' && c.bytes.length > 0) ?? win.chunks.find((c) => c.bytes.length > 0)
    return first ? detectFraming(first.bytes) : null
  }, [win.chunks])
  const framing: FramingInput = chosen ?? 'raw'
  const framed = useMemo(() => frameTraffic(win.chunks, framing, ended), [win.chunks, framing, ended])
  const choose = (f: FramingInput): void =>
    chooseFraming(
      scope === 'server' && serverId !== null ? 'server' : 'connection',
      scope === 'server' && serverId !== null ? serverId : connectionId,
      f
    )
  return (
    <div className="flex flex-col gap-2 text-xs">
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="text-slate-500">Framing</span>
        <div className="w-52">
          <FramingPicker value={framing} onChange={choose} label="Messages framing" />
        </div>
        {serverId !== null ? (
          <select
            aria-label="Framing applies to"
            className="rounded border border-slate-300 bg-transparent px-1 py-px dark:border-slate-600"
            value={scope}
            onChange={(e) => setScope(e.target.value as 'connection' | 'server')}
          >
            <option value="connection">this connection</option>
            <option value="server">every connection of this server</option>
          </select>
        ) : null}
      </div>
      {guess && (chosen === null || JSON.stringify(guess.framing) !== JSON.stringify(chosen)) ? (
        <p role="status" className="flex flex-wrap items-center gap-1.5 rounded bg-sky-50 px-2 py-1 dark:bg-sky-950/50">
          <span>
            Looks like <strong>{guess.protocol}</strong> ({describeFraming(guess.framing)}): {guess.reason}.
          </span>
          <button type="button" className={SMALL_BUTTON} onClick={() => choose(guess.framing)}>
            Use {describeFraming(guess.framing)}
          </button>
        </p>
      ) : null}
      {chosen === null ? (
        <p className="text-slate-500">
          No framing chosen yet: showing raw chunks. Pick one, or confirm the suggestion.
        </p>
      ) : null}
      <div className="flex flex-col gap-3 lg:flex-row">
        <Direction dir="in" d={framed.in} />
        <Direction dir="out" d={framed.out} />
      </div>
    </div>
  )
}
