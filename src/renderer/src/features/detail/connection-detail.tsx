import { useEffect, useState } from 'react'
import type { ReactElement } from 'react'
import type { ConnectionInfo, ServerInfo } from '@shared/model'
import { ConnectionFacts } from './connection-facts'
import { TransportFacts } from './transport-facts'
import { SequenceDiagram } from './sequence-diagram'
import { TrafficPanel } from './traffic-panel'
import { DEFAULT_WINDOW_LIMITS, droppedOf } from './traffic-window'
import type { WindowLimits } from './traffic-window'
import { useTraffic } from './use-traffic'
import { ErrorAlert } from '@renderer/ui/error-alert'
import type { LabRequest } from '@renderer/transport/transport'

/** Props of the connection detail. */
export interface ConnectionDetailProps {
  connection: ConnectionInfo
  server: ServerInfo | null
  /** Runs the commands; by default the lab store of the tree (tests pass their own). */
  request?: LabRequest
  /** The engine's per-connection traffic limits (snapshot.limits.trafficBytesPerConnection). */
  limits?: WindowLimits
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!active) return
    const t = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(t)
  }, [active])
  return now
}

/** When the lab was first seen half-closing this connection (ConnectionInfo has no timestamp for it). */
function useLabEndedAt(c: ConnectionInfo): number | null {
  const [seen, setSeen] = useState<{ id: number; at: number } | null>(null)
  useEffect(() => {
    if (c.state === 'lab-half-closed') setSeen((s) => (s && s.id === c.id ? s : { id: c.id, at: Date.now() }))
  }, [c.id, c.state])
  return seen && seen.id === c.id ? seen.at : null
}

/** Everything about one connection: its 4-tuple and counters, its life as a sequence diagram, and its traffic. */
export function ConnectionDetail({
  connection,
  server,
  request,
  limits = DEFAULT_WINDOW_LIMITS
}: ConnectionDetailProps): ReactElement {
  const traffic = useTraffic(connection, request, limits)
  const now = useNow(connection.state !== 'closed')
  const labEndedAt = useLabEndedAt(connection)
  const dropped = droppedOf(traffic.window)
  return (
    <div className="flex flex-col gap-3">
      <ConnectionFacts connection={connection} server={server} now={now} />
      <TransportFacts connection={connection} />
      <ErrorAlert
        error={traffic.error && { ...traffic.error, message: `Could not fetch the traffic: ${traffic.error.message}` }}
      />
      <details open className="rounded border border-slate-200 p-2 dark:border-slate-700">
        <summary className="cursor-pointer text-sm font-medium">Life of this connection</summary>
        <SequenceDiagram
          connection={connection}
          chunks={traffic.window.chunks}
          droppedBytes={dropped.bytes}
          labEndedAt={labEndedAt}
        />
      </details>
      <TrafficPanel
        key={connection.id}
        connectionId={connection.id}
        window={traffic.window}
        openedAt={connection.openedAt}
        serverId={connection.serverId}
        serverFraming={server?.behaviour === 'respond' ? (server.options.framing ?? 'line') : undefined}
        ended={connection.state === 'closed'}
      />
    </div>
  )
}
