import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import type net from 'node:net'

/**
 * Node accepts as soon as a server listens, so a listener that must NOT accept (accept mode "never": the kernel
 * completes handshakes and queues them until the accept queue — backlog + 1 on Linux — is full) is held by a
 * small helper process instead. The helper binds and listens, then blocks on a synchronous read of its stdin, so its
 * event loop never runs and it never calls accept(). When accepting should start, the lab writes one byte; the
 * helper hands the listening socket over the IPC channel (the same socket, its queue intact) and blocks again
 * until it is killed.
 */
const HOLDER_SOURCE = `
const net = require('net'); const fs = require('fs')
const spec = JSON.parse(process.argv[1])
const server = net.createServer()
const say = (m) => fs.writeSync(1, JSON.stringify(m) + '\\n')
server.on('error', (e) => { say({ error: e.code || 'EUNKNOWN', message: e.message }); process.exit(1) })
server.listen(spec, () => {
  const a = server.address()
  say({ address: a.address, port: a.port, family: a.family, pid: process.pid })
  const b = Buffer.alloc(1)
  try { if (fs.readSync(0, b, 0, 1, null) === 0) process.exit(0) } catch { process.exit(0) }
  process.send({ type: 'listening-socket' }, server)
  for (;;) { try { if (fs.readSync(0, b, 0, 1, null) === 0) process.exit(0) } catch { process.exit(0) } }
})
`

/** How long the helper may take to start and bind. */
const HOLDER_START_MS = 10_000

/** A listening socket held, unaccepted, by a helper process. */
export interface AcceptHolder {
  readonly address: string
  readonly port: number
  readonly family: 'IPv4' | 'IPv6'
  /** The helper's process id (the kernel names it as the listener's owner). */
  readonly pid: number
  /** Hands the listening socket (and its queue) to this process; the helper then exits. */
  release(): Promise<net.Server>
  /** Closes the listener without ever accepting (the queued clients are reset by the kernel). */
  close(): void
}

/** An error the helper reported, shaped like Node's so the lab's words for socket errors apply. */
function holderError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code })
}

/** Starts a helper that listens on `host:port` with `backlog` and never accepts. */
export function holdListening(spec: { host: string; port: number; backlog: number }): Promise<AcceptHolder> {
  // In Electron's main process execPath is the app itself; ELECTRON_RUN_AS_NODE makes it a plain Node.
  const child: ChildProcess = spawn(process.execPath, ['-e', HOLDER_SOURCE, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'ignore', 'ipc'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    windowsHide: true
  })
  let exited = false
  child.once('exit', () => (exited = true))
  const kill = (): void => {
    if (!exited) child.kill('SIGKILL')
  }
  return new Promise<AcceptHolder>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      kill()
      reject(holderError('ETIMEDOUT', 'the helper that holds the listener did not start'))
    }, HOLDER_START_MS)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf('\n')
      if (nl < 0) return
      clearTimeout(timer)
      child.stdout?.removeAllListeners('data')
      const m = JSON.parse(out.slice(0, nl)) as {
        error?: string
        message?: string
        address: string
        port: number
        family: string
        pid: number
      }
      if (m.error) {
        kill()
        return reject(holderError(m.error, m.message ?? m.error))
      }
      let released: Promise<net.Server> | null = null
      resolve({
        address: m.address,
        port: m.port,
        family: m.family === 'IPv6' ? 'IPv6' : 'IPv4',
        pid: m.pid,
        release() {
          released ??= new Promise<net.Server>((done, fail) => {
            child.once('message', (_msg, handle) => {
              kill()
              if (handle && typeof (handle as net.Server).address === 'function') done(handle as net.Server)
              else fail(holderError('EIO', 'the helper did not hand over the listening socket'))
            })
            child.once('exit', () => fail(holderError('EIO', 'the helper that held the listener ended')))
            child.stdin?.write('g')
          })
          return released
        },
        close: kill
      })
    })
  })
}
