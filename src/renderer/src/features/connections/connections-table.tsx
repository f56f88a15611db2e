import { useCallback, useEffect, useRef, useState } from 'react'
import type { ReactNode, RefObject } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { SortKey } from '@renderer/store/ui-store'
import { useUi, useUiStore } from '@renderer/store/ui-store'
import { ConnectionRow, ROW_HEIGHT } from './connection-row'
import { isTypingTarget } from './keyboard'

/** A column of the connections table. */
interface Column {
  key: SortKey
  label: string
  width: string
  /** The width when the table has room (at least ROOMY_PX wide). */
  roomy?: string
  align: 'left' | 'right'
  title?: string
}

// Fixed widths except State, which takes the rest: the state and close reason matter more than the
// local address, which is mostly the server's own (cut short from the left of the port when narrow).
const COLUMNS: Column[] = [
  { key: 'id', label: '#', width: '2.25rem', align: 'right', title: 'Connection number, in order of arrival' },
  { key: 'peer', label: 'Peer', width: '7.75rem', roomy: '8.25rem', align: 'left', title: 'The remote end: address and port of the other side (half of the 4-tuple)' },
  { key: 'local', label: 'Local', width: '6.25rem', roomy: '7.5rem', align: 'left', title: 'This end: the address and port the connected socket has here' },
  { key: 'state', label: 'State', width: 'auto', align: 'left', title: 'The connection’s state; a closed one says why it closed' },
  { key: 'bytes-in', label: 'Bytes in', width: '4.25rem', align: 'right', title: 'Received from the peer' },
  { key: 'bytes-out', label: 'Bytes out', width: '4.5rem', align: 'right', title: 'Sent to the peer' },
  { key: 'chunks', label: 'Chunks', width: '3.6rem', align: 'right', title: 'Reads / writes: each read returns whatever arrived, not a message' },
  { key: 'rate', label: 'Rate', width: '4.6rem', align: 'right', title: 'In + out, bytes per second' },
  { key: 'age', label: 'Age', width: '3.4rem', align: 'right' }
]

/** From this width on, the address columns get room for a whole IPv4 address. */
const ROOMY_PX = 720

function useRoomy(ref: RefObject<HTMLDivElement | null>): boolean {
  const [roomy, setRoomy] = useState(false)
  useEffect(() => {
    const el = ref.current
    if (!el || typeof ResizeObserver !== 'function') return
    const observer = new ResizeObserver((entries) => setRoomy((entries[0]?.contentRect.width ?? 0) >= ROOMY_PX))
    observer.observe(el)
    return () => observer.disconnect()
  }, [ref])
  return roomy
}

/** The live table of connections: virtualised, sortable by header, keyboard-navigable. */
export function ConnectionsTable({ ids }: { ids: number[] }): ReactNode {
  const ui = useUiStore()
  const selectedId = useUi((s) => s.selectedConnectionId)
  const sort = useUi((s) => s.sort)
  const scrollRef = useRef<HTMLDivElement>(null)
  const roomy = useRoomy(scrollRef)
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12
  })
  const onSelect = useCallback((id: number) => ui.set({ selectedConnectionId: id }), [ui])

  // ↑/↓ or j/k move the selection through the rows as shown.
  const idsRef = useRef(ids)
  idsRef.current = ids
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTypingTarget(e.target)) return
      const delta = e.key === 'ArrowDown' || e.key === 'j' ? 1 : e.key === 'ArrowUp' || e.key === 'k' ? -1 : 0
      if (delta === 0) return
      const list = idsRef.current
      if (list.length === 0) return
      e.preventDefault()
      const current = ui.get().selectedConnectionId
      const at = current === null ? -1 : list.indexOf(current)
      const next = at === -1 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + delta))
      ui.set({ selectedConnectionId: list[next] })
      virtualizer.scrollToIndex(next, { align: 'auto' })
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [ui, virtualizer])

  const items = virtualizer.getVirtualItems()
  const padTop = items.length > 0 ? items[0].start : 0
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0

  const toggleSort = (key: SortKey): void =>
    ui.set((s) => ({ sort: s.sort.key === key ? { key, dir: s.sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'peer' || key === 'local' || key === 'state' ? 'asc' : 'desc' } }))

  return (
    <div ref={scrollRef} className="relative min-h-0 flex-1 overflow-auto" data-testid="connections-scroll">
      <table aria-label="Connections" aria-rowcount={ids.length + 1} className="w-full min-w-[40rem] table-fixed border-separate border-spacing-0">
        <colgroup>
          {COLUMNS.map((c) => (
            <col key={c.key} style={{ width: roomy ? (c.roomy ?? c.width) : c.width }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const active = sort.key === c.key
              return (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                  title={c.title}
                  className={`sticky top-0 z-10 border-b border-slate-200 bg-slate-50 px-1 py-1.5 text-xs font-semibold whitespace-nowrap text-slate-500 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400 ${
                    c.align === 'right' ? 'text-right' : 'text-left'
                  }`}
                >
                  <button
                    type="button"
                    onClick={() => toggleSort(c.key)}
                    className={`inline-flex items-center gap-0.5 hover:text-slate-900 dark:hover:text-slate-100 ${active ? 'text-slate-900 dark:text-slate-100' : ''}`}
                  >
                    {c.label}
                    {active ? (
                      <span aria-hidden="true" className="text-[9px]">
                        {sort.dir === 'asc' ? '▲' : '▼'}
                      </span>
                    ) : null}
                  </button>
                </th>
              )
            })}
          </tr>
        </thead>
        <tbody>
          {padTop > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={COLUMNS.length} style={{ height: padTop, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const id = ids[item.index]
            return <ConnectionRow key={id} id={id} selected={id === selectedId} onSelect={onSelect} />
          })}
          {padBottom > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={COLUMNS.length} style={{ height: padBottom, padding: 0 }} />
            </tr>
          ) : null}
        </tbody>
      </table>
      {ids.length === 0 ? <EmptyTable /> : null}
    </div>
  )
}

function EmptyTable(): ReactNode {
  const filtered = useUi((s) => s.filterText !== '' || s.stateFilter !== 'any')
  return (
    <div className="px-6 py-12 text-center text-sm text-slate-500 dark:text-slate-400">
      {filtered ? 'No connection matches the filter.' : 'No connections yet. Copy a server’s nc command into a terminal: each connection shows up here as it is accepted.'}
    </div>
  )
}
