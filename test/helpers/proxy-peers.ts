import net from 'node:net'
import { waitFor } from './wait'

/** One read as a peer saw it, by its own clock. */
export interface Read {
  at: number
  data: Buffer
}

/** A real peer socket that records every read, its end (FIN) and its error. */
export interface Peer {
  socket: net.Socket
  reads: Read[]
  endedAt: number | null
  closedAt: number | null
  error: NodeJS.ErrnoException | null
  bytes(): Buffer
  /** Waits until at least `n` bytes were read. */
  waitBytes(n: number, timeoutMs?: number): Promise<Buffer>
  waitClosed(timeoutMs?: number): Promise<void>
  /** Waits for FIN (end of the stream) or a close. */
  waitEnded(timeoutMs?: number): Promise<void>
}

/** Wraps a socket as a recording peer. */
export function recordPeer(socket: net.Socket): Peer {
  const peer: Peer = {
    socket,
    reads: [],
    endedAt: null,
    closedAt: null,
    error: null,
    bytes: () => Buffer.concat(peer.reads.map((r) => r.data)),
    waitBytes: (n, timeoutMs = 5_000) =>
      waitFor(() => (peer.bytes().length >= n ? peer.bytes() : null), { timeoutMs, what: `${n} bytes at the peer` }),
    waitClosed: (timeoutMs = 5_000) =>
      waitFor(() => peer.closedAt !== null, { timeoutMs, what: 'the peer to close' }).then(() => undefined),
    waitEnded: (timeoutMs = 5_000) =>
      waitFor(() => peer.endedAt !== null || peer.closedAt !== null, {
        timeoutMs,
        what: 'the peer to see the end'
      }).then(() => undefined)
  }
  socket.on('data', (d: Buffer) => peer.reads.push({ at: Date.now(), data: d }))
  socket.on('end', () => (peer.endedAt = Date.now()))
  socket.on('error', (e: NodeJS.ErrnoException) => (peer.error = e))
  socket.on('close', () => (peer.closedAt = Date.now()))
  return peer
}

/** A bare node:net upstream on 127.0.0.1:0 that records each accepted peer; `echo` writes every read back. */
export interface Upstream {
  server: net.Server
  port: number
  peers: Peer[]
  /** Waits for the Nth accepted peer (0-based). */
  peer(i?: number): Promise<Peer>
  close(): Promise<void>
}

/** Starts an upstream. */
export async function startUpstream({ echo = false, path }: { echo?: boolean; path?: string } = {}): Promise<Upstream> {
  const peers: Peer[] = []
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.setNoDelay(true)
    const p = recordPeer(s)
    peers.push(p)
    if (echo) {
      s.on('data', (d: Buffer) => s.write(d))
      s.on('end', () => s.end())
    }
  })
  await new Promise<void>((r) => (path ? server.listen(path, r) : server.listen(0, '127.0.0.1', r)))
  const addr = server.address()
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : 0,
    peers,
    peer: (i = 0) => waitFor(() => peers[i], { what: `upstream peer ${i}` }),
    close: () =>
      new Promise<void>((r) => {
        for (const p of peers) p.socket.destroy()
        server.close(() => r())
      })
  }
}

/** Connects a recording client to HOST:PORT or a unix path; resolves once connected. */
export async function connectPeer(port: number | string, host = '127.0.0.1'): Promise<Peer> {
  const socket =
    typeof port === 'string'
      ? net.connect({ path: port, allowHalfOpen: true })
      : net.connect({ port, host, allowHalfOpen: true })
  socket.setNoDelay(true)
  const peer = recordPeer(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', reject)
  })
  return peer
}

/** The port of a proxy's `listen` address (`127.0.0.1:1234`). */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1))
}
