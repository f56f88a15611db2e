// `tcp-lab web --proxy … --toxiproxy-api 0` as a real process, driven by a real Toxiproxy client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Toxiproxy } from 'toxiproxy-node-client'
import { connectPeer, startUpstream } from '../helpers/proxy-peers'
import type { Upstream } from '../helpers/proxy-peers'
import { runCli, startWebLab, webBuildReady } from './helpers/web-lab'
import type { WebLab } from './helpers/web-lab'

let up: Upstream
let lab: WebLab | null = null

beforeAll(async () => {
  if (!webBuildReady())
    throw new Error('browser mode is not built: run `npx electron-vite build` first (npm test does)')
  up = await startUpstream({ echo: true })
})
afterAll(async () => {
  await lab?.stop('SIGKILL')
  await up?.close()
})

describe('tcp-lab web with --proxy and --toxiproxy-api', () => {
  it('starts the proxy and the API at launch; a Toxiproxy client adds latency that real traffic feels', async () => {
    lab = await startWebLab(['--proxy', `echo=127.0.0.1:0=127.0.0.1:${up.port}`, '--toxiproxy-api', '0'])
    const out = lab.stdout()
    const proxyLine = /^Proxy: echo on 127\.0\.0\.1:(\d+) → 127\.0\.0\.1:\d+$/m.exec(out)
    const apiLine = /^Toxiproxy API: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)
    expect(proxyLine).not.toBeNull()
    expect(apiLine).not.toBeNull()
    const client = new Toxiproxy(apiLine![1])
    const proxy = await client.get('echo')
    expect(proxy.enabled).toBe(true)
    await proxy.addToxic({ type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 200 } } as never)
    const peer = await connectPeer(Number(proxyLine![1]))
    const t0 = Date.now()
    peer.socket.write('ping')
    await peer.waitBytes(4)
    expect(peer.reads[0].at - t0).toBeGreaterThanOrEqual(195)
    peer.socket.destroy()
  })

  it('exits with the reason when a --proxy cannot listen', async () => {
    const r = await runCli(['web', '--ui-port', '0', '--proxy', `x=127.0.0.1:${up.port}=127.0.0.1:${up.port}`])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/--proxy x: Port \d+ is already in use/)
  })
})
