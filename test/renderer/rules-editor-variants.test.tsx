import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { commands } from '@shared/contract'
import { behaviourOptionsSchema } from '@shared/model'
import { RulesEditor } from '@renderer/ui/responders/rules-editor'
import { draftToOptions, draftToTestOptions, exampleDraft } from '@renderer/ui/responders/respond-draft'
import type { RespondDraft } from '@renderer/ui/responders/respond-draft'
import { FakeTransport } from './fake-transport'
import { makeServer, makeSnapshot } from './fixtures'
import { renderApp } from './render-app'

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

  it('the start form sends a UDP responder without framing or greeting, and the contract accepts it', async () => {
    const fake = new FakeTransport().on('server:start', () =>
      makeServer({ id: 4, protocol: 'udp', behaviour: 'respond' })
    )
    await renderApp(makeSnapshot(), fake)
    const user = userEvent.setup()
    await user.selectOptions(screen.getByLabelText('Protocol'), 'udp')
    await user.selectOptions(screen.getByLabelText('Behaviour'), 'respond')
    expect(screen.queryByLabelText('Responder framing')).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Start server' }))
    await waitFor(() => expect(fake.callsOf('server:start')).toHaveLength(1))
    const sent = fake.callsOf('server:start')[0] as { protocol: string; options: Record<string, unknown> }
    expect(sent.protocol).toBe('udp')
    expect(Object.keys(sent.options).sort()).toEqual(['fallback', 'rules'])
    expect(commands['server:start'].request.safeParse(sent).success).toBe(true)
  })
})
