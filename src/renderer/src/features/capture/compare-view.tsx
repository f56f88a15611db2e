import { useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import type { ConnectionInfo, ReplayInfo, TrafficRecord } from '@shared/model'
import type { LabRequest } from './lab-request'
import { useLab } from '@renderer/store/use-lab'
import { INPUT } from '@renderer/ui/classes'
import { diffBytes, diffRows, sideBytes } from './compare'
import type { ByteDiff, ConversationSide, DiffRow } from './compare'

/** Rows of the side-by-side hex shown per direction (16 bytes a row). */
const ROWS_SHOWN = 16

const SIDE_LABEL: Record<ConversationSide, string> = { client: 'client → server', server: 'server → client' }

function hex(b: number | null): string {
  return b === null ? '  ' : b.toString(16).padStart(2, '0')
}

function summary(d: ByteDiff): string {
  if (d.identical) return `identical (${d.lengthA} bytes)`
  const lengths = d.lengthA === d.lengthB ? `${d.lengthA} bytes each` : `${d.lengthA} vs ${d.lengthB} bytes`
  return `differ from byte ${d.firstDiff}: ${d.differing} bytes differ at the same offsets; ${lengths}`
}

function Rows({ rows, label }: { rows: DiffRow[]; label: string }): ReactNode {
  return (
    <table aria-label={label} className="font-mono text-[11px]">
      <tbody>
        {rows.map((r) => (
          <tr key={r.offset}>
            <td className="pr-2 text-slate-400">{r.offset.toString(16).padStart(6, '0')}</td>
            {(['a', 'b'] as const).map((k) => (
              <td key={k} className="pr-3">
                {r[k].map((b, i) => (
                  <span
                    key={i}
                    data-differs={r.differs[i] || undefined}
                    className={
                      r.differs[i] ? 'rounded-sm bg-red-200 text-red-900 dark:bg-red-900/60 dark:text-red-100' : ''
                    }
                  >
                    {hex(b)}{' '}
                  </span>
                ))}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Two runs side by side: this connection and another (a replay and its source), bytes that differ highlighted. */
export function CompareView({ connection, request }: { connection: ConnectionInfo; request: LabRequest }): ReactNode {
  const connections = useLab((s) => s.connections)
  const others = useMemo(
    () => [...connections.keys()].filter((id) => id !== connection.id),
    [connections, connection.id]
  )
  const [otherId, setOtherId] = useState<number | null>(null)
  const [records, setRecords] = useState<{ a: TrafficRecord; b: TrafficRecord; other: ConnectionInfo } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const otherInfo = useLab((s) => (otherId === null ? undefined : s.connections.get(otherId)))

  // A replay's connection offers its source at once (and a source its latest replay).
  useEffect(() => {
    let live = true
    void request('replay:list', {}).then((r) => {
      if (!live || !r.ok) return
      const list: ReplayInfo[] = r.value.replays
      const mine = list.find((x) => x.connectionIds.includes(connection.id) && x.sourceConnectionId !== null)
      const fromMe = [...list]
        .reverse()
        .find((x) => x.sourceConnectionId === connection.id && x.connectionIds.length > 0)
      const pick = mine?.sourceConnectionId ?? fromMe?.connectionIds[0] ?? null
      setOtherId((cur) => cur ?? pick)
    })
    return () => {
      live = false
    }
  }, [connection.id, request])

  useEffect(() => {
    if (otherId === null || !otherInfo) return setRecords(null)
    let live = true
    void Promise.all([
      request('connection:traffic', { connectionId: connection.id }),
      request('connection:traffic', { connectionId: otherId })
    ]).then(([a, b]) => {
      if (!live) return
      if (!a.ok || !b.ok) return setError((!a.ok ? a : (b as { ok: false; error: { message: string } })).error.message)
      setError(null)
      setRecords({ a: a.value, b: b.value, other: otherInfo })
    })
    return () => {
      live = false
    }
    // Refetch when either side's counters move.
  }, [
    otherId,
    otherInfo?.bytesIn,
    otherInfo?.bytesOut,
    connection.bytesIn,
    connection.bytesOut,
    connection.id,
    request,
    otherInfo
  ])

  const a = records ? sideBytes(connection.origin, records.a.chunks) : null
  const b = records ? sideBytes(records.other.origin, records.b.chunks) : null
  return (
    <section aria-label="Compare runs" className="space-y-2 text-xs">
      <label className="flex items-center gap-2">
        Compare #{connection.id} with
        <select
          aria-label="Connection to compare with"
          className={`${INPUT} w-auto py-1 text-xs`}
          value={otherId ?? ''}
          onChange={(e) => setOtherId(e.target.value === '' ? null : Number(e.target.value))}
        >
          <option value="">—</option>
          {others.map((id) => (
            <option key={id} value={id}>
              #{id}
            </option>
          ))}
        </select>
      </label>
      {error && <p role="alert">{error}</p>}
      {a && b && records
        ? (['client', 'server'] as const).map((side) => {
            const d = diffBytes(a[side], b[side])
            const rows = diffRows(a[side], b[side], d.firstDiff ?? 0, ROWS_SHOWN)
            const partial =
              records.a.droppedBytes + records.b.droppedBytes > 0
                ? ' (only the bytes still kept in memory are compared)'
                : ''
            return (
              <div key={side} data-side={side}>
                <p
                  className={d.identical ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-700 dark:text-red-300'}
                >
                  {SIDE_LABEL[side]}: {summary(d)}
                  {partial}
                </p>
                {rows.length > 0 && (
                  <Rows rows={rows} label={`${SIDE_LABEL[side]}: #${connection.id} left, #${records.other.id} right`} />
                )}
              </div>
            )
          })
        : null}
    </section>
  )
}
