import { useEffect, useMemo, useState } from 'react'
import type { ReactElement } from 'react'
import { formatBytes, formatExactBytes } from '@shared/byte-format'
import { ChunksBytes, SMALL_BUTTON } from './bytes-view'
import type { ByteViewMode } from './bytes-view'
import { groupByDirection, streamOffsets } from './traffic-window'
import type { KeptChunk } from './traffic-window'
import { directionLabel, relativeTime } from './transcript'

/** How many entries are rendered at first; "Show older" adds as many again. */
export const RENDER_STEP = 200

const DIR_STYLE = {
  in: 'border-sky-500 bg-sky-50 dark:bg-sky-950/40',
  out: 'border-amber-500 bg-amber-50 dark:bg-amber-950/40'
} as const

interface Entry {
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

/** The traffic timeline: one entry per chunk, or per direction turn when joined; newest entries rendered first-capped. */
export function ChunkList(props: {
  chunks: readonly KeptChunk[]
  mode: ByteViewMode
  joined: boolean
  openedAt: number
}): ReactElement {
  const { chunks, mode, joined, openedAt } = props
  const [shown, setShown] = useState(RENDER_STEP)
  const { ref, perLine } = useBytesPerLine()
  const offsets = useMemo(() => streamOffsets(chunks), [chunks])
  const entries: Entry[] = joined
    ? groupByDirection(chunks).map((g) => ({ key: g.chunks[0].seq, dir: g.dir, at: g.chunks[0].at, size: g.bytes, chunks: g.chunks }))
    : chunks.map((c) => ({ key: c.seq, dir: c.dir, at: c.at, size: c.size, chunks: [c] }))
  const hidden = Math.max(0, entries.length - shown)
  const visible = hidden > 0 ? entries.slice(hidden) : entries
  if (entries.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">No bytes yet in either direction.</p>
  return (
    <ol ref={ref} aria-label="Traffic timeline" className="flex min-w-0 flex-col gap-1.5">
      {hidden > 0 && (
        <li>
          <button type="button" className={SMALL_BUTTON} onClick={() => setShown((n) => n + RENDER_STEP)}>
            Show older ({hidden.toLocaleString('en-US')} more {joined ? 'turns' : 'chunks'})
          </button>
        </li>
      )}
      {visible.map((e) => {
        const kept = e.chunks.reduce((n, c) => n + c.bytes.length, 0)
        return (
          <li key={e.key} data-dir={e.dir} className={`min-w-0 rounded border-l-4 px-2 py-1 ${DIR_STYLE[e.dir]}`}>
            <div className="flex flex-wrap items-baseline gap-x-3 text-xs text-slate-600 dark:text-slate-300">
              <span className="font-semibold">{directionLabel(e.dir)}</span>
              <span title={new Date(e.at).toLocaleTimeString()}>{relativeTime(e.at, openedAt)}</span>
              <span title={formatExactBytes(e.size)}>{formatBytes(e.size)}</span>
              {e.chunks.length > 1 && <span>{e.chunks.length} chunks</span>}
              {kept < e.size && <span className="italic">only the last {formatExactBytes(kept)} kept</span>}
            </div>
            <ChunksBytes chunks={e.chunks} mode={mode} offsets={offsets} perLine={perLine} />
          </li>
        )
      })}
    </ol>
  )
}
