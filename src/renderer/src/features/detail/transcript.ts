import { formatExactBytes } from '@shared/byte-format'
import { renderBytesAsText } from './bytes-view'
import type { ByteViewMode } from './bytes-view'
import { groupByDirection, streamOffsets } from './traffic-window'
import type { KeptChunk } from './traffic-window'

/** `+1.234 s` after the connection opened. */
export function relativeTime(at: number, openedAt: number): string {
  return `+${(Math.max(0, at - openedAt) / 1000).toFixed(3)} s`
}

/** The arrow and word of a direction: in = from the peer to the lab. */
export function directionLabel(dir: 'in' | 'out'): string {
  return dir === 'in' ? '← in' : '→ out'
}

/** The kept chunks as a plain-text conversation in one view mode, for copy and save. */
export function transcriptText(
  chunks: readonly KeptChunk[],
  mode: ByteViewMode,
  openedAt: number,
  joined: boolean
): string {
  const blocks = joined
    ? groupByDirection(chunks).map((g) => ({ dir: g.dir, at: g.chunks[0].at, size: g.bytes, parts: g.chunks }))
    : chunks.map((c) => ({ dir: c.dir, at: c.at, size: c.size, parts: [c] }))
  const offsets = streamOffsets(chunks)
  return blocks
    .map((b) => {
      const head = `${directionLabel(b.dir)}  ${relativeTime(b.at, openedAt)}  ${formatExactBytes(b.size)}${b.parts.length > 1 ? ` in ${b.parts.length} chunks` : ''}`
      // Hex offsets are the direction's stream offsets, as on screen.
      const body = b.parts
        .map((c) =>
          c.notKept === 'flood'
            ? `[not kept (flood): ${formatExactBytes(c.size)}]`
            : renderBytesAsText(c.bytes, mode, offsets.get(c.seq) ?? 0)
        )
        .join(mode === 'hex' ? '\n' : '')
      return `${head}\n${body}`
    })
    .join('\n\n')
}
