import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { CommandName, Result } from '@shared/contract'
import type { LabRequest } from '@renderer/transport/transport'
import { SendBox } from '@renderer/features/send/send-box'
import { makeConnectionInfo, makeServerInfo } from './fixtures'

afterEach(cleanup)

const conn = makeConnectionInfo(3, { remote: { address: '127.0.0.1', port: 40000 } })

const server = makeServerInfo({ behaviour: 'manual' })

type Call = { name: CommandName; input: unknown }

function fake(answer: (name: CommandName) => Result<unknown>): { request: LabRequest; calls: Call[] } {
  const calls: Call[] = []
  const request = (async (name: CommandName, input: unknown) => {
    calls.push({ name, input })
    return answer(name)
  }) as LabRequest
  return { request, calls }
}

const ok = (name: CommandName): Result<unknown> =>
  name === 'connection:send' ? { ok: true, value: { bytes: 3, connections: 1 } } : { ok: true, value: conn }

describe('SendBox', () => {
  it('refuses 4g as hex, shows the position and sends nothing', async () => {
    const { request, calls } = fake(ok)
    render(<SendBox connection={conn} server={server} request={request} />)
    await userEvent.selectOptions(screen.getByLabelText('Format'), 'hex')
    const box = screen.getByLabelText('Message')
    await userEvent.type(box, '4g')
    expect(screen.getByText(/Not a hex digit "g" at position 1/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Go to position 1' })).toBeTruthy()
    expect(box.getAttribute('aria-invalid')).toBe('true')
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true)
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true })
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    expect(calls).toEqual([])
  })

  it('previews the bytes and sends with Ctrl+Enter; ↑ recalls the history', async () => {
    const { request, calls } = fake(ok)
    render(<SendBox connection={conn} server={server} request={request} />)
    const box = screen.getByLabelText('Message') as HTMLTextAreaElement
    expect(box.id).toBe('send-box')
    await userEvent.selectOptions(screen.getByLabelText('Line ending'), 'lf')
    await userEvent.type(box, 'hi')
    expect(screen.getByText('3 B')).toBeTruthy()
    expect(screen.getByText('68 69 0a')).toBeTruthy()
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true })
    await screen.findByText('Sent 3 B to 1 connection')
    expect(calls).toEqual([
      { name: 'connection:send', input: { connectionId: 3, payload: { text: 'hi', format: 'text', lineEnding: 'lf' } } }
    ])
    await userEvent.clear(box)
    fireEvent.keyDown(box, { key: 'ArrowUp' })
    expect(box.value).toBe('hi')
  })

  it('sends to all peers of the server', async () => {
    const { request, calls } = fake(ok)
    render(<SendBox connection={conn} server={server} request={request} />)
    await userEvent.selectOptions(screen.getByLabelText('To'), 'server')
    await userEvent.type(screen.getByLabelText('Message'), 'x')
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    await waitFor(() => expect(calls.length).toBe(1))
    expect(calls[0].input).toEqual({ serverId: 1, payload: { text: 'x', format: 'text', lineEnding: 'none' } })
  })

  it('shows the engine error in an alert', async () => {
    const { request } = fake(() => ({
      ok: false,
      error: { code: 'closed', message: 'Connection 3 is closed', hint: 'Pick an open one' }
    }))
    render(<SendBox connection={conn} server={server} request={request} />)
    await userEvent.type(screen.getByLabelText('Message'), 'x')
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Connection 3 is closed. Pick an open one')
  })
})

describe('connection actions', () => {
  it('call connection:action and explain what the peer observes', async () => {
    const { request, calls } = fake(ok)
    const { rerender } = render(<SendBox connection={conn} server={server} request={request} />)
    const half = screen.getByRole('button', { name: 'Half-close' })
    expect(half.getAttribute('aria-describedby')).toBeTruthy()
    expect(screen.getByText('Sends FIN: the peer reads end-of-file but can still send to us')).toBeTruthy()
    expect(
      screen.getByText("Sends RST: the peer's next read or write fails with 'connection reset by peer'")
    ).toBeTruthy()
    await userEvent.click(half)
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Reset' }) as HTMLButtonElement).disabled).toBe(false)
    )
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }))
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Pause reading' }) as HTMLButtonElement).disabled).toBe(false)
    )
    await userEvent.click(screen.getByRole('button', { name: 'Pause reading' }))
    rerender(<SendBox connection={{ ...conn, paused: true }} server={server} request={request} />)
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Resume reading' }) as HTMLButtonElement).disabled).toBe(false)
    )
    await userEvent.click(screen.getByRole('button', { name: 'Resume reading' }))
    await waitFor(() => expect(calls.length).toBe(4))
    expect(calls.map((c) => c.input)).toEqual([
      { connectionId: 3, action: 'half-close' },
      { connectionId: 3, action: 'reset' },
      { connectionId: 3, action: 'pause' },
      { connectionId: 3, action: 'resume' }
    ])
  })

  it('are disabled once the connection is closed', () => {
    const { request } = fake(ok)
    render(
      <SendBox connection={{ ...conn, state: 'closed', closeReason: 'lab-close' }} server={server} request={request} />
    )
    for (const name of ['Half-close', 'Reset', 'Close', 'Pause reading']) {
      expect((screen.getByRole('button', { name }) as HTMLButtonElement).disabled).toBe(true)
    }
  })
})
