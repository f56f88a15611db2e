import { describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { connectPeer } from './support/node-peer'
import { disposeAfterEach } from './support/per-test'
import { startPeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'

let lab: TestLab
const { peers, procs } = disposeAfterEach(() => lab)

async function manualServer(): Promise<number> {
  lab = createTestLab()
  const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'manual' })
  return s.bound.port
}

describe('connection:send', () => {
  it('text with CRLF to one nc peer: exact bytes, one chunk, counted', async () => {
    const port = await manualServer()
    const nc = startPeer('nc', ['127.0.0.1', String(port)])
    procs.push(nc)
    const c = await lab.waitConn((c) => c.state === 'open', 'nc to connect')
    const r = await lab.ok('connection:send', {
      connectionId: c.id,
      payload: { format: 'text', text: 'héllo', lineEnding: 'crlf' }
    })
    expect(r).toEqual({ bytes: 8, connections: 1 })
    await waitFor(() => nc.output().equals(Buffer.from('héllo\r\n')), { what: 'nc to print the text' })
    expect(lab.conn(c.id)).toMatchObject({ bytesOut: 8, chunksOut: 1 })
  })

  it('hex to every connection of a server', async () => {
    const port = await manualServer()
    const a = await connectPeer({ port })
    const b = await connectPeer({ port })
    peers.push(a, b)
    await lab.waitConn((c) => c.id === 2, 'two connections')
    const r = await lab.ok('connection:send', {
      serverId: 1,
      payload: { format: 'hex', text: '48 65 6c\n6c 6f', lineEnding: 'lf' }
    })
    expect(r).toEqual({ bytes: 6, connections: 2 })
    await a.waitFor('Hello\n')
    await b.waitFor('Hello\n')
  })

  it('escapes: \\r\\n\\x00 become those bytes', async () => {
    const port = await manualServer()
    const a = await connectPeer({ port })
    peers.push(a)
    const c = await lab.waitConn((c) => c.state === 'open', 'connected')
    await lab.ok('connection:send', {
      connectionId: c.id,
      payload: { format: 'escapes', text: 'a\\r\\n\\x00\\tz', lineEnding: 'none' }
    })
    const got = await a.waitFor((b) => b.length === 6)
    expect([...got]).toEqual([0x61, 0x0d, 0x0a, 0x00, 0x09, 0x7a])
  })

  it('a bad hex string is refused with its position and sends nothing, to nobody', async () => {
    const port = await manualServer()
    const a = await connectPeer({ port })
    const b = await connectPeer({ port })
    peers.push(a, b)
    await lab.waitConn((c) => c.id === 2, 'two connections')
    const r = await lab.session.handle('connection:send', {
      serverId: 1,
      payload: { format: 'hex', text: '48 6x 6c', lineEnding: 'none' }
    })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('bad-payload')
    expect(`${r.error.message} ${r.error.hint}`).toMatch(/position 4/)
    expect(lab.conn(1).bytesOut + lab.conn(2).bytesOut).toBe(0)
    const one = await lab.session.handle('connection:send', {
      connectionId: 1,
      payload: { format: 'escapes', text: 'ok\\q', lineEnding: 'none' }
    })
    expect(one.ok).toBe(false)
    expect(lab.conn(1).bytesOut).toBe(0)
  })

  it('refuses to send to a server with no open connection, or to a half-closed one', async () => {
    const port = await manualServer()
    const none = await lab.session.handle('connection:send', { serverId: 1, payload: { format: 'text', text: 'x' } })
    expect(none).toMatchObject({ ok: false, error: { code: 'not-writable' } })
    const a = await connectPeer({ port })
    peers.push(a)
    await lab.waitConn((c) => c.state === 'open', 'connected')
    await lab.ok('connection:action', { connectionId: 1, action: 'half-close' })
    const r = await lab.session.handle('connection:send', { connectionId: 1, payload: { format: 'text', text: 'x' } })
    expect(r).toMatchObject({ ok: false, error: { code: 'not-writable' } })
  })
})
