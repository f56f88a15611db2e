import type { ConnectionInfo, CounterColumns } from '@shared/model'
import { STATE_RANK } from './describe'

/**
 * Merges what an event says about a connection into what the store holds, idempotently: counters
 * only grow, and a state never moves back (a repeated `opened` after a known close changes nothing).
 * Returns `prev` itself when nothing changed, so unchanged rows keep their identity.
 */
export function mergeConnection(prev: ConnectionInfo | undefined, next: ConnectionInfo): ConnectionInfo {
  if (!prev) return next
  const goesBack = STATE_RANK[next.state] < STATE_RANK[prev.state]
  const base = goesBack ? prev : next
  const merged: ConnectionInfo = {
    ...base,
    paused: next.paused,
    bytesIn: Math.max(prev.bytesIn, next.bytesIn),
    bytesOut: Math.max(prev.bytesOut, next.bytesOut),
    chunksIn: Math.max(prev.chunksIn, next.chunksIn),
    chunksOut: Math.max(prev.chunksOut, next.chunksOut),
    lastActivity: Math.max(prev.lastActivity, next.lastActivity)
  }
  return sameConnection(prev, merged) ? prev : merged
}

/** Applies row `i` of the counter columns; returns `prev` when nothing grew. */
export function applyCounters(prev: ConnectionInfo, cols: CounterColumns, i: number): ConnectionInfo {
  const bytesIn = Math.max(prev.bytesIn, cols.bytesIn[i])
  const bytesOut = Math.max(prev.bytesOut, cols.bytesOut[i])
  const chunksIn = Math.max(prev.chunksIn, cols.chunksIn[i])
  const chunksOut = Math.max(prev.chunksOut, cols.chunksOut[i])
  const lastActivity = Math.max(prev.lastActivity, cols.lastActivity[i])
  if (
    bytesIn === prev.bytesIn &&
    bytesOut === prev.bytesOut &&
    chunksIn === prev.chunksIn &&
    chunksOut === prev.chunksOut &&
    lastActivity === prev.lastActivity
  ) {
    return prev
  }
  return { ...prev, bytesIn, bytesOut, chunksIn, chunksOut, lastActivity }
}

const KEYS: (keyof ConnectionInfo)[] = [
  'state',
  'closeReason',
  'error',
  'peerEndedAt',
  'closedAt',
  'lastActivity',
  'bytesIn',
  'bytesOut',
  'chunksIn',
  'chunksOut',
  'paused'
]

function sameConnection(a: ConnectionInfo, b: ConnectionInfo): boolean {
  for (const k of KEYS) if (a[k] !== b[k]) return false
  // TLS facts (handshake, encrypted counts) travel only in events: compare them by value.
  if (a.tls !== b.tls && JSON.stringify(a.tls) !== JSON.stringify(b.tls)) return false
  return a.id === b.id
}
