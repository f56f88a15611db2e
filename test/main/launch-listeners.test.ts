import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'
import { describeListening, startListenSpecs } from '../../src/main/launch/launch-listeners'
import { run } from '../helpers/processes'

let hub: LabHub
let certDir: string | undefined
afterEach(async () => {
  await hub?.dispose()
  if (certDir) await rm(certDir, { recursive: true, force: true })
  certDir = undefined
})

describe('--listen in the desktop app', () => {
  it('starts each server asked for, ignoring the switches Electron and Chromium add', async () => {
    hub = createLabHub()
    const failure = await startListenSpecs(hub, [
      '--no-sandbox',
      '--listen',
      'uppercase@127.0.0.1:0',
      '--listen=chat@127.0.0.1:0',
      '--inspect=9229'
    ])
    expect(failure).toBeNull()
    const servers = [...hub.lab.servers.values()].map((s) => s.info())
    expect(servers.map((s) => s.behaviour)).toEqual(['uppercase', 'chat'])
    const port = servers[0].bound.port
    const r = await run('nc', ['-N', '127.0.0.1', String(port)], { input: 'shout\n' })
    expect(r.stdout.toString()).toBe('SHOUT\n')
  })

  it('reports the first failure in words and starts nothing after it', async () => {
    hub = createLabHub()
    const bad = await startListenSpecs(hub, ['--listen', 'echo@127.0.0.1:70000', '--listen', '127.0.0.1:0'])
    expect(bad).toMatch(/port must be a whole number from 0 to 65535/)
    expect(hub.lab.servers.size).toBe(0)
    const first = await startListenSpecs(hub, ['--listen', '127.0.0.1:0'])
    expect(first).toBeNull()
    const port = [...hub.lab.servers.values()][0].bound.port
    const inUse = await startListenSpecs(hub, ['--listen', `127.0.0.1:${port}`])
    expect(inUse).toContain(`Port ${port} is already in use`)
    expect(hub.lab.servers.size).toBe(1)
  })
})

describe('--listen with udp: and tls:', () => {
  it('starts a UDP and a TLS server from the command line and names how to reach each', async () => {
    certDir = await mkdtemp(join(tmpdir(), 'tcp-lab-launch-'))
    hub = createLabHub({ certDir })
    const failure = await startListenSpecs(hub, [
      '--listen',
      'echo@udp:127.0.0.1:0',
      '--listen',
      'http@tls:127.0.0.1:0'
    ])
    expect(failure).toBeNull()
    const [udp, tls] = [...hub.lab.servers.values()].map((s) => s.info())
    expect([udp.protocol, tls.protocol]).toEqual(['udp', 'tls'])
    expect(describeListening(udp)).toBe(`echo on udp:127.0.0.1:${udp.bound.port} (nc -u 127.0.0.1 ${udp.bound.port})`)
    expect(describeListening(tls)).toMatch(
      new RegExp(
        `^http on tls:127\\.0\\.0\\.1:${tls.bound.port} \\(openssl s_client -connect 127\\.0\\.0\\.1:${tls.bound.port} -CAfile \\S+\\.pem`
      )
    )
    const r = await run('curl', [
      '-sS',
      '--max-time',
      '5',
      '--cacert',
      tls.certificate!.certPath!,
      `https://127.0.0.1:${tls.bound.port}/x`
    ])
    expect(r.stdout.toString()).toMatch(/GET \/x HTTP\/1\.1/)
  })
})
