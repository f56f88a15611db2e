import { useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import type { ConnectionInfo, TrafficRecord } from '@shared/model'
import type { FaultMark } from '@shared/proxy-model'
import { formatExactBytes } from '@shared/byte-format'
import { useLab } from '@renderer/store/use-lab'
import type { LabRequest } from '@renderer/transport/transport'
import { useCommand } from '@renderer/store/use-command'
import { BUTTON, HEADING } from '@renderer/ui/classes'
import { ToxicForm } from './toxic-form'

/** How often the pair's two records are fetched while it is open. */
const PAIR_POLL_MS = 700
/** Newest entries the interleaved timeline shows. */
const TIMELINE_MAX = 300

/** One line of the interleaved timeline: a chunk on one leg, or a fault's mark. */
export type PairEntry =
  | { kind: 'chunk'; at: number; seq: number; leg: 'client' | 'upstream'; arrow: string; size: number; preview: string }
  | { kind: 'mark'; at: number; mark: FaultMark }

// Each leg's own directions, as the pair sees them.
const ARROWS = {
  client: { in: 'client → lab', out: 'lab → client' },
  upstream: { out: 'lab → server', in: 'server → lab' }
} as const

function preview(base64: string): string {
  let text = ''
  try {
    text = atob(base64.slice(0, 80))
  } catch {
    return ''
  }
  // Control bytes as dots: a one-line glimpse, the full bytes are in each leg's own detail.
  return text.replace(/[^\x20-\x7e]/g, '·').slice(0, 48)
}

/** Both legs' chunks and the marks, one timeline by time (chunks of one leg keep their order). */
export function interleave(client: TrafficRecord | null, upstream: TrafficRecord | null): PairEntry[] {
  const out: PairEntry[] = []
  for (const [leg, rec] of [
    ['client', client],
    ['upstream', upstream]
  ] as const) {
    if (!rec) continue
    for (const c of rec.chunks)
      out.push({
        kind: 'chunk',
        at: c.at,
        seq: c.seq,
        leg,
        arrow: ARROWS[leg][c.dir],
        size: c.size,
        preview: preview(c.data)
      })
    for (const m of rec.marks ?? []) out.push({ kind: 'mark', at: m.at, mark: m })
  }
  out.sort((a, b) => a.at - b.at || (a.kind === 'mark' ? -1 : 0) - (b.kind === 'mark' ? -1 : 0))
  return out.slice(-TIMELINE_MAX)
}

function usePairRecords(
  clientId: number,
  upstreamId: number | undefined,
  live: boolean,
  request?: LabRequest
): [TrafficRecord | null, TrafficRecord | null] {
  // A poll: no busy state, so it costs no extra render.
  const { run } = useCommand(request, { trackBusy: false })
  const [recs, setRecs] = useState<[TrafficRecord | null, TrafficRecord | null]>([null, null])
  useEffect(() => {
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async (): Promise<void> => {
      const [a, b] = await Promise.all([
        run('connection:traffic', { connectionId: clientId }),
        upstreamId === undefined ? Promise.resolve(null) : run('connection:traffic', { connectionId: upstreamId })
      ])
      if (cancelled) return
      setRecs([a.ok ? a.value : null, b && b.ok ? b.value : null])
      if (live) timer = setTimeout(() => void tick(), PAIR_POLL_MS)
    }
    void tick()
    return () => {
      cancelled = true
      if (timer) clearTimeout(timer)
    }
  }, [clientId, upstreamId, live, run])
  return recs
}

/** A proxied pair in the detail column: both legs on one timeline with every fault's effect marked where it happened. */
export function PairTimeline({ connection, request }: { connection: ConnectionInfo; request?: LabRequest }): ReactNode {
  const pairId = connection.proxy?.pairId ?? connection.id
  const proxyName = connection.proxy?.proxyName ?? ''
  const client = useLab((s) => s.connections.get(pairId))
  const upstream = useLab((s) => {
    for (const c of s.connections.values()) if (c.proxy?.leg === 'upstream' && c.proxy.pairId === pairId) return c
    return undefined
  })
  const live = (client?.state ?? 'closed') !== 'closed' || (upstream?.state ?? 'closed') !== 'closed'
  const [cr, ur] = usePairRecords(pairId, upstream?.id, live, request)
  const entries = useMemo(() => interleave(cr, ur), [cr, ur])
  const [faulting, setFaulting] = useState(false)
  const t0 = client?.openedAt ?? connection.openedAt
  return (
    <section
      aria-label={`Pair ${pairId}`}
      className="mb-3 space-y-2 rounded border border-violet-200 p-2 dark:border-violet-900/60"
    >
      <div className="flex items-center justify-between gap-2">
        <h3 className={HEADING}>
          Pair {pairId} · proxy {proxyName}
        </h3>
        <button
          type="button"
          className={BUTTON.secondary}
          onClick={() => setFaulting((f) => !f)}
          aria-expanded={faulting}
        >
          Fault on this pair…
        </button>
      </div>
      <p className="text-xs text-slate-600 dark:text-slate-300">
        client {client ? `#${client.id} (${client.state})` : '(gone)'} ↔ lab ↔ upstream{' '}
        {upstream ? `#${upstream.id} (${upstream.state})` : '(not connected)'}
        {client?.error ? <span className="block text-red-700 dark:text-red-300">{client.error}</span> : null}
      </p>
      {faulting ? <ToxicForm proxy={proxyName} pairId={pairId} onDone={() => setFaulting(false)} /> : null}
      <ol aria-label="Both legs, interleaved" className="max-h-72 space-y-px overflow-y-auto font-mono text-[11px]">
        {entries.length === 0 ? <li className="text-slate-500">No traffic yet.</li> : null}
        {entries.map((e) =>
          e.kind === 'mark' ? (
            <li
              key={`m${e.at}-${e.mark.toxic}-${e.mark.text}`}
              data-mark={e.mark.type}
              className="rounded bg-amber-100 px-1 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200"
            >
              +{e.at - t0} ms {e.mark.type === 'respond' ? '↩' : '⚡'} {e.mark.text}{' '}
              <span className="opacity-70">
                ({e.mark.toxic}, {e.mark.stream})
              </span>
            </li>
          ) : (
            <li
              key={`${e.leg}${e.seq}`}
              data-leg={e.leg}
              className={e.leg === 'client' ? '' : 'pl-4 text-slate-600 dark:text-slate-300'}
            >
              +{e.at - t0} ms {e.arrow} <span title={formatExactBytes(e.size)}>{e.size} B</span>{' '}
              <span className="text-slate-500">{e.preview}</span>
            </li>
          )
        )}
      </ol>
    </section>
  )
}
