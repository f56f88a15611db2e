import type { LabConnection } from '../lab-connection'

/**
 * Most per-message items (lines, requests) all behaviours together handle in one turn of the event loop.
 * A peer can put thousands of tiny messages in one read; past this, its messages wait for later turns
 * while its socket is paused, so the flooding peer waits — not the other servers, the UI or the counters.
 */
export const ITEMS_PER_TURN = 2048
/** Most milliseconds of such work in one turn, whatever the item count. */
export const MS_PER_TURN = 8
/** Items handed to a behaviour at once. */
const SLICE = 256

interface Backlog<T> {
  items: T[]
  head: number
  after: (() => void)[]
}

// The budget is shared by every queue of the process: one turn of the event loop is one budget.
let usedThisTurn = 0
let turnStartedAt = 0
let resetScheduled = false
/** What the shared scheduler needs of a queue. */
interface Steppable {
  step(): boolean
}
const waiting = new Set<Steppable>()
let drainScheduled = false

function spend(n: number): void {
  if (!resetScheduled) {
    resetScheduled = true
    turnStartedAt = performance.now()
    setImmediate(() => {
      resetScheduled = false
      usedThisTurn = 0
    })
  }
  usedThisTurn += n
}

function budgetLeft(): number {
  if (resetScheduled && performance.now() - turnStartedAt > MS_PER_TURN) return 0
  return resetScheduled ? Math.max(0, ITEMS_PER_TURN - usedThisTurn) : ITEMS_PER_TURN
}

function scheduleDrain(): void {
  if (drainScheduled) return
  drainScheduled = true
  setImmediate(drainAll)
}

// Round robin over every queue with a backlog, one slice each, until the turn's budget is spent.
function drainAll(): void {
  drainScheduled = false
  let progressed = true
  while (progressed && waiting.size > 0 && budgetLeft() > 0) {
    progressed = false
    for (const q of [...waiting]) {
      if (budgetLeft() <= 0) break
      if (q.step()) progressed = true
    }
  }
  if (waiting.size > 0) scheduleDrain()
}

/**
 * Runs a behaviour's per-message work in bounded slices. Work that fits the turn's budget runs at once (human
 * rates never wait); the rest is queued per connection, reading from that peer pauses until it is done, and
 * `afterDrained` work (a FIN's answer) keeps its place behind the queued messages.
 */
export class PacedQueue<T> implements Steppable {
  private readonly backlogs = new Map<LabConnection, Backlog<T>>()

  constructor(private readonly run: (conn: LabConnection, items: T[]) => void) {}

  /** Handles `items` for `conn`, now or in later turns, in order. */
  push(conn: LabConnection, items: T[]): void {
    if (items.length === 0) return
    const queued = this.backlogs.get(conn)
    if (queued) {
      for (const item of items) queued.items.push(item)
      return
    }
    const now = Math.min(items.length, budgetLeft())
    if (now > 0) {
      spend(now)
      this.runSafely(conn, now === items.length ? items : items.slice(0, now))
    }
    if (now < items.length && !conn.closed) {
      this.backlogs.set(conn, { items: items.slice(now), head: 0, after: [] })
      conn.holdReading(true)
      waiting.add(this)
      scheduleDrain()
    }
  }

  /** Runs `fn` once every item queued for `conn` so far has been handled. */
  afterDrained(conn: LabConnection, fn: () => void): void {
    const queued = this.backlogs.get(conn)
    if (queued) queued.after.push(fn)
    else fn()
  }

  /** Forgets what waits for `conn` (it closed, or the behaviour is going away). */
  drop(conn: LabConnection): void {
    if (this.backlogs.delete(conn)) conn.holdReading(false)
    if (this.backlogs.size === 0) waiting.delete(this)
  }

  /** Forgets everything. */
  clear(): void {
    for (const conn of [...this.backlogs.keys()]) this.drop(conn)
  }

  /** Items still waiting for `conn`. */
  pending(conn: LabConnection): number {
    const b = this.backlogs.get(conn)
    return b ? b.items.length - b.head : 0
  }

  /** @internal One slice for each connection with a backlog; whether anything ran. */
  step(): boolean {
    let ran = false
    for (const [conn, b] of [...this.backlogs]) {
      const n = Math.min(SLICE, b.items.length - b.head, budgetLeft())
      if (n <= 0) break
      spend(n)
      const slice = b.items.slice(b.head, b.head + n)
      b.head += n
      ran = true
      this.runSafely(conn, slice)
      if (b.head >= b.items.length && this.backlogs.get(conn) === b) {
        this.backlogs.delete(conn)
        conn.holdReading(false)
        for (const fn of b.after) fn()
      }
    }
    if (this.backlogs.size === 0) waiting.delete(this)
    return ran
  }

  private runSafely(conn: LabConnection, items: T[]): void {
    if (conn.closed) return
    this.run(conn, items)
  }
}
