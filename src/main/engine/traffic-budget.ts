import type { TrafficFloodPolicy } from '@shared/model'

// Under a flood, a record keeps the newest bytes of its latest chunk not kept, per direction: this many at most.
const TAIL_BYTES = 2 * 1024

/** What one record needs from its budget (the recorder itself lives in traffic-record.ts). */
export interface BudgetedRecord {
  /** Drops every kept byte and gives the buffers back. */
  dropAll(): void
  /**
   * @internal The record's place in its budget's recency list, kept in the record itself: no node and no map
   * entry per record (a short connection would pay both, and a hash lookup on every touch).
   */
  lruPrev: BudgetedRecord | null
  lruNext: BudgetedRecord | null
  lruListed: boolean
}

/**
 * The default flood policy: bytes at human rates are kept in full; under a flood each connection keeps
 * its head and then sampled windows, the rest is marked "not kept (flood)" with exact sizes.
 */
export const DEFAULT_FLOOD_POLICY: TrafficFloodPolicy = {
  headBytes: 64 * 1024,
  keepBytesPerSecond: 64 * 1024,
  keepBurstBytes: 256 * 1024,
  labKeepBytesPerSecond: 16 * 1024 * 1024
}

/**
 * Caps shared by every record of one lab. `total` counts the bytes the records' buffers really
 * occupy, so the cap bounds memory, not just the bytes shown. The optional flood policy bounds how
 * many bytes are copied at all (per connection and lab-wide, as token buckets refilled with time).
 */
export class TrafficBudget<R extends BudgetedRecord = BudgetedRecord> {
  total = 0
  /** Bytes of the records' chunk-facts rings (24 bytes a kept chunk), bounded by `metaCap`. */
  metaTotal = 0
  /** The most one record's buffer may hold: the per-connection cap (less the tails), never more than the total. */
  readonly ringLimit: number
  /** Bytes of a record's flood tail per direction (0 without a flood policy): part of the per-connection cap. */
  readonly tailBytes: number
  // Least-recently-appended first (emptied first when the total is over), as a linked list through the records:
  // moving a record to the end relinks it and allocates nothing. (Reordering a Map on every chunk of two records
  // that take turns, a proxy's two legs, churned the Map's tables and cost about a third of the CPU in GC.)
  private head: BudgetedRecord | null = null
  private tail: BudgetedRecord | null = null
  private lastTouched: R | null = null
  // The lab-wide copy allowance (bytes), refilled at flood.labKeepBytesPerSecond up to one second's worth.
  private labTokens: number
  private labTokensAt = 0

  constructor(
    readonly perConnection: number,
    readonly totalCap: number,
    readonly maxChunksPerConnection: number,
    /** Chunk facts of every record together; past it, the least recently used records are emptied. */
    readonly metaCap: number = 32 * 1024 * 1024,
    /** Null: every byte is kept (within the caps); the lab passes DEFAULT_FLOOD_POLICY. */
    readonly flood: TrafficFloodPolicy | null = null
  ) {
    this.tailBytes = flood === null ? 0 : Math.min(TAIL_BYTES, Math.floor(perConnection / 16))
    this.ringLimit = Math.max(0, Math.min(perConnection - 2 * this.tailBytes, totalCap))
    this.labTokens = flood?.labKeepBytesPerSecond ?? 0
  }

  /** Takes `n` bytes from the lab-wide allowance at time `at` (ms); false when a flood has used it up. */
  takeLabTokens(n: number, at: number): boolean {
    const rate = this.flood?.labKeepBytesPerSecond ?? Infinity
    if (rate === Infinity) return true
    if (at > this.labTokensAt) {
      this.labTokens = Math.min(rate, this.labTokens + ((at - this.labTokensAt) * rate) / 1000)
      this.labTokensAt = at
    }
    if (this.labTokens < n) return false
    this.labTokens -= n
    return true
  }

  /** Marks a record as just appended to, and empties the least recently used others while over the cap. */
  touch(record: R): void {
    // The same connection again (a flood on one socket) needs no reordering: the hot path stays cheap.
    if (this.lastTouched !== record) {
      if (record.lruListed) this.unlink(record)
      this.append(record)
      this.lastTouched = record
    }
    if (this.total <= this.totalCap && this.metaTotal <= this.metaCap) return
    // Bounded: each step empties a record and takes it out of the list, or passes `record` once.
    for (let n = this.head; n !== null;) {
      if (this.total <= this.totalCap && this.metaTotal <= this.metaCap) break
      const next = n.lruNext
      if (n !== record) {
        n.dropAll()
        // An emptied record leaves the order until it records again, so later trims never walk it.
        this.unlink(n)
      }
      n = next
    }
  }

  /** Forgets a record (its connection was removed), giving its buffer back. */
  release(record: R): void {
    record.dropAll()
    if (record.lruListed) this.unlink(record)
    if (this.lastTouched === record) this.lastTouched = null
  }

  private append(n: BudgetedRecord): void {
    n.lruPrev = this.tail
    n.lruNext = null
    if (this.tail) this.tail.lruNext = n
    else this.head = n
    this.tail = n
    n.lruListed = true
  }

  private unlink(n: BudgetedRecord): void {
    if (n.lruPrev) n.lruPrev.lruNext = n.lruNext
    else if (this.head === n) this.head = n.lruNext
    if (n.lruNext) n.lruNext.lruPrev = n.lruPrev
    else if (this.tail === n) this.tail = n.lruPrev
    n.lruPrev = null
    n.lruNext = null
    n.lruListed = false
  }

  /** @internal A record's buffer changed size. */
  resized(by: number): void {
    this.total += by
  }

  /** @internal A record's chunk-facts ring changed size. */
  resizedMeta(by: number): void {
    this.metaTotal += by
  }
}
