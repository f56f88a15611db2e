import type { TrafficRecord } from '@shared/model'

interface Chunk {
  seq: number
  at: number
  dir: 'in' | 'out'
  size: number
  // The kept bytes; a reference to the socket's own buffer (no copy on the hot path).
  bytes: Buffer
}

/** Caps shared by every record of one lab. */
export class TrafficBudget {
  total = 0
  // Map order is least-recently-appended first: the first entries are trimmed when the total is over.
  private readonly records = new Map<TrafficRecorder, true>()

  constructor(
    readonly perConnection: number,
    readonly totalCap: number,
    readonly maxChunksPerConnection: number
  ) {}

  /** Marks a record as just appended to, and trims others while the lab's total is over its cap. */
  touch(record: TrafficRecorder): void {
    this.records.delete(record)
    this.records.set(record, true)
    if (this.total <= this.totalCap) return
    for (const r of this.records.keys()) {
      if (this.total <= this.totalCap) break
      if (r === record) continue
      r.dropAll()
      // An emptied record leaves the order until it records again, so later trims never walk it.
      this.records.delete(r)
    }
    if (this.total > this.totalCap) record.trimTo(Math.max(0, record.keptBytes - (this.total - this.totalCap)))
  }

  /** Forgets a record (its connection was removed). */
  release(record: TrafficRecorder): void {
    record.dropAll()
    this.records.delete(record)
  }
}

/** Every chunk of one connection in both directions, boundaries kept, bytes bounded (oldest dropped first). */
export class TrafficRecorder {
  private chunks: Chunk[] = []
  private head = 0
  private nextSeq = 0
  keptBytes = 0
  droppedBytes = 0
  droppedChunks = 0

  constructor(private readonly budget: TrafficBudget) {}

  /** Records one read or write; `bytes` must not be mutated afterwards by the caller. */
  add(dir: 'in' | 'out', bytes: Buffer, at: number): void {
    const cap = this.budget.perConnection
    let kept = bytes
    if (bytes.length > cap) {
      // Only the tail can ever be shown; copy it so the large buffer can be freed.
      kept = Buffer.from(bytes.subarray(bytes.length - cap))
      this.droppedBytes += bytes.length - cap
    }
    this.chunks.push({ seq: this.nextSeq++, at, dir, size: bytes.length, bytes: kept })
    this.keptBytes += kept.length
    this.budget.total += kept.length
    if (this.keptBytes > cap || this.chunks.length - this.head > this.budget.maxChunksPerConnection) {
      this.trimTo(cap)
    }
    this.budget.touch(this)
  }

  /** Drops the oldest chunks until at most `limit` bytes (and the chunk cap) remain. */
  trimTo(limit: number): void {
    const maxChunks = this.budget.maxChunksPerConnection
    while (this.head < this.chunks.length && (this.keptBytes > limit || this.chunks.length - this.head > maxChunks)) {
      const c = this.chunks[this.head]
      const excess = this.keptBytes - limit
      if (excess > 0 && excess < c.bytes.length && this.chunks.length - this.head <= maxChunks) {
        // Keep the chunk's tail so the newest bytes survive exactly.
        c.bytes = c.bytes.subarray(excess)
        this.keptBytes -= excess
        this.budget.total -= excess
        this.droppedBytes += excess
        break
      }
      this.head++
      this.keptBytes -= c.bytes.length
      this.budget.total -= c.bytes.length
      this.droppedBytes += c.bytes.length
      this.droppedChunks++
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
  }

  /** Drops every kept byte (the lab is over its total budget). */
  dropAll(): void {
    this.trimTo(0)
  }

  /** The kept chunks newer than `afterSeq`, bytes in base64. */
  read(connectionId: number, afterSeq = -1): TrafficRecord {
    const out: TrafficRecord['chunks'] = []
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i]
      if (c.seq <= afterSeq) continue
      out.push({ seq: c.seq, at: c.at, dir: c.dir, size: c.size, data: c.bytes.toString('base64'), keptBytes: c.bytes.length })
    }
    return {
      connectionId,
      chunks: out,
      droppedChunks: this.droppedChunks,
      droppedBytes: this.droppedBytes,
      nextSeq: this.nextSeq
    }
  }
}
