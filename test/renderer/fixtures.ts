import type {
  ConnectionInfo,
  CounterColumns,
  EventBatch,
  LabEvent,
  ServerCounters,
  ServerInfo,
  Snapshot,
  Totals
} from '@shared/model'
import { makeConnectionInfo, makeServerInfo } from '../helpers/model-fixtures'

export { makeConnectionInfo, makeKernelSocket, makeServerInfo } from '../helpers/model-fixtures'

/** A listening echo server on 127.0.0.1:PORT, started at 1000. */
export function makeServer(over: Partial<ServerInfo> = {}): ServerInfo {
  return makeServerInfo({ startedAt: 1_000, ...over })
}

/** An open accepted connection of server 1 from 127.0.0.1:(40000+id), opened at 1000+id. */
export function makeConn(id: number, over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return makeConnectionInfo(id, { openedAt: 1_000 + id, lastActivity: 1_000 + id, ...over })
}

const ZERO_TOTALS: Totals = { bytesIn: 0, bytesOut: 0, connectionsOpen: 0, connectionsEver: 0 }

/** A snapshot covering batches up to `seq`. */
export function makeSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 0,
    at: 2_000,
    servers: [],
    serverCounters: [],
    connections: [],
    totals: ZERO_TOTALS,
    limits: { trafficBytesPerConnection: 1 << 20, trafficBytesTotal: 64 << 20, closedConnectionsKept: 1000 },
    ...over
  }
}

/** Counter columns from rows of [id, bytesIn, bytesOut, chunksIn, chunksOut]. */
export function counters(rows: [number, number, number, number, number][], at = 3_000): CounterColumns {
  return {
    ids: rows.map((r) => r[0]),
    bytesIn: rows.map((r) => r[1]),
    bytesOut: rows.map((r) => r[2]),
    chunksIn: rows.map((r) => r[3]),
    chunksOut: rows.map((r) => r[4]),
    lastActivity: rows.map(() => at)
  }
}

/** A batch numbered `seq`. */
export function makeBatch(
  seq: number,
  over: {
    events?: LabEvent[]
    counters?: CounterColumns
    servers?: ServerCounters[]
    totals?: Totals
    resync?: boolean
  } = {}
): EventBatch {
  return {
    seq,
    at: 3_000 + seq,
    resync: over.resync ?? false,
    events: over.events ?? [],
    counters: over.counters ?? counters([]),
    servers: over.servers ?? [],
    totals: over.totals ?? ZERO_TOTALS
  }
}
