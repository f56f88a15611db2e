import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { visibleText } from '@shared/byte-format'
import type { ConnectionInfo } from '@shared/model'
import { ControlText, textSegments } from '@renderer/features/detail/control-text'
import { ChunksBytes } from '@renderer/features/detail/bytes-view'
import { streamOffsets } from '@renderer/features/detail/traffic-window'
import type { KeptChunk } from '@renderer/features/detail/traffic-window'
import { transcriptText } from '@renderer/features/detail/transcript'
import { SendBox } from '@renderer/features/send/send-box'
import type { LabRequest } from '@renderer/transport/transport'
import { makeConnectionInfo } from './fixtures'

afterEach(cleanup)

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
function kept(seq: number, dir: 'in' | 'out', bytes: Uint8Array, size = bytes.length): KeptChunk {
  return { seq, at: seq, dir, size, bytes }
}

describe('control characters in the text view', () => {
  it('splits controls into badges whose texts join to visibleText', () => {
    const bytes = Uint8Array.from([
      0x00, 0x01, 0x68, 0x69, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0a, 0x7f, 0xc2, 0x9b, 0xe2, 0x80, 0xae
    ])
    const segs = textSegments(bytes)
    expect(segs.map((s) => s.text).join('')).toBe(visibleText(bytes))
    expect(segs.filter((s) => s.kind === 'control').map((s) => (s.kind === 'control' ? s.abbr : ''))).toEqual([
      'NUL',
      'SOH',
      'ESC',
      'LF',
      'DEL',
      'CSI',
      'RLO'
    ])
  })

  it('keeps the control picture as the badge text, draws the abbreviation and explains it', () => {
    const { container } = render(
      <pre>
        <ControlText bytes={Uint8Array.from([0, 1, 0x68, 0x69])} />
      </pre>
    )
    expect(container.textContent).toBe('␀␁hi')
    const badge = container.querySelector('[data-ctl="NUL"]')
    expect(badge?.textContent).toBe('␀')
    expect(badge?.getAttribute('title')).toMatch(/^NUL: control byte 0x00/)
  })
})

describe('hex offsets', () => {
  it('count each direction as its own stream, across chunks', () => {
    const chunks = [
      kept(0, 'in', enc('abc')),
      kept(1, 'out', enc('xy')),
      kept(2, 'in', enc('defg')),
      kept(3, 'out', enc('z'), 5)
    ]
    expect([...streamOffsets(chunks)]).toEqual([
      [0, 0],
      [1, 0],
      [2, 3],
      [3, 2 + 4]
    ])
    const { container } = render(
      <ChunksBytes chunks={[chunks[2]]} mode="hex" offsets={streamOffsets(chunks)} perLine={8} />
    )
    expect(container.textContent).toMatch(/^00000003/)
    expect(transcriptText(chunks, 'hex', 0, false)).toContain('00000003  64 65 66 67')
  })

  it('wraps hex at the given bytes per line', () => {
    const chunk = kept(0, 'in', new Uint8Array(16))
    const { container } = render(<ChunksBytes chunks={[chunk]} mode="hex" perLine={8} />)
    expect([...container.querySelectorAll('[data-part="hex"]')].map((e) => e.textContent)).toEqual([
      '00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00'
    ])
  })
})

describe('send box across connections', () => {
  const conn = (id: number): ConnectionInfo => makeConnectionInfo(id)
  const request = (async () => ({ ok: true, value: { bytes: 2, connections: 1 } })) as unknown as LabRequest

  it('starts a fresh draft for another connection and keeps format and history', async () => {
    const { rerender } = render(<SendBox connection={conn(1)} server={null} request={request} />)
    const user = userEvent.setup()
    await user.selectOptions(screen.getByLabelText('Line ending'), 'lf')
    await user.type(screen.getByLabelText('Message'), 'a')
    await user.click(screen.getByRole('button', { name: 'Send' }))
    await screen.findByText('Sent 2 B to 1 connection')
    await user.type(screen.getByLabelText('Message'), 'draft')
    rerender(<SendBox connection={conn(2)} server={null} request={request} />)
    expect((screen.getByLabelText('Message') as HTMLTextAreaElement).value).toBe('')
    expect(screen.queryByText('Sent 2 B to 1 connection')).toBeNull()
    expect((screen.getByLabelText('Line ending') as HTMLSelectElement).value).toBe('lf')
    expect(screen.getByLabelText('History')).toBeTruthy()
  })

  it('shows an action’s explanation in the shared line while it is pointed at', async () => {
    render(<SendBox connection={conn(1)} server={null} request={request} />)
    const reset = screen.getByRole('button', { name: 'Reset' })
    expect(reset.getAttribute('title')).toMatch(/^Sends RST/)
    await userEvent.hover(reset)
    expect(screen.getByTestId('action-hint').textContent).toMatch(/^Sends RST/)
  })
})

describe('control runs in the text and escaped views (issue 19)', () => {
  it('draws 65,536 NUL as one badge with its count, and a run of LF as one badge and one line break', async () => {
    const { RangeText, RangeEscaped } = await import('@renderer/features/detail/control-text')
    const bytes = new Uint8Array(65_536 + 5)
    bytes.set(new TextEncoder().encode('a\n\n\nb'), 65_536)
    const { container } = render(
      <pre>
        <RangeText bytes={bytes} from={0} to={bytes.length} />
      </pre>
    )
    const runs = [...container.querySelectorAll('[data-ctl-run]')]
    expect(runs.map((r) => [r.getAttribute('data-ctl'), r.getAttribute('data-label')])).toEqual([
      ['NUL', 'NUL ×65,536'],
      ['LF', 'LF ×3']
    ])
    expect(container.querySelectorAll('*').length).toBeLessThan(6)
    expect(container.textContent).toBe('␀ ×65,536a␊ ×3\nb')
    const escaped = render(
      <pre>
        <RangeEscaped bytes={bytes} from={65_530} to={bytes.length} />
      </pre>
    ).container
    expect(escaped.textContent).toBe('\\x00 ×6a\\n ×3b')
  })
})
