import { memo } from 'react'
import type { ReactNode } from 'react'
import type { ConnectionInfo, Endpoint, Family } from '@shared/model'
import { formatBytes, formatDuration, formatExactBytes, formatRate } from '@shared/byte-format'
import { CLOSE_REASON_TEXT, STATE_TEXT, describeState, formatEndpoint, isActive } from '@renderer/store/describe'
import { useLab } from '@renderer/store/use-lab'
import { useNow } from '@renderer/store/ticker'
import { bracketHost } from '@shared/endpoint-format'
import { PairMark, PairUpstreamTls } from '@renderer/ui/pair-mark'

/** The fixed height of a body row, in pixels (the virtualiser relies on it). */
export const ROW_HEIGHT = 30

const EPHEMERAL_PEER = "ephemeral port chosen by the client's OS"
const EPHEMERAL_LOCAL = "ephemeral port this machine's OS chose for the lab's client"

// Abortive and failed endings stand out from orderly ones.
const REASON_TONE: Record<NonNullable<ConnectionInfo['closeReason']>, string> = {
  'peer-fin': 'text-slate-500 dark:text-slate-400',
  'peer-reset': 'text-red-600/80 dark:text-red-400/80',
  'lab-close': 'text-slate-500 dark:text-slate-400',
  'lab-reset': 'text-red-600/80 dark:text-red-400/80',
  'server-stopped': 'text-slate-500 dark:text-slate-400',
  error: 'text-red-600/80 dark:text-red-400/80',
  'max-connections': 'text-amber-700/80 dark:text-amber-400/80',
  'idle-timeout': 'text-slate-500 dark:text-slate-400'
}

const STATE_TONE: Record<ConnectionInfo['state'], string> = {
  queued: 'text-violet-700 dark:text-violet-300',
  open: 'text-emerald-700 dark:text-emerald-400',
  'peer-half-closed': 'text-amber-700 dark:text-amber-300',
  'lab-half-closed': 'text-amber-700 dark:text-amber-300',
  closed: 'text-slate-500 dark:text-slate-500'
}

/**
 * `ADDRESS:PORT` with the port highlighted when it is the ephemeral one. In a narrow column the address
 * is cut short, never the port (the text content stays the whole `ADDRESS:PORT`).
 */
export function EndpointText({
  endpoint,
  family,
  ephemeral
}: {
  endpoint: Endpoint
  family: Family
  ephemeral: string | null
}): ReactNode {
  if (family === 'unix') return <span className="block truncate">{endpoint.address}</span>
  const addr = bracketHost(endpoint.address)
  return (
    <span className="flex min-w-0">
      <span className="min-w-0 truncate">{addr}</span>
      <span className="shrink-0">
        :
        {ephemeral ? (
          <mark
            title={ephemeral}
            className="rounded-sm bg-amber-100 px-0.5 text-inherit dark:bg-amber-500/20 dark:text-amber-200"
          >
            {endpoint.port}
          </mark>
        ) : (
          endpoint.port
        )}
      </span>
    </span>
  )
}

// A UDP flow or a TLS stream is marked beside its peer; plain TCP rows stay as they were.
function KindTag({ c }: { c: ConnectionInfo }): ReactNode {
  if (c.kind !== 'udp' && c.kind !== 'tls') return null
  const failed = c.tls?.handshake === 'failed'
  return (
    <span
      data-kind={c.kind}
      title={
        c.kind === 'udp'
          ? 'UDP flow: chunks are datagrams'
          : failed
            ? `TLS handshake failed: ${c.tls?.failure ?? ''}`
            : `TLS ${c.tls?.protocol ?? '(handshake in progress)'}`
      }
      className={`shrink-0 rounded-sm px-0.5 font-sans text-[9.5px] uppercase ${failed ? 'bg-red-100 text-red-700 dark:bg-red-900/40 dark:text-red-300' : 'bg-violet-100 text-violet-700 dark:bg-violet-900/40 dark:text-violet-300'}`}
    >
      {c.kind}
    </span>
  )
}

function AgeText({ c }: { c: ConnectionInfo }): ReactNode {
  const now = useNow()
  return formatDuration(Math.max(now, c.lastActivity) - c.openedAt)
}

/** Props of one row. */
export interface ConnectionRowProps {
  id: number
  selected: boolean
  onSelect: (id: number) => void
}

const CELL = 'truncate px-1 whitespace-nowrap'
const NUM = `${CELL} text-right font-mono text-[11px] tabular-nums`

/** One connection; reads its own row from the store so a batch re-renders only the rows it changed. */
export const ConnectionRow = memo(function ConnectionRow({ id, selected, onSelect }: ConnectionRowProps): ReactNode {
  const c = useLab((s) => s.connections.get(id))
  const rate = useLab((s) => s.connectionRates.get(id))
  if (!c) return <tr style={{ height: ROW_HEIGHT }} aria-hidden="true" />
  const active = isActive(c)
  const outgoing = c.origin === 'outgoing'
  const rateTotal = rate ? rate.in + rate.out : 0
  return (
    <tr
      data-connection-id={c.id}
      aria-selected={selected}
      onClick={() => onSelect(c.id)}
      style={{ height: ROW_HEIGHT }}
      className={`cursor-pointer border-b border-slate-100 text-[12px] dark:border-slate-800/70 ${
        selected ? 'bg-sky-100 dark:bg-sky-900/40' : 'hover:bg-slate-50 dark:hover:bg-slate-800/40'
      } ${active ? 'text-slate-800 dark:text-slate-200' : 'text-slate-400 dark:text-slate-500'}`}
    >
      <td data-col="id" className={`${NUM} text-slate-400 dark:text-slate-500`}>
        <PairMark c={c} />
        {outgoing && !c.proxy ? <span title="outgoing: the lab is the client">↗</span> : null}
        {c.id}
      </td>
      <td
        className="overflow-hidden px-1 font-mono"
        title={`peer ${formatEndpoint(c.remote, c.family)}, local ${formatEndpoint(c.local, c.family)}`}
      >
        {/* Peer over local: the 4-tuple in one cell, each address whole (the address part gives way first, never the port). */}
        <span className="flex flex-col leading-[13px]">
          <span data-col="peer" className="flex min-w-0 items-center gap-1 text-[12px]">
            <KindTag c={c} />
            <PairUpstreamTls c={c} />
            <EndpointText endpoint={c.remote} family={c.family} ephemeral={outgoing ? null : EPHEMERAL_PEER} />
          </span>
          <span className="sr-only"> local </span>
          <span data-col="local" className="text-[10.5px] text-slate-500 dark:text-slate-400">
            <EndpointText endpoint={c.local} family={c.family} ephemeral={outgoing ? EPHEMERAL_LOCAL : null} />
          </span>
        </span>
      </td>
      <td data-col="state" className={CELL} title={c.error ? `${describeState(c)}: ${c.error}` : describeState(c)}>
        {c.state === 'closed' && c.closeReason ? (
          // Two short lines fit the fixed row height: the state, then why it closed (the dash is for readers).
          <span className="flex flex-col leading-[13px]">
            <span className={`text-[11.5px] ${STATE_TONE.closed}`}>{STATE_TEXT.closed}</span>
            <span className="sr-only"> — </span>
            <span data-reason={c.closeReason} className={`truncate text-[10.5px] ${REASON_TONE[c.closeReason]}`}>
              {CLOSE_REASON_TEXT[c.closeReason]}
            </span>
          </span>
        ) : (
          <>
            <span className={STATE_TONE[c.state]}>{STATE_TEXT[c.state]}</span>
            {c.paused && active ? <span className="ml-1 text-amber-600 dark:text-amber-400"> (paused)</span> : null}
          </>
        )}
      </td>
      <td data-col="bytes-in" data-value={c.bytesIn} className={NUM} title={formatExactBytes(c.bytesIn)}>
        {formatBytes(c.bytesIn)}
      </td>
      <td data-col="bytes-out" data-value={c.bytesOut} className={NUM} title={formatExactBytes(c.bytesOut)}>
        {formatBytes(c.bytesOut)}
      </td>
      <td
        data-col="chunks"
        data-value-in={c.chunksIn}
        data-value-out={c.chunksOut}
        className={`${NUM} leading-[13px]`}
        title={`${c.chunksIn.toLocaleString('en-US')} reads, ${c.chunksOut.toLocaleString('en-US')} writes`}
      >
        {/* Reads over writes, each whole. */}
        <span className="flex flex-col">
          <span>{c.chunksIn.toLocaleString('en-US')}</span>
          <span className="sr-only"> / </span>
          <span className="text-slate-500 dark:text-slate-400">{c.chunksOut.toLocaleString('en-US')}</span>
        </span>
      </td>
      <td
        data-col="rate"
        data-value={Math.round(rateTotal)}
        className={NUM}
        title={rate ? `in ${formatRate(rate.in)}, out ${formatRate(rate.out)}` : 'idle'}
      >
        {rateTotal > 0 ? formatRate(rateTotal) : <span className="text-slate-300 dark:text-slate-600">–</span>}
      </td>
      <td data-col="age" className={NUM}>
        {active ? <AgeText c={c} /> : formatDuration((c.closedAt ?? c.lastActivity) - c.openedAt)}
      </td>
    </tr>
  )
})
