import type { TrafficGap, TrafficRecord } from '@shared/model'
import { TrafficBudget } from './traffic-budget'
import type { BudgetedRecord } from './traffic-budget'

export { DEFAULT_FLOOD_POLICY, TrafficBudget } from './traffic-budget'

// `kept` value of a chunk whose bytes are those of the chunk just before it (an echo): stored once.
const REPEAT = -1
// `kept` value of a chunk whose bytes were not kept at all under the flood policy (its facts are).
const FLOOD = -2

// A record's chunk-facts ring starts with this many slots and doubles; each slot costs META_BYTES. Two slots
// (48 bytes) stay inside V8's heap (typed arrays up to 64 bytes do): a short connection costs no off-heap store.
const MIN_META_SLOTS = 2
const META_BYTES = 3 * 8
const EMPTY_F64 = new Float64Array(0)

/**
 * The last budget.tailBytes of the latest chunk of one direction that was not kept (copied, not referenced);
 * an echo's tail mirrors its source's instead (`mirror` = the source's seq), copying nothing.
 */
interface FloodTail {
  buf: Buffer | null
  len: number
  seq: number
  mirror: number
}

// A record's buffer starts this small and doubles as it fills, so 10,000 quiet connections cost little.
const MIN_RING_BYTES = 64

/** The tails index (0 in, 1 out) of a chunk's sizeDir. */
function sourceDirOf(sizeDir: number): 0 | 1 {
  return sizeDir % 2 === 1 ? 1 : 0
}

/**
 * Every chunk of one connection in both directions, boundaries kept, bytes bounded (oldest dropped
 * first). Chunk facts (time, direction, size) are always recorded, in typed-array rings (24 bytes a
 * chunk, bounded lab-wide), so recording a chunk allocates nothing. Bytes are copied at once into one
 * preallocated ring buffer per connection, never kept as references to the sockets' buffers across
 * turns of the event loop (retained socket buffers get promoted and are freed only by full GCs).
 * Under the budget's flood policy only a bounded share is copied: the connection's head, then what
 * its keep rate allows (sampled windows under a flood); other chunks are marked "not kept (flood)"
 * with exact sizes, so nothing on the per-chunk path touches every byte of a flood.
 */
export class TrafficRecorder {
  private ring: Buffer | null = null
  /** Where the next byte goes; the kept bytes are the `keptBytes` before it, oldest chunk first. */
  private end = 0
  // The chunk-facts ring: slot (first + i) & (metaCap - 1) holds the i-th oldest kept chunk.
  private metaCap = 0
  // One array, three numbers a slot (one allocation a record, not three): at, sizeDir, kept, where
  // sizeDir = size * 2 + 1 for 'out' (+ 0 for 'in') and kept = bytes still in the ring, REPEAT or FLOOD.
  private meta = EMPTY_F64
  private first = 0
  private count = 0
  /** The seq of the oldest kept chunk; the next chunk gets baseSeq + count. */
  private baseSeq = 0
  /** Bytes kept in the ring. */
  keptBytes = 0
  /** Bytes (and chunk facts) dropped to stay within the caps, oldest first. */
  droppedBytes = 0
  droppedChunks = 0
  /** Bytes (and chunks) counted but never kept under the flood policy. */
  floodBytes = 0
  floodChunks = 0
  // Flood policy state: head bytes still to keep in full, and the keep-rate token bucket.
  private headLeft: number
  private tokens: number
  private tokensAt = 0
  // [in, out]: allocated at a connection's first chunk not kept, so quiet connections pay nothing.
  private readonly tails: [FloodTail | null, FloodTail | null] = [null, null]
  /** @internal The budget's recency list runs through its records (see TrafficBudget). */
  lruPrev: BudgetedRecord | null = null
  lruNext: BudgetedRecord | null = null
  lruListed = false

  constructor(private readonly budget: TrafficBudget) {
    this.headLeft = budget.flood?.headBytes ?? 0
    this.tokens = budget.flood?.keepBurstBytes ?? 0
  }

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

  /** Records one read or write: its facts always, its bytes (copied now) as the flood policy allows. */
  add(dir: 'in' | 'out', bytes: Buffer, at: number): void {
    const size = bytes.length
    if (this.count >= this.budget.maxChunksPerConnection) this.dropOldest()
    const limit = this.budget.ringLimit
    // Only the tail of a chunk larger than the per-connection cap can ever be shown.
    const n = Math.min(size, limit)
    if (n > 0 && !this.mayKeep(n, at)) {
      this.keepTail(dir === 'out' ? 1 : 0, bytes)
      this.push(at, size * 2 + (dir === 'out' ? 1 : 0), FLOOD)
      this.floodBytes += size
      this.floodChunks++
      this.budget.touch(this)
      return
    }
    this.droppedBytes += size - n
    if (this.keptBytes + n > this.capacity) this.grow(this.keptBytes + n)
    if (this.keptBytes + n > this.capacity) this.trimTo(this.capacity - n)
    if (n > 0 && this.ring !== null) {
      const cap = this.ring.length
      const from = size - n
      const firstPart = Math.min(n, cap - this.end)
      bytes.copy(this.ring, this.end, from, from + firstPart)
      if (firstPart < n) bytes.copy(this.ring, 0, from + firstPart, size)
      this.end = (this.end + n) % cap
    }
    this.push(at, size * 2 + (dir === 'out' ? 1 : 0), n)
    this.keptBytes += n
    this.budget.touch(this)
  }

  /** Kept for callers of the former lazy copy: bytes are copied when recorded, nothing waits. */
  settle(): void {}

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
    if (sourceKept === FLOOD) {
      // Its source was not kept: neither is the echo, and it says so (with the same tail).
      const src = this.tails[sourceDirOf(this.meta[last + 1])]
      const srcSeq = this.lastSeq
      if (this.count >= this.budget.maxChunksPerConnection) this.dropOldest()
      const d = dir === 'out' ? 1 : 0
      if (src !== null && src.seq === srcSeq && src.mirror < 0 && d !== sourceDirOf(this.meta[last + 1])) {
        const t = (this.tails[d] ??= this.newTail(false))
        t.seq = this.baseSeq + this.count
        t.len = src.len
        t.mirror = srcSeq
      }
      this.push(at, size * 2 + (dir === 'out' ? 1 : 0), FLOOD)
      this.floodBytes += size
      this.floodChunks++
      return
    }
    if (this.count >= this.budget.maxChunksPerConnection) {
      // Dropping the oldest might take this very source (a cap of 1 or 2): then there is nothing to repeat.
      this.dropOldest()
      if (this.count === 0 || this.meta[this.slot(this.count - 1) * 3 + 2] !== sourceKept) return
    }
    this.push(at, size * 2 + (dir === 'out' ? 1 : 0), REPEAT)
    this.droppedBytes += size - sourceKept
  }

  /** Drops the oldest chunks until at most `limit` bytes remain; the buffers stay. */
  trimTo(limit: number): void {
    while (this.count > 0 && this.keptBytes > limit) {
      const j = this.first * 3 + 2
      const k = this.meta[j]
      if (k === REPEAT || k === FLOOD) {
        this.dropOldest()
        continue
      }
      const excess = this.keptBytes - limit
      if (excess < k) {
        // Keep the chunk's tail so the newest bytes survive exactly; a repeat right after it shares them.
        this.meta[j] = k - excess
        this.keptBytes -= excess
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
    for (let i = 1; i < this.count; i++) {
      // A repeat shows its source's bytes: they are dropped for it too.
      if (this.meta[this.slot(i) * 3 + 2] === REPEAT)
        this.droppedBytes += Math.max(0, this.meta[this.slot(i - 1) * 3 + 2])
    }
    this.baseSeq += this.count
    this.count = 0
    this.first = 0
    this.keptBytes = 0
    this.budget.resized(-this.capacity)
    this.budget.resizedMeta(-this.metaCap * META_BYTES)
    for (const d of [0, 1] as const) {
      if (this.tails[d]?.buf) this.budget.resized(-this.budget.tailBytes)
      this.tails[d] = null
    }
    this.ring = null
    this.end = 0
    this.metaCap = 0
    this.meta = EMPTY_F64
  }

  /** The kept chunks newer than `afterSeq`, bytes in base64, runs of chunks not kept as gap markers. */
  read(connectionId: number, afterSeq = -1): TrafficRecord {
    const out: TrafficRecord['chunks'] = []
    const gaps: TrafficGap[] = []
    let gap: TrafficGap | null = null
    const cap = this.capacity
    let pos = cap === 0 ? 0 : (this.end - this.keptBytes + cap) % cap
    let prevPos = pos
    let prevKept = 0
    for (let i = 0; i < this.count; i++) {
      const j = this.slot(i) * 3
      const kept = this.meta[j + 2]
      const repeat = kept === REPEAT
      const flood = kept === FLOOD
      const seq = this.baseSeq + i
      const tail = flood ? this.tailOf(this.meta[j + 1], seq) : null
      const k = repeat ? prevKept : flood ? (tail?.len ?? 0) : kept
      const from = repeat ? prevPos : pos
      if (seq > afterSeq) {
        const sd = this.meta[j + 1]
        const size = Math.floor(sd / 2)
        const data = tail !== null ? tail.buf.subarray(0, tail.len) : flood ? null : this.bytesAt(from, k)
        const chunk: TrafficRecord['chunks'][number] = {
          seq,
          at: this.meta[j],
          dir: sd % 2 === 1 ? 'out' : 'in',
          size,
          data: data === null ? '' : data.toString('base64'),
          keptBytes: k
        }
        if (flood) {
          chunk.notKept = 'flood'
          if (gap === null)
            gaps.push((gap = { kind: 'gap', reason: 'flood', fromSeq: seq, toSeq: seq, chunks: 0, bytes: 0 }))
          gap.toSeq = seq
          gap.chunks++
          gap.bytes += size - k
        } else gap = null
        out.push(chunk)
      }
      if (!repeat && !flood) {
        prevPos = pos
        prevKept = k
        if (cap > 0) pos = (pos + k) % cap
      }
    }
    const record: TrafficRecord = {
      connectionId,
      chunks: out,
      droppedChunks: this.droppedChunks,
      droppedBytes: this.droppedBytes,
      nextSeq: this.baseSeq + this.count
    }
    // Only under a flood: the response stays exactly as before for everything else.
    if (this.floodChunks > 0) {
      record.gaps = gaps
      // A tail still shown is kept, not lost.
      record.floodBytes = this.floodBytes - this.shownTailBytes()
      record.floodChunks = this.floodChunks
    }
    return record
  }

  /** Whether the flood policy lets `n` more bytes be copied at time `at` (head first, then the keep rate). */
  private mayKeep(n: number, at: number): boolean {
    const f = this.budget.flood
    if (f === null) return true
    if (this.headLeft > 0) {
      // The head (handshakes, requests) is kept whole, even the chunk that crosses its end.
      this.headLeft -= n
      return true
    }
    if (at > this.tokensAt) {
      this.tokens = Math.min(f.keepBurstBytes, this.tokens + ((at - this.tokensAt) * f.keepBytesPerSecond) / 1000)
      this.tokensAt = at
    }
    if (this.tokens < n || !this.budget.takeLabTokens(n, at)) return false
    this.tokens -= n
    return true
  }

  /** Copies the newest tail bytes of a chunk not kept into its direction's tail (replacing the one before). */
  private keepTail(d: 0 | 1, bytes: Buffer): void {
    if (this.budget.tailBytes === 0) return
    const t = (this.tails[d] ??= this.newTail(true))
    t.buf ??= this.allocTail()
    const len = Math.min(bytes.length, this.budget.tailBytes)
    bytes.copy(t.buf, 0, bytes.length - len, bytes.length)
    t.len = len
    t.seq = this.baseSeq + this.count
    t.mirror = -1
  }

  private newTail(withBuffer: boolean): FloodTail {
    return { buf: withBuffer ? this.allocTail() : null, len: 0, seq: -1, mirror: -1 }
  }

  private allocTail(): Buffer {
    this.budget.resized(this.budget.tailBytes)
    return Buffer.allocUnsafeSlow(this.budget.tailBytes)
  }

  /** The bytes shown for the chunk not kept at `seq`: its direction's tail if it is the latest one. */
  private tailOf(sizeDir: number, seq: number): { buf: Buffer; len: number } | null {
    const d = sourceDirOf(sizeDir)
    const t = this.tails[d]
    if (t === null || t.seq !== seq) return null
    if (t.mirror < 0) return t.buf === null ? null : { buf: t.buf, len: t.len }
    // A mirror shows its source's tail while that one is still the source's (a newer chunk replaces it).
    const src = this.tails[d === 0 ? 1 : 0]
    return src !== null && src.seq === t.mirror && src.mirror < 0 && src.buf !== null
      ? { buf: src.buf, len: src.len }
      : null
  }

  /** Bytes of the tails still shown (their chunks' facts are kept). */
  private shownTailBytes(): number {
    let n = 0
    for (const t of this.tails) {
      if (t === null || t.seq < this.baseSeq || t.seq >= this.baseSeq + this.count) continue
      const shown = this.tailOf(t === this.tails[1] ? 1 : 0, t.seq)
      if (shown !== null) n += shown.len
    }
    return n
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
    if (k === FLOOD) {
      // Its tail goes with it: those bytes stay counted as not kept.
      const t = this.tails[sourceDirOf(this.meta[this.first * 3 + 1])]
      if (t !== null && t.seq === this.baseSeq) t.seq = -1
    }
    const shared = k >= 0 && this.repeatFollows() ? 2 : 1
    const bytes = k >= 0 ? k : 0
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

  /** Doubles the chunk-facts ring (4 slots first), keeping the order; counted in the budget's metaTotal. */
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
    if (this.ring !== null && this.keptBytes > 0)
      this.bytesAt((this.end - this.keptBytes + cap) % cap, this.keptBytes).copy(ring, 0)
    this.ring = ring
    this.end = this.keptBytes % size
    this.budget.resized(size - cap)
  }
}
