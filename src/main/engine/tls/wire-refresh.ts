import type { LabConnection } from '../lab-connection'

/** How often open TLS connections whose encrypted counts moved are re-announced (the batches carry decrypted counts). */
export const WIRE_REFRESH_MS = 1_000

/** Re-announces TLS connections whose encrypted byte counts moved since the last look, once a second. */
export class WireRefresh {
  private timer: NodeJS.Timeout | null = null
  private readonly announced = new WeakMap<LabConnection, number>()

  constructor(private readonly connections: () => Iterable<LabConnection>) {}

  /** Starts the timer (once). */
  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => this.refresh(), WIRE_REFRESH_MS)
    this.timer.unref()
  }

  /** Stops the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private refresh(): void {
    for (const c of this.connections()) {
      if (c.kind !== 'tls' || c.closed) continue
      const now = c.wireCounts()
      const sum = now.wireBytesIn + now.wireBytesOut
      if (this.announced.get(c) !== sum) {
        this.announced.set(c, sum)
        c.announce()
      }
    }
  }
}
