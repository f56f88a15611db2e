import net from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'

/** Binds a plain listener to host:port (or a path) and closes it again; rejects with the bind error. */
function bindOnce(opts: { host: string; port: number } | { path: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(opts, () => s.close(() => resolve()))
  })
}

async function hasIPv6(): Promise<boolean> {
  return bindOnce({ host: '::1', port: 0 }).then(
    () => true,
    () => false
  )
}

let lab: TestLab
const sockets: net.Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await lab?.dispose()
})

describe('faults: stopping and quitting free everything at once', () => {
  it('a server stopped with 100 clients attached closes them all, and its port can be bound again at once', async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const port = server.bound.port
    // Half the clients answer the lab's FIN; half never read nor close (and have echo data pending).
    for (let i = 0; i < 100; i++) {
      const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: i % 2 === 1 })
      s.on('error', () => {})
      if (i % 2 === 1) {
        s.pause()
        s.on('connect', () => s.write(Buffer.alloc(256 * 1024, 1)))
      } else s.on('end', () => s.end())
      sockets.push(s)
    }
    await waitFor(() => lab.hub.lab.servers.get(server.id)?.connections.size === 100, { what: '100 open rows' })
    const ids = [...(lab.hub.lab.servers.get(server.id)?.connections ?? [])].map((c) => c.id)

    await lab.ok('server:stop', { serverId: server.id })
    // The port is free the moment the command answers: the lab itself can listen there again...
    const again = await lab.ok('server:start', { host: '127.0.0.1', port, behaviour: 'discard' })
    expect(again.bound.port).toBe(port)
    await lab.ok('server:stop', { serverId: again.id })
    // ...and so can any other program.
    await bindOnce({ host: '127.0.0.1', port })

    // Every connection closes; even peers that never read cannot hold a row open (the lab's close is bounded).
    await waitFor(() => ids.every((id) => lab.conn(id).state === 'closed'), {
      what: 'all 100 rows closed',
      timeoutMs: 8_000
    })
    const reasons = new Set(ids.map((id) => lab.conn(id).closeReason))
    expect([...reasons]).toEqual(['server-stopped'])
    expect(lab.hub.lab.currentTotals().connectionsOpen).toBe(0)
  })

  it('hub.dispose() frees every port and socket path it bound, with connections and clients attached', async () => {
    lab = createTestLab()
    const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-faults-'))
    try {
      const path = join(dir, 'lab.sock')
      const specs: { host: string; port: number }[] = [
        { host: '127.0.0.1', port: 0 },
        { host: '127.0.0.1', port: 0 },
        { host: '0.0.0.0', port: 0 }
      ]
      if (await hasIPv6()) specs.push({ host: '::1', port: 0 })
      const bound: { host: string; port: number }[] = []
      for (const spec of specs) {
        const s = await lab.ok('server:start', { ...spec, behaviour: 'echo' })
        bound.push({ host: spec.host, port: s.bound.port })
      }
      await lab.ok('server:start', { host: `unix:${path}`, behaviour: 'echo' })
      // Live traffic on each: peers connected to the lab, and the lab connected out to its own servers.
      for (const b of bound) {
        const s = net.connect({ host: b.host === '0.0.0.0' ? '127.0.0.1' : b.host, port: b.port })
        s.on('error', () => {})
        sockets.push(s)
        await lab.ok('client:connect', { host: b.host === '0.0.0.0' ? '127.0.0.1' : b.host, port: b.port })
      }
      const u = net.connect({ path })
      u.on('error', () => {})
      sockets.push(u)
      await waitFor(() => lab.hub.lab.currentTotals().connectionsOpen === bound.length * 3 + 1, {
        what: 'every connection open'
      })

      await lab.hub.dispose()
      for (const b of bound) await bindOnce(b)
      await bindOnce({ path })
      // The lab is closed for business: a new command is refused, not half-run.
      const r = await lab.session.handle('server:start', { host: '127.0.0.1', port: 0 })
      expect(r.ok).toBe(false)
      await waitFor(() => [...lab.hub.lab.connections.values()].every((c) => c.closed), { what: 'every row closed' })
      expect(lab.hub.lab.currentTotals().connectionsOpen).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
