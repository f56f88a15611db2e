import type { ExportConnection } from './export-source'
import { endpointText, isIncomplete, timeline } from './export-source'

/** JSONL: one line per connection, chunk, mark and not-kept marker; bytes in base64. */
export function exportJsonl(conns: readonly ExportConnection[]): string {
  const lines: string[] = []
  for (const c of conns) {
    const i = c.info
    lines.push(
      JSON.stringify({
        type: 'connection',
        id: i.id,
        origin: i.origin,
        family: i.family,
        local: i.local,
        remote: i.remote,
        openedAt: i.openedAt,
        closedAt: i.closedAt,
        closeReason: i.closeReason,
        bytesIn: i.bytesIn,
        bytesOut: i.bytesOut,
        chunksIn: i.chunksIn,
        chunksOut: i.chunksOut,
        complete: !isIncomplete(c)
      })
    )
    for (const dir of ['in', 'out'] as const) {
      const nk = c.notKept[dir]
      if (nk.bytes > 0 || nk.chunks > 0)
        lines.push(JSON.stringify({ type: 'not-kept', connection: i.id, dir, bytes: nk.bytes, chunks: nk.chunks }))
    }
    for (const item of timeline(c)) {
      if ('chunk' in item) {
        const k = item.chunk
        lines.push(
          JSON.stringify({
            type: 'chunk',
            connection: i.id,
            seq: k.seq,
            at: k.at,
            dir: k.dir,
            size: k.size,
            keptBytes: k.data.length,
            data: k.data.toString('base64'),
            ...(k.notKept ? { notKept: k.notKept } : {})
          })
        )
      } else {
        const m = item.mark
        lines.push(JSON.stringify({ type: 'event', connection: i.id, at: m.at, kind: m.kind, text: m.text ?? null }))
      }
    }
  }
  return lines.map((l) => `${l}\n`).join('')
}

function hexLines(data: Buffer): string[] {
  const out: string[] = []
  for (let off = 0; off < data.length; off += 16) {
    const row = data.subarray(off, off + 16)
    const hex: string[] = []
    for (let j = 0; j < 16; j++) {
      hex.push(j < row.length ? row[j].toString(16).padStart(2, '0') : '  ')
      if (j === 7) hex.push('')
    }
    let ascii = ''
    for (const b of row) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'
    out.push(`${off.toString(16).padStart(8, '0')}  ${hex.join(' ')}  |${ascii}|`)
  }
  return out
}

/** A hex dump (hexdump -C layout) per chunk, headed by `#` lines naming the connection, chunk and direction. */
export function exportHexdump(conns: readonly ExportConnection[]): string {
  const lines: string[] = []
  for (const c of conns) {
    const i = c.info
    const [from, to] = [endpointText(i.family, i.local), endpointText(i.family, i.remote)]
    lines.push(
      `# connection ${i.id} ${i.origin} ${from} <-> ${to}, in ${i.bytesIn} bytes / ${i.chunksIn} chunks, out ${i.bytesOut} bytes / ${i.chunksOut} chunks`
    )
    for (const dir of ['in', 'out'] as const) {
      const nk = c.notKept[dir]
      if (nk.bytes > 0 || nk.chunks > 0) lines.push(`# not kept: ${dir} ${nk.bytes} bytes in ${nk.chunks} older chunks`)
    }
    for (const item of timeline(c)) {
      if ('chunk' in item) {
        const k = item.chunk
        const why = k.notKept === 'flood' ? ', a flood' : ''
        const partial =
          k.data.length < k.size
            ? ` (not kept${why}: ${k.data.length === 0 ? 'all' : `first ${k.size - k.data.length}`} bytes)`
            : ''
        lines.push(`## chunk ${k.seq} ${k.dir} ${k.size} bytes at ${new Date(k.at).toISOString()}${partial}`)
        lines.push(...hexLines(k.data))
      } else {
        lines.push(`## event ${item.mark.kind} at ${new Date(item.mark.at).toISOString()}: ${item.mark.text ?? ''}`)
      }
    }
    lines.push('')
  }
  return lines.join('\n')
}

/** Reads a hex dump back: the chunks' directions and bytes per connection (the inverse of exportHexdump). */
export function parseHexdump(text: string): { connection: number; dir: 'in' | 'out'; data: Buffer }[] {
  const out: { connection: number; dir: 'in' | 'out'; data: Buffer }[] = []
  let conn = -1
  let cur: { connection: number; dir: 'in' | 'out'; bytes: number[] } | null = null
  const flush = (): void => {
    if (cur) out.push({ connection: cur.connection, dir: cur.dir, data: Buffer.from(cur.bytes) })
    cur = null
  }
  for (const line of text.split('\n')) {
    const mc = /^# connection (\d+) /.exec(line)
    const mk = /^## chunk \d+ (in|out) /.exec(line)
    if (mc) {
      flush()
      conn = Number(mc[1])
    } else if (mk) {
      flush()
      cur = { connection: conn, dir: mk[1] as 'in' | 'out', bytes: [] }
    } else if (line.startsWith('##')) flush()
    else if (cur && /^[0-9a-f]{8} {2}/.test(line)) {
      const hex = line.slice(10, 10 + 49)
      for (const h of hex.split(' ')) if (h.length === 2) cur.bytes.push(parseInt(h, 16))
    }
  }
  flush()
  return out
}

/** Raw bytes of one direction, the kept chunks concatenated. */
export function rawBytes(c: ExportConnection, dir: 'in' | 'out'): Buffer {
  return Buffer.concat(c.chunks.filter((k) => k.dir === dir).map((k) => k.data))
}
