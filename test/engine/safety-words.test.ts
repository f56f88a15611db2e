import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestLab } from '../helpers/lab'
import type { TestLab } from '../helpers/lab'
import { LabConnection } from '../../src/main/engine/lab-connection'
import { TrafficBudget } from '../../src/main/engine/traffic-record'
import { windowsNetstat } from '../../src/main/engine/kernel/kernel-reader'
import { visibleText } from '@shared/byte-format'

let lab: TestLab | undefined
afterEach(async () => {
  await lab?.dispose()
  lab = undefined
})

describe('words and forms', () => {
  it('[::1] typed as a host works for server:start and client:connect', async () => {
    lab = createTestLab()
    const s = await lab.ok('server:start', { host: '[::1]', port: 0 })
    expect(s).toMatchObject({ family: 'IPv6', bound: { address: '::1' }, requestedHost: '::1' })
    const c = await lab.ok('client:connect', { host: '[::1]', port: s.bound.port })
    expect(c.remote).toEqual({ address: '::1', port: s.bound.port })
  })

  it('a peer whose address could not be read is explained, not just "unknown:0"', () => {
    const owner = { markDirty() {}, changed() {} }
    const socket = new net.Socket()
    const conn = new LabConnection({
      id: 1,
      serverId: 1,
      origin: 'accepted',
      socket,
      budget: new TrafficBudget(1024, 4096, 16),
      owner
    })
    expect(conn.remote.address).toBe('unknown')
    expect(conn.info().error).toMatch(/reset the connection before the lab could read its address/)
    socket.destroy()
  })

  it('Windows netstat is run by its absolute system path', () => {
    expect(windowsNetstat({ SystemRoot: 'C:\\Windows' })).toBe('C:\\Windows\\System32\\netstat.exe')
    expect(windowsNetstat({ SystemRoot: 'D:\\WINNT\\' })).toBe('D:\\WINNT\\System32\\netstat.exe')
    expect(windowsNetstat({})).toBe('C:\\Windows\\System32\\netstat.exe')
  })

  it('zero-width, direction marks, BOM and separators are made visible', () => {
    for (const cp of [
      0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff, 0x061c, 0x2028, 0x2029
    ]) {
      const out = visibleText(new TextEncoder().encode(`a${String.fromCodePoint(cp)}b`))
      expect(out).toBe(`a\\u{${cp.toString(16).toUpperCase()}}b`)
    }
  })
})
