// Issue 19, item 2: the diagram's order comes from the ordered record, not from timestamps that tie.
import { describe, expect, it } from 'vitest'
import { sequenceEvents } from '@renderer/features/detail/sequence-events'
import type { KeptChunk } from '@renderer/features/detail/traffic-window'
import { makeConnectionInfo } from './fixtures'

const T = 1_700_000_000_000
const kept = (seq: number, dir: 'in' | 'out', size: number, at = T + 5): KeptChunk => ({
  seq,
  at,
  dir,
  size,
  bytes: new Uint8Array(size)
})
const steps = (e: ReturnType<typeof sequenceEvents>): string[] => e.map((x) => `${x.kind}:${x.from ?? '-'}`)

describe('sequence order', () => {
  it('echo-after-eof: the reply drawn after the peer’s FIN even when every time is the same millisecond', () => {
    const c = makeConnectionInfo(1, {
      openedAt: T,
      state: 'closed',
      closeReason: 'lab-close',
      peerEndedAt: T + 5,
      closedAt: T + 5,
      labEndedAt: T + 5,
      peerEndedSeq: 1,
      labEndedSeq: 2
    })
    const e = sequenceEvents(c, [kept(0, 'in', 6), kept(1, 'out', 18)], { droppedBytes: 0, labEndedAt: null })
    expect(steps(e)).toEqual(['open:peer', 'data:peer', 'fin:peer', 'data:lab', 'fin:lab', 'closed:-'])
    expect(e[4].label).toBe('FIN from the lab (close())')
  })

  it('a FIN in the middle of a run of chunks in one direction splits the run', () => {
    const c = makeConnectionInfo(1, { openedAt: T, state: 'peer-half-closed', peerEndedAt: T + 1, peerEndedSeq: 2 })
    const e = sequenceEvents(c, [kept(0, 'out', 10), kept(1, 'out', 10), kept(2, 'out', 10), kept(3, 'out', 10)], {
      droppedBytes: 0,
      labEndedAt: null
    })
    expect(steps(e)).toEqual(['open:peer', 'data:lab', 'fin:peer', 'data:lab', 'now:-'])
    expect(e[1].label).toBe('20 B (2 chunks)')
  })

  it('a lab half-close followed by a reset shows both, the FIN at its place', () => {
    const c = makeConnectionInfo(1, {
      openedAt: T,
      state: 'closed',
      closeReason: 'lab-reset',
      closedAt: T + 9,
      labEndedAt: T + 2,
      labEndedSeq: 1
    })
    const e = sequenceEvents(c, [kept(0, 'in', 3, T + 1), kept(1, 'in', 13, T + 1)], {
      droppedBytes: 0,
      labEndedAt: null
    })
    expect(steps(e)).toEqual(['open:peer', 'data:peer', 'fin:lab', 'data:peer', 'rst:lab', 'closed:-'])
    expect(e[2].label).toBe('FIN from the lab (half-close)')
  })

  it('without the record’s places, falls back to time', () => {
    const c = makeConnectionInfo(1, {
      openedAt: T,
      state: 'closed',
      closeReason: 'peer-fin',
      peerEndedAt: T + 3,
      closedAt: T + 9
    })
    const e = sequenceEvents(c, [kept(0, 'in', 3, T + 1), kept(1, 'out', 3, T + 5)], {
      droppedBytes: 0,
      labEndedAt: null
    })
    expect(steps(e)).toEqual(['open:peer', 'data:peer', 'fin:peer', 'data:lab', 'fin:lab', 'closed:-'])
  })
})
