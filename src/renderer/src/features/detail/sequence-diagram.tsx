import { useEffect, useRef, useState } from 'react'
import type { ReactElement, RefObject } from 'react'
import type { ConnectionInfo } from '@shared/model'
import { sequenceEvents } from './sequence-events'
import type { SeqEvent } from './sequence-events'
import type { KeptChunk } from './traffic-window'
import { endpointText } from '@renderer/store/describe'

// Drawn at the container's width in CSS pixels (viewBox = size), so the text keeps its real size.
const MIN_W = 280
const DEFAULT_W = 400
const TOP = 44
const ROW = 25

/** Where the two lifelines stand for a given width: times on the left, then the peer's, then the lab's. */
interface Geometry {
  w: number
  peerX: number
  labX: number
}

function geometry(w: number): Geometry {
  return { w, peerX: 104, labX: w - 56 }
}

function useWidth(): { ref: RefObject<HTMLElement | null>; width: number } {
  const ref = useRef<HTMLElement>(null)
  const [width, setWidth] = useState(DEFAULT_W)
  useEffect(() => {
    const el = ref.current
    if (!el || typeof ResizeObserver !== 'function') return
    const fit = (w: number): void => {
      if (w > 0) setWidth(Math.max(MIN_W, Math.floor(w)))
    }
    fit(el.clientWidth)
    const observer = new ResizeObserver((entries) => fit(entries[0]?.contentRect.width ?? 0))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  return { ref, width }
}

const COLOURS: Record<SeqEvent['kind'], string> = {
  open: 'text-emerald-600 dark:text-emerald-400',
  data: 'text-slate-700 dark:text-slate-200',
  earlier: 'text-slate-400 dark:text-slate-500',
  fin: 'text-violet-600 dark:text-violet-400',
  rst: 'text-red-600 dark:text-red-400',
  error: 'text-red-600 dark:text-red-400',
  closed: 'text-slate-500 dark:text-slate-400',
  now: 'text-emerald-600 dark:text-emerald-400'
}

function timeText(at: number | null, openedAt: number): string {
  return at === null ? '' : `+${(Math.max(0, at - openedAt) / 1000).toFixed(2)}s`
}

function Arrow({ e, y, openedAt, g }: { e: SeqEvent; y: number; openedAt: number; g: Geometry }): ReactElement {
  const PEER_X = g.peerX
  const LAB_X = g.labX
  const colour =
    e.kind === 'data'
      ? e.from === 'peer'
        ? 'text-sky-600 dark:text-sky-400'
        : 'text-amber-600 dark:text-amber-400'
      : COLOURS[e.kind]
  const time = (
    <text x={2} y={y + 4} className="fill-slate-400 text-[11px] tabular-nums dark:fill-slate-500">
      {timeText(e.at, openedAt)}
    </text>
  )
  if (e.from === null) {
    // A note on the lab's lifeline (error, closed, the present moment) or a summary across both.
    const wide = e.kind === 'earlier'
    return (
      <g className={colour} data-kind={e.kind}>
        {time}
        {wide ? (
          <line x1={PEER_X} x2={LAB_X} y1={y} y2={y} stroke="currentColor" strokeDasharray="3 3" />
        ) : (
          <circle cx={LAB_X} cy={y} r={4} fill="currentColor" />
        )}
        <text
          x={wide ? (PEER_X + LAB_X) / 2 : LAB_X - 8}
          y={y - 5}
          textAnchor={wide ? 'middle' : 'end'}
          fill="currentColor"
          className="text-[12px]"
        >
          {e.label}
        </text>
      </g>
    )
  }
  const x1 = e.from === 'peer' ? PEER_X : LAB_X
  const x2 = e.from === 'peer' ? LAB_X : PEER_X
  const dir = Math.sign(x2 - x1)
  const tip = x2 - dir * 2
  return (
    <g className={colour} data-kind={e.kind} data-from={e.from}>
      {time}
      <line x1={x1} x2={tip - dir * 6} y1={y} y2={y} stroke="currentColor" strokeWidth={e.kind === 'rst' ? 2.5 : 1.5} />
      <polygon points={`${tip},${y} ${tip - dir * 8},${y - 4} ${tip - dir * 8},${y + 4}`} fill="currentColor" />
      <text x={(PEER_X + LAB_X) / 2} y={y - 5} textAnchor="middle" fill="currentColor" className="text-[12px]">
        {e.label}
      </text>
    </g>
  )
}

/** The connection's life drawn as a sequence diagram: the peer's and the lab socket's lifelines and what passed between them. */
export function SequenceDiagram(props: {
  connection: ConnectionInfo
  chunks: readonly KeptChunk[]
  droppedBytes: number
  labEndedAt: number | null
}): ReactElement {
  const c = props.connection
  const { ref, width } = useWidth()
  const g = geometry(width)
  const { peerX: PEER_X, labX: LAB_X } = g
  const events = sequenceEvents(c, props.chunks, { droppedBytes: props.droppedBytes, labEndedAt: props.labEndedAt })
  const height = TOP + events.length * ROW + 4
  const peer = endpointText(c.remote, c.family)
  const lab = endpointText(c.local, c.family)
  const summary = events
    .map((e) => `${e.from ? `${e.from} → ${e.from === 'peer' ? 'lab' : 'peer'}: ` : ''}${e.label}`)
    .join('; ')
  return (
    <figure ref={ref} className="min-w-0">
      <svg
        role="img"
        aria-label={`Sequence diagram of connection ${c.id}: ${summary}`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        className="block font-sans"
      >
        <text
          x={PEER_X}
          y={13}
          textAnchor="middle"
          className="fill-slate-700 text-[12px] font-semibold dark:fill-slate-200"
        >
          peer
        </text>
        <text
          x={PEER_X}
          y={28}
          textAnchor="middle"
          className="fill-slate-500 font-mono text-[11px] dark:fill-slate-400"
        >
          {peer}
        </text>
        <text
          x={width - 2}
          y={13}
          textAnchor="end"
          className="fill-slate-700 text-[12px] font-semibold dark:fill-slate-200"
        >
          lab socket #{c.id}
        </text>
        <text
          x={width - 2}
          y={28}
          textAnchor="end"
          className="fill-slate-500 font-mono text-[11px] dark:fill-slate-400"
        >
          {lab}
        </text>
        <g className="text-slate-300 dark:text-slate-600">
          <line x1={PEER_X} x2={PEER_X} y1={34} y2={height - 2} stroke="currentColor" strokeDasharray="4 3" />
          <line x1={LAB_X} x2={LAB_X} y1={34} y2={height - 2} stroke="currentColor" strokeDasharray="4 3" />
        </g>
        {events.map((e, i) => (
          <Arrow key={i} e={e} y={TOP + i * ROW + 8} openedAt={c.openedAt} g={g} />
        ))}
      </svg>
    </figure>
  )
}
