// Issue 19, item 3: a server whose connections start paused, so a bounded sender fills the kernel's
// buffers from the first byte and Resume delivers the exact total.
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import { connectPeer } from './support/node-peer'
import type { NodePeer } from './support/node-peer'

let lab: TestLab
const peers: NodePeer[] = []
afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy()
  await lab?.dispose()
})

describe('pause at accept', () => {
  it('reads nothing until Resume, then exactly what the peer sent', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'discard', pauseOnAccept: true })
    expect(s.pauseOnAccept).toBe(true)
    const p = await connectPeer({ port: s.bound.port })
    peers.push(p)
    const total = 4 * 1024 * 1024
    const block = Buffer.alloc(64 * 1024, 0x61)
    let flushed = true
    for (let i = 0; i < total / block.length; i++) flushed = p.socket.write(block)
    // The kernel's buffers fill and the peer's writes back up: nothing was read.
    expect(flushed).toBe(false)
    const c = await lab.waitConn((c) => c.paused, 'the connection paused at accept')
    await waitFor(() => p.socket.writableLength > 0 && p.socket.writableLength < total, {
      what: 'part of the data to reach the kernel'
    })
    expect(lab.conn(c.id).bytesIn).toBe(0)
    const resumed = await lab.ok('connection:action', { connectionId: c.id, action: 'resume' })
    expect(resumed.paused).toBe(false)
    await lab.waitConn((x) => x.id === c.id && x.bytesIn === total, 'every byte after Resume', 10_000)
    expect(lab.conn(c.id).bytesIn).toBe(total)
  })

  it('can be switched on and off on a running server; connections already open keep their state', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    expect(s.pauseOnAccept).toBeUndefined()
    const a = await connectPeer({ port: s.bound.port })
    peers.push(a)
    await lab.waitConn((c) => c.id === 1, 'the first connection')
    const on = await lab.ok('server:configure', { serverId: s.id, pauseOnAccept: true })
    expect(on.pauseOnAccept).toBe(true)
    const b = await connectPeer({ port: s.bound.port })
    peers.push(b)
    await lab.waitConn((c) => c.id === 2 && c.paused, 'the second connection paused')
    expect(lab.conn(1).paused).toBe(false)
    const off = await lab.ok('server:configure', { serverId: s.id, pauseOnAccept: false })
    expect(off.pauseOnAccept).toBeUndefined()
  })
})
