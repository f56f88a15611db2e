import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ConnectionInfo, LabEvent } from '../../src/shared/model'
import { coalesceChurn } from '../../src/main/engine/churn'
import { makeConnectionInfo } from '../helpers/model-fixtures'

function info(id: number, state: ConnectionInfo['state'], bytesIn = 0): ConnectionInfo {
  return makeConnectionInfo(id, {
    state,
    closeReason: state === 'closed' ? 'peer-fin' : null,
    openedAt: 1,
    closedAt: state === 'closed' ? 2 : null,
    lastActivity: 2,
    bytesIn
  })
}

describe('accept churn coalescing', () => {
  it('sends one event for a connection opened and closed in the same batch, every event for open ones', () => {
    const events: LabEvent[] = [
      { type: 'connection.opened', at: 1, connection: info(1, 'open') },
      { type: 'connection.opened', at: 1, connection: info(2, 'open') },
      { type: 'notice', at: 1, level: 'info', message: 'n' },
      { type: 'connection.peer-ended', at: 2, connection: info(1, 'peer-half-closed', 1) },
      { type: 'connection.closed', at: 2, connection: info(1, 'closed', 1) },
      { type: 'connection.updated', at: 2, connection: info(2, 'open', 5) }
    ]
    const r = coalesceChurn(events)
    expect(r.events.map((e) => `${e.type}:${'connection' in e ? e.connection.id : ''}`)).toEqual([
      'connection.closed:1',
      'connection.opened:2',
      'notice:',
      'connection.updated:2'
    ])
    expect([...r.closed]).toEqual([1])
  })

  it('any sequence: upserting the coalesced events ends on the same state as upserting them all', () => {
    const ev = fc.record({
      id: fc.integer({ min: 1, max: 6 }),
      kind: fc.constantFrom('opened', 'updated', 'closed', 'notice'),
      n: fc.nat(100)
    })
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 60 }), (list) => {
        const events: LabEvent[] = list.map(({ id, kind, n }) =>
          kind === 'notice'
            ? { type: 'notice', at: n, level: 'info', message: String(n) }
            : {
                type: `connection.${kind}` as 'connection.opened',
                at: n,
                connection: info(id, kind === 'closed' ? 'closed' : 'open', n)
              }
        )
        const apply = (es: LabEvent[]): { rows: Map<number, ConnectionInfo>; notices: string[] } => {
          const rows = new Map<number, ConnectionInfo>()
          const notices: string[] = []
          for (const e of es) {
            if ('connection' in e) rows.set(e.connection.id, e.connection)
            else if (e.type === 'notice') notices.push(e.message)
          }
          return { rows, notices }
        }
        const out = coalesceChurn(events).events
        expect(apply(out)).toEqual(apply(events))
        // Connections first appear in the same order (the order they opened in).
        const firstSeen = (es: LabEvent[]): number[] => [
          ...new Set(es.flatMap((e) => ('connection' in e ? [e.connection.id] : [])))
        ]
        expect(firstSeen(out)).toEqual(firstSeen(events))
        expect(out.filter((e) => e.type === 'notice')).toEqual(events.filter((e) => e.type === 'notice'))
      }),
      { numRuns: 300 }
    )
  })
})
