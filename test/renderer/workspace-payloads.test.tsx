import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { WorkspaceStatus } from '@shared/contract'
import { FakeTransport } from './fake-transport'
import { makeBatch, makeConn, makeServer, makeSnapshot } from './fixtures'
import { renderApp } from './render-app'

afterEach(cleanup)
// Each test renders the whole app; on a loaded 2-core machine the first one alone can take 5 s.
vi.setConfig({ testTimeout: 20_000 })

function status(over: Partial<WorkspaceStatus> = {}): WorkspaceStatus {
  return {
    file: '/home/me/.config/TCP Lab/workspace.json',
    notSaving: null,
    savedAt: null,
    problems: [],
    payloads: [
      { name: 'login', format: 'text', text: 'USER bob', lineEnding: 'crlf' },
      { name: 'ping', format: 'hex', text: '50 49 4e 47', lineEnding: 'lf' }
    ],
    sequences: [
      {
        name: 'session',
        steps: [
          { payload: 'login', delayMs: 0 },
          { payload: 'ping', delayMs: 1000 }
        ]
      }
    ],
    ui: {},
    cliServerIds: [],
    ...over
  }
}

async function setup(ws: WorkspaceStatus = status()): Promise<Awaited<ReturnType<typeof renderApp>>> {
  const fake = new FakeTransport()
  fake.on('workspace:get', () => ws)
  fake.on('connection:send', () => ({ bytes: 10, connections: 1 }))
  const snap = makeSnapshot({ servers: [makeServer()], connections: [makeConn(3)] })
  const r = await renderApp(snap, fake)
  act(() => r.ui.set({ selectedConnectionId: 3 }))
  return r
}

describe('saved payloads', () => {
  it('sends one to this connection with a click, and to every peer of its server with "All"', async () => {
    const { fake } = await setup()
    await userEvent.click(await screen.findByRole('button', { name: 'Send login to this connection' }))
    expect(fake.callsOf('connection:send')).toEqual([
      { connectionId: 3, payload: { format: 'text', text: 'USER bob', lineEnding: 'crlf' } }
    ])
    await userEvent.click(screen.getByRole('button', { name: 'Send ping to all peers' }))
    expect(fake.callsOf('connection:send')[1]).toEqual({
      serverId: 1,
      payload: { format: 'hex', text: '50 49 4e 47', lineEnding: 'lf' }
    })
    expect(await screen.findByText(/^Sent "ping" \(10 .*\) to 1 connection$/)).toBeTruthy()
  })

  it('Alt+2 sends the second payload here, Alt+Shift+1 the first to all peers; not while typing', async () => {
    const { fake } = await setup()
    await screen.findByRole('button', { name: 'Send login to this connection' })
    fireEvent.keyDown(window, { code: 'Digit2', key: '™', altKey: true })
    fireEvent.keyDown(window, { code: 'Digit1', key: '⁄', altKey: true, shiftKey: true })
    await waitFor(() => expect(fake.callsOf('connection:send')).toHaveLength(2))
    expect(fake.callsOf('connection:send')).toEqual([
      { connectionId: 3, payload: { format: 'hex', text: '50 49 4e 47', lineEnding: 'lf' } },
      { serverId: 1, payload: { format: 'text', text: 'USER bob', lineEnding: 'crlf' } }
    ])
    fireEvent.keyDown(screen.getByLabelText('Message'), { code: 'Digit1', altKey: true })
    expect(fake.callsOf('connection:send')).toHaveLength(2)
  })

  it('saves a new payload with its format and line ending', async () => {
    const { fake } = await setup()
    fake.on('payload:save', () => ({ names: ['login', 'ping', 'quit'] }))
    await userEvent.click(await screen.findByText('New payload…'))
    const form = await screen.findByRole('form', { name: 'New saved payload' })
    await userEvent.type(within(form).getByLabelText('Payload name'), 'quit')
    await userEvent.selectOptions(within(form).getByLabelText('Payload format'), 'escapes')
    await userEvent.selectOptions(within(form).getByLabelText('Payload line ending'), 'lf')
    await userEvent.type(within(form).getByLabelText('Payload text'), 'QUIT\\x00')
    await userEvent.click(within(form).getByRole('button', { name: 'Save payload' }))
    expect(fake.callsOf('payload:save')).toEqual([
      { payload: { name: 'quit', format: 'escapes', text: 'QUIT\\x00', lineEnding: 'lf' } }
    ])
  })
})

describe('sequences', () => {
  it('runs on the selected connection, shows progress from events, and stops', async () => {
    const { fake } = await setup()
    fake.on('sequence:run', () => ({
      runId: 7,
      sequenceName: 'session',
      connectionId: 3,
      sent: 0,
      steps: 2,
      state: 'running',
      nextAt: null,
      error: null
    }))
    fake.on('sequence:stop', () => ({
      runId: 7,
      sequenceName: 'session',
      connectionId: 3,
      sent: 1,
      steps: 2,
      state: 'stopped',
      nextAt: null,
      error: null
    }))
    await userEvent.click(await screen.findByRole('button', { name: 'Run session on this connection' }))
    expect(fake.callsOf('sequence:run')).toEqual([{ connectionId: 3, sequenceName: 'session' }])
    act(() =>
      fake.emit(
        makeBatch(1, {
          events: [
            {
              type: 'sequence.progress',
              at: 1,
              run: {
                runId: 7,
                sequenceName: 'session',
                connectionId: 3,
                sent: 1,
                steps: 2,
                state: 'running',
                nextAt: Date.now() + 900,
                error: null
              }
            }
          ]
        })
      )
    )
    const progress = await screen.findByRole('status', { name: 'Sequence session' })
    expect(progress.textContent).toMatch(/session: 1\/2 sent, sending · next in 0\.\d s/)
    await userEvent.click(within(progress).getByRole('button', { name: 'Stop' }))
    expect(fake.callsOf('sequence:stop')).toEqual([{ runId: 7 }])
    act(() =>
      fake.emit(
        makeBatch(2, {
          events: [
            {
              type: 'sequence.progress',
              at: 2,
              run: {
                runId: 7,
                sequenceName: 'session',
                connectionId: 3,
                sent: 1,
                steps: 2,
                state: 'stopped',
                nextAt: null,
                error: null
              }
            }
          ]
        })
      )
    )
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Sequence session' }).textContent).toContain('1/2 sent, stopped')
    )
  })
})

describe('workspace panel', () => {
  it('shows where the workspace lives, a server that did not start on its own card, and retries it', async () => {
    const { fake } = await setup(
      status({
        problems: [
          {
            id: 4,
            kind: 'servers',
            entry: 'http "api" on 127.0.0.1:9000',
            message: 'Port 9000 is already in use',
            hint: 'It is held by pid 1 (nc).',
            retryable: true
          }
        ]
      })
    )
    fake.on('workspace:retry', () => ({ problems: [] }))
    expect((await screen.findByTestId('workspace-file')).textContent).toContain(
      '/home/me/.config/TCP Lab/workspace.json'
    )
    const card = within(screen.getByRole('list', { name: 'Servers that did not start' })).getByRole('listitem', {
      name: 'Not started: http "api" on 127.0.0.1:9000'
    })
    expect(card.textContent).toContain('Port 9000 is already in use')
    await userEvent.click(within(card).getByRole('button', { name: 'Retry' }))
    expect(fake.callsOf('workspace:retry')).toEqual([{ problemId: 4 }])
  })

  it('applies the table preferences the workspace keeps, and saves a change to them', async () => {
    const fake = new FakeTransport()
    fake.on('workspace:get', () =>
      status({ ui: { 'table.sortKey': 'bytes-in', 'table.sortDir': 'asc', 'table.stateFilter': 'closed' } })
    )
    fake.on('workspace:set-ui', () => ({}))
    const { ui } = await renderApp(makeSnapshot(), fake)
    await waitFor(() => expect(ui.get().sort).toEqual({ key: 'bytes-in', dir: 'asc' }))
    expect(ui.get().stateFilter).toBe('closed')
    act(() => ui.set({ stateFilter: 'active' }))
    await waitFor(
      () =>
        expect(fake.callsOf('workspace:set-ui')).toEqual([
          { ui: { 'table.sortKey': 'bytes-in', 'table.sortDir': 'asc', 'table.stateFilter': 'active' } }
        ]),
      { timeout: 3_000 }
    )
  })

  it('refetches the status on workspace.updated', async () => {
    let n = 0
    const { fake } = await setup()
    fake.on('workspace:get', () =>
      status({ payloads: n++ === 0 ? [] : [{ name: 'later', format: 'text', text: 'x', lineEnding: 'none' }] })
    )
    act(() => fake.emit(makeBatch(1, { events: [{ type: 'workspace.updated', at: 1 }] })))
    act(() => fake.emit(makeBatch(2, { events: [{ type: 'workspace.updated', at: 2 }] })))
    expect(await screen.findByRole('button', { name: 'Send later to this connection' })).toBeTruthy()
  })

  it('imports a picked file and exports the current document as a download', async () => {
    const { fake } = await setup(status({ file: null }))
    fake.on('workspace:import', () => ({ problems: [] }))
    fake.on('workspace:export', () => ({
      document: { version: 1, servers: [], clients: [], proxies: [], payloads: [], sequences: [], ui: {} }
    }))
    expect((await screen.findByTestId('workspace-file')).textContent).toContain('started without --workspace')
    const doc = { version: 1, servers: [{ listen: '127.0.0.1:9000', behaviour: 'echo' }] }
    await userEvent.upload(
      screen.getByLabelText('Workspace file to import'),
      new File([JSON.stringify(doc)], 'lab.json', { type: 'application/json' })
    )
    await waitFor(() => expect(fake.callsOf('workspace:import')).toEqual([{ document: doc }]))
    expect(await screen.findByText('Imported lab.json.')).toBeTruthy()
    await userEvent.upload(screen.getByLabelText('Workspace file to import'), new File(['{oops'], 'bad.json'))
    expect((await screen.findByText(/bad\.json is not JSON/)).textContent).toBeTruthy()
    expect(fake.callsOf('workspace:import')).toHaveLength(1)

    const created: Blob[] = []
    const urls = { createObjectURL: vi.fn((b: Blob) => (created.push(b), 'blob:x')), revokeObjectURL: vi.fn() }
    Object.assign(URL, urls)
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
    await userEvent.click(screen.getByRole('button', { name: 'Export…' }))
    await waitFor(() => expect(click).toHaveBeenCalled())
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader()
      reader.onload = () => resolve(String(reader.result))
      reader.readAsText(created[0])
    })
    expect(JSON.parse(text)).toMatchObject({ version: 1, servers: [] })
    click.mockRestore()
  })
})
