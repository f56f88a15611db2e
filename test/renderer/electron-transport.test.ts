import { describe, expect, it } from 'vitest'
import type { EventBatch } from '@shared/model'
import { createElectronTransport } from '@renderer/transport/electron-transport'
import type { TcpLabPreloadApi } from '../../src/preload/api'

const batch: EventBatch = {
  seq: 1,
  at: 0,
  resync: false,
  events: [],
  counters: { ids: [], bytesIn: [], bytesOut: [], chunksIn: [], chunksOut: [], lastActivity: [] },
  servers: [],
  totals: { bytesIn: 0, bytesOut: 0, connectionsOpen: 0, connectionsEver: 0 }
}

function fakeApi(answer: unknown): { api: TcpLabPreloadApi; emit: (b: unknown) => void } {
  let listener: ((b: EventBatch) => void) | null = null
  const api = {
    request: async () => answer,
    onEvents: (l: (b: EventBatch) => void) => {
      listener = l
      return () => (listener = null)
    }
  } as unknown as TcpLabPreloadApi
  return { api, emit: (b) => listener?.(b as EventBatch) }
}

describe('electron transport: batches and answers checked as in browser mode', () => {
  it('passes a batch that matches the contract and drops one that does not', () => {
    const { api, emit } = fakeApi(null)
    const seen: number[] = []
    createElectronTransport(api).onBatch((b) => seen.push(b.seq))
    emit(batch)
    emit({ ...batch, seq: 2, counters: 'nope' })
    emit({ ...batch, seq: 3 })
    expect(seen).toEqual([1, 3])
  })

  it('turns an answer that does not match the command’s response schema into invalid-response', async () => {
    const bad = await createElectronTransport(fakeApi({ ok: true, value: { closed: 'x' } }).api).request(
      'server:close-all',
      { serverId: 1 }
    )
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-response' } })
    const good = await createElectronTransport(fakeApi({ ok: true, value: { closed: 2 } }).api).request(
      'server:close-all',
      { serverId: 1 }
    )
    expect(good).toEqual({ ok: true, value: { closed: 2 } })
  })
})
