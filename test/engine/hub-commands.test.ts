import { afterEach, describe, expect, it } from 'vitest'
import { COMMAND_NAMES } from '@shared/contract'
import { createLabHub } from '../../src/main/engine/lab-hub'
import type { LabHub } from '../../src/main/engine/lab-hub'

let hub: LabHub | undefined
afterEach(async () => {
  await hub?.dispose()
  hub = undefined
})

describe('hub: every command through one table, results typed per command', () => {
  it('runs a lab command and hands back its typed value (no cast needed)', async () => {
    hub = createLabHub()
    const started = await hub.run('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    if (!started.ok) throw new Error(started.error.message)
    // `bound.port` type-checks because run('server:start') answers CommandResult<'server:start'>.
    expect(started.value.bound.port).toBeGreaterThan(0)
    const kernel = await hub.run('kernel:sockets', {})
    expect(kernel.ok).toBe(true)
  })

  it('answers the session commands without a session: a snapshot from 0, an ack that changes nothing', async () => {
    hub = createLabHub()
    const snap = await hub.run('lab:snapshot', {})
    if (!snap.ok) throw new Error(snap.error.message)
    expect(snap.value.seq).toBe(0)
    expect(await hub.run('lab:ack', { seq: 5 })).toEqual({ ok: true, value: {} })
  })

  it('validates every command the same way, session ones included', async () => {
    hub = createLabHub()
    const session = hub.connect(() => undefined)
    for (const name of COMMAND_NAMES) {
      const r = await session.handle(name, { definitelyNotAField: 1 })
      expect(r.ok, name).toBe(false)
      if (!r.ok) expect(r.error.code, name).toBe('invalid')
    }
    session.close()
  })
})
