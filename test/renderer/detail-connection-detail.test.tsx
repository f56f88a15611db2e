import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { CommandInput, CommandName, CommandResult } from '@shared/contract'
import type { ConnectionInfo, TrafficRecord } from '@shared/model'
import { bytesToBase64 } from '@shared/payload-codec'
import { ConnectionDetail } from '@renderer/features/detail/connection-detail'
import type { LabRequest } from '@renderer/transport/transport'
import { makeConnectionInfo } from './fixtures'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const T0 = 1_700_000_000_000

function conn(over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return makeConnectionInfo(7, {
    remote: { address: '127.0.0.1', port: 45678 },
    openedAt: T0,
    lastActivity: T0,
    bytesIn: 4,
    chunksIn: 1,
    ...over
  })
}

function chunk(seq: number, dir: 'in' | 'out', bytes: number[] | string): TrafficRecord['chunks'][number] {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : Uint8Array.from(bytes)
  return { seq, at: T0 + seq * 10, dir, size: b.length, data: bytesToBase64(b), keptBytes: b.length }
}

/** A fake lab answering connection:traffic from a fixed record (only chunks after afterSeq). */
function trafficFake(record: Omit<TrafficRecord, 'connectionId'>): {
  request: LabRequest
  calls: CommandInput<'connection:traffic'>[]
} {
  const calls: CommandInput<'connection:traffic'>[] = []
  const request = (async (name: CommandName, input: CommandInput<'connection:traffic'>) => {
    if (name !== 'connection:traffic') return { ok: false, error: { code: 'unexpected', message: name } }
    calls.push(input)
    const after = input.afterSeq ?? -1
    const value: TrafficRecord = {
      ...record,
      connectionId: input.connectionId,
      chunks: record.chunks.filter((c) => c.seq > after)
    }
    return { ok: true, value } satisfies CommandResult<'connection:traffic'>
  }) as LabRequest
  return { request, calls }
}

describe('ConnectionDetail', () => {
  it('shows 00 01 68 69 as hex with ASCII ..hi', async () => {
    const { request } = trafficFake({
      chunks: [chunk(0, 'in', [0, 1, 0x68, 0x69])],
      droppedBytes: 0,
      droppedChunks: 0,
      nextSeq: 1
    })
    render(<ConnectionDetail connection={conn()} server={null} request={request} />)
    await userEvent.click(screen.getByRole('radio', { name: 'Hex' }))
    const timeline = await screen.findByRole('list', { name: 'Traffic timeline' })
    await waitFor(() => expect(timeline.querySelector('[data-part="hex"]')?.textContent).toBe('00 01 68 69'))
    expect(timeline.querySelector('[data-part="ascii"]')?.textContent).toBe('..hi')
  })

  it('shows NUL as ␀ and never interprets <script>', async () => {
    const { request } = trafficFake({
      chunks: [chunk(0, 'in', '\u0000<script>alert(1)</script><b>x</b>')],
      droppedBytes: 0,
      droppedChunks: 0,
      nextSeq: 1
    })
    const { container } = render(<ConnectionDetail connection={conn()} server={null} request={request} />)
    const timeline = await screen.findByRole('list', { name: 'Traffic timeline' })
    await waitFor(() => expect(timeline.textContent).toContain('␀<script>alert(1)</script><b>x</b>'))
    expect(container.querySelector('script')).toBeNull()
    expect(container.querySelector('b')).toBeNull()
  })

  it('notes dropped bytes and keeps exact counters', async () => {
    const { request } = trafficFake({
      chunks: [chunk(5, 'in', 'tail')],
      droppedBytes: 1000,
      droppedChunks: 3,
      nextSeq: 6
    })
    render(
      <ConnectionDetail connection={conn({ bytesIn: 1_073_741_824, chunksIn: 4 })} server={null} request={request} />
    )
    expect(
      await screen.findByText('1,000 earlier bytes in 3 chunks are no longer kept; counters stay exact')
    ).toBeTruthy()
    expect(screen.getByText('(1,073,741,824 B)')).toBeTruthy()
    expect(screen.getByText('1.0 GiB')).toBeTruthy()
  })

  it('polls only newer chunks while open', async () => {
    const { request, calls } = trafficFake({
      chunks: [chunk(0, 'in', 'a'), chunk(1, 'out', 'b')],
      droppedBytes: 0,
      droppedChunks: 0,
      nextSeq: 2
    })
    render(<ConnectionDetail connection={conn()} server={null} request={request} />)
    await waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(2), { timeout: 3000 })
    expect(calls[0]).toEqual({ connectionId: 7 })
    expect(calls[1]).toEqual({ connectionId: 7, afterSeq: 1 })
  })

  it('fetches a closed connection once', async () => {
    vi.useFakeTimers()
    const { request, calls } = trafficFake({
      chunks: [chunk(0, 'in', 'a')],
      droppedBytes: 0,
      droppedChunks: 0,
      nextSeq: 1
    })
    render(
      <ConnectionDetail
        connection={conn({ state: 'closed', closeReason: 'peer-reset', closedAt: T0 + 50 })}
        server={null}
        request={request}
      />
    )
    await vi.advanceTimersByTimeAsync(3000)
    expect(calls.length).toBe(1)
    expect(screen.getByTestId('detail-state').textContent).toBe('closed — reset by peer (RST)')
  })

  it('draws the life: handshake, data, FIN from the peer, then the close', async () => {
    const { request } = trafficFake({
      chunks: [chunk(0, 'in', 'hello\n'), chunk(1, 'in', 'x'), chunk(2, 'out', 'hello\n')],
      droppedBytes: 0,
      droppedChunks: 0,
      nextSeq: 3
    })
    const c = conn({ state: 'closed', closeReason: 'peer-fin', peerEndedAt: T0 + 15, closedAt: T0 + 40 })
    const { container } = render(<ConnectionDetail connection={c} server={null} request={request} />)
    const svg = await screen.findByRole('img', { name: /Sequence diagram of connection 7/ })
    await waitFor(() => expect(svg.querySelectorAll('[data-kind="data"]').length).toBe(2))
    const kinds = Array.from(svg.querySelectorAll('[data-kind]')).map(
      (g) => `${g.getAttribute('data-kind')}:${g.getAttribute('data-from') ?? '-'}`
    )
    expect(kinds).toEqual(['open:peer', 'data:peer', 'fin:peer', 'data:lab', 'fin:lab', 'closed:-'])
    expect(within(svg as unknown as HTMLElement).getByText('7 B (2 chunks)')).toBeTruthy()
    expect(container.querySelector('mark')?.textContent).toBe('45678')
  })

  it('toggles between each chunk and a joined conversation with visible boundaries', async () => {
    const { request } = trafficFake({
      chunks: [chunk(0, 'in', 'ab'), chunk(1, 'in', 'cd'), chunk(2, 'out', 'ok')],
      droppedBytes: 0,
      droppedChunks: 0,
      nextSeq: 3
    })
    render(<ConnectionDetail connection={conn()} server={null} request={request} />)
    const timeline = await screen.findByRole('list', { name: 'Traffic timeline' })
    await waitFor(() => expect(timeline.querySelectorAll('li').length).toBe(3))
    await userEvent.click(screen.getByRole('button', { name: 'Joined' }))
    const joined = screen.getByRole('list', { name: 'Traffic timeline' })
    expect(joined.querySelectorAll('li').length).toBe(2)
    expect(joined.querySelectorAll('li')[0].querySelectorAll('[data-chunk-seq]').length).toBe(2)
    expect(screen.getByRole('button', { name: 'Show chunks' })).toBeTruthy()
  })

  it('renders only a window of a 4,096-chunk record (virtualised)', async () => {
    const chunks = Array.from({ length: 4096 }, (_, i) => chunk(i, i % 2 ? 'out' : 'in', 'x'.repeat(64)))
    const { request } = trafficFake({ chunks, droppedBytes: 0, droppedChunks: 0, nextSeq: 4096 })
    render(
      <ConnectionDetail
        connection={conn({ bytesIn: 131072, bytesOut: 131072, chunksIn: 2048, chunksOut: 2048 })}
        server={null}
        request={request}
      />
    )
    const list = await screen.findByRole('list', { name: 'Traffic timeline' })
    await waitFor(() => expect(list.querySelectorAll('li[data-dir]').length).toBeGreaterThan(0))
    const shown = [...list.querySelectorAll('li[data-dir]')]
    expect(shown.length).toBeLessThan(40)
    expect(list.getAttribute('aria-setsize')).toBe('4096')
  })
})
