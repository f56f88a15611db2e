// `tcp-lab web` as a real process: its printed line, --listen, shutdown, and the endpoint's defences,
// probed with plain http/ws clients (no browser needed).
import { createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run, startPeer } from '../helpers/processes'
import { waitFor } from '../helpers/wait'
import { closed, httpGet, openWs } from './helpers/http-ws'
import { runCli, startWebLab, URL_LINE, webBuildReady } from './helpers/web-lab'
import type { WebLab } from './helpers/web-lab'

const labs: WebLab[] = []
async function lab(args: string[] = []): Promise<WebLab> {
  const l = await startWebLab(args)
  labs.push(l)
  return l
}

beforeAll(() => {
  if (!webBuildReady())
    throw new Error('browser mode is not built: run `npx electron-vite build` first (npm test does)')
})
afterAll(async () => {
  await Promise.all(labs.map((l) => l.stop('SIGKILL')))
})

describe('tcp-lab web: the command', () => {
  it('prints usage for --help and refuses bad options', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: tcp-lab web \[options\]/)
    expect(help.stdout).toContain('--listen [BEHAVIOUR@]ADDRESS')
    expect(help.stdout).toContain('ssh -L 7357:127.0.0.1:7357')
    const bad = await runCli(['web', '--ui-port', '70000'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--ui-port must be a whole number from 0 to 65535, not "70000"/)
    expect(bad.stdout).toBe('')
  })

  it('prints exactly one URL line with a 128-bit token, and serves the UI with a strict CSP', async () => {
    const l = await lab()
    const lines = l.stdout().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(URL_LINE)
    expect(l.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32,}$/)
    const page = await httpGet(l.port, '/')
    expect(page.status).toBe(200)
    expect(page.body).toMatch(/<script[^>]+src=/)
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${l.port}`)
    expect(page.headers['content-security-policy']).toContain("script-src 'self';")
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    const other = await lab()
    expect(other.token).not.toBe(l.token)
  })

  it('starts --listen servers at launch, then serves them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcp-lab-cli-'))
    const sock = join(dir, 'lab.sock')
    try {
      const l = await lab(['--listen', '0', '--listen', `uppercase@[::1]:0`, '--listen', `chat@unix:${sock}`])
      const listening = l
        .stdout()
        .split('\n')
        .filter((s) => s.startsWith('Listening: '))
      expect(listening).toHaveLength(3)
      expect(listening[0]).toMatch(/^Listening: echo on 127\.0\.0\.1:\d+ \(nc 127\.0\.0\.1 \d+\)$/)
      expect(listening[1]).toMatch(/^Listening: uppercase on \[::1\]:\d+ \(nc ::1 \d+\)$/)
      expect(listening[2]).toBe(`Listening: chat on unix:${sock} (nc -U ${sock})`)
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(listening[0])?.[1])
      const echoed = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'hello\n' })
      expect(echoed.stdout.toString()).toBe('hello\n')
      const v6 = Number(/\]:(\d+)/.exec(listening[1])?.[1])
      const upper = await run('nc', ['-N', '::1', String(v6)], { input: 'shout\n' })
      expect(upper.stdout.toString()).toBe('SHOUT\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('exits non-zero with the reason when a --listen port is in use', async () => {
    const holder: Server = createServer()
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r))
    const port = (holder.address() as AddressInfo).port
    try {
      const r = await runCli(['web', '--ui-port', '0', '--listen', String(port)])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`Port ${port} is already in use`)
      expect(r.stdout).not.toMatch(/TCP Lab UI/)
      const bad = await runCli(['web', '--ui-port', '0', '--listen', 'nope@9000'])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/unknown behaviour "nope"/)
    } finally {
      holder.close()
    }
  })

  it('warns when the UI is bound beyond loopback', async () => {
    const l = await lab(['--ui-host', '0.0.0.0'])
    expect(l.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/)
    await waitFor(() => l.stderr().includes('WARNING'), { what: 'warning' })
    expect(l.stderr()).toMatch(/not on loopback/)
    expect(l.stderr()).toMatch(/ssh -L/)
  })

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} closes every listener and connection and exits 0`, async () => {
      const l = await startWebLab(['--listen', '0'])
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(l.stdout())?.[1])
      const peer = startPeer('nc', ['127.0.0.1', String(port)])
      peer.child.stdin.write('hi\n')
      await waitFor(() => peer.output().toString() === 'hi\n', { what: 'echo before shutdown' })
      expect(await l.stop(signal)).toBe(0)
      // The connection was closed by the lab: nc sees the end and exits on its own.
      const exitedInTime = await Promise.race([
        peer.exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 5_000))
      ])
      peer.kill()
      expect(exitedInTime).toBe(true)
      const after = await run('nc', ['-z', '-w', '2', '127.0.0.1', String(port)])
      expect(after.code).not.toBe(0)
      await expect(httpGet(l.port, '/')).rejects.toThrow(/ECONNREFUSED/)
    })
  }
})

describe('tcp-lab web: the endpoint refuses strangers', () => {
  let l: WebLab
  beforeAll(async () => {
    l = await lab()
  })

  it('refuses HTTP with a foreign Host or Origin (DNS rebinding, cross-site)', async () => {
    expect((await httpGet(l.port, '/', { Host: `attacker.example:${l.port}` })).status).toBe(403)
    expect((await httpGet(l.port, '/', { Host: `127.0.0.1:${l.port + 1}` })).status).toBe(403)
    expect((await httpGet(l.port, '/', { Origin: 'http://attacker.example' })).status).toBe(403)
    expect((await httpGet(l.port, '/', { Host: `localhost:${l.port}` })).status).toBe(200)
    // The token never reaches HTTP: there is no command over plain HTTP, with or without it.
    expect((await httpGet(l.port, `/ws?token=${l.token}`)).status).not.toBe(200)
  })

  it('refuses a WebSocket with a foreign Origin or Host before it opens', async () => {
    expect(await openWs(l.port, { Origin: 'http://attacker.example' })).toEqual({ kind: 'refused', status: 403 })
    expect(await openWs(l.port, { Origin: 'null' })).toEqual({ kind: 'refused', status: 403 })
    expect(await openWs(l.port, { Host: `attacker.example:${l.port}` })).toEqual({ kind: 'refused', status: 403 })
  })

  it('closes a WebSocket that sends no token, a wrong token or the token in the URL', async () => {
    for (const first of [
      { type: 'request', id: 1, name: 'server:start', payload: { port: 0 } },
      { type: 'auth', token: '0'.repeat(32) },
      { type: 'auth', token: l.token.slice(0, -1) },
      { type: 'auth' }
    ]) {
      const o = await openWs(l.port, { Origin: l.origin })
      if (o.kind !== 'open') throw new Error(`refused ${o.status}`)
      const c = closed(o.ws)
      o.ws.send(JSON.stringify(first))
      expect((await c).code).toBe(1008)
      expect(o.messages).toEqual([])
    }
    const inUrl = await openWs(l.port, { Origin: l.origin }, `/ws?token=${l.token}`)
    expect(inUrl.kind).toBe('refused')
  })

  it('accepts the right token from its own origin, then runs commands', async () => {
    const o = await openWs(l.port, { Origin: l.origin })
    if (o.kind !== 'open') throw new Error(`refused ${o.status}`)
    o.ws.send(JSON.stringify({ type: 'auth', token: l.token }))
    o.ws.send(JSON.stringify({ type: 'request', id: 7, name: 'lab:snapshot', payload: {} }))
    const answer = await waitFor(() => o.messages.find((m) => (m as { id?: number }).id === 7), {
      what: 'snapshot answer'
    })
    expect(o.messages[0]).toEqual({ type: 'ready' })
    expect(answer).toMatchObject({ type: 'result', result: { ok: true, value: { servers: [] } } })
    o.ws.terminate()
  })
})
