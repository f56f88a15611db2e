import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { CommandName, CommandRequest, Result } from '@shared/contract'
import { commands } from '@shared/contract'
import { bytesToBase64, encodePayload } from '@shared/payload-codec'
import { compileResponder, testSample } from '@shared/responders'
import type { LabRequest } from '@renderer/transport/transport'
import { RulesEditor } from '@renderer/ui/responders/rules-editor'
import { exampleDraft } from '@renderer/ui/responders/respond-draft'
import type { RespondDraft } from '@renderer/ui/responders/respond-draft'

afterEach(cleanup)

/** Answers respond:test with the shared responder code, after the contract's own validation. */
const request = (async (name: CommandName, input: unknown): Promise<Result<unknown>> => {
  if (name !== 'respond:test') return { ok: false, error: { code: 'unexpected', message: name } }
  const parsed = commands['respond:test'].request.safeParse(input)
  if (!parsed.success)
    return {
      ok: false,
      error: {
        code: 'invalid',
        message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
      }
    }
  const req = parsed.data as CommandRequest<'respond:test'>
  const c = compileResponder(req.options)
  if (!c.ok) return { ok: false, error: { code: 'invalid', message: c.error.message } }
  const bytes = encodePayload(req.sample)
  if (!bytes.ok) return { ok: false, error: { code: 'bad-payload', message: bytes.error.message } }
  const r = testSample(c.value, req.options.framing ?? 'line', bytes.bytes)
  return {
    ok: true,
    value: { ...r, messages: r.messages.map((m) => ({ ...m, reply: m.reply ? bytesToBase64(m.reply) : null })) }
  }
}) as LabRequest

function Harness({ stats }: { stats?: { hits: number[]; fallback: number } }) {
  const [d, setD] = useState<RespondDraft>(exampleDraft())
  const full = stats ? { serverId: 1, unmatched: 0, messages: 0, dropped: 0, ...stats } : null
  return <RulesEditor value={d} onChange={setD} request={request} stats={full} />
}

describe('RulesEditor', () => {
  it('tests a sample: which rule fires and what it replies', async () => {
    render(<Harness />)
    const sample = screen.getByLabelText(/Sample message/)
    await userEvent.clear(sample)
    await userEvent.type(sample, 'HELLO bob\\r\\nPING\\r\\nwhat\\r\\n')
    await userEvent.click(screen.getByRole('button', { name: 'Test' }))
    const result = await screen.findByRole('list', { name: 'Test result' })
    expect(
      within(result)
        .getAllByRole('listitem')
        .map((li) => li.textContent)
    ).toEqual([
      '0–11 rule 2 → "hi bob\\r\\n"',
      '11–17 rule 1 → "PONG 1\\r\\n"',
      '17–23 fallback → "unknown: what\\r\\n"'
    ])
  })

  it('adds, edits, reorders and removes rules; a bad regex is refused with its position', async () => {
    render(<Harness stats={{ hits: [7, 0, 2], fallback: 3 }} />)
    expect(screen.getByLabelText('Rule 1 hits').textContent).toBe('7')
    expect(screen.getByLabelText('Fallback hits').textContent).toBe('3')
    await userEvent.click(screen.getByRole('button', { name: 'Add rule' }))
    await userEvent.selectOptions(screen.getByLabelText('Rule 4 match'), 'regex')
    await userEvent.type(screen.getByLabelText('Rule 4 regex'), 'a(b')
    await userEvent.click(screen.getByRole('button', { name: 'Test' }))
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Bad regex at position 0: missing closing )')
    )
    await userEvent.click(screen.getByRole('button', { name: 'Remove rule 4' }))
    await userEvent.click(screen.getByRole('button', { name: 'Move rule 3 up' }))
    expect((screen.getByLabelText('Rule 2 equals') as HTMLInputElement).value).toBe('QUIT')
    expect(screen.getAllByRole('listitem', { name: /^Rule \d$/ })).toHaveLength(3)
  })

  it('a custom length framing: 4-byte little endian, tested on a sample', async () => {
    render(<Harness />)
    await userEvent.selectOptions(screen.getByLabelText('Responder framing'), 'length-prefixed…')
    await userEvent.selectOptions(screen.getByLabelText('Length field bytes'), '4')
    await userEvent.selectOptions(screen.getByLabelText('Endianness'), 'little')
    const sample = screen.getByLabelText(/Sample message/)
    await userEvent.clear(sample)
    // userEvent treats braces specially; the sample is \x03\x00\x00\x00abc then a header cut short.
    await userEvent.type(sample, '\\x03\\x00\\x00\\x00abc\\x09\\x00')
    await userEvent.click(screen.getByRole('button', { name: 'Test' }))
    const result = await screen.findByRole('list', { name: 'Test result' })
    expect(
      within(result)
        .getAllByRole('listitem')
        .map((li) => li.textContent)
    ).toEqual(['0–7 fallback → "unknown: abc\\r\\n"', 'Incomplete message from byte 7 (2 bytes)'])
  })
})
