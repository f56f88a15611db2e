import type { LabError } from '@shared/contract'
import type { ConnectionInfo, ServerCounters, ServerInfo, Snapshot, Totals } from '@shared/model'
import type { ProxyInfo } from '@shared/proxy-model'
import type { Rate, RateSeries } from './rate-history'
import { EMPTY_SERIES, ZERO_RATE } from './rate-history'

/** The link to the lab: waiting for the first snapshot, live, catching up after a gap, or lost. */
export type LinkState = 'connecting' | 'up' | 'resyncing' | 'down'

/** A message for the person: from the engine (`notice` events, server errors) or from the UI. */
export interface Notice {
  id: number
  level: 'info' | 'warning' | 'error'
  message: string
  hint?: string
  at: number
}

/**
 * Everything the renderer knows about the lab. The object is replaced on every change; the big
 * connection map is updated in place and `connectionsVersion` says when (copying 10,000 rows per
 * batch would be the one O(n) cost we avoid). Each row object is replaced when that row changes.
 */
export interface LabState {
  link: LinkState
  /** The last batch applied (or covered by the last snapshot). */
  seq: number
  /** Snapshots taken so far: 1 after start, more after each gap or resync. */
  snapshots: number
  servers: ReadonlyMap<number, ServerInfo>
  serverCounters: ReadonlyMap<number, ServerCounters>
  connections: ReadonlyMap<number, ConnectionInfo>
  connectionsVersion: number
  /**
   * Changes when a connection opens, changes state or settings, closes or is removed: not when only its counters
   * moved. Views that show no counters (selection, lists of states, row order by id or address) follow this one,
   * so a flood's counters re-render only the cells that show them.
   */
  membersVersion: number
  /** Ids of outgoing (lab-as-client) connections, kept alongside so the sidebar never scans every row. */
  outgoingIds: ReadonlySet<number>
  totals: Totals
  /** The newest rate per connection with traffic in the last sample; absent means idle. */
  connectionRates: ReadonlyMap<number, Rate>
  ratesVersion: number
  totalRate: Rate
  totalHistory: RateSeries
  serverRates: ReadonlyMap<number, Rate>
  serverHistory: ReadonlyMap<number, RateSeries>
  notices: readonly Notice[]
  limits: Snapshot['limits'] | null
  /** Proxies by name. */
  proxies: ReadonlyMap<string, ProxyInfo>
  lastBatchAt: number | null
  /** Why the last snapshot failed (no token, token refused, link down); null once one succeeds. */
  linkError?: LabError | null
  /** When the link was last seen up (what the page shows is as of then while it is down). */
  lastUpAt?: number | null
}

/** The state before the first snapshot. */
export function initialLabState(): LabState {
  return {
    link: 'connecting',
    seq: 0,
    snapshots: 0,
    servers: new Map(),
    serverCounters: new Map(),
    connections: new Map(),
    connectionsVersion: 0,
    membersVersion: 0,
    outgoingIds: new Set(),
    totals: { bytesIn: 0, bytesOut: 0, connectionsOpen: 0, connectionsEver: 0 },
    connectionRates: new Map(),
    ratesVersion: 0,
    totalRate: ZERO_RATE,
    totalHistory: EMPTY_SERIES,
    serverRates: new Map(),
    serverHistory: new Map(),
    notices: [],
    limits: null,
    proxies: new Map(),
    lastBatchAt: null
  }
}
