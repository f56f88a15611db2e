import type { ReactElement } from 'react'
import { formatBytes, formatDuration, formatExactBytes } from '@shared/byte-format'
import type { ConnectionInfo, ServerInfo } from '@shared/model'
import { Term } from '@renderer/ui/term'
import { EPHEMERAL_RANGE, looksEphemeral, stateText } from './words'
import { endpointText } from '@renderer/store/describe'
import { bracketHost } from '@shared/endpoint-format'

const STATE_STYLE: Record<ConnectionInfo['state'], string> = {
  open: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200',
  queued: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  'peer-half-closed': 'bg-violet-100 text-violet-800 dark:bg-violet-900/50 dark:text-violet-200',
  'lab-half-closed': 'bg-violet-100 text-violet-800 dark:bg-violet-900/50 dark:text-violet-200',
  closed: 'bg-slate-200 text-slate-600 dark:bg-slate-700 dark:text-slate-300'
}

/** An endpoint with its port marked as the ephemeral one (`data-ephemeral`), or plain. */
function PortMarked({
  e,
  family,
  tip,
  ephemeral
}: {
  e: ConnectionInfo['local']
  family: ConnectionInfo['family']
  tip: string
  ephemeral: boolean
}): ReactElement {
  if (family === 'unix') return <span>{endpointText(e, family)}</span>
  return (
    <span>
      {bracketHost(e.address)}:
      <mark
        title={tip}
        data-ephemeral={ephemeral && looksEphemeral(e.port) ? 'true' : 'false'}
        className="rounded bg-amber-200 px-0.5 text-inherit dark:bg-amber-700/60"
      >
        {e.port}
      </mark>
    </span>
  )
}

function PeerEndpoint({ c }: { c: ConnectionInfo }): ReactElement {
  if (c.family === 'unix') return <span>{endpointText(c.remote, c.family) || 'unix socket (unnamed peer)'}</span>
  if (c.origin !== 'accepted') return <span title="The server's port">{endpointText(c.remote, c.family)}</span>
  const tip = `The peer's ephemeral port: its OS picked ${c.remote.port} when it connected (Linux uses ${EPHEMERAL_RANGE.low}–${EPHEMERAL_RANGE.high} by default). Another connection from the same program gets another port, which is how the 4-tuples differ.`
  return <PortMarked e={c.remote} family={c.family} tip={tip} ephemeral />
}

function LocalEndpoint({ c }: { c: ConnectionInfo }): ReactElement {
  if (c.origin === 'accepted' || c.family === 'unix')
    return <span title="The lab's side (getsockname)">{endpointText(c.local, c.family)}</span>
  const tip = `The lab's own ephemeral port: this machine's OS picked ${c.local.port} for the lab's client when it connected (Linux uses ${EPHEMERAL_RANGE.low}–${EPHEMERAL_RANGE.high} by default); ${c.remote.port} is the server's port.`
  return <PortMarked e={c.local} family={c.family} tip={tip} ephemeral />
}

function Bytes({ label, n, chunks }: { label: string; n: number; chunks: number }): ReactElement {
  const rounded = formatBytes(n)
  const exact = formatExactBytes(n)
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="font-mono text-sm">
        <span className="font-semibold">{rounded}</span>{' '}
        {/* The exact count only adds something once the rounded one has a unit above bytes. */}
        {exact !== rounded ? (
          <>
            <span data-exact={n} className="whitespace-nowrap text-slate-500 dark:text-slate-400">
              ({exact})
            </span>{' '}
          </>
        ) : null}
        <span className="font-sans text-xs whitespace-nowrap text-slate-500 dark:text-slate-400">
          in {chunks.toLocaleString('en-US')} {chunks === 1 ? 'chunk' : 'chunks'}
        </span>
      </dd>
    </div>
  )
}

/** The connection's identity and counters: 4-tuple, family, state in words, exact bytes and chunks. */
export function ConnectionFacts({
  connection: c,
  server,
  now
}: {
  connection: ConnectionInfo
  server: ServerInfo | null
  now: number
}): ReactElement {
  const age = (c.closedAt ?? now) - c.openedAt
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-base font-semibold">Connection #{c.id}</h2>
        <span data-testid="detail-state" className={`rounded px-1.5 py-0.5 text-xs ${STATE_STYLE[c.state]}`}>
          {stateText(c)}
        </span>
        {c.paused && (
          <span className="rounded bg-orange-100 px-1.5 py-0.5 text-xs text-orange-800 dark:bg-orange-900/50 dark:text-orange-200">
            reading paused
          </span>
        )}
        {c.error && <span className="text-xs text-red-700 dark:text-red-300">{c.error}</span>}
      </div>
      <p className="font-mono text-sm" aria-label="4-tuple">
        <LocalEndpoint c={c} />
        <span aria-hidden="true"> ↔ </span>
        <span className="sr-only"> connected to </span>
        <PeerEndpoint c={c} />
        <span className="ml-2 font-sans text-xs text-slate-500 dark:text-slate-400">
          {c.family} · <Term name="4-tuple" /> ·{' '}
          {c.proxy
            ? `${c.proxy.leg} leg of pair ${c.proxy.pairId} (proxy ${c.proxy.proxyName})`
            : c.origin === 'accepted'
              ? `accepted by ${server ? `server #${server.id} (${server.behaviour})` : 'a lab server'}`
              : 'outgoing (the lab is the client)'}{' '}
          · {c.state === 'closed' ? 'lived' : 'age'} {formatDuration(age)}
        </span>
      </p>
      <dl className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        <Bytes label="Bytes in (from the peer)" n={c.bytesIn} chunks={c.chunksIn} />
        <Bytes label="Bytes out (to the peer)" n={c.bytesOut} chunks={c.chunksOut} />
      </dl>
    </div>
  )
}
