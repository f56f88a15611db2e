import type { TrafficRecord } from '@shared/model'

// `kept` value of a chunk whose bytes are those of the chunk just before it (an echo): stored once.
const REPEAT = -1

// More chunks than this waiting to be copied are copied at once (small chunks are cheap to copy).
const MAX_PENDING = 32

// A record's chunk-facts ring starts with this many slots and doubles; each slot costs META_BYTES.
const MIN_META_SLOTS = 16
const META_BYTES = 3 * 8
const EMPTY_F64 = new Float64Array(0)

// A record's buffer starts this small and doubles as it fills, so 10,000 quiet connections cost little.
const MIN_RING_BYTES = 256

/**
 * Caps shared by every record of one lab. `total` counts the bytes the records' buffers really
 * occupy, so the cap bounds memory, not just the bytes shown.
 */
export class TrafficBudget {
  total = 0
  /** Bytes of the records' chunk-facts rings (24 bytes a kept chunk), bounded by `metaCap`. */
  metaTotal = 0
  /** The most one record's buffer may hold: the per-connection cap, never more than the total. */
  readonly ringLimit: number
  // Map order is least-recently-appended first: the first entries are emptied when the total is over.
  // Least-recently-appended first, as a list threaded through the records themselves: moving a record
  // to the end allocates nothing. (A Map reordered on every chunk of two records that take turns, a
  // proxy's legs, churned its tables and cost about a third of the CPU in garbage collection.)
  private head: TrafficRecorder | null = null
  private tail: TrafficRecorder | null = null
  private lastTouched: TrafficRecorder | null = null

  constructor(
    readonly perConnection: number,
    readonly totalCap: number,
    readonly maxChunksPerConnection: number,
    /** Chunk facts of every record together; past it, the least recently used records are emptied. */
    readonly metaCap: number = 32 * 1024 * 1024
  ) {
    this.ringLimit = Math.max(0, Math.min(perConnection, totalCap))
  }

  /** Marks a record as just appended to, and empties the least recently used others while over the cap. */
  touch(record: TrafficRecorder): void {
    // The same connection again (a flood on one socket) needs no reordering: the hot path stays cheap.
    if (this.lastTouched !== record) {
      this.unlink(record)
      this.append(record)
      this.lastTouched = record
    }
    if (this.total <= this.totalCap && this.metaTotal <= this.metaCap) return
    // Bounded: each step empties a record and takes it out of the list, or passes `record` once.
    for (let r = this.head; r !== null; ) {
      if (this.total <= this.totalCap && this.metaTotal <= this.metaCap) break
      const next = r.lruNext
      if (r !== record) {
        r.dropAll()
        // An emptied record leaves the order until it records again, so later trims never walk it.
        this.unlink(r)
      }
      r = next
    }
  }

  /** Forgets a record (its connection was removed), giving its buffer back. */
  release(record: TrafficRecorder): void {
    record.dropAll()
    this.unlink(record)
    if (this.lastTouched === record) this.lastTouched = null
  }

  private append(r: TrafficRecorder): void {
    r.lruPrev = this.tail
    r.lruNext = null
    if (this.tail) this.tail.lruNext = r
    else this.head = r
    this.tail = r
    r.lruIn = true
  }

  private unlink(r: TrafficRecorder): void {
    if (!r.lruIn) return
    if (r.lruPrev) r.lruPrev.lruNext = r.lruNext
    else this.head = r.lruNext
    if (r.lruNext) r.lruNext.lruPrev = r.lruPrev
    else this.tail = r.lruPrev
    r.lruPrev = null
    r.lruNext = null
    r.lruIn = false
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

/**
 * Every chunk of one connection in both directions, boundaries kept, bytes bounded (oldest dropped
 * first). The bytes are copied into one ring buffer per connection rather than kept as references to
 * the sockets' buffers: retained socket buffers survive into V8's old generation and their external
 * memory forces a full GC every few megabytes at high throughput, which halved the echo rate.
 * Chunk facts live in typed-array rings of their own (24 bytes a chunk, bounded lab-wide), so
 * recording a chunk allocates nothing and dropping one moves nothing.
 */
export class TrafficRecorder {
  /** @internal The budget's recency list. */
  lruPrev: TrafficRecorder | null = null
  /** @internal */
  lruNext: TrafficRecorder | null = null
  /** @internal */
  lruIn = false
  private ring: Buffer | null = null
  /** Where the next byte goes; the kept bytes are the `keptBytes` before it, oldest chunk first. */
  private end = 0
  // The chunk-facts ring: slot (first + i) & (metaCap - 1) holds the i-th oldest kept chunk.
  private metaCap = 0
  // One array, three numbers a slot (one allocation a record, not three): at, sizeDir, kept, where
  // sizeDir = size * 2 + 1 for 'out' (+ 0 for 'in') and kept = bytes still in the ring, or REPEAT.
  private meta = EMPTY_F64
  private first = 0
  private count = 0
  /** The seq of the oldest kept chunk; the next chunk gets baseSeq + count. */
  private baseSeq = 0
  /** Bytes kept: copied into the ring, or still waiting in `pending` (the newest chunks). */
  keptBytes = 0
  droppedBytes = 0
  droppedChunks = 0
  // The newest chunks' bytes are not copied at once: they are referenced here and copied only when read,
  // when the connection closes, or when many small ones wait. Under a flood, a chunk leaves the kept
  // window before anyone asks for it and is never copied at all (copying every byte cost a third of the
  // echo rate). pendSlots counts the chunk slots (repeats included) at the end whose bytes are pending.
  private pendBufs: Buffer[] = []
  private pendFrom: number[] = []
  private pendLen: number[] = []
  private pendHead = 0
  private pendSlots = 0
  private pendBytes = 0

  constructor(private readonly budget: TrafficBudget) {}

  /** Bytes this record's byte buffer occupies. */
  get capacity(): number {
    return this.ring === null ? 0 : this.ring.length
  }

  /** Chunks still kept. */
  get chunkCount(): number {
    return this.count
  }

  /** The seq the last recorded chunk got, or -1. */
  get lastSeq(): number {
    return this.baseSeq + this.count - 1
  }

  /** Records one read or write; `bytes` must not be changed afterwards (it is copied later, if at all). */
  add(dir: 'in' | 'out', bytes: Buffer, at: number): void {
    const limit = this.budget.ringLimit
    let n = bytes.length
    let from = 0
    if (n > limit) {
      // Only the tail can ever be shown.
      this.droppedBytes += n - limit
      from = n - limit
      n = limit
    }
    if (this.count >= this.budget.maxChunksPerConnection) this.dropOldest()
    // The ring is sized for everything kept, pending bytes included, so settling never has to grow it.
    if (this.keptBytes + n > this.capacity) this.grow(this.keptBytes + n)
    if (this.keptBytes + n > this.capacity) this.trimTo(this.capacity - n)
    this.push(at, bytes.length * 2 + (dir === 'out' ? 1 : 0), n)
    this.keptBytes += n
    this.pendSlots++
    if (n > 0) {
      this.pendBufs.push(bytes)
      this.pendFrom.push(from)
      this.pendLen.push(n)
      this.pendBytes += n
      // Many small chunks are cheap to copy and costly to hold on to one by one.
      if (this.pendBufs.length - this.pendHead > MAX_PENDING) this.settle()
    }
    this.budget.touch(this)
  }

  /** Copies the bytes still waiting into the ring, and lets go of the sockets' buffers. */
  settle(): void {
    if (this.pendBufs.length - this.pendHead > 0 && this.ring !== null) {
      const cap = this.ring.length
      for (let i = this.pendHead; i < this.pendBufs.length; i++) {
        const b = this.pendBufs[i]
        const from = this.pendFrom[i]
        const n = this.pendLen[i]
        const firstPart = Math.min(n, cap - this.end)
        b.copy(this.ring, this.end, from, from + firstPart)
        if (firstPart < n) b.copy(this.ring, 0, from + firstPart, from + n)
        this.end = (this.end + n) % cap
      }
    }
    this.clearPending()
  }

  /**
   * Records a chunk whose bytes are exactly those of the chunk recorded last (an echo writes back the
   * very buffer it read): the bytes are not copied again, halving the recording cost of an echo.
   */
  addRepeat(dir: 'in' | 'out', at: number): void {
    if (this.count === 0) return
    const last = this.slot(this.count - 1) * 3
    const sourceKept = this.meta[last + 2]
    // A repeat of a repeat would need a chain; the caller only repeats a chunk it just added.
    if (sourceKept === REPEAT) return
    const size = Math.floor(this.meta[last + 1] / 2)
    if (this.count >= this.budget.maxChunksPerConnection) {
      // Dropping the oldest might take this very source (a cap of 1 or 2): then there is nothing to repeat.
      this.dropOldest()
      if (this.count === 0 || this.meta[this.slot(this.count - 1) * 3 + 2] !== sourceKept) return
    }
    this.push(at, size * 2 + (dir === 'out' ? 1 : 0), REPEAT)
    // Its bytes are its source's: pending if the source's are.
    if (this.pendSlots > 0) this.pendSlots++
    this.droppedBytes += size - sourceKept
  }

  /** Drops the oldest chunks until at most `limit` bytes remain; the buffers stay. */
  trimTo(limit: number): void {
    while (this.count > 0 && this.keptBytes > limit) {
      const j = this.first * 3 + 2
      const k = this.meta[j]
      if (k === REPEAT) {
        this.dropOldest()
        continue
      }
      const excess = this.keptBytes - limit
      if (excess < k) {
        // Keep the chunk's tail so the newest bytes survive exactly; a repeat right after it shares them.
        this.meta[j] = k - excess
        this.keptBytes -= excess
        if (this.count <= this.pendSlots) {
          // The oldest chunk is itself still pending: its reference starts later now.
          this.pendFrom[this.pendHead] += excess
          this.pendLen[this.pendHead] -= excess
          this.pendBytes -= excess
        }
        this.droppedBytes += excess * (this.repeatFollows() ? 2 : 1)
        break
      }
      this.dropOldest()
    }
  }

  /** Drops every kept byte and gives the buffers back (the lab is over its total, or forgot the connection). */
  dropAll(): void {
    this.droppedChunks += this.count
    this.droppedBytes += this.keptBytes
    for (let i = 0; i < this.count; i++) {
      // A repeat shows its source's bytes: they are dropped for it too.
      if (this.meta[this.slot(i) * 3 + 2] === REPEAT && i > 0) this.droppedBytes += Math.max(0, this.meta[this.slot(i - 1) * 3 + 2])
    }
    this.baseSeq += this.count
    this.count = 0
    this.first = 0
    this.keptBytes = 0
    this.clearPending()
    this.budget.resized(-this.capacity)
    this.budget.resizedMeta(-this.metaCap * META_BYTES)
    this.ring = null
    this.end = 0
    this.metaCap = 0
    this.meta = EMPTY_F64
  }

  /** The kept chunks newer than `afterSeq`, bytes in base64. */
  read(connectionId: number, afterSeq = -1): TrafficRecord {
    this.settle()
    const out: TrafficRecord['chunks'] = []
    const cap = this.capacity
    let pos = cap === 0 ? 0 : (this.end - this.keptBytes + cap) % cap
    let prevPos = pos
    let prevKept = 0
    for (let i = 0; i < this.count; i++) {
      const j = this.slot(i) * 3
      const repeat = this.meta[j + 2] === REPEAT
      const k = repeat ? prevKept : this.meta[j + 2]
      const from = repeat ? prevPos : pos
      const seq = this.baseSeq + i
      if (seq > afterSeq) {
        const sd = this.meta[j + 1]
        out.push({
          seq,
          at: this.meta[j],
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
      nextSeq: this.baseSeq + this.count
    }
  }

  private clearPending(): void {
    if (this.pendBufs.length > 0) {
      this.pendBufs = []
      this.pendFrom = []
      this.pendLen = []
    }
    this.pendHead = 0
    this.pendSlots = 0
    this.pendBytes = 0
  }

  private compactPending(): void {
    this.pendBufs = this.pendBufs.slice(this.pendHead)
    this.pendFrom = this.pendFrom.slice(this.pendHead)
    this.pendLen = this.pendLen.slice(this.pendHead)
    this.pendHead = 0
  }

  private slot(i: number): number {
    return (this.first + i) & (this.metaCap - 1)
  }

  private repeatFollows(): boolean {
    return this.count > 1 && this.meta[this.slot(1) * 3 + 2] === REPEAT
  }

  /** Drops the oldest whole chunk, and the repeat that shares its bytes. */
  private dropOldest(): void {
    if (this.count === 0) return
    const k = this.meta[this.first * 3 + 2]
    const shared = k !== REPEAT && this.repeatFollows() ? 2 : 1
    const bytes = k === REPEAT ? 0 : k
    if (this.count <= this.pendSlots) {
      // Dropped before it was ever copied: the cheap case under a flood.
      this.pendSlots -= shared
      if (bytes > 0) {
        this.pendBytes -= this.pendLen[this.pendHead]
        this.pendHead++
        if (this.pendHead === this.pendBufs.length) this.clearPending()
        else if (this.pendHead > 64) this.compactPending()
      }
    }
    this.keptBytes -= bytes
    this.droppedBytes += bytes * shared
    this.droppedChunks += shared
    this.first = (this.first + shared) & (this.metaCap - 1)
    this.count -= shared
    this.baseSeq += shared
  }

  private push(at: number, sizeDir: number, kept: number): void {
    if (this.count === this.metaCap) this.growMeta()
    const j = this.slot(this.count) * 3
    this.meta[j] = at
    this.meta[j + 1] = sizeDir
    this.meta[j + 2] = kept
    this.count++
  }

  /** Doubles the chunk-facts ring (16 slots first), keeping the order; counted in the budget's metaTotal. */
  private growMeta(): void {
    const size = Math.max(MIN_META_SLOTS, this.metaCap * 2)
    const meta = new Float64Array(size * 3)
    for (let i = 0; i < this.count; i++) {
      const j = this.slot(i) * 3
      meta[i * 3] = this.meta[j]
      meta[i * 3 + 1] = this.meta[j + 1]
      meta[i * 3 + 2] = this.meta[j + 2]
    }
    this.budget.resizedMeta((size - this.metaCap) * META_BYTES)
    this.meta = meta
    this.first = 0
    this.metaCap = size
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
    const inRing = this.keptBytes - this.pendBytes
    if (this.ring !== null && inRing > 0) this.bytesAt((this.end - inRing + cap) % cap, inRing).copy(ring, 0)
    this.ring = ring
    this.end = inRing % size
    this.budget.resized(size - cap)
  }
}
