import net from 'node:net'
import { spawn } from 'node:child_process'
import { waitFor } from '../../helpers/wait'

/** A Node client with precise control: everything it receives is kept; waits are bounded. */
export interface NodePeer {
  socket: net.Socket
  received(): Buffer
  text(): string
  /** Resolves once the received bytes satisfy `pred` (or contain the string). */
  waitFor(pred: string | ((b: Buffer) => boolean), what?: string, timeoutMs?: number): Promise<Buffer>
  /** Resolves when the lab's FIN arrived. */
  ended: Promise<void>
  /** Resolves when the socket closed, with its error code if any. */
  closed: Promise<string | null>
}

/** Connects a Node peer (allowHalfOpen, so it can keep writing after the lab's FIN). */
export async function connectPeer(opts: { port: number; host?: string } | { path: string }): Promise<NodePeer> {
  const socket = net.connect({ ...opts, allowHalfOpen: true } as net.NetConnectOpts)
  const chunks: Buffer[] = []
  let size = 0
  socket.on('data', (d: Buffer) => {
    chunks.push(d)
    size += d.length
  })
  let errorCode: string | null = null
  socket.on('error', (e: NodeJS.ErrnoException) => (errorCode = e.code ?? e.message))
  const ended = new Promise<void>((r) => socket.once('end', () => r()))
  const closed = new Promise<string | null>((r) => socket.once('close', () => r(errorCode)))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', reject)
  })
  const received = (): Buffer => Buffer.concat(chunks, size)
  return {
    socket,
    received,
    text: () => received().toString('latin1'),
    waitFor: (pred, what, timeoutMs = 5_000) =>
      waitFor(
        () => {
          const b = received()
          return (typeof pred === 'string' ? b.includes(pred) : pred(b)) && b
        },
        { what: what ?? `peer to receive ${typeof pred === 'string' ? JSON.stringify(pred) : 'data'}`, timeoutMs }
      ),
    ended,
    closed
  }
}

/** A port nothing listens on (bound, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, host, r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** A loopback "blackhole": a listener with backlog 0 that never accepts, its queue filled, so further SYNs go unanswered. */
export async function startBlackhole(): Promise<{ port: number; stop(): void }> {
  const py = spawn('python3', [
    '-c',
    'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'
  ])
  const port = await new Promise<number>((resolve, reject) => {
    py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
    py.once('error', reject)
  })
  // Fill the accept queue: this one completes its handshake and waits there forever.
  const filler = net.connect({ host: '127.0.0.1', port })
  filler.on('error', () => {})
  await new Promise<void>((r) => filler.once('connect', () => r()))
  return {
    port,
    stop() {
      filler.destroy()
      py.kill('SIGKILL')
    }
  }
}
