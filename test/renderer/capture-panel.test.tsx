import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RecordStatus, TrafficChunk } from '@shared/model'
import { diffBytes, diffRows, sideBytes } from '@renderer/features/capture/compare'
import { renderApp } from './render-app'
import { makeConn, makeServer, makeSnapshot } from './fixtures'

afterEach(cleanup)

const b64 = (s: string) => btoa(s)
const chunk = (seq: number, dir: 'in' | 'out', text: string): TrafficChunk => ({
  seq,
  at: seq,
  dir,
  size: text.length,
  data: b64(text),
  keptBytes: text.length
})

describe('compare helpers', () => {
  it('lines up an accepted run and an outgoing replay by conversation side', () => {
    const accepted = sideBytes('accepted', [chunk(0, 'in', 'GET'), chunk(1, 'out', 'OK'), chunk(2, 'in', '!')])
    const outgoing = sideBytes('outgoing', [chunk(0, 'out', 'GET!'), chunk(1, 'in', 'OK')])
    expect(diffBytes(accepted.client, outgoing.client)).toEqual({
      identical: true,
      lengthA: 4,
      lengthB: 4,
      firstDiff: null,
      differing: 0
    })
    expect(diffBytes(accepted.server, outgoing.server).identical).toBe(true)
  })

  it('finds the first difference, counts differing bytes and marks them per row', () => {
    const a = new TextEncoder().encode('hello world, 0123456789')
    const b = new TextEncoder().encode('hello World, 0123456789!!')
    const d = diffBytes(a, b)
    expect(d).toEqual({ identical: false, lengthA: 23, lengthB: 25, firstDiff: 6, differing: 1 })
    const rows = diffRows(a, b, d.firstDiff!, 10)
    expect(rows.map((r) => r.offset)).toEqual([0, 16])
    expect(rows[0].differs.filter(Boolean).length).toBe(1)
    // The two extra bytes of b differ from nothing.
    expect(rows[1].differs.filter(Boolean).length).toBe(2)
    expect(diffBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])).firstDiff).toBe(2)
  })
})

// Whole-app renders take seconds on a loaded machine.
describe('capture bar', { timeout: 30_000 }, () => {
  const created: Blob[] = []
  const clicked: string[] = []
  beforeEach(() => {
    created.length = 0
    URL.createObjectURL = vi.fn((b: Blob) => {
      created.push(b)
      return `blob:${created.length}`
    }) as typeof URL.createObjectURL
    URL.revokeObjectURL = vi.fn()
    clicked.length = 0
    // jsdom cannot navigate: the download link's click is noted instead.
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
  })

  it('exports the selected connection in the chosen format and downloads the file, saying what is missing', async () => {
    const { fake, ui } = await renderApp(
      makeSnapshot({ servers: [makeServer()], connections: [makeConn(1), makeConn(2)] })
    )
    fake.on('capture:export', (input) => ({
      files: [{ name: `x.${input.format}`, mime: 'text/plain', encoding: 'text', content: 'line\n' }],
      notes: ['Connection 1: 10 older bytes were not kept in memory']
    }))
    act(() => ui.set({ selectedConnectionId: 1 }))
    const bar = screen.getByRole('group', { name: 'Capture' })
    await userEvent.selectOptions(within(bar).getByLabelText('Export which connections'), 'selected')
    await userEvent.selectOptions(within(bar).getByLabelText('Export format'), 'jsonl')
    await userEvent.click(within(bar).getByRole('button', { name: 'Export' }))
    await vi.waitFor(() => expect(fake.callsOf('capture:export')).toEqual([{ format: 'jsonl', connectionIds: [1] }]))
    await vi.waitFor(() => expect(created.length).toBe(1))
    expect(created[0].size).toBe(5)
    expect(clicked).toEqual(['x.jsonl'])
    expect(await screen.findByText(/10 older bytes were not kept/)).toBeTruthy()
    await userEvent.selectOptions(within(bar).getByLabelText('Export which connections'), 'all')
    await userEvent.click(within(bar).getByRole('button', { name: 'Export' }))
    await vi.waitFor(() =>
      expect(fake.callsOf('capture:export')[1]).toEqual({ format: 'jsonl', connectionIds: undefined })
    )
  })

  it('starts and stops recording and shows what it wrote against its budget', async () => {
    const fakeStatus: RecordStatus = {
      recording: false,
      file: null,
      dir: '/tmp/rec',
      startedAt: null,
      bytesWritten: 0,
      budgetBytes: 1024 ** 3,
      droppedBytes: 0,
      packets: 0,
      stoppedReason: null
    }
    let status = fakeStatus
    const { fake } = await renderApp(makeSnapshot({ servers: [makeServer()], connections: [] }), undefined)
    fake.on('capture:record-status', () => status)
    fake.on('capture:record-start', (input) => {
      status = {
        ...fakeStatus,
        recording: true,
        file: `${input.dir}/tcp-lab-1.pcapng`,
        dir: input.dir ?? null,
        bytesWritten: 2048
      }
      return status
    })
    fake.on('capture:record-stop', () => {
      status = { ...status, recording: false, stoppedReason: 'stopped by the user' }
      return status
    })
    const bar = screen.getByRole('group', { name: 'Capture' })
    await userEvent.type(within(bar).getByLabelText('Recording folder'), '/data/caps')
    await userEvent.click(within(bar).getByRole('button', { name: 'Record' }))
    await vi.waitFor(() => expect(fake.callsOf('capture:record-start')).toEqual([{ dir: '/data/caps' }]))
    const shown = await screen.findByRole('status', { name: 'Recording status' })
    await vi.waitFor(() => expect(shown.textContent).toContain('Recording 2.0 KiB of 1.0 GiB'))
    expect(shown.textContent).toContain('/data/caps/tcp-lab-1.pcapng')
    await userEvent.click(within(bar).getByRole('button', { name: 'Stop recording' }))
    await vi.waitFor(() =>
      expect(screen.getByRole('status', { name: 'Recording status' }).textContent).toContain('Saved')
    )
  })

  it('starts a replay as a mock server from the selected connection', async () => {
    const { fake, ui } = await renderApp(makeSnapshot({ servers: [makeServer()], connections: [makeConn(4)] }))
    fake.on('replay:list', () => ({ replays: [] }))
    fake.on('replay:start', () => ({
      id: 1,
      mode: 'server',
      target: '127.0.0.1:5555',
      state: 'running',
      connectionIds: [],
      serverId: 2,
      sourceConnectionId: 4,
      chunksSent: 0,
      chunksTotal: 2,
      message: null
    }))
    act(() => ui.set({ selectedConnectionId: 4 }))
    await userEvent.click(screen.getByRole('button', { name: 'Replay…' }))
    const panel = screen.getByRole('region', { name: 'Replay' })
    await userEvent.selectOptions(within(panel).getByLabelText('Replay mode'), 'server')
    await userEvent.type(within(panel).getByLabelText('Address to listen on'), '127.0.0.1:5555')
    await userEvent.selectOptions(within(panel).getByLabelText('Pace'), 'original')
    await userEvent.click(within(panel).getByRole('button', { name: 'Start replay' }))
    await vi.waitFor(() =>
      expect(fake.callsOf('replay:start')).toEqual([
        {
          source: { connectionId: 4 },
          mode: 'server',
          target: '127.0.0.1:5555',
          pace: 'original',
          waitForReplies: true
        }
      ])
    )
  })

  it('refuses to upload a capture too big for one message and takes a path on the lab machine instead', async () => {
    const { fake } = await renderApp(makeSnapshot({ servers: [makeServer()], connections: [] }))
    fake.on('replay:list', () => ({ replays: [] }))
    fake.on('replay:start', () => ({
      id: 2,
      mode: 'client',
      target: '127.0.0.1:9',
      state: 'running',
      connectionIds: [7],
      serverId: null,
      sourceConnectionId: null,
      chunksSent: 0,
      chunksTotal: 1,
      message: null
    }))
    await userEvent.click(screen.getByRole('button', { name: 'Replay…' }))
    const panel = screen.getByRole('region', { name: 'Replay' })
    await userEvent.selectOptions(within(panel).getByLabelText('Replay source'), 'file')
    const big = new File([new Uint8Array(800 * 1024)], 'big.pcapng')
    await userEvent.upload(within(panel).getByLabelText('Capture file'), big)
    await userEvent.type(within(panel).getByLabelText('Server to connect to'), '127.0.0.1:9')
    await userEvent.click(within(panel).getByRole('button', { name: 'Start replay' }))
    expect((await within(panel).findByRole('alert')).textContent).toMatch(
      /800 KiB; the page uploads at most 700 KiB\. Give its path/
    )
    expect(fake.callsOf('replay:start')).toEqual([])
    await userEvent.selectOptions(within(panel).getByLabelText('Replay source'), 'path')
    await userEvent.type(within(panel).getByLabelText('Capture path'), '/data/big.pcapng')
    await userEvent.click(within(panel).getByRole('button', { name: 'Start replay' }))
    await vi.waitFor(() =>
      expect(fake.callsOf('replay:start')).toEqual([
        {
          source: { path: '/data/big.pcapng', stream: 0 },
          mode: 'client',
          target: '127.0.0.1:9',
          pace: 'fast',
          waitForReplies: true
        }
      ])
    )
  })

  it('compares two runs in the detail, highlighting the bytes that differ', async () => {
    const { fake, ui } = await renderApp(
      makeSnapshot({
        servers: [makeServer()],
        connections: [makeConn(1), makeConn(2, { origin: 'outgoing', serverId: null })]
      })
    )
    fake.on('replay:list', () => ({ replays: [] }))
    fake.on('connection:traffic', (input) => ({
      connectionId: input.connectionId,
      chunks:
        input.connectionId === 1
          ? [chunk(0, 'in', 'PING 1'), chunk(1, 'out', 'PONG')]
          : [chunk(0, 'out', 'PING 2'), chunk(1, 'in', 'PONG')],
      droppedChunks: 0,
      droppedBytes: 0,
      nextSeq: 2
    }))
    act(() => ui.set({ selectedConnectionId: 1 }))
    await userEvent.click(await screen.findByText('Compare with another run'))
    await userEvent.selectOptions(await screen.findByLabelText('Connection to compare with'), '2')
    const view = screen.getByRole('region', { name: 'Compare runs' })
    await vi.waitFor(() =>
      expect(view.textContent).toContain(
        'client → server: differ from byte 5: 1 bytes differ at the same offsets; 6 bytes each'
      )
    )
    expect(view.textContent).toContain('server → client: identical (4 bytes)')
    expect(view.querySelectorAll('[data-differs]').length).toBe(2)
  })
})
