import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import { connectPeer } from './support/node-peer'

let lab: TestLab | undefined
afterEach(async () => {
  await lab?.dispose()
  lab = undefined
})

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', () => resolve(true))
  })
}

describe('a burst of server:start commands', () => {
  it('gives every server its own id; each is registered, stoppable, and closed by stop', async () => {
    lab = createTestLab()
    const n = 24
    const started = await Promise.all(Array.from({ length: n }, () => lab!.ok('server:start', { port: 0 })))
    const ids = started.map((s) => s.id)
    expect(new Set(ids).size).toBe(n)
    expect(lab.hub.lab.servers.size).toBe(n)
    expect(
      lab.hub.lab
        .snapshot(0)
        .servers.map((s) => s.id)
        .sort((a, b) => a - b)
    ).toEqual([...ids].sort((a, b) => a - b))
    for (const s of started) await lab.ok('server:stop', { serverId: s.id })
    for (const s of started) expect(await refused(s.bound.port)).toBe(true)
  })

  it('a start still binding when the lab is disposed is closed, not left listening', async () => {
    lab = createTestLab()
    const pending = Array.from({ length: 8 }, () => lab!.session.handle('server:start', { port: 0 }))
    const disposed = lab.hub.dispose()
    const results = await Promise.all(pending)
    await disposed
    // Whatever managed to bind before the dispose is closed by it; nothing keeps serving under a lost id.
    await waitFor(
      async () => {
        for (const r of results)
          if (r.ok && !(await refused((r.value as { bound: { port: number } }).bound.port))) return false
        return true
      },
      { what: 'every port closed', timeoutMs: 3_000 }
    )
    lab = undefined
  })

  it('a failed start (port in use) takes no registry slot and the next start works', async () => {
    lab = createTestLab()
    const a = await lab.ok('server:start', { port: 0 })
    const clash = await Promise.all([
      lab.session.handle('server:start', { port: a.bound.port }),
      lab.session.handle('server:start', { port: 0 })
    ])
    expect(clash[0].ok).toBe(false)
    expect(clash[1].ok).toBe(true)
    expect(lab.hub.lab.servers.size).toBe(2)
    const peer = await connectPeer({ port: a.bound.port })
    peer.socket.end('ok')
    await peer.waitFor('ok')
  })
})
