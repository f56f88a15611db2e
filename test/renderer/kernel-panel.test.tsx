import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { CommandInput, CommandName, CommandResult } from '@shared/contract'
import type { KernelSocket, KernelView } from '@shared/kernel-model'
import type { LabRequest } from '@renderer/transport/transport'
import { KernelPanel } from '@renderer/features/kernel/kernel-panel'
import { makeConnectionInfo, makeKernelSocket } from './fixtures'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

function sock(over: Partial<KernelSocket>): KernelSocket {
  return makeKernelSocket({ localPort: 8080, remotePort: 45000, uid: 1000, pid: 42, command: 'node', ...over })
}

const VIEW: KernelView = {
  at: 0,
  source: 'proc',
  sockets: [
    sock({ state: 'LISTEN', remoteAddress: '0.0.0.0', remotePort: 0, recvQ: 1, sendQ: 511, inode: 1, labServerId: 1 }),
    sock({ inode: 2, recvQ: 2048, labConnectionId: 7 }),
    sock({ inode: 3, localPort: 45000, remotePort: 8080, sendQ: 9000, pid: 99, command: 'nc' }),
    sock({ inode: 0, state: 'TIME-WAIT', localPort: 8080, remotePort: 44000, pid: null, command: null })
  ]
}

function fake(): { request: LabRequest; calls: CommandInput<'kernel:sockets'>[] } {
  const calls: CommandInput<'kernel:sockets'>[] = []
  const request = (async (_name: CommandName, input: CommandInput<'kernel:sockets'>) => {
    calls.push(input)
    return { ok: true, value: VIEW } satisfies CommandResult<'kernel:sockets'>
  }) as LabRequest
  return { request, calls }
}

describe('KernelPanel', () => {
  it("lists the kernel's sockets, links the lab's and labels the others", async () => {
    const { request } = fake()
    const onSelect = vi.fn()
    render(<KernelPanel request={request} visible onSelectConnection={onSelect} />)
    const table = await screen.findByRole('table', { name: 'Kernel sockets' })
    await waitFor(() => expect(table.querySelectorAll('tbody tr').length).toBe(4))
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent)
    expect(headers).toEqual(['State', 'Local', 'Remote', 'Recv-Q', 'Send-Q', 'Process', 'Lab'])
    const rows = table.querySelectorAll('tbody tr')
    expect(rows[0].textContent).toContain('server #1')
    expect(rows[1].getAttribute('data-lab')).toBe('own')
    expect(rows[1].textContent).toContain('2,048')
    expect(rows[2].textContent).toContain('peer side of #7')
    expect(rows[2].textContent).toContain('99 (nc)')
    expect(rows[3].textContent).toContain('TIME-WAIT leftover')
    expect(screen.getByTestId('kernel-source').textContent).toMatch(/\/proc\/net\/tcp/)
    await userEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: '#7' }))
    expect(onSelect).toHaveBeenCalledWith(7)
  })

  it('polls only while visible, with the chosen scope', async () => {
    vi.useFakeTimers()
    const { request, calls } = fake()
    const { rerender } = render(<KernelPanel request={request} visible={false} />)
    await vi.advanceTimersByTimeAsync(2000)
    expect(calls.length).toBe(0)
    rerender(<KernelPanel request={request} visible />)
    await vi.advanceTimersByTimeAsync(1100)
    expect(calls.length).toBe(3)
    expect(calls[0]).toEqual({ scope: 'lab' })
    rerender(<KernelPanel request={request} visible={false} />)
    await vi.advanceTimersByTimeAsync(2000)
    expect(calls.length).toBe(3)
    vi.useRealTimers()
    rerender(<KernelPanel request={request} visible />)
    await userEvent.click(screen.getByRole('radio', { name: 'All ports' }))
    await waitFor(() => expect(calls[calls.length - 1]).toEqual({ scope: 'all' }))
  })
})

describe('kernel table order and peer sides', () => {
  it('sorts by server port, then connection, own side first, and names the peer side of a closed connection', async () => {
    const { KernelTable } = await import('@renderer/features/kernel/kernel-table')
    const closed = makeConnectionInfo(9, {
      serverId: 2,
      local: { address: '127.0.0.1', port: 7000 },
      remote: { address: '127.0.0.1', port: 50000 },
      state: 'closed',
      closeReason: 'peer-fin',
      peerEndedAt: 1,
      closedAt: 2,
      lastActivity: 2
    })
    const sockets = [
      sock({ inode: 0, state: 'TIME-WAIT', localPort: 50000, remotePort: 7000, pid: null, command: null }),
      ...VIEW.sockets,
      sock({ state: 'LISTEN', localPort: 7000, remoteAddress: '0.0.0.0', remotePort: 0, inode: 5, labServerId: 2 })
    ]
    render(<KernelTable sockets={sockets} connections={[closed]} />)
    const rows = [...screen.getByRole('table', { name: 'Kernel sockets' }).querySelectorAll('tbody tr')].map(
      (tr) => tr.lastElementChild?.textContent
    )
    expect(rows).toEqual(['server #2', 'peer side of #9', 'server #1', '#7', 'peer side of #7', 'TIME-WAIT leftover'])
  })
})
