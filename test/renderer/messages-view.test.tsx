import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MessagesView } from '@renderer/features/detail/messages-view'
import type { KeptChunk, TrafficWindow } from '@renderer/features/detail/traffic-window'
import { framingPrefs } from '@renderer/store/framing-prefs'

afterEach(() => {
  cleanup()
  framingPrefs.set({ byConnection: {}, byServer: {} })
})

const enc = (s: string) => new TextEncoder().encode(s)
function win(parts: [dir: 'in' | 'out', bytes: Uint8Array][]): TrafficWindow {
  const chunks: KeptChunk[] = parts.map(([dir, bytes], seq) => ({ seq, at: seq, dir, size: bytes.length, bytes }))
  const kept = chunks.reduce((n, c) => n + c.size, 0)
  return { chunks, keptBytes: kept, recordedBytes: kept, recordedChunks: chunks.length, lastSeq: chunks.length - 1 }
}

describe('MessagesView', () => {
  it('shows 2-byte length messages with the chunk boundaries across them and exact offsets', async () => {
    // [0,4]PING [0,5]hello [0,21]a longer message body, written in reads cut at 14 and 18.
    const stream = Uint8Array.from([
      0,
      4,
      ...enc('PING'),
      0,
      5,
      ...enc('hello'),
      0,
      21,
      ...enc('a longer message body')
    ])
    const w = win([
      ['in', stream.subarray(0, 14)],
      ['in', stream.subarray(14, 18)],
      ['in', stream.subarray(18)]
    ])
    render(
      <MessagesView
        connectionId={1}
        serverId={2}
        window={w}
        ended={false}
        serverFraming={{ type: 'length', bytes: 2 }}
      />
    )
    const inbound = screen.getByRole('region', { name: 'Messages from the peer' })
    const rows = within(inbound).getAllByTestId('message')
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('0–6'),
      expect.stringContaining('6–13'),
      expect.stringContaining('13–36')
    ])
    expect(rows[2].textContent).toContain('split over 3 reads at 14, 18')
    expect(within(rows[2]).getAllByTestId('chunk-boundary')).toHaveLength(2)
    expect(within(rows[0]).queryAllByTestId('chunk-boundary')).toHaveLength(0)
    expect(within(inbound).getByText(/3 messages in 3 reads, 1 read holding several messages/)).toBeTruthy()
  })

  it('suggests HTTP from the first bytes with its reason; confirming frames the request', async () => {
    const w = win([
      ['in', enc('GET /x HTTP/1.1\r\nHost: a\r\n\r\n')],
      ['out', enc('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi')]
    ])
    render(<MessagesView connectionId={5} serverId={null} window={w} ended />)
    expect(screen.getByText(/No framing chosen yet/)).toBeTruthy()
    expect(screen.getByRole('status').textContent).toContain('starts with the request line "GET /x HTTP/1.1"')
    await userEvent.click(screen.getByRole('button', { name: 'Use HTTP/1.x' }))
    expect(framingPrefs.get().byConnection[5]).toBe('http')
    const out = screen.getByRole('region', { name: 'Messages to the peer' })
    expect(within(out).getByText('HTTP/1.1 200 OK')).toBeTruthy()
    expect(screen.getByRole('region', { name: 'Messages from the peer' }).textContent).toContain('GET /x HTTP/1.1')
  })

  it('marks broken framing at its byte and an incomplete message', () => {
    const w = win([['in', enc('*1\r\n$4\r\nPING\r\n?bad\r\n')]])
    render(<MessagesView connectionId={6} serverId={null} window={w} ended={false} serverFraming="resp" />)
    expect(screen.getByRole('note').textContent).toBe(
      'Framing broke at byte 14: invalid RESP type byte 0x3f. Shown as chunks from there.'
    )
    cleanup()
    render(
      <MessagesView
        connectionId={7}
        serverId={null}
        window={win([['in', enc('one\ntw')]])}
        ended={false}
        serverFraming="line"
      />
    )
    expect(screen.getByText('Incomplete message from byte 4: 2 bytes so far')).toBeTruthy()
  })
})
