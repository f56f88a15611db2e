import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'
import { buildProxyExperiments } from '@shared/proxy-lesson'

// The lesson's proxy experiments, run as printed against a lab echo server behind a lab proxy.
let lab: TestLab

afterEach(async () => {
  await lab?.dispose()
})

async function setup(): Promise<ReturnType<typeof buildProxyExperiments>> {
  lab = createTestLab()
  const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
  const proxy = await lab.ok('proxy:create', {
    name: 'lesson',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${server.bound.port}`
  })
  return buildProxyExperiments([server], [proxy])
}

const bash = (command: string): ReturnType<typeof run> => run('bash', ['-c', command], { timeoutMs: 10_000 })

describe('"Try this" through a proxy, as printed', () => {
  it('slicer: one recv gets a slice; readline gets the line', async () => {
    const [slicer] = await setup()
    await lab.ok('toxic:add', {
      proxy: 'lesson',
      toxic: { type: 'slicer', stream: 'downstream', attributes: { average_size: 3, delay: 50_000 } }
    })
    expect((await bash(slicer.steps[1].command!)).stdout.toString().trim()).toBe("b'hel'")
    expect((await bash(slicer.steps[2].command!)).stdout.toString().trim()).toBe("b'hello world\\n'")
    const leg = await lab.waitConn((c) => c.proxy?.leg === 'client' && c.state === 'closed', 'a closed client leg')
    const rec = await lab.ok('connection:traffic', { connectionId: leg.id })
    expect(rec.marks?.some((m) => m.text === '12 bytes sliced into 4 by slicer')).toBe(true)
  })

  it('reset: the client sees ECONNRESET, and both legs close reset', async () => {
    const experiments = await setup()
    const reset = experiments[2]
    await lab.ok('toxic:add', {
      proxy: 'lesson',
      toxic: { type: 'reset_peer', stream: 'downstream', attributes: { timeout: 0 } }
    })
    const r = await bash(reset.steps[1].command!)
    expect(r.stderr).toMatch(/ConnectionResetError/)
    await lab.waitConn((c) => c.proxy?.leg === 'upstream' && c.state === 'closed', 'the upstream leg closed')
    const legs = [...lab.hub.lab.connections.values()].map((c) => c.info()).filter((c) => c.proxy)
    expect(legs.map((c) => c.closeReason)).toEqual(['lab-reset', 'lab-reset'])
    // The echo server behind the proxy saw the reset too.
    await lab.waitConn((c) => c.serverId !== null && c.state === 'closed', 'the server side closed')
    const accepted = [...lab.hub.lab.connections.values()].map((c) => c.info()).find((c) => c.serverId !== null)
    expect(accepted?.closeReason).toBe('peer-reset')
  })
})
