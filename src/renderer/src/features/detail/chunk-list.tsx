import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { ReactElement } from 'react'
import { formatBytes, formatExactBytes } from '@shared/byte-format'
import { ChunksBytes } from './bytes-view'
import type { ByteViewMode } from './bytes-view'
import { groupByDirection, streamOffsets } from './traffic-window'
import type { KeptChunk } from './traffic-window'
import { directionLabel, relativeTime } from './transcript'

const DIR_STYLE = {
  in: 'border-sky-500 bg-sky-50 dark:bg-sky-950/40',
  out: 'border-amber-500 bg-amber-50 dark:bg-amber-950/40'
} as const

/** One timeline entry: a chunk, a direction turn (joined), or a run of chunks not kept. */
export interface Entry {
  key: number
  dir: 'in' | 'out'
  at: number
  size: number
  chunks: KeptChunk[]
}

// Character widths of a hex line (offset, hex, ASCII, the gaps) plus an entry's padding, in the 12 px
// monospace font (about 7.3 px a character): 16 bytes a line need about 570 px, 8 need about 330 px.
const CHAR_PX = 7.3
const ENTRY_PADDING_PX = 24

function lineFits(perLine: number, width: number): boolean {
  const chars = 8 + (perLine * 3 - 1 + Math.floor((perLine - 1) / 8)) + perLine + 4
  return chars * CHAR_PX + ENTRY_PADDING_PX <= width
}

/** 16 bytes per hex line when the list is wide enough, else 8 (or 4); 16 where it cannot be measured. */
function useBytesPerLine(): { ref: (el: HTMLOListElement | null) => void; perLine: number } {
  // A callback ref: the list mounts only once there is traffic, after the first render.
  const [el, ref] = useState<HTMLOListElement | null>(null)
  const [perLine, setPerLine] = useState(16)
  useEffect(() => {
    if (!el || typeof ResizeObserver !== 'function') return
    const fit = (width: number): void => {
      if (width <= 0) return
      setPerLine(lineFits(16, width) ? 16 : lineFits(8, width) ? 8 : 4)
    }
    fit(el.clientWidth)
    const observer = new ResizeObserver((entries) => fit(entries[0]?.contentRect.width ?? 0))
    observer.observe(el)
    return () => observer.disconnect()
  }, [el])
  return { ref, perLine }
}

/** How far from the bottom (px) the list still counts as following the newest entries. */
const FOLLOW_SLACK_PX = 32
const ESTIMATE_PX = 96

const notKept = (e: Entry): boolean => e.chunks.every((c) => c.notKept === 'flood')

/**
 * Entries of the timeline. Consecutive chunks of one direction whose bytes the engine did not keep
 * (its flood policy) become one marker entry, `not kept (flood): N bytes in K chunks`, in either mode.
 */
export function entriesOf(chunks: readonly KeptChunk[], joined: boolean): Entry[] {
  const raw: Entry[] = joined
    ? groupByDirection(chunks).map((g) => ({
        key: g.chunks[0].seq,
        dir: g.dir,
        at: g.chunks[0].at,
        size: g.bytes,
        chunks: g.chunks
      }))
    : chunks.map((c) => ({ key: c.seq, dir: c.dir, at: c.at, size: c.size, chunks: [c] }))
  const out: Entry[] = []
  for (const e of raw) {
    const last = out[out.length - 1]
    if (last && last.dir === e.dir && notKept(last) && notKept(e)) {
      last.chunks = last.chunks.concat(e.chunks)
      last.size += e.size
    } else out.push(e)
  }
  return out
}

/**
 * The traffic timeline: one entry per chunk, or per direction turn when joined. Virtualised: only
 * the entries in view (and a few around) are in the DOM, each showing one page of its bytes. It
 * opens at the newest entry and follows new ones while scrolled to the bottom.
 */
export const ChunkList = memo(function ChunkList(props: {
  chunks: readonly KeptChunk[]
  mode: ByteViewMode
  joined: boolean
  openedAt: number
}): ReactElement {
  const { chunks, mode, joined, openedAt } = props
  const { ref, perLine } = useBytesPerLine()
  const offsets = useMemo(() => streamOffsets(chunks), [chunks])
  const entries = useMemo(() => entriesOf(chunks, joined), [chunks, joined])
  // The page each entry shows, kept here so it survives the entry scrolling out of view.
  const [pages, setPages] = useState<ReadonlyMap<string, number>>(new Map())
  const pageKey = (key: number): string => `${joined ? 'j' : 'c'}${key}:${mode === 'hex' ? 'h' : 't'}`
  const setPage = useCallback((key: string, page: number) => setPages((m) => new Map(m).set(key, page)), [])
  const scrollRef = useRef<HTMLDivElement | null>(null)
  const follow = useRef(true)
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATE_PX,
    // Where nothing is laid out (a test's DOM) an entry measures 0: keep the estimate then.
    measureElement: (el) => Math.round(el.getBoundingClientRect().height) || ESTIMATE_PX,
    getItemKey: (i) => entries[i]?.key ?? i,
    overscan: 2
  })
  const onScroll = (): void => {
    const el = scrollRef.current
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight <= FOLLOW_SLACK_PX
  }
  useLayoutEffect(() => {
    if (follow.current && entries.length > 0) virtualizer.scrollToIndex(entries.length - 1, { align: 'end' })
  }, [entries.length, joined, virtualizer])
  useEffect(() => {
    // A new view mode changes every entry's height.
    virtualizer.measure()
  }, [mode, perLine, virtualizer])
  if (entries.length === 0)
    return <p className="text-sm text-slate-500 dark:text-slate-400">No bytes yet in either direction.</p>
  const items = virtualizer.getVirtualItems()
  return (
    <div
      ref={scrollRef}
      onScroll={onScroll}
      data-testid="timeline-scroll"
      className="max-h-[min(70vh,48rem)] min-h-24 overflow-y-auto overscroll-contain rounded border border-slate-200 dark:border-slate-700"
    >
      <ol
        ref={ref}
        aria-label="Traffic timeline"
        aria-setsize={entries.length}
        className="relative min-w-0"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => {
          const e = entries[item.index]
          const kept = e.chunks.reduce((n, c) => n + c.bytes.length, 0)
          const key = pageKey(e.key)
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              data-dir={e.dir}
              aria-posinset={item.index + 1}
              className="absolute top-0 left-0 w-full px-1 pb-1.5 first:pt-1"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <div className={`min-w-0 rounded border-l-4 px-2 py-1 ${DIR_STYLE[e.dir]}`}>
                <div className="flex flex-wrap items-baseline gap-x-3 text-xs text-slate-600 dark:text-slate-300">
                  <span className="font-semibold">{directionLabel(e.dir)}</span>
                  <span title={new Date(e.at).toLocaleTimeString()}>{relativeTime(e.at, openedAt)}</span>
                  <span title={formatExactBytes(e.size)}>{formatBytes(e.size)}</span>
                  {e.chunks.length > 1 && <span>{e.chunks.length.toLocaleString('en-US')} chunks</span>}
                  {kept < e.size && !notKept(e) && (
                    <span className="italic">only the last {formatExactBytes(kept)} kept</span>
                  )}
                </div>
                {notKept(e) ? (
                  <p data-testid="not-kept" className="text-xs text-slate-500 italic dark:text-slate-400">
                    not kept (flood): {formatExactBytes(e.size)}
                    {e.chunks.length > 1 ? ` in ${e.chunks.length.toLocaleString('en-US')} chunks` : ''}; counters stay
                    exact
                  </p>
                ) : (
                  <ChunksBytes
                    chunks={e.chunks}
                    mode={mode}
                    offsets={offsets}
                    perLine={perLine}
                    page={pages.get(key) ?? 0}
                    onPage={(p) => setPage(key, p)}
                  />
                )}
              </div>
            </li>
          )
        })}
      </ol>
    </div>
  )
})
