import type { LabConnection } from '../lab-connection'
import type { Conversation } from './conversation'
import type { Side } from './tcp-synth'

/** How a replay plays its side. */
export interface ReplayPace {
  pace: 'original' | 'fast'
  waitForReplies: boolean
  replyTimeoutMs: number
}

/** What the script reports as it goes. */
export interface ScriptProgress {
  sent(): void
  note(text: string): void
}

/**
 * Bytes a connection has received, and waits for a count of them. Fed by the replay's handlers; every
 * wait ends when the bytes arrive, the peer ends, the connection closes, or the timeout passes.
 */
export class ReceivedBytes {
  received = 0
  ended = false
  private waiters: { n: number; done: (ok: boolean) => void }[] = []

  /** Bytes arrived. */
  add(n: number): void {
    this.received += n
    this.wake()
  }

  /** No more bytes will come. */
  end(): void {
    this.ended = true
    this.wake()
  }

  /** Resolves true once `n` bytes in all have arrived, false on end or timeout. */
  waitFor(n: number, timeoutMs: number): Promise<boolean> {
    if (this.received >= n) return Promise.resolve(true)
    if (this.ended) return Promise.resolve(false)
    return new Promise((resolve) => {
      const w = {
        n,
        done: (ok: boolean) => {
          clearTimeout(timer)
          resolve(ok)
        }
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w)
        resolve(false)
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  private wake(): void {
    const still: typeof this.waiters = []
    for (const w of this.waiters) {
      if (this.received >= w.n) w.done(true)
      else if (this.ended) w.done(false)
      else still.push(w)
    }
    this.waiters = still
  }
}

function delay(ms: number, cancelled: () => boolean): Promise<void> {
  if (ms <= 0 || cancelled()) return Promise.resolve()
  return new Promise((r) => setTimeout(r, ms))
}

/**
 * Plays one side of a conversation on a lab connection: that side's chunks, one write each (their
 * original boundaries), at the original pace or at once, each after the other side's recorded bytes
 * before it have arrived (if asked). Ends the side with FIN if the recording did.
 */
export async function playSide(
  conv: Conversation,
  side: Side,
  conn: LabConnection,
  received: ReceivedBytes,
  drained: () => Promise<void>,
  opts: ReplayPace,
  progress: ScriptProgress,
  cancelled: () => boolean
): Promise<void> {
  const start = Date.now()
  const t0 = conv.chunks[0]?.at ?? 0
  let otherBefore = 0
  for (const chunk of conv.chunks) {
    if (cancelled() || !conn.writable) return
    if (chunk.side !== side) {
      otherBefore += chunk.data.length
      continue
    }
    if (opts.waitForReplies && otherBefore > received.received) {
      const ok = await received.waitFor(otherBefore, opts.replyTimeoutMs)
      if (!ok && !cancelled()) {
        const why = received.ended ? 'the peer ended first' : `none came within ${opts.replyTimeoutMs} ms`
        progress.note(
          `Expected ${otherBefore} bytes from the other side before the next chunk, got ${received.received} (${why}); going on`
        )
      }
    }
    if (opts.pace === 'original') await delay(start + (chunk.at - t0) - Date.now(), cancelled)
    if (cancelled() || !conn.writable) return
    // A fresh buffer: the traffic record keeps a reference to what is sent.
    if (!conn.send(Buffer.from(chunk.data))) await drained()
    progress.sent()
  }
  if (conv.ended[side] && !cancelled()) conn.halfClose()
}
