import { describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { BEHAVIOURS } from '@shared/model'
import { FakeTransport } from './fake-transport'
import { loadRecent } from '@renderer/features/servers/recent-settings'
import { makeServer } from './fixtures'
import { renderApp } from './render-app'

describe('start server form', () => {
  it('has the labelled inputs, every behaviour, and the button', async () => {
    await renderApp()
    expect(screen.getByLabelText('Host')).toBeInstanceOf(HTMLInputElement)
    expect(screen.getByLabelText('Port')).toBeInstanceOf(HTMLInputElement)
    const select = screen.getByLabelText('Behaviour') as HTMLSelectElement
    expect([...select.options].map((o) => o.value)).toEqual([...BEHAVIOURS])
    expect(screen.getByRole('button', { name: 'Start server' })).toBeTruthy()
  })

  it("sends the port as typed and shows the engine's error with its hint as an alert", async () => {
    const fake = new FakeTransport().on('server:start', () => ({
      code: 'invalid',
      message: 'Port must be a whole number from 0 to 65535, not 70000',
      hint: 'Pick a port from 1024 to 49151.'
    }))
    const { store } = await renderApp(undefined, fake)
    const user = userEvent.setup()
    const port = screen.getByLabelText('Port')
    await user.clear(port)
    await user.type(port, '70000')
    await user.click(screen.getByRole('button', { name: 'Start server' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Port must be a whole number from 0 to 65535, not 70000')
    expect(alert.textContent).toContain('Pick a port from 1024 to 49151.')
    expect(fake.callsOf('server:start')).toEqual([{ host: '127.0.0.1', behaviour: 'echo', port: '70000' }])
    expect(store.getState().servers.size).toBe(0)
    expect(loadRecent()).toEqual([])
  })

  it('starts a server, leaves the table’s scope alone and offers its settings again', async () => {
    const fake = new FakeTransport().on('server:start', (input) =>
      makeServer({ id: 7, behaviour: input.behaviour ?? 'echo', bound: { address: '127.0.0.1', port: 9000 } })
    )
    const { ui } = await renderApp(undefined, fake)
    const user = userEvent.setup()
    await user.clear(screen.getByLabelText('Port'))
    await user.type(screen.getByLabelText('Port'), '9000')
    await user.selectOptions(screen.getByLabelText('Behaviour'), 'telemetry')
    await user.clear(screen.getByLabelText('Telemetry interval (ms)'))
    await user.type(screen.getByLabelText('Telemetry interval (ms)'), '250')
    await user.click(screen.getByRole('button', { name: 'Start server' }))
    const recent = await screen.findByRole('button', { name: 'telemetry on 127.0.0.1:9000' })
    // Issue 19: no silent narrowing of the table to the new server.
    expect(ui.get().selectedServerId).toBeNull()
    expect(fake.callsOf('server:start')).toEqual([
      { host: '127.0.0.1', port: '9000', behaviour: 'telemetry', options: { telemetryIntervalMs: 250 } }
    ])
    expect(screen.queryByRole('alert')).toBeNull()
    // The chip fills the form back in.
    await user.selectOptions(screen.getByLabelText('Behaviour'), 'echo')
    await user.click(recent)
    expect((screen.getByLabelText('Behaviour') as HTMLSelectElement).value).toBe('telemetry')
    expect(loadRecent()).toHaveLength(1)
  })

  it('keeps at most five recent settings, newest first', async () => {
    let port = 9000
    const fake = new FakeTransport().on('server:start', () =>
      makeServer({ id: port, bound: { address: '127.0.0.1', port } })
    )
    await renderApp(undefined, fake)
    const user = userEvent.setup()
    for (let i = 0; i < 7; i++) {
      port = 9000 + i
      await user.clear(screen.getByLabelText('Port'))
      await user.type(screen.getByLabelText('Port'), String(port))
      await user.click(screen.getByRole('button', { name: 'Start server' }))
      await vi.waitFor(() => expect(fake.callsOf('server:start')).toHaveLength(i + 1))
    }
    await vi.waitFor(() => expect(loadRecent()).toHaveLength(5))
    expect(loadRecent()[0].port).toBe('9006')
    const chips = within(screen.getByText('Recently used').parentElement as HTMLElement).getAllByRole('button')
    expect(chips).toHaveLength(5)
  })

  it('focuses the Host input on "n"', async () => {
    await renderApp()
    await userEvent.setup().keyboard('n')
    expect(document.activeElement).toBe(screen.getByLabelText('Host'))
  })

  it('does not carry "Max connections 2" into the next server, and says what it started with', async () => {
    let n = 0
    const fake = new FakeTransport().on('server:start', () =>
      makeServer({ id: ++n, bound: { address: '127.0.0.1', port: 9000 + n } })
    )
    await renderApp(undefined, fake)
    const user = userEvent.setup()
    await user.click(screen.getByText('More options'))
    await user.type(screen.getByLabelText('Max connections'), '2')
    await user.click(screen.getByLabelText(/Pause new connections at accept/))
    // What is set is visible without opening the options.
    expect(screen.getByTestId('options-summary').textContent).toBe('max 2 connections · paused at accept')
    await user.click(screen.getByRole('button', { name: 'Start server' }))
    await screen.findByText(
      'Started with max 2 connections, paused at accept; More options are back to their defaults.'
    )
    expect((screen.getByLabelText('Max connections') as HTMLInputElement).value).toBe('')
    expect(screen.queryByTestId('options-summary')).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Start server' }))
    await waitFor(() => expect(fake.callsOf('server:start')).toHaveLength(2))
    const [first, second] = fake.callsOf('server:start')
    expect(first).toMatchObject({ maxConnections: 2, pauseOnAccept: true })
    expect(second).not.toHaveProperty('maxConnections')
    expect(second).not.toHaveProperty('pauseOnAccept')
  })
})
