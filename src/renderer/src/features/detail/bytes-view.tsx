import { useMemo, useState } from 'react'
import type { ReactElement } from 'react'
import { escapedText, hexColumnWidth, hexDumpLines, visibleText } from '@shared/byte-format'
import { hexPageStarts, pageRange, textPageStarts } from './byte-pages'
import { RangeEscaped, RangeText } from './control-text'
import { joinBytes } from './traffic-window'
import type { KeptChunk } from './traffic-window'

/** How bytes are shown. */
export type ByteViewMode = 'text' | 'hex' | 'escaped'

/** The bytes in one mode as plain text (what copy and save .txt use). */
export function renderBytesAsText(bytes: Uint8Array, mode: ByteViewMode, startOffset = 0): string {
  if (mode === 'text') return visibleText(bytes)
  if (mode === 'escaped') return escapedText(bytes)
  return hexDumpLines(bytes, startOffset)
    .map((l) => `${l.offset}  ${l.hex.padEnd(48)}  ${l.ascii}`)
    .join('\n')
}

/** Hex lines of one chunk (or part of one): offset, hex, ASCII columns. */
function HexLines({
  bytes,
  startOffset,
  perLine
}: {
  bytes: Uint8Array
  startOffset: number
  perLine: number
}): ReactElement {
  return (
    <>
      {hexDumpLines(bytes, startOffset, perLine).map((l) => (
        <div key={l.offset} className="flex gap-3 whitespace-pre">
          <span className="text-slate-400 select-none dark:text-slate-500">{l.offset}</span>
          <span data-part="hex" style={{ minWidth: `${hexColumnWidth(perLine)}ch` }}>
            {l.hex}
          </span>
          <span data-part="ascii" className="text-slate-600 dark:text-slate-300">
            {l.ascii}
          </span>
        </div>
      ))}
    </>
  )
}

/** Props of ChunksBytes. */
export interface ChunksBytesProps {
  chunks: readonly KeptChunk[]
  mode: ByteViewMode
  /** Stream offset of each chunk's first kept byte, by seq (see streamOffsets); 0-based per entry without it. */
  offsets?: ReadonlyMap<number, number>
  /** Bytes per hex line (16, or 8 in a narrow column). */
  perLine?: number
  /** The page shown (controlled); the component keeps its own when absent. */
  page?: number
  onPage?: (page: number) => void
}

const n = (v: number): string => v.toLocaleString('en-US')

/** The entry's kept bytes (one chunk's own array, or the chunks joined) and where each chunk starts in it. */
function useEntryBytes(chunks: readonly KeptChunk[]): { bytes: Uint8Array; starts: number[] } {
  return useMemo(() => {
    const bytes = chunks.length === 1 ? chunks[0].bytes : joinBytes(chunks)
    const starts: number[] = []
    let o = 0
    for (const c of chunks) {
      starts.push(o)
      o += c.bytes.length
    }
    return { bytes, starts }
  }, [chunks])
}

/**
 * Chunks shown in one mode, each chunk's boundary marked, one page at a time: only the page on
 * screen is rendered. Text and escaped views flow the chunks inline with a marker between them
 * (controls as badges, runs collapsed with a count); the hex view starts each chunk on its own line
 * with the direction's stream offsets. Pages are bounded in bytes and in badges (see byte-pages).
 */
export function ChunksBytes({
  chunks,
  mode,
  offsets,
  perLine = 16,
  page: pageProp,
  onPage
}: ChunksBytesProps): ReactElement {
  const [ownPage, setOwnPage] = useState(0)
  const { bytes, starts } = useEntryBytes(chunks)
  const hex = mode === 'hex'
  const pageStarts = useMemo(() => (hex ? hexPageStarts(bytes.length) : textPageStarts(bytes)), [bytes, hex])
  const pages = pageStarts.length
  const current = Math.min(pageProp ?? ownPage, pages - 1)
  const setPage = (p: number): void => (onPage ? onPage(p) : setOwnPage(p))
  const { from, to } = pageRange(pageStarts, current, bytes.length)
  const entryStart = chunks.length > 0 ? (offsets?.get(chunks[0].seq) ?? 0) : 0
  const parts: ReactElement[] = []
  chunks.forEach((c, i) => {
    const start = starts[i]
    const end = start + c.bytes.length
    if (end <= from || start >= to || (c.bytes.length === 0 && from > 0)) return
    const a = Math.max(start, from)
    const b = Math.min(end, to)
    const marked = a === start && i > 0
    if (hex) {
      parts.push(
        <div
          key={c.seq}
          data-chunk-seq={c.seq}
          className="border-t border-dashed border-slate-300 first:border-t-0 dark:border-slate-600"
        >
          <HexLines
            bytes={bytes.subarray(a, b)}
            startOffset={(offsets?.get(c.seq) ?? entryStart + start) + (a - start)}
            perLine={perLine}
          />
        </div>
      )
      return
    }
    parts.push(
      <span
        key={c.seq}
        data-chunk-seq={c.seq}
        title={`chunk #${c.seq}: ${c.size} bytes`}
        className={marked ? 'border-l-2 border-dashed border-slate-400/70 pl-0.5 dark:border-slate-500/70' : undefined}
      >
        {mode === 'text' ? <RangeText bytes={bytes} from={a} to={b} /> : <RangeEscaped bytes={bytes} from={a} to={b} />}
      </span>
    )
  })
  const body = hex ? (
    <div className="overflow-x-auto">{parts}</div>
  ) : (
    <pre className="font-mono text-xs leading-5 whitespace-pre-wrap break-all">{parts}</pre>
  )
  if (pages <= 1) return hex ? <div className="font-mono text-xs leading-5">{body}</div> : body
  const stream = offsets ? `, stream offset ${n(entryStart + from)}–${n(entryStart + to - 1)}` : ''
  return (
    <div className="font-mono text-xs leading-5">
      {body}
      <div className="mt-1 flex flex-wrap items-center gap-1.5 font-sans" role="group" aria-label="Pages">
        <button
          type="button"
          className={SMALL_BUTTON}
          disabled={current === 0}
          onClick={() => setPage(0)}
          title="First page"
        >
          ⏮
        </button>
        <button type="button" className={SMALL_BUTTON} disabled={current === 0} onClick={() => setPage(current - 1)}>
          Previous page
        </button>
        <span data-testid="page-range" data-from={from} data-to={to} className="tabular-nums">
          page {n(current + 1)} of {n(pages)}: bytes {n(from)}–{n(to - 1)} of {n(bytes.length)}
          {stream}
        </span>
        <button
          type="button"
          className={SMALL_BUTTON}
          disabled={current >= pages - 1}
          onClick={() => setPage(current + 1)}
        >
          Next page
        </button>
        <button
          type="button"
          className={SMALL_BUTTON}
          disabled={current >= pages - 1}
          onClick={() => setPage(pages - 1)}
          title="Last page"
        >
          ⏭
        </button>
      </div>
    </div>
  )
}

/** Shared look of small secondary buttons in the detail panel. */
export const SMALL_BUTTON =
  'rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-40 dark:border-slate-600 dark:hover:bg-slate-700'
