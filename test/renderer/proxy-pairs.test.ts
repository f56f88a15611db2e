import { describe, expect, it } from 'vitest'
import type { ConnectionInfo, TrafficRecord } from '@shared/model'
import { groupPairs } from '@renderer/store/pair-rows'
import { interleave } from '@renderer/features/proxy/pair-timeline'
import { describeToxic } from '@renderer/features/proxy/proxy-section'
import { makeConnectionInfo } from '../helpers/model-fixtures'

function conn(id: number, proxy?: ConnectionInfo['proxy']): ConnectionInfo {
  return makeConnectionInfo(id, {
    serverId: null,
    origin: proxy?.leg === 'upstream' ? 'outgoing' : 'accepted',
    ...(proxy ? { proxy } : {})
  })
}

describe('a proxied pair is one row', () => {
  const map = new Map<number, ConnectionInfo>([
    [1, conn(1, { proxyName: 'p', pairId: 1, leg: 'client' })],
    [2, conn(2, { proxyName: 'p', pairId: 1, leg: 'upstream' })],
    [3, conn(3)],
    [5, conn(5, { proxyName: 'p', pairId: 4, leg: 'upstream' })]
  ])
  it('hides upstream legs until the pair is expanded, then shows them under their client leg', () => {
    expect(groupPairs([3, 2, 1, 5], map, new Set())).toEqual([3, 1, 5])
    expect(groupPairs([3, 2, 1, 5], map, new Set([1]))).toEqual([3, 1, 2, 5])
  })
})

describe('the pair timeline', () => {
  it('interleaves both legs by time with fault marks before the chunk they explain', () => {
    const rec = (
      connectionId: number,
      chunks: [number, 'in' | 'out', string][],
      marks: TrafficRecord['marks'] = []
    ): TrafficRecord => ({
      connectionId,
      chunks: chunks.map(([at, dir, text], seq) => ({
        seq,
        at,
        dir,
        size: text.length,
        data: btoa(text),
        keptBytes: text.length
      })),
      droppedChunks: 0,
      droppedBytes: 0,
      nextSeq: chunks.length,
      marks
    })
    const client = rec(
      1,
      [
        [10, 'in', 'PING\r\n'],
        [320, 'out', '+PONG\r\n']
      ],
      [
        {
          at: 320,
          afterSeq: 0,
          stream: 'downstream',
          toxic: 'latency_downstream',
          type: 'latency',
          text: 'held 300 ms by latency'
        }
      ]
    )
    const upstream = rec(2, [
      [11, 'out', 'PING\r\n'],
      [20, 'in', '+PONG\r\n']
    ])
    const lines = interleave(client, upstream).map((e) =>
      e.kind === 'mark' ? `! ${e.mark.text}` : `${e.arrow} ${e.preview}`
    )
    expect(lines).toEqual([
      'client → lab PING··',
      'lab → server PING··',
      'server → lab +PONG··',
      '! held 300 ms by latency',
      'lab → client +PONG··'
    ])
  })

  it('describes a fault in one line', () => {
    expect(
      describeToxic({
        name: 'l',
        type: 'latency',
        stream: 'upstream',
        toxicity: 0.5,
        attributes: { latency: 200, jitter: 0 },
        condition: { match: { kind: 'text', value: 'GET' } }
      })
    ).toBe('l: latency 200 ms, jitter 0 ms · 50 % · on text "GET"')
  })
})

describe('the lesson through a proxy', () => {
  it('fills the proxy port into the commands, and says what to start first without one', async () => {
    const { buildProxyExperiments } = await import('@renderer/features/lesson/proxy-experiments')
    const none = buildProxyExperiments([], [])
    expect(none.map((e) => e.id)).toEqual(['proxy-slicer', 'proxy-latency', 'proxy-reset'])
    expect(none[0].startHint).toMatch(/New proxy/)
    expect(none[1].steps[1].command).toContain('PROXY_PORT')
    const withProxy = buildProxyExperiments(
      [],
      [{ name: 'lesson', listen: '127.0.0.1:40999', upstream: '127.0.0.1:9000', enabled: true, toxics: [] }]
    )
    expect(withProxy[0].startHint).toBeNull()
    expect(withProxy[1].steps[1].command).toBe("time (printf 'hi\\n' | nc -N 127.0.0.1 40999)")
    expect(withProxy[0].steps[1].command).toContain("('127.0.0.1', 40999)")
    // The commands speak plain TCP: a TLS-terminating proxy is not the one they point at.
    const tlsFirst = buildProxyExperiments(
      [],
      [
        { name: 'a-tls', listen: 'tls:127.0.0.1:41000', upstream: '127.0.0.1:9000', enabled: true, toxics: [] },
        { name: 'plain', listen: '127.0.0.1:40999', upstream: '127.0.0.1:9000', enabled: true, toxics: [] }
      ]
    )
    expect(tlsFirst[1].steps[1].command).toBe("time (printf 'hi\\n' | nc -N 127.0.0.1 40999)")
  })
})
