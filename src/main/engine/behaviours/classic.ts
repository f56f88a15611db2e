import type { LabConnection } from '../lab-connection'
import type { BehaviourFactory } from './behaviour'
import { baseBehaviour } from './behaviour'

const LINE_CHARS = 72
const PRINTABLE = 95

/** RFC 864's pattern: 95 lines of 72 printable characters, each starting one character later, CRLF-terminated. */
export function chargenCycle(): Buffer {
  const lineBytes = LINE_CHARS + 2
  const out = Buffer.alloc(PRINTABLE * lineBytes)
  for (let line = 0; line < PRINTABLE; line++) {
    for (let col = 0; col < LINE_CHARS; col++) out[line * lineBytes + col] = 0x20 + ((line + col) % PRINTABLE)
    out[line * lineBytes + LINE_CHARS] = 0x0d
    out[line * lineBytes + LINE_CHARS + 1] = 0x0a
  }
  return out
}

// One shared, never-mutated buffer: the traffic record may keep references to it.
const CYCLE = chargenCycle()
// Writes per turn of the event loop while the peer keeps up, so a fast reader cannot starve the lab.
const SENDS_PER_TURN = 16

/**
 * RFC 864 character generator: sends the rotating pattern as fast as the peer reads it. It writes
 * until the socket's buffer is full (write() returns false) and continues on 'drain', so a slow
 * reader holds the server back instead of growing a buffer. Input is read and ignored; a peer's FIN
 * does not stop it (the peer may still read), closing does.
 */
export const chargen: BehaviourFactory = () => {
  const live = new Set<LabConnection>()
  const pump = (conn: LabConnection): void => {
    for (let i = 0; i < SENDS_PER_TURN; i++) {
      if (!live.has(conn) || !conn.writable) return
      if (!conn.send(CYCLE)) return // 'drain' calls pump again
    }
    // The peer kept up: go on next turn (a 'drain' only comes after write() said false).
    setImmediate(() => pump(conn))
  }
  return {
    ...baseBehaviour,
    onOpen(conn) {
      live.add(conn)
      pump(conn)
    },
    onPeerEnd() {},
    onDrain(conn) {
      pump(conn)
    },
    onClose(conn) {
      live.delete(conn)
    },
    dispose() {
      live.clear()
    }
  }
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
]

/** RFC 867's suggested form, in local time with its UTC offset: `Tuesday, February 22, 1982 17:37:43 +0100`. */
export function daytimeLine(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0')
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const tz = `${sign}${two(Math.floor(Math.abs(off) / 60))}${two(Math.abs(off) % 60)}`
  return `${WEEKDAYS[d.getDay()]}, ${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${tz}\r\n`
}

/** RFC 867 daytime: one human-readable date and time line, then close; input is ignored. */
export const daytime: BehaviourFactory = () => ({
  ...baseBehaviour,
  onOpen(conn) {
    conn.send(Buffer.from(daytimeLine(new Date()), 'latin1'))
    conn.close()
  },
  onPeerEnd() {}
})

/** Default interval of telemetry lines. */
export const TELEMETRY_DEFAULT_INTERVAL_MS = 1000
// A peer that does not read gets lines dropped (its seq numbers jump) instead of an ever-growing buffer.
const TELEMETRY_MAX_PENDING = 64 * 1024

/**
 * A one-way push stream: each peer gets `t=ISO seq=N uptime_ms=MS peers=N` right away and then every
 * `telemetryIntervalMs`. Input is counted but ignored, a peer's FIN too (it may still read).
 */
export const telemetry: BehaviourFactory = (host, options) => {
  const intervalMs = options.telemetryIntervalMs ?? TELEMETRY_DEFAULT_INTERVAL_MS
  const peers = new Map<LabConnection, { timer: NodeJS.Timeout; seq: number }>()
  const stop = (conn: LabConnection): void => {
    const p = peers.get(conn)
    if (p) clearInterval(p.timer)
    peers.delete(conn)
  }
  const tick = (conn: LabConnection): void => {
    const p = peers.get(conn)
    if (!p) return
    if (!conn.writable) return stop(conn)
    p.seq++
    if (conn.pendingWriteBytes > TELEMETRY_MAX_PENDING) return
    const now = Date.now()
    const line = `t=${new Date(now).toISOString()} seq=${p.seq} uptime_ms=${now - host.startedAt} peers=${peers.size}\n`
    conn.send(Buffer.from(line, 'latin1'))
  }
  return {
    ...baseBehaviour,
    onOpen(conn) {
      stop(conn)
      const timer = setInterval(() => tick(conn), intervalMs)
      timer.unref()
      peers.set(conn, { timer, seq: 0 })
      tick(conn)
    },
    onPeerEnd() {},
    onClose: stop,
    dispose() {
      for (const p of peers.values()) clearInterval(p.timer)
      peers.clear()
    }
  }
}
