import type { ConnectionInfo, CounterColumns, EventBatch, LabEvent, ServerCounters, ServerInfo, Snapshot, Totals } from '@shared/model'

/** A listening echo server on 127.0.0.1:PORT. */
export function makeServer(over: Partial<ServerInfo> = {}): ServerInfo {
  const port = over.bound?.port ?? 8080
  return {
    id: 1,
    requestedHost: '127.0.0.1',
    requestedPort: port,
    bound: { address: '127.0.0.1', port },
    family: 'IPv4',
    behaviour: 'echo',
    options: {},
    state: 'listening',
    acceptMode: 'concurrent',
    maxConnections: null,
    backlog: 511,
    startedAt: 1_000,
    notes: [],
    ...over
  }
}

/** An open accepted connection of server 1 from 127.0.0.1:(40000+id). */
export function makeConn(id: number, over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    id,
    serverId: 1,
    origin: 'accepted',
    family: 'IPv4',
    local: { address: '127.0.0.1', port: 8080 },
    remote: { address: '127.0.0.1', port: 40000 + id },
    state: 'open',
    closeReason: null,
    error: null,
    openedAt: 1_000 + id,
    peerEndedAt: null,
    closedAt: null,
    lastActivity: 1_000 + id,
    bytesIn: 0,
    bytesOut: 0,
    chunksIn: 0,
    chunksOut: 0,
    paused: false,
    ...over
  }
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
export function makeBatch(seq: number, over: { events?: LabEvent[]; counters?: CounterColumns; servers?: ServerCounters[]; totals?: Totals; resync?: boolean } = {}): EventBatch {
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
