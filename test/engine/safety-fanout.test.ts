import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { waitFor } from '../helpers/wait'
import { connectPeer } from './support/node-peer'
import type { NodePeer } from './support/node-peer'

let lab: TestLab | undefined
const peers: NodePeer[] = []
afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy()
  await lab?.dispose()
  lab = undefined
})

async function peer(port: number): Promise<NodePeer> {
  const p = await connectPeer({ port })
  peers.push(p)
  return p
}

/** Round trips to an echo server every 20 ms while `during` runs; returns the slowest one in ms. */
async function slowestEcho(port: number, during: () => Promise<void>): Promise<{ worst: number; trips: number }> {
  const probe = await peer(port)
  let worst = 0
  let trips = 0
  let stop = false
  const loop = (async () => {
    for (let i = 0; i < 2_000 && !stop; i++) {
      const t0 = performance.now()
      const want = probe.received().length + 5
      probe.socket.write(`p${String(i % 1000).padStart(3, '0')}\n`)
      await probe.waitFor((b) => b.length >= want, 'echo', 10_000)
      worst = Math.max(worst, performance.now() - t0)
      trips++
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  await during()
  stop = true
  await loop
  return { worst, trips }
}

describe('one flooding peer never freezes the lab', () => {
  it('chat: 512 KiB of bare newlines with 6 listeners; an echo server elsewhere keeps answering within a few hundred ms', async () => {
    lab = createTestLab()
    const chat = await lab.ok('server:start', { port: 0, behaviour: 'chat' })
    const echo = await lab.ok('server:start', { port: 0, behaviour: 'echo' })
    const listeners = await Promise.all(Array.from({ length: 6 }, () => peer(chat.bound.port)))
    const flooder = await peer(chat.bound.port)
    const flooderPort = flooder.socket.localPort
    await lab.waitConn((c) => c.serverId === chat.id && c.remote.port === flooderPort, 'flooder row')
    // What each listener already got (join lines) before the flood; socket.bytesRead is cheap to poll.
    const start = listeners.map((l) => l.socket.bytesRead)
    const size = 512 * 1024
    const label = `[127.0.0.1:${flooderPort}] \n`
    const { worst, trips } = await slowestEcho(echo.bound.port, async () => {
      flooder.socket.write(Buffer.alloc(size, 0x0a))
      const row = await lab!.waitConn(
        (c) => c.remote.port === flooderPort && c.bytesIn === size,
        'all newlines counted',
        30_000
      )
      expect(row.bytesIn).toBe(size)
      // Every listener gets every line.
      await waitFor(() => listeners.every((l, i) => l.socket.bytesRead - start[i] >= size * label.length), {
        what: 'all lines at every listener',
        timeoutMs: 30_000,
        intervalMs: 50
      })
    })
    expect(trips).toBeGreaterThan(3)
    expect(worst).toBeLessThan(400)
    const tail = listeners[0].received().subarray(start[0]).toString('latin1')
    expect(tail.split(label).length - 1).toBe(size)
    // One write per slice of lines, not one per line.
    const row = [...lab.hub.lab.connections.values()].find((c) => c.remote.port === listeners[0].socket.localPort)!
    expect(row.chunksOut).toBeLessThan(size / 64)
  })

  it('http: thousands of pipelined requests in a few reads are answered in order, in few writes, without stalling others', async () => {
    lab = createTestLab()
    const http = await lab.ok('server:start', { port: 0, behaviour: 'http' })
    const echo = await lab.ok('server:start', { port: 0, behaviour: 'echo' })
    const client = await peer(http.bound.port)
    const clientPort = client.socket.localPort
    const request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
    // Answers to identical requests on one connection have one length (the Date header has a fixed width).
    client.socket.write(request)
    const first = await client.waitFor((b) => {
      const head = b.indexOf('\r\n\r\n')
      const m = /Content-Length: (\d+)/.exec(b.toString('latin1'))
      return head > 0 && m !== null && b.length >= head + 4 + Number(m[1])
    }, 'first answer')
    const one = first.length
    const n = 6_000
    const { worst } = await slowestEcho(echo.bound.port, async () => {
      client.socket.write(Buffer.from(request.repeat(n)))
      await waitFor(() => client.socket.bytesRead >= one * (n + 1), {
        what: 'all answers',
        timeoutMs: 30_000,
        intervalMs: 50
      })
    })
    // A few hundred ms at most even on a loaded 2-core machine (the old code answered in time but with one write per request).
    expect(worst).toBeLessThan(1_000)
    expect(client.received().toString('latin1').split('HTTP/1.1 200 OK').length - 1).toBe(n + 1)
    const row = [...lab.hub.lab.connections.values()].find((c) => c.remote.port === clientPort)!
    expect(row.chunksOut).toBeLessThan(n / 50)
  })
})

describe('echo-after-eof has a lab-wide budget', () => {
  it('past it, the largest holder is reset with the reason in its row; the others still get their echo', async () => {
    lab = createTestLab({ limits: { heldBytesTotal: 1024 * 1024 } })
    const a = await lab.ok('server:start', { port: 0, behaviour: 'echo-after-eof' })
    const b = await lab.ok('server:start', { port: 0, behaviour: 'echo-after-eof' })
    const small = await peer(a.bound.port)
    const big = await peer(b.bound.port)
    const third = await peer(a.bound.port)
    const bigPort = big.socket.localPort
    small.socket.write(Buffer.alloc(200 * 1024, 1))
    await lab.waitConn((c) => c.remote.port === small.socket.localPort && c.bytesIn === 200 * 1024, 'small held')
    big.socket.write(Buffer.alloc(600 * 1024, 2))
    await lab.waitConn((c) => c.remote.port === bigPort && c.bytesIn === 600 * 1024, 'big held')
    third.socket.write(Buffer.alloc(300 * 1024, 3))
    const victim = await lab.waitConn((c) => c.remote.port === bigPort && c.state === 'closed', 'big reset')
    expect(victim.closeReason).toBe('lab-reset')
    expect(victim.error).toMatch(/lab holds at most 1 MiB.*held the most/)
    expect(await big.closed).toBe('ECONNRESET')
    expect(lab.hub.lab.heldBytes.total).toBeLessThanOrEqual(1024 * 1024)
    small.socket.end()
    third.socket.end()
    await small.waitFor((d) => d.length === 200 * 1024, 'small echo', 10_000)
    await third.waitFor((d) => d.length === 300 * 1024, 'third echo', 10_000)
    await waitFor(() => lab!.hub.lab.heldBytes.total === 0, { what: 'budget released' })
  })
})
