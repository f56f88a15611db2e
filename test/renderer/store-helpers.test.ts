import { describe, expect, it } from 'vitest'
import { deriveRowIds } from '@renderer/features/connections/derive-rows'
import { describeSettings, loadRecent, rememberRecent } from '@renderer/features/servers/recent-settings'
import { describeState, formatEndpoint, serverAddress } from '@renderer/store/describe'
import { mergeConnection } from '@renderer/store/merge-connection'
import { makeConn, makeServer } from './fixtures'

describe('describe', () => {
  it('words states and endpoints as the UI contract says', () => {
    expect(describeState({ state: 'peer-half-closed', closeReason: null })).toBe('peer half-closed')
    expect(describeState({ state: 'closed', closeReason: 'peer-fin' })).toBe('closed — peer closed (FIN)')
    expect(describeState({ state: 'closed', closeReason: 'max-connections' })).toBe('closed — max connections reached')
    expect(formatEndpoint({ address: '::ffff:127.0.0.1', port: 5 }, 'IPv6')).toBe('[::ffff:127.0.0.1]:5')
    expect(serverAddress(makeServer({ bound: { address: '::', port: 80 }, family: 'IPv6' }))).toBe('[::]:80')
    expect(serverAddress(makeServer({ bound: { address: '/tmp/x', port: 0 }, family: 'unix' }))).toBe('unix:/tmp/x')
  })
})

describe('mergeConnection', () => {
  it('keeps the later state and the larger counters, and the same object when nothing changed', () => {
    const closed = makeConn(1, { state: 'closed', closeReason: 'lab-reset', bytesIn: 9 })
    expect(mergeConnection(closed, makeConn(1, { bytesIn: 3 }))).toBe(closed)
    const merged = mergeConnection(makeConn(1, { bytesIn: 3 }), closed)
    expect(merged).toMatchObject({ state: 'closed', closeReason: 'lab-reset', bytesIn: 9 })
  })
})

describe('deriveRowIds', () => {
  const map = new Map(
    [1, 2, 3, 4].map((id) => [
      id,
      makeConn(id, { serverId: id % 2, bytesOut: 10 - id, state: id === 4 ? 'closed' : 'open' })
    ])
  )
  const q = {
    serverId: null,
    outgoingOnly: false,
    stateFilter: 'any' as const,
    text: '',
    sort: { key: 'id' as const, dir: 'asc' as const }
  }
  it('filters by server, state and text, sorts with id as the tie-break (newest first when descending)', () => {
    expect(deriveRowIds(map, new Map(), q)).toEqual([1, 2, 3, 4])
    expect(deriveRowIds(map, new Map(), { ...q, serverId: 1 })).toEqual([1, 3])
    expect(deriveRowIds(map, new Map(), { ...q, stateFilter: 'closed' })).toEqual([4])
    expect(deriveRowIds(map, new Map(), { ...q, text: '40002' })).toEqual([2])
    expect(deriveRowIds(map, new Map(), { ...q, text: '#3' })).toEqual([3])
    expect(deriveRowIds(map, new Map(), { ...q, sort: { key: 'bytes-out', dir: 'desc' } })).toEqual([1, 2, 3, 4])
    expect(deriveRowIds(map, new Map([[3, { in: 5, out: 0 }]]), { ...q, sort: { key: 'rate', dir: 'desc' } })).toEqual([
      3, 4, 2, 1
    ])
  })
})

describe('recent settings', () => {
  it('survives garbage in storage and de-duplicates', () => {
    localStorage.setItem('tcp-lab:recent-servers', '{not json')
    expect(loadRecent()).toEqual([])
    rememberRecent({ host: '::1', port: '80', behaviour: 'http' })
    rememberRecent({ host: '127.0.0.1', port: '81', behaviour: 'echo' })
    rememberRecent({ host: '::1', port: '80', behaviour: 'http' })
    expect(loadRecent().map(describeSettings)).toEqual(['http on [::1]:80', 'echo on 127.0.0.1:81'])
  })
})

describe('readable', () => {
  it('drops the field path the validator puts before a sentence', async () => {
    const { readable } = await import('@renderer/ui/error-alert')
    expect(readable('port: Port must be a whole number from 0 to 65535, not 70000')).toBe(
      'Port must be a whole number from 0 to 65535, not 70000'
    )
    expect(readable('options.telemetryIntervalMs: Telemetry interval must be at least 10 ms')).toBe(
      'Telemetry interval must be at least 10 ms'
    )
    expect(readable('Port 8080 is already in use')).toBe('Port 8080 is already in use')
  })
})
