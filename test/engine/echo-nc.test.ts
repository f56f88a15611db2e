import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { run } from '../helpers/processes'

let lab: TestLab
afterEach(async () => lab?.dispose())

describe('echo server with the real nc', () => {
  it("echoes 'hello\\n' to `nc -N` and counts exactly 6 bytes each way, with nc's real address:port", async () => {
    lab = createTestLab()
    const server = await lab.ok('server:start', { host: '127.0.0.1', port: 0, behaviour: 'echo' })
    expect(server.bound.port).toBeGreaterThan(0)
    const result = await run('nc', ['-N', '127.0.0.1', String(server.bound.port)], { input: 'hello\n' })
    expect(result.stdout.toString()).toBe('hello\n')
    const conn = await lab.waitConn((c) => c.state === 'closed', 'the nc connection to close')
    expect(conn.bytesIn).toBe(6)
    expect(conn.bytesOut).toBe(6)
    expect(conn.closeReason).toBe('peer-fin')
    expect(conn.remote.address).toBe('127.0.0.1')
    expect(conn.local.port).toBe(server.bound.port)
    expect(conn.remote.port).toBeGreaterThan(1023)
  })
})
