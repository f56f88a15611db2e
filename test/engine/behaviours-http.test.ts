import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { connectPeer } from './support/node-peer'
import { HttpRequestParser } from '../../src/main/engine/behaviours/http-parser'
import { escapeBytes } from '../../src/main/engine/behaviours/http'

let lab: TestLab
afterEach(async () => lab?.dispose())

async function start(): Promise<number> {
  lab = createTestLab()
  const s = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'http' })
  return s.bound.port
}

/** Splits a stream of HTTP responses framed by Content-Length. */
function responses(raw: string): Array<{ head: string; body: string }> {
  const out: Array<{ head: string; body: string }> = []
  let rest = raw
  for (let i = 0; i < 100 && rest.length > 0; i++) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) throw new Error(`incomplete head: ${rest.slice(0, 80)}`)
    const head = rest.slice(0, end)
    const len = Number(/content-length: (\d+)/i.exec(head)?.[1])
    const bodyBytes = Buffer.from(rest.slice(end + 4), 'latin1').subarray(0, len)
    out.push({ head, body: bodyBytes.toString('utf8') })
    rest = rest.slice(end + 4 + bodyBytes.length)
  }
  return out
}

describe('http behaviour with curl', () => {
  it('answers 200 text/plain with a correct Content-Length and a body showing the raw request', async () => {
    const port = await start()
    const r = await run('curl', ['-s', '-i', '-H', 'X-Tab:\ta', `http://127.0.0.1:${port}/path?x=1`])
    expect(r.code).toBe(0)
    const [res] = responses(r.stdout.toString('latin1'))
    expect(res.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(res.head).toContain('Content-Type: text/plain; charset=utf-8')
    expect(res.head).toContain('Connection: keep-alive')
    expect(Buffer.byteLength(res.body)).toBe(Number(/Content-Length: (\d+)/.exec(res.head)?.[1]))
    expect(res.body).toContain(`GET /path?x=1 HTTP/1.1\\r\\n\nHost: 127.0.0.1:${port}\\r\\n\n`)
    expect(res.body).toContain('X-Tab:\\ta\\r\\n')
    expect(res.body).toMatch(/\\r\\n\n\\r\\n\n/)
  })

  it('keeps the connection alive: two URLs in one curl use one connection', async () => {
    const port = await start()
    const r = await run('curl', ['-s', `http://127.0.0.1:${port}/one`, `http://127.0.0.1:${port}/two`])
    expect(r.stdout.toString()).toContain('GET /one HTTP/1.1')
    expect(r.stdout.toString()).toContain('GET /two HTTP/1.1')
    await lab.waitConn((c) => c.state === 'closed', 'curl to close')
    expect(lab.hub.lab.connections.size).toBe(1)
  })

  it('honours a Content-Length body (POST) and a chunked body', async () => {
    const port = await start()
    const post = await run('curl', ['-s', '-d', 'name=value', `http://127.0.0.1:${port}/form`])
    expect(post.stdout.toString()).toContain('Content-Length: 10\\r\\n\n')
    expect(post.stdout.toString()).toContain('\\r\\n\nname=value')
    const chunked = await run('curl', [
      '-s',
      '-H',
      'Transfer-Encoding: chunked',
      '-d',
      'hello',
      `http://127.0.0.1:${port}/up`
    ])
    expect(chunked.stdout.toString()).toContain('\\r\\n\n5\\r\\n\nhello\\r\\n\n0\\r\\n\n\\r\\n\n')
  })

  it('HEAD gets the headers only', async () => {
    const port = await start()
    const r = await run('curl', ['-s', '-I', `http://127.0.0.1:${port}/`])
    expect(r.stdout.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: \d+\r\n[\s\S]*\r\n\r\n$/)
  })

  it('serves a real keep-alive client (Node http.Agent) for 100 requests over at most 4 connections', async () => {
    const port = await start()
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
    const get = (i: number) =>
      new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: `/r${i}`, agent }, (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (d: string) => (body += d))
            res.on('end', () => resolve(`${res.statusCode} ${body}`))
          })
          .on('error', reject)
      })
    const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => get(i)))
    bodies.forEach((b, i) => {
      expect(b).toContain('200 TCP Lab received')
      expect(b).toContain(`GET /r${i} HTTP/1.1`)
    })
    expect(lab.hub.lab.connections.size).toBeLessThanOrEqual(4)
    agent.destroy()
  })
})

describe('http framing with nc and raw sockets', () => {
  it('HTTP/1.0 as typed into nc (bare LF line ends) is answered, then the server closes', async () => {
    const port = await start()
    const r = await run('nc', ['127.0.0.1', String(port)], { input: 'GET /old HTTP/1.0\n\n' })
    const [res] = responses(r.stdout.toString('latin1'))
    expect(res.head).toContain('Connection: close')
    expect(res.body).toContain('GET /old HTTP/1.0\\n\n\\n\n')
    const c = await lab.waitConn((c) => c.state === 'closed', 'close')
    expect(c.closeReason).toBe('lab-close')
  })

  it('HTTP/1.0 with Connection: keep-alive stays open; HTTP/1.1 with Connection: close closes', async () => {
    const port = await start()
    const p = await connectPeer({ port })
    p.socket.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    await p.waitFor(
      (b) => responses(b.toString('latin1')).length === 1 && b.toString().includes('keep-alive).'),
      'first response'
    )
    p.socket.write('GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    await p.ended
    const rs = responses(p.text())
    expect(rs.map((r) => /Connection: (\S+)/.exec(r.head)?.[1])).toEqual(['keep-alive', 'close'])
  })

  it('answers pipelined requests in order', async () => {
    const port = await start()
    const p = await connectPeer({ port })
    const reqs = ['/1', '/2', '/3'].map(
      (t, i) =>
        `${i === 1 ? 'POST' : 'GET'} ${t} HTTP/1.1\r\nHost: x\r\n${i === 1 ? 'Content-Length: 3\r\n\r\nabc' : '\r\n'}`
    )
    p.socket.write(reqs.join(''))
    await p.waitFor((b) => (b.toString().match(/HTTP\/1\.1 200/g) ?? []).length === 3, 'three responses')
    const bodies = responses(p.text()).map(
      (r) => /received this HTTP\/1\.1 request[^\n]*\n\n(\w+ \/\d)/.exec(r.body)?.[1]
    )
    expect(bodies).toEqual(['GET /1', 'POST /2', 'GET /3'])
    expect(responses(p.text())[1].body).toContain('\\r\\n\nabc')
    p.socket.destroy()
  })

  it.each([
    ['a malformed request line', 'HELLO\r\n\r\n', 400],
    ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['a bad Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n', 400],
    ['HTTP/2.0 over plain text', 'GET / HTTP/2.0\r\n\r\n', 505],
    ['headers over 16 KiB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n`, 431]
  ])('%s → %i and close', async (_what, request, status) => {
    const port = await start()
    const r = await run('nc', ['127.0.0.1', String(port)], { input: request })
    const [res] = responses(r.stdout.toString('latin1'))
    expect(res.head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
    expect(res.head).toContain('Connection: close')
    expect(res.body).toMatch(new RegExp(`^${status} `))
    await lab.waitConn((c) => c.state === 'closed', 'close')
  })
})

describe('http request parser', () => {
  it('gives the same requests when fed one byte at a time', () => {
    const wire = Buffer.from(
      '\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /p HTTP/1.1\nHost: a\ncontent-length: 4\n\nbodyPUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n'
    )
    const whole = new HttpRequestParser().push(wire)
    const bytewise = new HttpRequestParser()
    const pieces = [...wire].flatMap((b) => bytewise.push(Buffer.from([b])))
    expect(pieces).toEqual(whole)
    expect(
      whole.map((e) => (e.kind === 'request' ? `${e.request.method} ${e.request.target} ${e.request.rawSize}` : e.kind))
    ).toEqual(['GET / 27', 'POST /p 48', 'PUT /c 89'])
  })

  it('escapes control bytes visibly', () => {
    expect(escapeBytes(Buffer.from('a\r\n\t\\\x00\xff', 'latin1'))).toBe('a\\r\\n\n\\t\\\\\\x00\\xff')
  })
})
