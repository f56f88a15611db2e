import net from 'node:net'

/** Polls `probe` until it returns a value that is not undefined, or throws after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 5000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let i = 0; i < 100_000; i++) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** A listening node server on 127.0.0.1 (or `host`), port 0. */
export function listen(host = '127.0.0.1', opts: net.ServerOpts = {}): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer(opts)
    s.once('error', reject)
    s.listen(0, host, () => resolve(s))
  })
}

/** A connected client. */
export function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, host, () => resolve(c))
    c.once('error', reject)
  })
}

/** The port a server listens on. */
export function portOf(s: net.Server): number {
  const a = s.address()
  if (!a || typeof a === 'string') throw new Error('not a TCP server')
  return a.port
}

/** Closes a server, resolving even if it was not listening. */
export function close(s: net.Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()))
}
