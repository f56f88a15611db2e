// Issue 19, item 2: each FIN has its place in the ordered traffic record, so a diagram never has to
// guess from timestamps that tie within a millisecond.
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'

let lab: TestLab
afterEach(async () => {
  await lab?.dispose()
})

describe('the order of FINs among the chunks', () => {
  it('`nc -N` against echo-after-eof: data in, FIN from the peer, the reply, then the lab’s FIN', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo-after-eof' })
    const r = await run('nc', ['-N', '127.0.0.1', String(s.bound.port)], { input: 'hello from nc -N!\n' })
    expect(r.stdout.toString()).toBe('hello from nc -N!\n')
    const c = await lab.waitConn((c) => c.state === 'closed', 'the close')
    const record = await lab.ok('connection:traffic', { connectionId: c.id })
    expect(record.chunks.map((k) => `${k.seq}:${k.dir}`)).toEqual(['0:in', '1:out'])
    // The peer's FIN came after chunk 0 and before chunk 1; the lab's after chunk 1.
    expect(c.peerEndedSeq).toBe(1)
    expect(c.labEndedSeq).toBe(2)
    expect(c.labEndedAt).toBeGreaterThanOrEqual(c.peerEndedAt ?? Infinity)
    expect(c.closeReason).toBe('lab-close')
  })

  it('a half-close by the lab gets its own time and place; a reset gets none', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual' })
    const p = await connectPeer({ port: s.bound.port })
    p.socket.write('abc')
    const c = await lab.waitConn((c) => c.bytesIn === 3, 'the 3 bytes')
    expect(c.labEndedAt).toBeUndefined()
    const before = Date.now()
    const after = await lab.ok('connection:action', { connectionId: c.id, action: 'half-close' })
    expect(after.state).toBe('lab-half-closed')
    expect(after.labEndedAt).toBeGreaterThanOrEqual(before)
    expect(after.labEndedSeq).toBe(1)
    await p.ended
    p.socket.write('after our FIN')
    await lab.waitConn((x) => x.id === c.id && x.bytesIn === 16, 'bytes after the half-close')
    await lab.ok('connection:action', { connectionId: c.id, action: 'reset' })
    const closed = await lab.waitConn((x) => x.id === c.id && x.state === 'closed', 'the reset')
    // The FIN stays where it was; the reset does not move it.
    expect(closed.labEndedSeq).toBe(1)
    expect(closed.closeReason).toBe('lab-reset')
    p.socket.destroy()
  })
})
