import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { connectPeer } from './support/node-peer'
import type { NodePeer } from './support/node-peer'
import { chargenCycle, daytimeLine } from '../../src/main/engine/behaviours/classic'

let lab: TestLab
const peers: NodePeer[] = []
afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy()
  await lab?.dispose()
})

async function peer(port: number): Promise<NodePeer> {
  const p = await connectPeer({ port })
  peers.push(p)
  return p
}

/** Waits until `read()` stops changing over `quietMs`, bounded by `timeoutMs`. */
async function settled(read: () => number, quietMs = 300, timeoutMs = 8_000): Promise<number> {
  let last = read()
  let since = Date.now()
  return waitFor(
    () => {
      const now = read()
      if (now !== last) {
        last = now
        since = Date.now()
        return false
      }
      return Date.now() - since >= quietMs && now > 0 ? now : false
    },
    { what: 'the value to settle', timeoutMs }
  )
}

describe('chargen (RFC 864)', () => {
  it('sends the rotating 72-column pattern: `nc | head -c 7400` gets 100 exact lines', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'chargen' })
    const r = await run('sh', ['-c', `nc -d 127.0.0.1 ${s.bound.port} | head -c 7400`])
    const text = r.stdout.toString('latin1')
    const lines = text.split('\r\n')
    expect(lines.length).toBe(101)
    expect(lines[0]).toBe(' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg')
    expect(lines[1]).toBe(lines[0].slice(1) + 'h')
    expect(lines[94].startsWith('~ !"#')).toBe(true)
    expect(lines[95]).toBe(lines[0])
    for (const l of lines.slice(0, 100)) expect(l).toMatch(/^[\x20-\x7e]{72}$/)
    // head exits, nc dies on SIGPIPE: the lab sees the connection end.
    await lab.waitConn((c) => c.state === 'closed', 'the chargen connection to close')
  })

  it('the pattern is 95 lines of 74 bytes', () => {
    const cycle = chargenCycle()
    expect(cycle.length).toBe(95 * 74)
  })

  it('writes only as fast as the peer reads: a paused reader stalls it with a bounded lab buffer', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'chargen' })
    const p = await peer(s.bound.port)
    p.socket.pause()
    const conn = () => lab.hub.lab.connections.get(1)!
    const stalledAt = await settled(() => conn().bytesOut)
    // Kernel buffers hold what was written; the lab itself keeps at most about one write's worth queued.
    expect(conn().pendingWriteBytes).toBeLessThanOrEqual(64 * 1024)
    p.socket.resume()
    await waitFor(() => conn().bytesOut > stalledAt + 1_000_000, {
      what: 'chargen to continue once the peer reads',
      timeoutMs: 10_000
    })
    p.socket.destroy()
    await lab.waitConn((c) => c.state === 'closed', 'close')
  })
})

describe('daytime (RFC 867)', () => {
  it('nc gets one date-time line, then the server closes', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'daytime' })
    const r = await run('nc', ['127.0.0.1', String(s.bound.port)], { input: '' })
    expect(r.stdout.toString()).toMatch(/^[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\n$/)
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.closeReason).toBe('lab-close')
    expect(c.bytesOut).toBe(r.stdout.length)
  })

  it('formats like the RFC example', () => {
    const line = daytimeLine(new Date(1982, 1, 22, 17, 37, 43))
    expect(line).toMatch(/^Monday, February 22, 1982 17:37:43 [+-]\d{4}\r\n$/)
  })
})

describe('telemetry', () => {
  const LINE = /^t=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z seq=(\d+) uptime_ms=(\d+) peers=(\d+)$/

  it('pushes a line every telemetryIntervalMs to each peer; input is counted and ignored', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'telemetry',
      options: { telemetryIntervalMs: 50 }
    })
    const a = await peer(s.bound.port)
    const lines = (p: NodePeer) =>
      p
        .text()
        .split('\n')
        .filter((l) => l !== '')
    await a.waitFor((b) => b.toString().split('\n').length > 3, 'three telemetry lines')
    const first = lines(a)
      .slice(0, 3)
      .map((l) => LINE.exec(l))
    expect(first.map((m) => m?.[1])).toEqual(['1', '2', '3'])
    expect(first[0]?.[3]).toBe('1')
    const b = await peer(s.bound.port)
    await b.waitFor((buf) => /peers=2/.test(buf.toString()), 'a line counting two peers')
    a.socket.write('ignored input\n')
    await lab.waitConn((c) => c.id === 1 && c.bytesIn === 14, 'the lab to count the input')
    for (const l of lines(a)) expect(l).toMatch(LINE)
    expect(a.text()).not.toContain('ignored')
  })

  it('stops pushing when the behaviour changes (timers cleared)', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', {
      host: '127.0.0.1',
      port: 0,
      behaviour: 'telemetry',
      options: { telemetryIntervalMs: 20 }
    })
    const a = await peer(s.bound.port)
    await a.waitFor((b) => b.toString().split('\n').length > 2, 'two lines')
    await lab.ok('server:configure', { serverId: s.id, behaviour: 'discard' })
    const out = await settled(() => lab.conn(1).bytesOut, 200)
    expect(lab.conn(1).bytesOut).toBe(out)
    expect(a.received().length).toBe(out)
  })
})
