import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'

// A peer that does not answer, on loopback only: a listener with backlog 0 that never calls accept().
// Once its accept queue holds one connection, Linux drops every further SYN (tcp_abort_on_overflow=0),
// so a connect there gets no SYN-ACK and no RST: exactly a host that does not answer. Node cannot make
// such a listener (it always accepts), so a two-line Python one stands in.
const HAS_PYTHON = spawnSync('python3', ['-c', 'print(1)'], { timeout: 5_000 }).status === 0
const NEVER_ACCEPTS = [
  'import socket, sys',
  's = socket.socket()',
  "s.bind(('127.0.0.1', 0))",
  's.listen(0)',
  'print(s.getsockname()[1], flush=True)',
  'sys.stdin.read()'
].join('\n')

/** Starts the listener; resolves with its port. */
function neverAccepting(): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', NEVER_ACCEPTS], { stdio: ['pipe', 'pipe', 'inherit'] })
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    killer.unref()
    child.once('error', reject)
    child.stdout?.once('data', (d: Buffer) => resolve({ port: Number(String(d).trim()), child }))
  })
}

/** Tries one connect; 'pending' when no answer came within `ms`. */
function tryConnect(port: number, ms: number, keep: net.Socket[]): Promise<'connected' | 'pending' | 'error'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    keep.push(s)
    const t = setTimeout(() => resolve('pending'), ms)
    s.once('connect', () => (clearTimeout(t), resolve('connected')))
    s.once('error', () => (clearTimeout(t), resolve('error')))
  })
}

let lab: TestLab
let child: ChildProcess | undefined
const fillers: net.Socket[] = []
afterEach(async () => {
  for (const s of fillers.splice(0)) s.destroy()
  child?.kill('SIGKILL')
  await lab?.dispose()
})

describe('faults: a peer that does not answer', () => {
  it.skipIf(!HAS_PYTHON)(
    'client:connect times out with a clear message, leaves no row and no socket behind',
    async () => {
      lab = createTestLab()
      const listener = await neverAccepting()
      child = listener.child
      // Fill the accept queue until a SYN goes unanswered (bounded: a handful at most).
      let filled = false
      for (let i = 0; i < 8 && !filled; i++) filled = (await tryConnect(listener.port, 300, fillers)) === 'pending'
      expect(filled).toBe(true)

      const sockets = (): number =>
        process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'ConnectWrap').length
      const before = sockets()
      const started = Date.now()
      const r = await lab.session.handle('client:connect', { host: '127.0.0.1', port: listener.port, timeoutMs: 700 })
      const elapsed = Date.now() - started
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.error.code).toBe('ETIMEDOUT')
      expect(r.error.message).toBe(`Connecting to 127.0.0.1:${listener.port} timed out`)
      expect(r.error.hint).toMatch(/no answer/i)
      expect(elapsed).toBeGreaterThanOrEqual(650)
      expect(elapsed).toBeLessThan(3_000)
      expect(lab.hub.lab.connections.size).toBe(0)
      // The half-open attempt was abandoned, not left retrying SYNs in the background.
      await waitFor(() => sockets() <= before, { what: 'the attempt socket released', timeoutMs: 2_000 }).catch(
        () => undefined
      )
      expect(sockets()).toBeLessThanOrEqual(before)
    }
  )
})
