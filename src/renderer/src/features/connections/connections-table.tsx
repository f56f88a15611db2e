import { useCallback, useEffect, useRef } from 'react'
import type { ReactNode } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { SortKey } from '@renderer/store/ui-store'
import { useUi, useUiStore } from '@renderer/store/ui-store'
import { serverAddress } from '@renderer/store/describe'
import { useLab } from '@renderer/store/use-lab'
import { ConnectionRow, ROW_HEIGHT } from './connection-row'
import { isTypingTarget } from './keyboard'

/** A column of the connections table; one column may sort by two keys (peer over local). */
interface Column {
  key: SortKey
  label: string
  /** A second sort key shown in the same header, under the first. */
  second?: { key: SortKey; label: string; title: string }
  width: string
  align: 'left' | 'right'
  title?: string
}

// Widths hold the longest figure each column can show, whole (issue 19: numbers are never cut):
// `1023.9 MiB`, `1023.9 MiB/s`, `1,048,576` chunks a line, `23h 59m`, and `127.0.0.1:48570` in
// the 4-tuple column (peer over local, so neither is squeezed); State takes the rest.
const COLUMNS: Column[] = [
  { key: 'id', label: '#', width: '2.25rem', align: 'right', title: 'Connection number, in order of arrival' },
  {
    key: 'peer',
    label: 'Peer',
    second: { key: 'local', label: 'local', title: 'This end: the address and port the connected socket has here' },
    width: '8rem',
    align: 'left',
    title: 'The remote end: address and port of the other side; under it this end (together the 4-tuple)'
  },
  {
    key: 'state',
    label: 'State',
    width: 'auto',
    align: 'left',
    title: 'The connection’s state; a closed one says why it closed'
  },
  { key: 'bytes-in', label: 'Bytes in', width: '5rem', align: 'right', title: 'Received from the peer' },
  { key: 'bytes-out', label: 'Bytes out', width: '5.6rem', align: 'right', title: 'Sent to the peer' },
  {
    key: 'chunks',
    label: 'Chunks',
    width: '4.4rem',
    align: 'right',
    title: 'Reads (in, top) and writes (out, below): each read returns whatever arrived, not a message'
  },
  { key: 'rate', label: 'Rate', width: '5.6rem', align: 'right', title: 'In + out, bytes per second' },
  { key: 'age', label: 'Age', width: '3.6rem', align: 'right' }
]

/** The live table of connections: virtualised, sortable by header, keyboard-navigable. */
export function ConnectionsTable({ ids }: { ids: number[] }): ReactNode {
  const ui = useUiStore()
  const selectedId = useUi((s) => s.selectedConnectionId)
  const sort = useUi((s) => s.sort)
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    // Rows past the edge are laid out and re-rendered on every update like visible ones: a few are enough to
    // scroll without a blank flash (the virtualiser renders new ones as the scroll moves).
    overscan: 4
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

  // The detail says when its connection is not among the rows shown (scope or filter).
  useEffect(() => {
    const hidden = selectedId !== null && !ids.includes(selectedId)
    if ((ui.get().selectionHidden ?? false) !== hidden) ui.set({ selectionHidden: hidden })
  }, [ui, ids, selectedId])

  const items = virtualizer.getVirtualItems()
  const padTop = items.length > 0 ? items[0].start : 0
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0

  const toggleSort = (key: SortKey): void =>
    ui.set((s) => ({
      sort:
        s.sort.key === key
          ? { key, dir: s.sort.dir === 'asc' ? 'desc' : 'asc' }
          : { key, dir: key === 'peer' || key === 'local' || key === 'state' ? 'asc' : 'desc' }
    }))

  return (
    <div
      ref={scrollRef}
      // Contained: a counter changing in a row lays out and paints this box, never the page around it.
      className="relative min-h-0 flex-1 overflow-auto [contain:content]"
      data-testid="connections-scroll"
    >
      <table
        aria-label="Connections"
        aria-rowcount={ids.length + 1}
        className="w-full min-w-[40rem] table-fixed border-separate border-spacing-0"
      >
        <colgroup>
          {COLUMNS.map((c) => (
            <col key={c.key} style={{ width: c.width }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const active = sort.key === c.key || sort.key === c.second?.key
              const arrow = (key: SortKey): ReactNode =>
                sort.key === key ? (
                  <span aria-hidden="true" className="text-[9px]">
                    {sort.dir === 'asc' ? '▲' : '▼'}
                  </span>
                ) : null
              const button = (key: SortKey, label: string, title?: string): ReactNode => (
                <button
                  type="button"
                  title={title}
                  onClick={() => toggleSort(key)}
                  className={`inline-flex items-center gap-0.5 whitespace-nowrap hover:text-slate-900 dark:hover:text-slate-100 ${sort.key === key ? 'text-slate-900 dark:text-slate-100' : ''}`}
                >
                  {label}
                  {arrow(key)}
                </button>
              )
              return (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                  title={c.title}
                  className={`sticky top-0 z-10 overflow-hidden border-b border-slate-200 bg-slate-50 px-1 py-1.5 text-xs font-semibold whitespace-nowrap text-slate-500 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400 ${
                    c.align === 'right' ? 'text-right' : 'text-left'
                  }`}
                >
                  {button(c.key, c.label)}
                  {c.second ? (
                    <>
                      <span aria-hidden="true" className="mx-0.5 font-normal">
                        /
                      </span>
                      {button(c.second.key, c.second.label, c.second.title)}
                    </>
                  ) : null}
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

/** What narrows the table, in words: `the filter "abc"`, `the scope (server 127.0.0.1:9000)`, `"open only"`. */
export function useHiddenBy(): string[] {
  const text = useUi((s) => s.filterText)
  const state = useUi((s) => s.stateFilter)
  const serverId = useUi((s) => s.selectedServerId)
  const outgoing = useUi((s) => s.outgoingSelected)
  const server = useLab((s) => (serverId === null ? undefined : s.servers.get(serverId)))
  const out: string[] = []
  if (server) out.push(`the scope (only server ${serverAddress(server)})`)
  else if (outgoing) out.push('the scope (only outgoing clients)')
  if (text !== '') out.push(`the filter “${text}”`)
  if (state !== 'any') out.push(state === 'active' ? '“open only”' : '“closed only”')
  return out
}

function EmptyTable(): ReactNode {
  const ui = useUiStore()
  const total = useLab((s) => s.connections.size)
  const hiddenBy = useHiddenBy()
  if (total === 0 || hiddenBy.length === 0) {
    return (
      <div className="px-6 py-12 text-center text-sm text-slate-500 dark:text-slate-400">
        No connections yet. Copy a server’s nc command into a terminal: each connection shows up here as it is accepted.
      </div>
    )
  }
  return (
    <div role="status" className="px-6 py-12 text-center text-sm text-slate-500 dark:text-slate-400">
      No connection matches: {hiddenBy.join(' and ')}{' '}
      {total === 1 ? 'hides the one connection' : `hides all ${total.toLocaleString('en-US')} connections`}.{' '}
      <button
        type="button"
        className="text-sky-700 underline dark:text-sky-300"
        onClick={() => ui.set({ selectedServerId: null, outgoingSelected: false, filterText: '', stateFilter: 'any' })}
      >
        Show every connection
      </button>
    </div>
  )
}
