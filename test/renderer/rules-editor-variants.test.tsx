import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import { behaviourOptionsSchema } from '@shared/model'
import { RulesEditor } from '@renderer/ui/responders/rules-editor'
import { draftToOptions, draftToTestOptions, exampleDraft } from '@renderer/ui/responders/respond-draft'
import type { RespondDraft } from '@renderer/ui/responders/respond-draft'

afterEach(cleanup)

function Udp() {
  const [d, setD] = useState<RespondDraft>(exampleDraft())
  return <RulesEditor value={d} onChange={setD} variant="udp" />
}

describe('RulesEditor for a UDP server', () => {
  it('has no framing or greeting, offers only "stay" and "close" after a reply, and sends no framing', () => {
    render(<Udp />)
    expect(screen.queryByLabelText('Responder framing')).toBeNull()
    expect(screen.queryByText('Greeting')).toBeNull()
    expect(screen.getByText('Each datagram is one message; each reply is one datagram.')).toBeTruthy()
    const then = screen.getByLabelText('Rule 1 then') as HTMLSelectElement
    expect([...then.options].map((o) => o.value)).toEqual(['', 'close'])
    const o = draftToOptions(exampleDraft(), 'udp')
    expect(o.framing).toBeUndefined()
    expect(o.greeting).toBeUndefined()
    expect(behaviourOptionsSchema.safeParse(o).success).toBe(true)
    // A sample is judged as one datagram.
    expect(draftToTestOptions(exampleDraft(), 'udp').framing).toBe('raw')
  })
})
