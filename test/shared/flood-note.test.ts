import { describe, expect, it } from 'vitest'
import { floodPolicyNote, gapLabel } from '../../src/shared/flood-note'
import { DEFAULT_FLOOD_POLICY } from '../../src/main/engine/traffic-budget'

describe('flood policy words', () => {
  it('labels a gap with its exact size and chunk count', () => {
    expect(gapLabel({ kind: 'gap', reason: 'flood', fromSeq: 3, toSeq: 3, chunks: 1, bytes: 65_536 })).toMatch(
      /^not kept \(flood\): 64(\.0)? KiB in 1 chunk$/
    )
    expect(gapLabel({ kind: 'gap', reason: 'flood', fromSeq: 3, toSeq: 1002, chunks: 1000, bytes: 10 })).toContain(
      'in 1,000 chunks'
    )
  })

  it('explains the default policy with its numbers', () => {
    const note = floodPolicyNote(DEFAULT_FLOOD_POLICY)
    expect(note).toContain('64')
    expect(note).toContain('not kept (flood)')
  })
})
