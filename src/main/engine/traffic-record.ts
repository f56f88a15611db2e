import type { TrafficRecord } from '@shared/model'

// `kept` value of a chunk whose bytes are those of the chunk just before it (an echo): stored once.
const REPEAT = -1

// A record's buffer starts this small and doubles as it fills, so 10,000 quiet connections cost little.
const MIN_RING_BYTES = 256

/**
 * Caps shared by every record of one lab. `total` counts the bytes the records' buffers really
 * occupy, so the cap bounds memory, not just the bytes shown.
 */
export class TrafficBudget {
  total = 0
  /** The most one record's buffer may hold: the per-connection cap, never more than the total. */
  readonly ringLimit: number
  // Map order is least-recently-appended first: the first entries are emptied when the total is over.
  private readonly records = new Map<TrafficRecorder, true>()
  private lastTouched: TrafficRecorder | null = null

  constructor(
    readonly perConnection: number,
    readonly totalCap: number,
    readonly maxChunksPerConnection: number
  ) {
    this.ringLimit = Math.max(0, Math.min(perConnection, totalCap))
  }

  /** Marks a record as just appended to, and empties the least recently used others while over the cap. */
  touch(record: TrafficRecorder): void {
    // The same connection again (a flood on one socket) needs no reordering: the hot path stays cheap.
    if (this.lastTouched !== record) {
      this.records.delete(record)
      this.records.set(record, true)
      this.lastTouched = record
    }
    if (this.total <= this.totalCap) return
    for (const r of this.records.keys()) {
      if (this.total <= this.totalCap) break
      if (r === record) continue
      r.dropAll()
      // An emptied record leaves the order until it records again, so later trims never walk it.
      this.records.delete(r)
    }
  }

  /** Forgets a record (its connection was removed), giving its buffer back. */
  release(record: TrafficRecorder): void {
    record.dropAll()
    this.records.delete(record)
    if (this.lastTouched === record) this.lastTouched = null
  }

  /** @internal A record's buffer changed size. */
  resized(by: number): void {
    this.total += by
  }
}

/**
 * Every chunk of one connection in both directions, boundaries kept, bytes bounded (oldest dropped
 * first). The bytes are copied into one ring buffer per connection rather than kept as references to
 * the sockets' buffers: retained socket buffers survive into V8's old generation and their external
 * memory forces a full GC every few megabytes at high throughput, which halved the echo rate.
 * Chunk facts live in parallel number arrays, so a chunk allocates no object either.
 */
export class TrafficRecorder {
  private ring: Buffer | null = null
  /** Where the next byte goes; the kept bytes are the `keptBytes` before it, oldest chunk first. */
  private end = 0
  private at: number[] = []
  /** size * 2 + 1 for 'out', + 0 for 'in'. */
  private sizeDir: number[] = []
  private kept: number[] = []
  /** Index of the oldest kept chunk in the arrays; the seq of index i is baseSeq + i. */
  private head = 0
  private baseSeq = 0
  keptBytes = 0
  droppedBytes = 0
  droppedChunks = 0

  constructor(private readonly budget: TrafficBudget) {}

  /** Bytes this record's buffer occupies. */
  get capacity(): number {
    return this.ring === null ? 0 : this.ring.length
  }

  /** Chunks still kept. */
  get chunkCount(): number {
    return this.kept.length - this.head
  }

  /** Records one read or write (the bytes are copied; the caller may reuse its buffer). */
  add(dir: 'in' | 'out', bytes: Buffer, at: number): void {
    const limit = this.budget.ringLimit
    let src = bytes
    if (src.length > limit) {
      // Only the tail can ever be shown.
      this.droppedBytes += src.length - limit
      src = src.subarray(src.length - limit)
    }
    const n = src.length
    if (this.keptBytes + n > this.capacity) this.grow(this.keptBytes + n)
    if (this.keptBytes + n > this.capacity) this.trimTo(this.capacity - n)
    if (n > 0 && this.ring !== null) {
      const cap = this.ring.length
      const first = Math.min(n, cap - this.end)
      src.copy(this.ring, this.end, 0, first)
      if (first < n) src.copy(this.ring, 0, first, n)
      this.end = (this.end + n) % cap
    }
    this.at.push(at)
    this.sizeDir.push(bytes.length * 2 + (dir === 'out' ? 1 : 0))
    this.kept.push(n)
    this.keptBytes += n
    if (this.chunkCount > this.budget.maxChunksPerConnection) this.trimTo(this.keptBytes)
    this.budget.touch(this)
  }

  /** The seq the last recorded chunk got, or -1. */
  get lastSeq(): number {
    return this.baseSeq + this.kept.length - 1
  }

  /**
   * Records a chunk whose bytes are exactly those of the chunk recorded last (an echo writes back the
   * very buffer it read): the bytes are not copied again, halving the recording cost of an echo.
   */
  addRepeat(dir: 'in' | 'out', at: number): void {
    const last = this.kept.length - 1
    if (last < this.head) return
    const sourceKept = this.kept[last]
    const size = Math.floor(this.sizeDir[last] / 2)
    // A repeat of a repeat would need a chain; the caller only repeats a chunk it just added.
    if (sourceKept === REPEAT) return
    this.at.push(at)
    this.sizeDir.push(size * 2 + (dir === 'out' ? 1 : 0))
    this.kept.push(REPEAT)
    this.droppedBytes += size - sourceKept
    if (this.chunkCount > this.budget.maxChunksPerConnection) this.trimTo(this.keptBytes)
  }

  /** Drops the oldest chunks until at most `limit` bytes (and the chunk cap) remain; the buffer stays. */
  trimTo(limit: number): void {
    const maxChunks = this.budget.maxChunksPerConnection
    while (this.head < this.kept.length && (this.keptBytes > limit || this.chunkCount > maxChunks)) {
      const k = this.kept[this.head]
      if (k === REPEAT) {
        // Only reachable through the chunk cap: a repeat whose source already went.
        this.head++
        this.droppedChunks++
        continue
      }
      // A repeat right after this chunk shares its bytes: whatever this chunk loses, it loses too.
      const shared = this.head + 1 < this.kept.length && this.kept[this.head + 1] === REPEAT ? 2 : 1
      const excess = this.keptBytes - limit
      if (excess > 0 && excess < k && this.chunkCount <= maxChunks) {
        // Keep the chunk's tail so the newest bytes survive exactly.
        this.kept[this.head] = k - excess
        this.keptBytes -= excess
        this.droppedBytes += excess * shared
        break
      }
      this.head += shared
      this.keptBytes -= k
      this.droppedBytes += k * shared
      this.droppedChunks += shared
    }
    if (this.head > 1024 && this.head * 2 > this.kept.length) {
      this.at.splice(0, this.head)
      this.sizeDir.splice(0, this.head)
      this.kept.splice(0, this.head)
      this.baseSeq += this.head
      this.head = 0
    }
  }

  /** Drops every kept byte and gives the buffer back (the lab is over its total, or forgot the connection). */
  dropAll(): void {
    this.droppedChunks += this.chunkCount
    this.droppedBytes += this.keptBytes
    this.baseSeq += this.kept.length
    this.at = []
    this.sizeDir = []
    this.kept = []
    this.head = 0
    this.keptBytes = 0
    this.budget.resized(-this.capacity)
    this.ring = null
    this.end = 0
  }

  /** The kept chunks newer than `afterSeq`, bytes in base64. */
  read(connectionId: number, afterSeq = -1): TrafficRecord {
    const out: TrafficRecord['chunks'] = []
    const cap = this.capacity
    let pos = cap === 0 ? 0 : (this.end - this.keptBytes + cap) % cap
    let prevPos = pos
    let prevKept = 0
    for (let i = this.head; i < this.kept.length; i++) {
      const repeat = this.kept[i] === REPEAT
      const k = repeat ? prevKept : this.kept[i]
      const from = repeat ? prevPos : pos
      const seq = this.baseSeq + i
      if (seq > afterSeq) {
        const sd = this.sizeDir[i]
        out.push({
          seq,
          at: this.at[i],
          dir: sd % 2 === 1 ? 'out' : 'in',
          size: Math.floor(sd / 2),
          data: this.bytesAt(from, k).toString('base64'),
          keptBytes: k
        })
      }
      if (!repeat) {
        prevPos = pos
        prevKept = k
        if (cap > 0) pos = (pos + k) % cap
      }
    }
    return {
      connectionId,
      chunks: out,
      droppedChunks: this.droppedChunks,
      droppedBytes: this.droppedBytes,
      nextSeq: this.baseSeq + this.kept.length
    }
  }

  private bytesAt(pos: number, length: number): Buffer {
    if (this.ring === null || length === 0) return Buffer.alloc(0)
    const cap = this.ring.length
    if (pos + length <= cap) return this.ring.subarray(pos, pos + length)
    return Buffer.concat([this.ring.subarray(pos), this.ring.subarray(0, length - (cap - pos))])
  }

  /** Enlarges the buffer (doubling, up to the limit) to hold `needed` bytes, keeping the kept bytes in order. */
  private grow(needed: number): void {
    const limit = this.budget.ringLimit
    const cap = this.capacity
    if (cap >= limit) return
    let size = Math.max(MIN_RING_BYTES, cap)
    while (size < needed) size *= 2
    size = Math.min(size, limit)
    const ring = Buffer.allocUnsafeSlow(size)
    if (this.ring !== null && this.keptBytes > 0) this.bytesAt((this.end - this.keptBytes + cap) % cap, this.keptBytes).copy(ring, 0)
    this.ring = ring
    this.end = this.keptBytes % size
    this.budget.resized(size - cap)
  }
}
