import type { ConnectionInfo } from '@shared/model'
import type { ConnectionMark } from '../lab-connection'
import type { Lab } from '../lab'
import { LabFailure } from '../errors'
import type { FlowIdentity } from './connection-flow'

/** One kept chunk, bytes decoded; `data` is shorter than `size` when only its tail was kept. */
export interface ExportChunk {
  seq: number
  at: number
  dir: 'in' | 'out'
  size: number
  data: Buffer
  /** Why the bytes are missing when `data` is shorter than `size`: 'flood' = over the lab's keep rate. */
  notKept?: 'flood'
}

/** What the lab no longer holds of one direction: whole older chunks dropped from memory. */
export interface NotKept {
  bytes: number
  chunks: number
}

/** Everything an export needs about one connection, taken from memory at once. */
export interface ExportConnection {
  info: ConnectionInfo
  identity: FlowIdentity
  chunks: ExportChunk[]
  marks: ConnectionMark[]
  notKept: { in: NotKept; out: NotKept }
}

/** Whether an export of this connection lacks bytes the peers exchanged. */
export function isIncomplete(c: ExportConnection): boolean {
  return c.notKept.in.bytes + c.notKept.out.bytes > 0 || c.chunks.some((k) => k.data.length < k.size)
}

/** Takes the kept traffic of the named connections (or all, in id order), open or closed. */
export function collectConnections(lab: Lab, ids?: readonly number[]): ExportConnection[] {
  const conns = ids ? ids.map((id) => lab.connections.get(id) ?? missing(id)) : [...lab.connections.values()]
  if (conns.length === 0)
    throw new LabFailure('nothing-to-export', 'There is no connection to export', 'Open or keep a connection first.')
  return conns.map((conn) => {
    const rec = conn.traffic.read(conn.id)
    const chunks: ExportChunk[] = rec.chunks.map((c) => ({
      seq: c.seq,
      at: c.at,
      dir: c.dir,
      size: c.size,
      data: Buffer.from(c.data, 'base64'),
      ...(c.notKept ? { notKept: c.notKept } : {})
    }))
    const info = conn.info()
    const notKept = {
      in: { bytes: info.bytesIn, chunks: info.chunksIn },
      out: { bytes: info.bytesOut, chunks: info.chunksOut }
    }
    for (const c of chunks) {
      notKept[c.dir].bytes -= c.size
      notKept[c.dir].chunks--
    }
    return {
      info,
      identity: {
        id: conn.id,
        origin: conn.origin,
        family: conn.family,
        local: conn.local,
        remote: conn.remote,
        unixPath: conn.unixPath
      },
      chunks,
      marks: [...conn.marks],
      notKept: {
        in: { bytes: Math.max(0, notKept.in.bytes), chunks: Math.max(0, notKept.in.chunks) },
        out: { bytes: Math.max(0, notKept.out.bytes), chunks: Math.max(0, notKept.out.chunks) }
      }
    }
  })
}

function missing(id: number): never {
  throw new LabFailure('not-found', `There is no connection ${id}`, 'It may have been cleared or evicted.')
}

/** A connection's chunks and marks merged in the order they happened (a mark follows the chunks counted before it). */
export function timeline(c: ExportConnection): ({ chunk: ExportChunk } | { mark: ConnectionMark })[] {
  const out: ({ chunk: ExportChunk } | { mark: ConnectionMark })[] = []
  let m = 0
  for (const chunk of c.chunks) {
    while (m < c.marks.length && c.marks[m].chunkIndex <= chunk.seq) out.push({ mark: c.marks[m++] })
    out.push({ chunk })
  }
  while (m < c.marks.length) out.push({ mark: c.marks[m++] })
  return out
}

/** `127.0.0.1:5000`, `[::1]:80`, `unix:/path`. */
export function endpointText(family: ConnectionInfo['family'], e: { address: string; port: number }): string {
  if (family === 'unix') return `unix:${e.address}`
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`
}
