import type { ReactElement } from 'react'
import type { ConnectionInfo } from '@shared/model'
import { sequenceEvents } from './sequence-events'
import type { SeqEvent } from './sequence-events'
import type { KeptChunk } from './traffic-window'
import { endpointText } from './words'

const W = 420
const PEER_X = 110
const LAB_X = 370
const TOP = 46
const ROW = 30

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

function Arrow({ e, y, openedAt }: { e: SeqEvent; y: number; openedAt: number }): ReactElement {
  const colour = e.kind === 'data' ? (e.from === 'peer' ? 'text-sky-600 dark:text-sky-400' : 'text-amber-600 dark:text-amber-400') : COLOURS[e.kind]
  const time = (
    <text x={4} y={y + 4} className="fill-slate-400 text-[10px]">
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
        <text x={wide ? (PEER_X + LAB_X) / 2 : LAB_X - 8} y={y - 5} textAnchor={wide ? 'middle' : 'end'} fill="currentColor" className="text-[11px]">
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
      <text x={(PEER_X + LAB_X) / 2} y={y - 5} textAnchor="middle" fill="currentColor" className="text-[11px]">
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
  const events = sequenceEvents(c, props.chunks, { droppedBytes: props.droppedBytes, labEndedAt: props.labEndedAt })
  const height = TOP + events.length * ROW + 10
  const peer = endpointText(c.remote, c.family)
  const lab = endpointText(c.local, c.family)
  const summary = events.map((e) => `${e.from ? `${e.from} → ${e.from === 'peer' ? 'lab' : 'peer'}: ` : ''}${e.label}`).join('; ')
  return (
    <figure className="overflow-x-auto">
      <svg
        role="img"
        aria-label={`Sequence diagram of connection ${c.id}: ${summary}`}
        viewBox={`0 0 ${W} ${height}`}
        width="100%"
        style={{ maxWidth: W * 1.4 }}
        className="font-sans"
      >
        <text x={PEER_X} y={14} textAnchor="middle" className="fill-slate-700 text-[11px] font-semibold dark:fill-slate-200">
          peer
        </text>
        <text x={PEER_X} y={28} textAnchor="middle" className="fill-slate-500 text-[10px] dark:fill-slate-400">
          {peer}
        </text>
        <text x={LAB_X} y={14} textAnchor="end" className="fill-slate-700 text-[11px] font-semibold dark:fill-slate-200">
          lab socket #{c.id}
        </text>
        <text x={LAB_X} y={28} textAnchor="end" className="fill-slate-500 text-[10px] dark:fill-slate-400">
          {lab}
        </text>
        <g className="text-slate-300 dark:text-slate-600">
          <line x1={PEER_X} x2={PEER_X} y1={34} y2={height - 4} stroke="currentColor" strokeDasharray="4 3" />
          <line x1={LAB_X} x2={LAB_X} y1={34} y2={height - 4} stroke="currentColor" strokeDasharray="4 3" />
        </g>
        {events.map((e, i) => (
          <Arrow key={i} e={e} y={TOP + i * ROW + 12} openedAt={c.openedAt} />
        ))}
      </svg>
    </figure>
  )
}
