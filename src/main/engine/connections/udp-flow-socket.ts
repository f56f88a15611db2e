import { EventEmitter } from 'node:events'
import type { Endpoint, Family } from '@shared/model'
import type { ConnectionSocket } from '../lab-connection'

/** How a flow hands a datagram to its UDP socket (to the flow's peer). */
export type DatagramSender = (datagram: Buffer) => void

/**
 * A UDP flow's stand-in for a stream socket, so a flow is a LabConnection like any other: one 'data'
 * per datagram (boundaries kept, sizes exact), `write` sends one datagram, `end`/`destroy` forget the
 * flow. There is no FIN and no back-pressure signal: a datagram socket never says "buffer full".
 */
export class UdpFlowSocket extends EventEmitter implements ConnectionSocket {
  destroyed = false
  readonly writableLength = 0
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number

  constructor(
    local: Endpoint,
    remote: Endpoint,
    readonly remoteFamily: Family,
    private readonly sendDatagram: DatagramSender,
    private readonly onDestroy: () => void
  ) {
    super()
    this.localAddress = local.address
    this.localPort = local.port
    this.remoteAddress = remote.address
    this.remotePort = remote.port
  }

  /** The family, as `net.Socket#address()` reports it. */
  address(): { family: Family } {
    return { family: this.remoteFamily }
  }

  /** A datagram from the peer arrived. */
  deliver(datagram: Buffer): void {
    if (!this.destroyed) this.emit('data', datagram)
  }

  /** A socket error that concerns this flow (e.g. ICMP port unreachable on a connected socket). */
  fail(err: Error): void {
    if (!this.destroyed) this.emit('flow-error', err)
  }

  /** Sends one datagram. */
  write(data: Buffer): boolean {
    if (this.destroyed) return false
    this.sendDatagram(data)
    return true
  }

  /** A flow has no FIN: ending it forgets it. */
  end(callback?: () => void): this {
    this.destroy()
    if (callback) process.nextTick(callback)
    return this
  }

  /** Forgets the flow; 'close' follows on the next tick, as for a stream. */
  destroy(): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.onDestroy()
    process.nextTick(() => this.emit('close'))
    return this
  }

  /** Datagrams cannot be held back at the sender: pausing is refused before it gets here. */
  pause(): this {
    return this
  }

  /** See `pause`. */
  resume(): this {
    return this
  }
}
