import type {
  CloseReason,
  ConnectionInfo,
  ConnectionKind,
  ConnectionState,
  Endpoint,
  Family,
  TlsConnectionInfo
} from '@shared/model'
import type { FaultMark, ProxyLeg } from '@shared/proxy-model'
import type { TrafficBudget } from './traffic-record'
import { TrafficRecorder } from './traffic-record'
import { describeConnectionError } from './errors'

// A graceful close waits for queued bytes to reach the kernel; a peer that reads nothing for this long gets the socket destroyed.
const CLOSE_STALL_MS = 5_000
// How often the one sweep over closing connections runs (each is judged over at least CLOSE_STALL_MS).
const CLOSE_SWEEP_MS = 1_000

// Every socket's listeners are shared functions (no closures per connection): the socket points back at its connection.
const CONNECTION = Symbol('tcp-lab.connection')

// Counted into until the lab adopts the connection (then its own totals): one sink, not an object per connection.
const DETACHED_TOTALS = { bytesIn: 0, bytesOut: 0 }

const NO_MARKS: readonly ConnectionMark[] = Object.freeze([])

// Mark texts that name a reason, made once per reason rather than once per connection.
const REASON_TEXTS = {
  close: (r: string) => `The lab closed the connection (${r}): FIN after the queued bytes`,
  reset: (r: string) => `The lab reset the connection (${r}): RST, queued bytes discarded`,
  closed: (r: string) => `Closed (${r})`
}
const reasonTexts = {
  close: new Map<string, string>(),
  reset: new Map<string, string>(),
  closed: new Map<string, string>()
}
function reasonText(kind: keyof typeof REASON_TEXTS, reason: CloseReason): string {
  const known = reasonTexts[kind]
  let t = known.get(reason)
  if (t === undefined) known.set(reason, (t = REASON_TEXTS[kind](reason)))
  return t
}

/** What a closed connection keeps in place of its socket: destroyed, every call a no-op. */
const GONE_SOCKET: ConnectionSocket = {
  destroyed: true,
  writableLength: 0,
  address: () => ({}),
  on: () => GONE_SOCKET,
  once: () => GONE_SOCKET,
  write: () => false,
  end: () => GONE_SOCKET,
  destroy: () => GONE_SOCKET,
  pause: () => GONE_SOCKET,
  resume: () => GONE_SOCKET
}

/** A closing connection under watch: its queued bytes at the last look, and when that was. */
interface CloseWatch {
  last: number
  at: number
}

/** What a connection reports to the lab that owns it. */
export interface ConnectionOwner {
  /** Counters changed: called once until the owner clears `dirty`. */
  markDirty(conn: LabConnection): void
  /** A discrete change (opened, peer ended, closed, updated). */
  changed(conn: LabConnection, kind: 'updated' | 'peer-ended' | 'closed'): void
}

/** What a behaviour (or the server) wants to hear about one connection. */
export interface ConnectionHandlers {
  /** `at`: when the lab read the chunk (ms), the clock its record got. */
  onData(conn: LabConnection, chunk: Buffer, at?: number): void
  onPeerEnd(conn: LabConnection): void
  onDrain?(conn: LabConnection): void
  onClose(conn: LabConnection): void
}

/** What happened to a connection besides its bytes (a lab action, a FIN, a fault), for captures and exports. */
export type ConnectionMarkKind =
  'peer-fin' | 'lab-fin' | 'peer-reset' | 'lab-reset' | 'error' | 'pause' | 'resume' | 'closed' | 'fault' | 'note'

/** One mark on a connection's timeline; `chunkIndex` = chunks (both directions) seen before it. */
export interface ConnectionMark {
  at: number
  kind: ConnectionMarkKind
  chunkIndex: number
  text?: string
}

/** Marks kept per connection (they are rare: lab actions and ends); past it the oldest go. */
export const MARKS_KEPT = 256

/** Sees every chunk and mark of a connection: the disk recorder. Set only while recording. */
export interface ConnectionTap {
  data(conn: LabConnection, dir: 'in' | 'out', chunk: Buffer, at: number): void
  mark(conn: LabConnection, mark: ConnectionMark): void
}

/**
 * What a connection needs of its socket: a `net.Socket` or `tls.TLSSocket` (a stream), or a UDP flow's
 * stand-in that emits one 'data' per datagram (see connections/udp-flow-socket.ts).
 */
export interface ConnectionSocket {
  readonly destroyed: boolean
  readonly writableLength: number
  readonly localAddress?: string
  readonly localPort?: number
  readonly remoteAddress?: string
  readonly remotePort?: number
  readonly remoteFamily?: string
  address(): unknown
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown
  on(event: 'end' | 'drain' | 'close', listener: () => void): unknown
  once(event: 'close', listener: () => void): unknown
  write(data: Buffer): boolean
  end(callback?: () => void): unknown
  destroy(): unknown
  resetAndDestroy?(): unknown
  pause(): unknown
  resume(): unknown
}

/** Byte counts of the socket under a TLS stream (what travelled encrypted). */
export interface WireCounts {
  readonly bytesRead: number
  readonly bytesWritten: number
  resetAndDestroy?(): unknown
}

/** Options for wrapping a socket. */
export interface LabConnectionInit {
  id: number
  serverId: number | null
  origin: 'accepted' | 'outgoing'
  socket: ConnectionSocket
  /** tls or udp; absent for plain TCP and Unix streams. */
  kind?: ConnectionKind
  /** TLS: the TCP socket underneath, for the encrypted byte counts. */
  wire?: WireCounts
  budget: TrafficBudget
  owner: ConnectionOwner
  /** For Unix sockets, where node reports no addresses. */
  unixPath?: string
  queued?: boolean
  /**
   * The local end when the caller already knows it (a listener bound to one address: every accepted socket's local
   * end is that address and port), saving a getsockname() per connection.
   */
  local?: Endpoint
}

/** A socket that knows its LabConnection (set once, by the connection's constructor). */
type LinkedSocket = ConnectionSocket & { [CONNECTION]?: LabConnection }

/** Node reports 'IPv4'/'IPv6' (or 4/6 on some versions); a Unix socket reports nothing. */
function familyOf(socket: ConnectionSocket, unixPath?: string): Family {
  if (unixPath !== undefined) return 'unix'
  const f = socket.remoteFamily ?? (socket.address() as { family?: string | number }).family
  return f === 'IPv6' || f === 6 ? 'IPv6' : 'IPv4'
}

/** One live (or closed, kept for viewing) TCP or Unix connection with exact counters and its traffic record. */
export class LabConnection {
  readonly id: number
  readonly serverId: number | null
  readonly origin: 'accepted' | 'outgoing'
  readonly family: Family
  readonly local: Endpoint
  readonly remote: Endpoint
  readonly openedAt = Date.now()
  state: ConnectionState
  closeReason: CloseReason | null = null
  error: string | null = null
  peerEndedAt: number | null = null
  /** When the lab sent its FIN (half-close or graceful close). */
  labEndedAt: number | null = null
  /** The record's next seq when the peer's FIN arrived / the lab's FIN was queued: the order of the stream. */
  peerEndedSeq: number | null = null
  labEndedSeq: number | null = null
  closedAt: number | null = null
  lastActivity = this.openedAt
  bytesIn = 0
  bytesOut = 0
  chunksIn = 0
  chunksOut = 0
  userPaused = false
  /** Set by the owner's batcher logic: counters changed since last collected. */
  dirty = false
  /** Per-connection state a behaviour may keep (line buffers, request parsers). */
  behaviourState: unknown = undefined
  handlers: ConnectionHandlers | null = null
  /** The disk recorder's hook on the read and write paths; null (zero cost) unless recording. */
  tap: ConnectionTap | null = null
  /** The Unix socket path, when this is a Unix-socket connection. */
  readonly unixPath: string | undefined
  /** Added to the owning server's totals on every chunk; null for outgoing clients. */
  serverTotals: { bytesIn: number; bytesOut: number; dirty: boolean } | null = null
  /** Added to the whole lab's totals on every chunk; set when the lab adopts the connection. */
  labTotals: { bytesIn: number; bytesOut: number } = DETACHED_TOTALS
  /** tls or udp; undefined for a plain stream. */
  readonly kind: ConnectionKind | undefined
  /** TLS: the handshake facts (the wire counts are filled in by `info()`). */
  tls: Omit<TlsConnectionInfo, 'wireBytesIn' | 'wireBytesOut'> | null = null
  /** Set on a proxy leg: which pair and which side. */
  proxy: ProxyLeg | undefined = undefined
  /** A relay (proxy leg) does not stop its own reading when its writes back up: the pipe pauses the other leg. */
  relay = false
  /** Faults' effects on this leg, oldest first (bounded by the proxy). */
  faultMarks: FaultMark[] | null = null

  // Replaced by GONE_SOCKET once closed: a kept closed row must not hold its socket's stream state.
  private socket: ConnectionSocket
  private readonly wire: WireCounts | undefined
  private readonly owner: ConnectionOwner
  private readonly budget: TrafficBudget
  // Made at the first byte: a connection that never carries one costs no record.
  private record: TrafficRecorder | null = null
  // Made at the first mark.
  private markList: ConnectionMark[] | null = null
  private flowPaused = false
  // Reading held while a behaviour works through messages this peer already sent (see behaviours/paced-work.ts).
  private workHeld = false
  private pipeHeld = false
  private echoCandidate: Buffer | null = null
  private echoSeq = -1
  private labEnded = false
  private intendedReason: CloseReason | null = null

  constructor(init: LabConnectionInit) {
    this.id = init.id
    this.serverId = init.serverId
    this.origin = init.origin
    this.socket = init.socket
    this.kind = init.kind
    this.wire = init.wire
    this.owner = init.owner
    this.budget = init.budget
    this.family = familyOf(init.socket, init.unixPath)
    this.unixPath = init.unixPath
    if (init.unixPath !== undefined) {
      const own = { address: init.unixPath, port: 0 }
      const peer = { address: '(unnamed)', port: 0 }
      this.local = init.origin === 'accepted' ? own : peer
      this.remote = init.origin === 'accepted' ? peer : own
    } else {
      // Each address getter is a system call the first time (getsockname, getpeername): the local one only if unknown.
      this.local = init.local ?? { address: init.socket.localAddress ?? 'unknown', port: init.socket.localPort ?? 0 }
      this.remote = { address: init.socket.remoteAddress ?? 'unknown', port: init.socket.remotePort ?? 0 }
      if (init.socket.remoteAddress === undefined) {
        // The kernel forgets a socket's peer once it is reset: it happens when a peer aborts right after connecting.
        this.error = 'The peer reset the connection before the lab could read its address (shown as unknown)'
      }
    }
    this.state = init.queued ? 'queued' : 'open'
    const socket = init.socket as LinkedSocket
    socket[CONNECTION] = this
    socket.on('data', LabConnection.socketData)
    socket.on('end', LabConnection.socketEnd)
    socket.on('drain', LabConnection.socketDrain)
    socket.on('error', LabConnection.socketError)
    socket.on('close', LabConnection.socketClose)
    this.updateReading()
  }

  // The shared listeners: `this` is the socket (EventEmitter calls listeners on the emitter).
  private static socketData(this: LinkedSocket, chunk: Buffer): void {
    this[CONNECTION]?.onData(chunk)
  }

  private static socketEnd(this: LinkedSocket): void {
    this[CONNECTION]?.onEnd()
  }

  private static socketDrain(this: LinkedSocket): void {
    this[CONNECTION]?.onDrain()
  }

  private static socketError(this: LinkedSocket, err: NodeJS.ErrnoException): void {
    this[CONNECTION]?.onError(err)
  }

  private static socketClose(this: LinkedSocket): void {
    this[CONNECTION]?.onClose()
  }

  /** Every chunk in both directions, boundaries kept (made at the first byte). */
  get traffic(): TrafficRecorder {
    return (this.record ??= new TrafficRecorder(this.budget))
  }

  /** The record if this connection has one yet; never allocates. */
  get trafficIfAny(): TrafficRecorder | null {
    return this.record
  }

  /** Lab actions, FINs, resets and faults in order, bounded by MARKS_KEPT. */
  get marks(): readonly ConnectionMark[] {
    return this.markList ?? NO_MARKS
  }

  /** Whether the socket is gone. */
  get closed(): boolean {
    return this.state === 'closed'
  }

  /** Whether the lab may still write to this connection. */
  get writable(): boolean {
    return !this.closed && !this.labEnded && !this.socket.destroyed
  }

  /** Bytes accepted by write() but not yet handed to the kernel. */
  get pendingWriteBytes(): number {
    return this.socket.writableLength
  }

  /**
   * Sends bytes, counting and recording them; stops reading from this peer while the write backs up.
   * `at`: the time to record, when the caller already read the clock in this turn (a relay passing on a read).
   */
  send(bytes: Buffer, at?: number): boolean {
    // An empty datagram is still a datagram; an empty write to a stream is nothing.
    if (!this.writable || (bytes.length === 0 && this.kind !== 'udp')) return false
    const now = this.count('out', bytes.length, at)
    if (bytes === this.echoCandidate && this.traffic.lastSeq === this.echoSeq) this.traffic.addRepeat('out', now)
    else this.traffic.add('out', bytes, now)
    this.tap?.data(this, 'out', bytes, now)
    const ok = this.socket.write(bytes)
    if (!ok && !this.flowPaused && !this.relay) {
      this.flowPaused = true
      this.updateReading()
    }
    return ok
  }

  /** Half-close: sends FIN after what is queued; reading goes on. */
  halfClose(): void {
    if (this.closed || this.labEnded) return
    this.labEnded = true
    this.markLabEnd()
    this.mark('lab-fin', 'The lab half-closed: shutdown(SHUT_WR), FIN after the queued bytes')
    this.socket.end()
    if (this.state === 'open' || this.state === 'queued') {
      this.state = 'lab-half-closed'
      this.owner.changed(this, 'updated')
    }
  }

  /** Graceful close: FIN after what is queued, then the socket is released once written. */
  close(reason: CloseReason = 'lab-close'): void {
    if (this.closed) return
    this.intendedReason ??= reason
    if (!this.labEnded) {
      this.markLabEnd()
      this.mark('lab-fin', reasonText('close', reason))
    }
    this.labEnded = true
    const socket = this.socket
    socket.end(() => socket.destroy())
    this.watchClose()
  }

  /** Abortive close: RST, queued data discarded. */
  reset(reason: CloseReason = 'lab-reset'): void {
    if (this.closed) return
    this.intendedReason ??= reason
    this.labEnded = true
    this.mark('lab-reset', reasonText('reset', reason))
    // Under TLS the RST goes out on the TCP socket underneath (a TLS socket cannot reset itself).
    const target = this.wire?.resetAndDestroy !== undefined ? this.wire : this.socket
    try {
      if (typeof target.resetAndDestroy === 'function' && this.family !== 'unix') target.resetAndDestroy()
      else this.socket.destroy()
    } catch {
      this.socket.destroy()
    }
  }

  /** Stops (true) or restarts (false) reading, as the user asks. */
  setUserPaused(paused: boolean): void {
    if (this.closed || this.userPaused === paused) return
    this.userPaused = paused
    this.mark(
      paused ? 'pause' : 'resume',
      paused ? "The lab paused reading: the peer's bytes wait in kernel buffers" : 'The lab resumed reading'
    )
    this.updateReading()
    this.owner.changed(this, 'updated')
  }

  /** A proxy pipe holds (true) or releases (false) reading while the other leg cannot take more. */
  holdForPipe(held: boolean): void {
    if (this.pipeHeld === held) return
    this.pipeHeld = held
    this.updateReading()
  }

  /** Pauses (true) or resumes reading while a behaviour works through what this peer already sent. */
  holdReading(held: boolean): void {
    if (this.workHeld === held) return
    this.workHeld = held
    this.updateReading()
  }

  /** Moves a queued connection to open: its behaviour starts and reading begins. */
  activate(): void {
    if (this.state !== 'queued') return
    this.state = 'open'
    this.updateReading()
    this.owner.changed(this, 'updated')
  }

  /** Notes a lab action, FIN, reset or fault on the timeline (and tells the recorder, if one listens). */
  mark(kind: ConnectionMarkKind, text?: string): void {
    const m: ConnectionMark = { at: Date.now(), kind, chunkIndex: this.chunksIn + this.chunksOut, text }
    const marks = (this.markList ??= [])
    if (marks.length >= MARKS_KEPT) marks.splice(1, 1)
    marks.push(m)
    this.tap?.mark(this, m)
  }

  /** The wire form. */
  info(): ConnectionInfo {
    const info: ConnectionInfo = {
      id: this.id,
      serverId: this.serverId,
      origin: this.origin,
      family: this.family,
      local: this.local,
      remote: this.remote,
      state: this.state,
      closeReason: this.closeReason,
      error: this.error,
      openedAt: this.openedAt,
      peerEndedAt: this.peerEndedAt,
      closedAt: this.closedAt,
      lastActivity: this.lastActivity,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      chunksIn: this.chunksIn,
      chunksOut: this.chunksOut,
      paused: this.userPaused
    }
    // Only once known, so a connection that never ended looks as before (assigned, not spread: made per event).
    if (this.labEndedAt !== null) {
      info.labEndedAt = this.labEndedAt
      info.labEndedSeq = this.labEndedSeq
    }
    if (this.peerEndedSeq !== null) info.peerEndedSeq = this.peerEndedSeq
    if (this.kind !== undefined) info.kind = this.kind
    if (this.tls !== null) info.tls = { ...this.tls, ...this.wireCounts() }
    if (this.proxy) info.proxy = this.proxy
    return info
  }

  /** TLS: bytes on the wire so far (encrypted, handshake included). */
  wireCounts(): { wireBytesIn: number; wireBytesOut: number } {
    return { wireBytesIn: this.wire?.bytesRead ?? 0, wireBytesOut: this.wire?.bytesWritten ?? 0 }
  }

  /** Tells the owner something about this connection changed (handshake facts, an error in words). */
  announce(): void {
    if (!this.closed) this.owner.changed(this, 'updated')
  }

  /** The lab's FIN: its time and its place in the stream (after every chunk recorded so far). */
  private markLabEnd(): void {
    this.labEndedAt = Date.now()
    this.labEndedSeq = this.lastSeq() + 1
  }

  /** The seq of the last chunk recorded, -1 before the first (no record is made to say so). */
  private lastSeq(): number {
    return this.record === null ? -1 : this.record.lastSeq
  }

  // Closing connections under watch, swept by one timer (not one per connection) while any are left.
  private static readonly closing = new Map<LabConnection, CloseWatch>()
  private static sweepTimer: NodeJS.Timeout | null = null

  /** A peer that never reads would keep a closing socket forever: destroy it once its writes stall. */
  private watchClose(): void {
    const watched = LabConnection.closing
    if (watched.has(this) || this.socket.destroyed) return
    watched.set(this, { last: this.socket.writableLength, at: Date.now() })
    if (LabConnection.sweepTimer === null) {
      LabConnection.sweepTimer = setInterval(LabConnection.sweepClosing, CLOSE_SWEEP_MS)
      LabConnection.sweepTimer.unref()
    }
  }

  /** Destroys closing sockets whose queued bytes did not shrink over CLOSE_STALL_MS; stops when none are left. */
  private static sweepClosing(): void {
    const now = Date.now()
    for (const [conn, w] of LabConnection.closing) {
      if (now - w.at < CLOSE_STALL_MS) continue
      const queued = conn.socket.writableLength
      if (conn.socket.destroyed) LabConnection.closing.delete(conn)
      else if (queued > 0 && queued >= w.last) {
        LabConnection.closing.delete(conn)
        conn.socket.destroy()
      } else {
        w.last = queued
        w.at = now
      }
    }
    LabConnection.stopSweepIfIdle()
  }

  private static stopSweepIfIdle(): void {
    if (LabConnection.closing.size > 0 || LabConnection.sweepTimer === null) return
    clearInterval(LabConnection.sweepTimer)
    LabConnection.sweepTimer = null
  }

  private updateReading(): void {
    if (this.socket.destroyed) return
    if (this.userPaused || this.flowPaused || this.workHeld || this.pipeHeld || this.state === 'queued')
      this.socket.pause()
    else this.socket.resume()
  }

  /** The per-chunk counters (of this connection, its server and the lab); returns the chunk's time. */
  private count(dir: 'in' | 'out', n: number, at?: number): number {
    const now = at ?? Date.now()
    if (dir === 'in') {
      this.bytesIn += n
      this.chunksIn++
      this.labTotals.bytesIn += n
      if (this.serverTotals) this.serverTotals.bytesIn += n
    } else {
      this.bytesOut += n
      this.chunksOut++
      this.labTotals.bytesOut += n
      if (this.serverTotals) this.serverTotals.bytesOut += n
    }
    if (this.serverTotals) this.serverTotals.dirty = true
    this.lastActivity = now
    if (!this.dirty) this.owner.markDirty(this)
    return now
  }

  private onData(chunk: Buffer): void {
    const at = this.count('in', chunk.length)
    this.traffic.add('in', chunk, at)
    this.tap?.data(this, 'in', chunk, at)
    // While the behaviour handles this chunk, writing the very same buffer back is recorded as a repeat.
    this.echoCandidate = chunk
    this.echoSeq = this.traffic.lastSeq
    try {
      this.handlers?.onData(this, chunk, at)
    } finally {
      this.echoCandidate = null
    }
  }

  private onEnd(): void {
    this.peerEndedAt = Date.now()
    this.peerEndedSeq = this.lastSeq() + 1
    this.mark('peer-fin', 'The peer half-closed (FIN): the lab read end of file')
    if (this.state === 'open' || this.state === 'queued') this.state = 'peer-half-closed'
    this.owner.changed(this, 'peer-ended')
    if (this.handlers) this.handlers.onPeerEnd(this)
    else this.halfClose()
  }

  private onDrain(): void {
    if (this.flowPaused) {
      this.flowPaused = false
      this.updateReading()
    }
    this.handlers?.onDrain?.(this)
  }

  private onError(err: NodeJS.ErrnoException): void {
    this.error ??= describeConnectionError(err)
    if (this.intendedReason === null) {
      this.intendedReason = err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'peer-reset' : 'error'
      this.mark(this.intendedReason === 'peer-reset' ? 'peer-reset' : 'error', this.error)
    }
  }

  private onClose(): void {
    if (LabConnection.closing.delete(this)) LabConnection.stopSweepIfIdle()
    if (this.closed) return
    this.state = 'closed'
    this.closedAt = Date.now()
    this.closeReason = this.intendedReason ?? (this.peerEndedAt !== null ? 'peer-fin' : 'lab-close')
    this.mark('closed', reasonText('closed', this.closeReason))
    this.owner.changed(this, 'closed')
    this.handlers?.onClose(this)
    // The socket (a few KiB of stream state) can now die young; up to closedConnectionsKept rows stay for viewing.
    this.socket = GONE_SOCKET
  }
}
