import { useState } from 'react'
import type { ReactElement } from 'react'
import { escapedText, formatBytes, hexColumnWidth, hexDumpLines, visibleText } from '@shared/byte-format'
import { ControlText } from './control-text'
import type { KeptChunk } from './traffic-window'

/** How bytes are shown. */
export type ByteViewMode = 'text' | 'hex' | 'escaped'

/** The most bytes shown as hex at once; more is paged. */
export const HEX_PAGE_BYTES = 64 * 1024

/** The bytes in one mode as plain text (what copy and save .txt use). */
export function renderBytesAsText(bytes: Uint8Array, mode: ByteViewMode, startOffset = 0): string {
  if (mode === 'text') return visibleText(bytes)
  if (mode === 'escaped') return escapedText(bytes)
  return hexDumpLines(bytes, startOffset)
    .map((l) => `${l.offset}  ${l.hex.padEnd(48)}  ${l.ascii}`)
    .join('\n')
}

/** Hex lines of one chunk (or part of one): offset, hex, ASCII columns. */
function HexLines({ bytes, startOffset, perLine }: { bytes: Uint8Array; startOffset: number; perLine: number }): ReactElement {
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
}

/**
 * Chunks shown in one mode, each chunk's boundary marked. Text and escaped views flow the chunks
 * inline with a marker between them (controls as badges in the text view); the hex view starts each
 * chunk on its own line with the direction's stream offsets, paged HEX_PAGE_BYTES at a time.
 */
export function ChunksBytes({ chunks, mode, offsets, perLine = 16 }: ChunksBytesProps): ReactElement {
  const [page, setPage] = useState(0)
  if (mode !== 'hex') {
    return (
      <pre className="font-mono text-xs leading-5 whitespace-pre-wrap break-all">
        {chunks.map((c, i) => (
          <span
            key={c.seq}
            data-chunk-seq={c.seq}
            title={`chunk #${c.seq}: ${c.size} bytes`}
            className={
              i > 0
                ? 'border-l-2 border-dashed border-slate-400/70 pl-0.5 dark:border-slate-500/70'
                : undefined
            }
          >
            {mode === 'text' ? <ControlText bytes={c.bytes} /> : escapedText(c.bytes)}
          </span>
        ))}
      </pre>
    )
  }
  const total = chunks.reduce((n, c) => n + c.bytes.length, 0)
  const pages = Math.max(1, Math.ceil(total / HEX_PAGE_BYTES))
  const current = Math.min(page, pages - 1)
  const from = current * HEX_PAGE_BYTES
  const to = from + HEX_PAGE_BYTES
  const parts: ReactElement[] = []
  let offset = 0
  const entryStart = chunks.length > 0 ? (offsets?.get(chunks[0].seq) ?? 0) : 0
  for (const c of chunks) {
    const start = offset
    const end = offset + c.bytes.length
    offset = end
    if (end <= from || start >= to) continue
    const a = Math.max(start, from)
    const b = Math.min(end, to)
    parts.push(
      <div
        key={c.seq}
        data-chunk-seq={c.seq}
        className="border-t border-dashed border-slate-300 first:border-t-0 dark:border-slate-600"
      >
        <HexLines bytes={c.bytes.subarray(a - start, b - start)} startOffset={(offsets?.get(c.seq) ?? entryStart + start) + (a - start)} perLine={perLine} />
      </div>
    )
  }
  return (
    <div className="font-mono text-xs leading-5">
      <div className="overflow-x-auto">{parts}</div>
      {pages > 1 && (
        <div className="mt-1 flex items-center gap-2 font-sans">
          <button type="button" className={SMALL_BUTTON} disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous hex page
          </button>
          <span>
            {formatBytes(from)}–{formatBytes(Math.min(to, total))} of {formatBytes(total)}
          </span>
          <button type="button" className={SMALL_BUTTON} disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next hex page
          </button>
        </div>
      )}
    </div>
  )
}

/** Shared look of small secondary buttons in the detail panel. */
export const SMALL_BUTTON =
  'rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-40 dark:border-slate-600 dark:hover:bg-slate-700'
