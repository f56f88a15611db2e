import type { LabConnection } from '../lab-connection'

/** Default of the lab-wide budget for bytes that behaviours hold until a peer's FIN (echo-after-eof). */
export const HELD_BYTES_TOTAL = 256 * 1024 * 1024

/**
 * Bytes the lab holds for all its peers at once on behalf of behaviours that must keep what they read
 * (echo-after-eof keeps everything until the FIN). Each connection has its own cap; this bounds the sum, so
 * N peers can never make the lab hold N × that cap.
 */
export class HeldBytesBudget {
  private readonly holders = new Map<LabConnection, number>()
  private heldTotal = 0

  constructor(readonly limit = HELD_BYTES_TOTAL) {}

  /** Bytes held now, over every connection. */
  get total(): number {
    return this.heldTotal
  }

  /**
   * Counts `n` more bytes held for `conn`; when the total is over the limit, returns the connections to let go
   * (largest holder first, its bytes already released here) until it fits again.
   */
  add(conn: LabConnection, n: number): LabConnection[] {
    this.holders.set(conn, (this.holders.get(conn) ?? 0) + n)
    this.heldTotal += n
    const over: LabConnection[] = []
    while (this.heldTotal > this.limit && this.holders.size > 0) {
      let largest: LabConnection | null = null
      let most = -1
      for (const [c, size] of this.holders) {
        if (size > most) {
          most = size
          largest = c
        }
      }
      if (!largest) break
      this.release(largest)
      over.push(largest)
    }
    return over
  }

  /** How many bytes `conn` holds. */
  heldBy(conn: LabConnection): number {
    return this.holders.get(conn) ?? 0
  }

  /** `conn` holds nothing any more (it sent its FIN, closed, or was let go). */
  release(conn: LabConnection): void {
    const size = this.holders.get(conn)
    if (size === undefined) return
    this.holders.delete(conn)
    this.heldTotal -= size
  }
}
