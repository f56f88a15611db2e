import { describe, expect, it, vi } from 'vitest'
import { act, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { counters, makeBatch, makeConn, makeServer, makeSnapshot } from './fixtures'
import { renderApp } from './render-app'

function rows(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('table[aria-label="Connections"] tbody tr[data-connection-id]')]
}
function ids(): number[] {
  return rows().map((r) => Number(r.dataset.connectionId))
}
function cell(id: number, col: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`tr[data-connection-id="${id}"] [data-col="${col}"]`)
  if (!el) throw new Error(`no ${col} cell for ${id}`)
  return el
}

const three = makeSnapshot({
  servers: [makeServer(), makeServer({ id: 2, bound: { address: '::1', port: 9000 }, family: 'IPv6' })],
  connections: [
    makeConn(1, { bytesIn: 1_073_741_824, bytesOut: 5, chunksIn: 3, chunksOut: 1 }),
    makeConn(2, { bytesIn: 10, bytesOut: 20 }),
    makeConn(3, {
      serverId: 2,
      family: 'IPv6',
      local: { address: '::1', port: 9000 },
      remote: { address: '::1', port: 51000 },
      state: 'closed',
      closeReason: 'peer-reset',
      closedAt: 2_000,
      bytesIn: 500
    })
  ]
})

describe('connections table', () => {
  it('has the contract headers and one row per connection with exact data-values', async () => {
    await renderApp(three)
    const table = screen.getByRole('table', { name: 'Connections' })
    // Peer and local share the 4-tuple column (peer over local), each with its own sort button.
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent)
    for (const h of ['Peer/local', 'State', 'Bytes in', 'Bytes out', 'Chunks', 'Rate', 'Age'])
      expect(headers).toContain(h)
    const sortButtons = within(table)
      .getAllByRole('button')
      .map((b) => b.textContent)
    for (const b of ['Peer', 'local']) expect(sortButtons).toContain(b)
    expect(ids()).toEqual([3, 2, 1])
    expect(cell(1, 'bytes-in').dataset.value).toBe('1073741824')
    expect(cell(1, 'bytes-in').textContent).toBe('1.0 GiB')
    expect(cell(1, 'bytes-out').dataset.value).toBe('5')
    expect(cell(1, 'peer').textContent).toBe('127.0.0.1:40001')
    expect(cell(1, 'local').textContent).toBe('127.0.0.1:8080')
    expect(cell(1, 'state').textContent).toBe('open')
    expect(cell(3, 'peer').textContent).toBe('[::1]:51000')
    expect(cell(3, 'state').textContent).toBe('closed — reset by peer (RST)')
    // The peer's ephemeral port is marked and explained.
    expect(cell(1, 'peer').querySelector('mark')?.getAttribute('title')).toBe(
      "ephemeral port chosen by the client's OS"
    )
  })

  it('sorts by a header click and says so with aria-sort', async () => {
    await renderApp(three)
    const user = userEvent.setup()
    const header = screen.getByRole('columnheader', { name: 'Bytes in' })
    expect(header.getAttribute('aria-sort')).toBe('none')
    await user.click(within(header).getByRole('button'))
    expect(header.getAttribute('aria-sort')).toBe('descending')
    expect(ids()).toEqual([1, 3, 2])
    await user.click(within(header).getByRole('button'))
    expect(header.getAttribute('aria-sort')).toBe('ascending')
    expect(ids()).toEqual([2, 3, 1])
  })

  it('filters by text and by state, and by the selected server with an "All" way back', async () => {
    const { ui } = await renderApp(three)
    const user = userEvent.setup()
    await user.type(screen.getByLabelText('Filter connections'), '51000')
    expect(ids()).toEqual([3])
    await user.clear(screen.getByLabelText('Filter connections'))
    await user.selectOptions(screen.getByLabelText('Show'), 'closed only')
    expect(ids()).toEqual([3])
    await user.selectOptions(screen.getByLabelText('Show'), 'open only')
    expect(ids()).toEqual([2, 1])
    await user.selectOptions(screen.getByLabelText('Show'), 'any state')
    await user.click(
      within(screen.getByRole('article', { name: 'Server [::1]:9000' })).getByRole('button', { name: '[::1]:9000' })
    )
    expect(ui.get().selectedServerId).toBe(2)
    expect(ids()).toEqual([3])
    await user.click(screen.getByRole('button', { name: 'All' }))
    expect(ui.get().selectedServerId).toBeNull()
    expect(ids()).toEqual([3, 2, 1])
  })

  it('updates rows live from batches and moves the selection with the keyboard', async () => {
    const { fake, ui } = await renderApp(three)
    act(() =>
      fake.emit(
        makeBatch(1, {
          counters: counters([[2, 60, 66, 2, 2]]),
          events: [{ type: 'connection.opened', at: 1, connection: makeConn(4) }]
        })
      )
    )
    expect(ids()).toEqual([4, 3, 2, 1])
    expect(cell(2, 'bytes-in').dataset.value).toBe('60')
    expect(cell(2, 'bytes-out').dataset.value).toBe('66')
    expect(cell(2, 'chunks').textContent).toBe('2 / 2')
    const user = userEvent.setup()
    await user.click(rows()[1])
    expect(ui.get().selectedConnectionId).toBe(3)
    expect(rows()[1].getAttribute('aria-selected')).toBe('true')
    await user.keyboard('{ArrowDown}')
    expect(ui.get().selectedConnectionId).toBe(2)
    await user.keyboard('j')
    expect(ui.get().selectedConnectionId).toBe(1)
    await user.keyboard('k')
    await user.keyboard('{ArrowUp}')
    expect(ui.get().selectedConnectionId).toBe(3)
    expect(screen.getByRole('region', { name: 'Connection detail' })).toBeTruthy()
  })

  it('clears closed connections through the engine', async () => {
    const { fake } = await renderApp(three)
    fake.on('connection:clear-closed', () => ({ removed: 1 }))
    await userEvent.setup().click(screen.getByRole('button', { name: 'Clear closed' }))
    await vi.waitFor(() => expect(fake.callsOf('connection:clear-closed')).toEqual([{}]))
    act(() => fake.emit(makeBatch(1, { events: [{ type: 'connections.removed', at: 1, ids: [3] }] })))
    expect(ids()).toEqual([2, 1])
  })

  it('renders only a window of 10,000 rows', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => makeConn(i + 1))
    await renderApp(makeSnapshot({ servers: [makeServer()], connections: many }))
    // The virtualiser draws its window after it has measured: wait for it (bounded) instead of racing it.
    await vi.waitFor(() => expect(rows().length).toBeGreaterThan(10), { timeout: 5_000 })
    const n = rows().length
    expect(n).toBeGreaterThan(10)
    expect(n).toBeLessThan(100)
    expect(ids()[0]).toBe(10_000)
    expect(screen.getByText('10000 rows')).toBeTruthy()
  })
})
