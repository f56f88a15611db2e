import net from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import { startWebServer, WEB_MAX_CONNECTIONS } from '../../src/main/web/web-server'
import type { WebServer } from '../../src/main/web/web-server'
import { WS_MAX_IN_FLIGHT } from '@shared/ws-protocol'
import { WS_MAX_UNAUTHENTICATED } from '../../src/main/web/ws-endpoint'
import { waitFor } from '../helpers/wait'

let dir: string
let hub: LabHub
let web: WebServer
const sockets: Array<{ destroy(): void }> = []
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcp-lab-web-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>')
  hub = createLabHub({ batcher: { intervalMs: 10 } })
  web = await startWebServer({ hub, port: 0, staticDir: dir, token: 't'.repeat(32) })
})
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await web.close()
  await hub.dispose()
  rmSync(dir, { recursive: true, force: true })
})

function openWs(): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws`, { headers: { Origin: `http://127.0.0.1:${web.port}` } })
  sockets.push({ destroy: () => ws.terminate() })
  return ws
}

describe('a WebSocket client that stops reading', () => {
  it('gets at most WS_MAX_IN_FLIGHT replies queued: a request counts until its reply is flushed', async () => {
    // A connection with a 256 KiB record makes every connection:traffic reply about 350 KB of JSON.
    const server = await hub.run('server:start', { port: 0, behaviour: 'discard' })
    const port = (server.ok && (server.value as { bound: { port: number } }).bound.port) || 0
    const peer = net.connect({ port, host: '127.0.0.1' })
    sockets.push(peer)
    peer.write(Buffer.alloc(256 * 1024, 0x41))
    const conn = await waitFor(() => [...hub.lab.connections.values()].find((c) => c.bytesIn === 256 * 1024), {
      what: 'bytes in'
    })

    const ws = openWs()
    await new Promise<void>((resolve) => ws.once('open', () => resolve()))
    ws.send(JSON.stringify({ type: 'auth', token: 't'.repeat(32) }))
    await new Promise<void>((resolve) => ws.once('message', () => resolve()))
    // The client stops reading: its socket is paused, so the kernel buffers fill and the lab's side queues.
    ;(ws as unknown as { _socket: net.Socket })._socket.pause()
    const serverSide = [...web.wsClients()][0]
    let worst = 0
    const total = 1_500
    for (let i = 0; i < total; i++) {
      ws.send(
        JSON.stringify({ type: 'request', id: i, name: 'connection:traffic', payload: { connectionId: conn.id } })
      )
      if (i % 100 === 0) await new Promise((r) => setImmediate(r))
      worst = Math.max(worst, serverSide.bufferedAmount)
    }
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 20))
      worst = Math.max(worst, serverSide.bufferedAmount)
    }
    // Without the bound, 1,500 replies of ~350 KB would queue about 500 MB here.
    expect(worst).toBeLessThan((WS_MAX_IN_FLIGHT + 8) * 360 * 1024)
    expect(worst).toBeLessThan(100 * 1024 * 1024)
  })
})

describe('caps on the UI port', () => {
  it(`keeps at most ${WS_MAX_UNAUTHENTICATED} WebSockets that have not presented the token`, async () => {
    const all = Array.from({ length: WS_MAX_UNAUTHENTICATED + 6 }, () => openWs())
    const closes = all.map((ws) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code))))
    const refused = await Promise.race([
      Promise.all(closes.slice(WS_MAX_UNAUTHENTICATED)),
      new Promise<number[]>((resolve) => setTimeout(() => resolve([]), 3_000))
    ])
    expect(refused.length).toBe(6)
    expect(refused.every((c) => c === 1008)).toBe(true)
  })

  it(`closes TCP connections past ${WEB_MAX_CONNECTIONS} at once`, async () => {
    const conns = await Promise.all(
      Array.from(
        { length: WEB_MAX_CONNECTIONS + 20 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect({ port: web.port, host: '127.0.0.1' }, () => resolve(s))
            s.on('error', () => undefined)
            sockets.push(s)
          })
      )
    )
    const closed = await waitFor(
      () => {
        const n = conns.filter((s) => s.destroyed || s.readableEnded).length
        return n >= 20 ? n : false
      },
      { what: 'the extra connections closed', timeoutMs: 3_000 }
    )
    expect(closed).toBe(20)
  })
})
