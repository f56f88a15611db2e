import { mkdir, open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { RecordStatus } from '@shared/model'
import type { ConnectionMark, ConnectionTap, LabConnection } from '../lab-connection'
import { LabFailure } from '../errors'
import { ConnectionPacketizer } from './connection-flow'
import { interfaceBlock, LINKTYPE_RAW, packetBlock, packetBlockParts, sectionHeaderBlock } from './pcapng'
import { CAPTURE_APP, SYNTH_NOTE } from './export-pcapng'
import type { SynthPacket } from './tcp-synth'
import { isMirror } from './mirror-pairs'

/** The documented default disk budget of one recording: 1 GiB. */
export const DEFAULT_RECORD_BUDGET = 1024 * 1024 * 1024
/** Queued work is written at least this often, so a crash loses at most about a second. */
export const RECORD_FLUSH_MS = 250
/** The file is fsynced at most this often. */
const SYNC_MS = 1_000
/** Bytes waiting (chunks not yet turned into packets, packets not yet written) past which new bytes are dropped and counted. */
export const RECORD_QUEUE_MAX = 64 * 1024 * 1024
/** Payload bytes turned into packets per event-loop turn, so a flood never stalls the lab. */
const WORK_PER_TURN = 4 * 1024 * 1024
/** Room kept in the budget for the closing comment. */
const BUDGET_RESERVE = 4 * 1024

type Item =
  | { conn: LabConnection; kind: 'open'; at: number; midway: boolean; before: { in: number; out: number } }
  | { conn: LabConnection; kind: 'data'; dir: 'in' | 'out'; chunk: Buffer; at: number }
  | { conn: LabConnection; kind: 'mark'; mark: ConnectionMark }
  | { conn: LabConnection; kind: 'lost'; dir: 'in' | 'out'; bytes: number; chunks: number }

/** Where the recorder tells the lab what happened (a notice in the event stream). */
export type RecordNotice = (level: 'info' | 'warning' | 'error', message: string) => void

/** A file name no one has: `tcp-lab-2026-12-01T22-30-00-<pid>[-n].pcapng`, created with 'wx' (never overwrites). */
async function createUniqueFile(dir: string): Promise<{ path: string; fh: FileHandle }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
  // Bounded: 1,000 names tried at most.
  for (let n = 0; n < 1_000; n++) {
    const path = join(dir, `tcp-lab-${stamp}-${process.pid}${n === 0 ? '' : `-${n}`}.pcapng`)
    try {
      return { path, fh: await open(path, 'wx') }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  throw new LabFailure('record-file', `Could not find a free file name in ${dir}`)
}

/**
 * Writes everything the lab's connections read and write, in full, to a pcapng file: the one place that
 * touches every byte (the user asked). The per-chunk tap only queues a reference; packets are made and
 * written in batches off the hot path, bounded per turn; when the disk falls behind, new bytes are
 * dropped, counted, and marked in the file as gaps (never silently).
 */
export class DiskRecorder implements ConnectionTap {
  private readonly queue: Item[] = []
  private qHead = 0
  private queuedBytes = 0
  private out: Buffer[] = []
  private outBytes = 0
  private readonly flows = new WeakMap<LabConnection, ConnectionPacketizer>()
  private readonly attached = new Set<LabConnection>()
  private io: Promise<void> = Promise.resolve()
  private writing = false
  private pumpScheduled = false
  private lastSync = Date.now()
  private timer: NodeJS.Timeout | null = null
  private warnedSlow = false
  private budgetHit = false
  private queueMax = RECORD_QUEUE_MAX
  private stopping: Promise<RecordStatus> | null = null
  readonly status: RecordStatus

  private constructor(
    private readonly fh: FileHandle,
    path: string,
    dir: string,
    budgetBytes: number,
    private readonly notice: RecordNotice
  ) {
    this.status = {
      recording: true,
      file: path,
      dir,
      startedAt: Date.now(),
      bytesWritten: 0,
      budgetBytes,
      droppedBytes: 0,
      packets: 0,
      stoppedReason: null
    }
  }

  /** Creates a new file in `dir` (made if missing) and starts writing its header. */
  static async start(
    dir: string,
    budgetBytes: number,
    notice: RecordNotice,
    opts: { queueMax?: number } = {}
  ): Promise<DiskRecorder> {
    const abs = resolve(dir)
    try {
      await mkdir(abs, { recursive: true })
      const { path, fh } = await createUniqueFile(abs)
      const r = new DiskRecorder(fh, path, abs, budgetBytes, notice)
      r.queueMax = opts.queueMax ?? RECORD_QUEUE_MAX
      r.emit(sectionHeaderBlock(CAPTURE_APP, SYNTH_NOTE))
      r.emit(interfaceBlock(LINKTYPE_RAW, 'tcp-lab'))
      r.timer = setInterval(() => r.tick(), RECORD_FLUSH_MS)
      r.timer.unref()
      return r
    } catch (err) {
      if (err instanceof LabFailure) throw err
      const e = err as NodeJS.ErrnoException
      throw new LabFailure(
        'record-dir',
        `Cannot record into ${abs}: ${e.code ?? ''} ${e.message}`.trim(),
        'Choose a folder you can write to.'
      )
    }
  }

  /** Starts following a connection: from its start, or from now (with a comment saying what came before). */
  attach(conn: LabConnection, midway: boolean): void {
    if (!this.status.recording || this.attached.has(conn) || conn.closed) return
    // The lab's client talking to the lab's server: that conversation is written once, from the end attached first.
    for (const other of this.attached) if (isMirror(other, conn)) return
    this.attached.add(conn)
    conn.tap = this
    this.push(
      {
        conn,
        kind: 'open',
        at: midway ? Date.now() : conn.openedAt,
        midway,
        before: { in: conn.bytesIn, out: conn.bytesOut }
      },
      0
    )
  }

  /** ConnectionTap: one chunk read or written (only a reference is kept until it is written). */
  data(conn: LabConnection, dir: 'in' | 'out', chunk: Buffer, at: number): void {
    if (this.queuedBytes + this.outBytes + chunk.length > this.queueMax) {
      this.lose(conn, dir, chunk.length)
      return
    }
    this.push({ conn, kind: 'data', dir, chunk, at }, chunk.length)
  }

  /** ConnectionTap: a lab action, FIN, reset or close. */
  mark(conn: LabConnection, mark: ConnectionMark): void {
    this.push({ conn, kind: 'mark', mark }, 0)
    if (mark.kind === 'closed') {
      conn.tap = null
      this.attached.delete(conn)
    }
  }

  /** Stops: detaches, writes what is queued, syncs and closes the file. */
  stop(reason = 'stopped by the user'): Promise<RecordStatus> {
    this.stopping ??= this.finish(reason)
    return this.stopping
  }

  private async finish(reason: string): Promise<RecordStatus> {
    this.status.recording = false
    this.status.stoppedReason = reason
    for (const c of this.attached) if (c.tap === this) c.tap = null
    this.attached.clear()
    if (this.timer) clearInterval(this.timer)
    // Bounded: the queue holds at most RECORD_QUEUE_MAX bytes.
    while (this.qHead < this.queue.length) this.pump(Number.POSITIVE_INFINITY)
    try {
      // A write may be in flight: wait for it, then write the rest. Bounded: nothing new is queued once stopped.
      while (this.out.length > 0 || this.writing) {
        this.write()
        await this.io
      }
      await (this.io = this.io.then(() => this.fh.sync()).then(() => this.fh.close()))
    } catch (err) {
      this.status.stoppedReason = `${reason}; closing the file failed: ${(err as Error).message}`
    }
    if (this.status.droppedBytes > 0) {
      this.notice(
        'warning',
        `Recording: ${this.status.droppedBytes} bytes were not written because the disk was slower than the traffic (marked as gaps in ${this.status.file})`
      )
    }
    return { ...this.status }
  }

  private lose(conn: LabConnection, dir: 'in' | 'out', bytes: number): void {
    this.status.droppedBytes += bytes
    const last = this.queue.length > this.qHead ? this.queue[this.queue.length - 1] : undefined
    if (last && last.kind === 'lost' && last.conn === conn && last.dir === dir) {
      last.bytes += bytes
      last.chunks++
    } else this.push({ conn, kind: 'lost', dir, bytes, chunks: 1 }, 0)
    if (!this.warnedSlow) {
      this.warnedSlow = true
      this.notice(
        'warning',
        'Recording: the disk is slower than the traffic; bytes past the queue limit are not written (counted, and marked in the file as gaps)'
      )
    }
  }

  private push(item: Item, bytes: number): void {
    if (!this.status.recording) return
    this.queue.push(item)
    this.queuedBytes += bytes
    this.schedulePump()
  }

  /** One pump per event-loop turn while work is queued. */
  private schedulePump(): void {
    if (this.pumpScheduled || !this.status.recording) return
    this.pumpScheduled = true
    setImmediate(() => {
      this.pumpScheduled = false
      if (!this.status.recording) return
      this.pump(WORK_PER_TURN)
      if (this.outBytes >= 1024 * 1024) this.write()
      if (this.qHead < this.queue.length) this.schedulePump()
    })
  }

  /** Turns queued items into pcapng blocks, up to `budget` payload bytes. */
  private pump(budget: number): void {
    let done = 0
    while (this.qHead < this.queue.length && done < budget) {
      const item = this.queue[this.qHead++]
      if (item.kind === 'data') {
        done += item.chunk.length
        this.queuedBytes -= item.chunk.length
      }
      this.packets(item)
    }
    if (this.qHead === this.queue.length) {
      this.queue.length = 0
      this.qHead = 0
    } else if (this.qHead > 4096) {
      this.queue.splice(0, this.qHead)
      this.qHead = 0
    }
  }

  private packets(item: Item): void {
    let p = this.flows.get(item.conn)
    if (item.kind === 'open') {
      if (p) return
      p = new ConnectionPacketizer({
        id: item.conn.id,
        origin: item.conn.origin,
        family: item.conn.family,
        local: item.conn.local,
        remote: item.conn.remote,
        unixPath: item.conn.unixPath
      })
      this.flows.set(item.conn, p)
      this.emitPackets(
        p,
        p.open(item.at, item.midway ? `Recording started while connection ${item.conn.id} was open` : undefined)
      )
      if (item.midway) {
        p.missing('in', item.before.in, 'were exchanged before the recording started')
        p.missing('out', item.before.out, 'were exchanged before the recording started')
      }
      return
    }
    if (!p) return
    if (item.kind === 'data') this.emitPackets(p, p.chunk(item.dir, item.chunk, item.at))
    else if (item.kind === 'mark') this.emitPackets(p, p.mark(item.mark))
    else p.missing(item.dir, item.bytes, 'were not recorded: the disk was slower than the traffic', item.chunks)
  }

  private emitPackets(p: ConnectionPacketizer, packets: SynthPacket[]): void {
    for (const pk of packets) {
      if (this.budgetHit) return
      const parts = packetBlockParts(pk.micros, pk.data, pk.comment)
      const size = parts[0].length + parts[1].length + parts[2].length
      if (this.status.bytesWritten + this.outBytes + size > this.status.budgetBytes - BUDGET_RESERVE) {
        this.budgetHit = true
        const text = `TCP Lab: recording stopped here: the disk budget of ${this.status.budgetBytes} bytes was reached`
        const note = p.flow.note('client', pk.micros, text)
        this.emit(packetBlock(note.micros, note.data, note.comment))
        this.status.packets++
        this.notice(
          'warning',
          `Recording stopped: the disk budget of ${this.status.budgetBytes} bytes was reached (${this.status.file})`
        )
        // After the pump that got here has returned: stopping drains the queue itself.
        queueMicrotask(() => void this.stop(`the disk budget of ${this.status.budgetBytes} bytes was reached`))
        return
      }
      for (const b of parts) this.emit(b)
      this.status.packets++
    }
  }

  private emit(block: Buffer): void {
    this.out.push(block)
    this.outBytes += block.length
  }

  private tick(): void {
    this.pump(WORK_PER_TURN)
    this.write()
    if (Date.now() - this.lastSync >= SYNC_MS && !this.writing) {
      this.lastSync = Date.now()
      this.io = this.io.then(() => this.fh.datasync()).catch((err: unknown) => this.failed(err))
    }
  }

  /** Hands the queued blocks to the file, one write at a time. */
  private write(): void {
    if (this.out.length === 0 || this.writing) return
    const bufs = this.out
    const n = this.outBytes
    this.out = []
    this.outBytes = 0
    this.writing = true
    this.io = this.io
      .then(async () => {
        let off = 0
        // writev may write part: go on from where it stopped (bounded by the bytes to write).
        let rest = bufs
        while (off < n) {
          const { bytesWritten } = await this.fh.writev(rest)
          if (bytesWritten <= 0) throw new Error('the disk accepted no bytes')
          off += bytesWritten
          rest = sliceBuffers(rest, bytesWritten)
        }
        this.status.bytesWritten += n
      })
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.writing = false
        if (this.out.length > 0 && this.outBytes >= 1024 * 1024) this.write()
      })
  }

  private failed(err: unknown): void {
    const e = err as NodeJS.ErrnoException
    if (!this.status.recording) {
      // While stopping: the file is short of its last writes, and the status says so.
      this.status.stoppedReason = `${this.status.stoppedReason ?? 'stopped'}; writing failed: ${e.code ?? e.message}`
      return
    }
    this.notice('error', `Recording stopped: writing ${this.status.file} failed: ${e.code ?? ''} ${e.message}`.trim())
    void this.stop(`writing failed: ${e.code ?? e.message}`)
  }
}

function sliceBuffers(bufs: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = []
  let left = skip
  for (const b of bufs) {
    if (left >= b.length) left -= b.length
    else {
      out.push(left > 0 ? b.subarray(left) : b)
      left = 0
    }
  }
  return out
}
