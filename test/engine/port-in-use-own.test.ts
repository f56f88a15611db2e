// Issue 19, item 5: when the lab itself holds a port, "port in use" names the lab's server, not the
// lab's own process id.
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'

let lab: TestLab
afterEach(async () => {
  await lab?.dispose()
})

describe('port in use by the lab itself', () => {
  it('names server #1 and its address, for the same host and for a wildcard', async () => {
    lab = createTestLab()
    const first = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    const port = first.bound.port
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const r = await lab.session.handle('server:start', { host, port, behaviour: 'discard' })
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.error.code).toBe('EADDRINUSE')
      expect(r.error.message).toBe(
        `Port ${port} is already in use by this lab: server #${first.id} (echo on 127.0.0.1:${port}) listens there`
      )
      expect(r.error.hint).not.toMatch(/pid|process/)
    }
    // Nothing changed: one server.
    expect(lab.hub.lab.servers.size).toBe(1)
  })
})
