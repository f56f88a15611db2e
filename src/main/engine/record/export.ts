import type { CommandRequest, CommandValue } from '@shared/contract'
import type { CaptureFile } from '@shared/model'
import type { Lab } from '../lab'
import { LabFailure } from '../errors'
import type { ExportConnection } from './export-source'
import { collectConnections, isIncomplete } from './export-source'
import { exportPcapng } from './export-pcapng'
import { exportHexdump, exportJsonl, rawBytes } from './export-text'
import { mirroredIds } from './mirror-pairs'

function baseName(conns: readonly ExportConnection[]): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
  const which = conns.length === 1 ? `connection-${conns[0].info.id}` : `${conns.length}-connections`
  return `tcp-lab-${which}-${stamp}`
}

/** What an export lacks, in words, per connection with gaps. */
function gapNotes(conns: readonly ExportConnection[]): string[] {
  return conns.filter(isIncomplete).map((c) => {
    const lost = c.notKept.in.bytes + c.notKept.out.bytes + c.chunks.reduce((n, k) => n + k.size - k.data.length, 0)
    return `Connection ${c.info.id}: ${lost} older bytes were not kept in memory; the export marks the gap (use --record for full captures)`
  })
}

/** The most an export may answer, in characters of file content: one message to the page (browser mode cuts off a socket with 64 MiB queued). */
export const EXPORT_MAX_CHARS = 48 * 1024 * 1024

/** `capture:export`: the named connections (or all) as pcapng, raw bytes per direction, JSONL or a hex dump. */
export function exportCapture(lab: Lab, req: CommandRequest<'capture:export'>): CommandValue<'capture:export'> {
  const conns = collectConnections(lab, req.connectionIds)
  const base = baseName(conns)
  const notes = gapNotes(conns)
  let files: CaptureFile[]
  switch (req.format) {
    case 'pcapng': {
      const skip = mirroredIds(conns.map((c) => c.identity))
      for (const [id, twin] of skip)
        notes.push(
          `Connection ${id} is the lab's own other end of connection ${twin}: the pcapng has that conversation once`
        )
      const kept = conns.filter((c) => !skip.has(c.info.id))
      files = [
        {
          name: `${base}.pcapng`,
          mime: 'application/x-pcapng',
          encoding: 'base64',
          content: exportPcapng(kept).toString('base64')
        }
      ]
      break
    }
    case 'jsonl':
      files = [{ name: `${base}.jsonl`, mime: 'application/x-ndjson', encoding: 'text', content: exportJsonl(conns) }]
      break
    case 'hexdump':
      files = [{ name: `${base}.hex.txt`, mime: 'text/plain', encoding: 'text', content: exportHexdump(conns) }]
      break
    case 'raw':
      // One file per direction: the bytes the lab read ('in') and wrote ('out'); a gap is named in the file name.
      files = conns.flatMap((c) =>
        (['in', 'out'] as const).map((dir) => {
          const gap = c.notKept[dir].bytes > 0 || c.chunks.some((k) => k.dir === dir && k.data.length < k.size)
          return {
            name: `tcp-lab-connection-${c.info.id}-${dir}${gap ? '-incomplete' : ''}.bin`,
            mime: 'application/octet-stream',
            encoding: 'base64' as const,
            content: rawBytes(c, dir).toString('base64')
          }
        })
      )
      break
  }
  const chars = files.reduce((n, f) => n + f.content.length, 0)
  if (chars > EXPORT_MAX_CHARS) {
    throw new LabFailure(
      'export-too-large',
      `That export would be ${(chars / (1024 * 1024)).toFixed(0)} MiB, over the ${EXPORT_MAX_CHARS / (1024 * 1024)} MiB one answer may carry`,
      'Export fewer connections at once, or record to disk (--record or the Record button) for large captures.'
    )
  }
  return { files, notes }
}
