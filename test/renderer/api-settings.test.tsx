import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { ApiStatus } from '@shared/api-settings'
import { renderApp } from './render-app'
import { FakeTransport } from './fake-transport'
import { makeBatch, makeSnapshot } from './fixtures'

const off: ApiStatus = { available: true, enabled: false }

describe('the Toxiproxy API switch', () => {
  it('switches the API on through api:configure and shows where it listens, with the CLI command', async () => {
    let status: ApiStatus = off
    const fake = new FakeTransport()
      .on('api:status', () => status)
      .on('api:configure', (input) => {
        status = input.enabled
          ? { available: true, enabled: true, listen: '127.0.0.1:8474', source: 'ui' }
          : { available: true, enabled: false, listen: input.listen }
        return status
      })
    await renderApp(makeSnapshot(), fake)
    const form = await screen.findByRole('form', { name: 'Toxiproxy API' })
    const toggle = within(form).getByRole('switch', { name: 'Toxiproxy API' })
    expect(toggle.getAttribute('aria-checked')).toBe('false')
    expect(within(form).getByRole('status').textContent).toMatch(/^Off/)
    const user = userEvent.setup()
    await user.click(toggle)
    await vi.waitFor(() => expect(fake.callsOf('api:configure')).toEqual([{ enabled: true, listen: '127.0.0.1:8474' }]))
    // The engine publishes the change to every window; this one shows it from the event.
    fake.emit(makeBatch(1, { events: [{ type: 'api.updated', at: 1, api: status }] }))
    await vi.waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'))
    expect(within(form).getByRole('status').textContent).toContain(
      'Listening on 127.0.0.1:8474 — toxiproxy-cli -h 127.0.0.1:8474 list'
    )
  })

  it('shows a refused address in words and stays off; another window switching it on shows here at once', async () => {
    const fake = new FakeTransport()
      .on('api:status', () => off)
      .on('api:configure', () => ({
        code: 'address-in-use',
        message: 'Cannot serve the Toxiproxy API on 127.0.0.1:9999: port 9999 is already in use',
        hint: 'Stop whatever holds it, or choose another port. Nothing was changed.'
      }))
    await renderApp(makeSnapshot(), fake)
    const form = await screen.findByRole('form', { name: 'Toxiproxy API' })
    const user = userEvent.setup()
    const field = within(form).getByLabelText('Address')
    await user.clear(field)
    await user.type(field, '9999')
    await user.click(within(form).getByRole('switch', { name: 'Toxiproxy API' }))
    const alert = await within(form).findByRole('alert')
    expect(alert.textContent).toContain('port 9999 is already in use')
    expect(fake.callsOf('api:configure')).toEqual([{ enabled: true, listen: '9999' }])
    const toggle = within(form).getByRole('switch', { name: 'Toxiproxy API' })
    expect(toggle.getAttribute('aria-checked')).toBe('false')

    const elsewhere: ApiStatus = { available: true, enabled: true, listen: '127.0.0.1:8475', source: 'cli' }
    fake.emit(makeBatch(1, { events: [{ type: 'api.updated', at: 1, api: elsewhere }] }))
    await vi.waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'))
    expect(within(form).getByRole('status').textContent).toContain('for this run only')
  })

  it('a saved address that failed at start says why', async () => {
    const failed: ApiStatus = {
      available: true,
      enabled: false,
      listen: '127.0.0.1:8474',
      error: 'Cannot serve the Toxiproxy API on 127.0.0.1:8474: port 8474 is already in use'
    }
    const fake = new FakeTransport().on('api:status', () => failed)
    await renderApp(makeSnapshot(), fake)
    const form = await screen.findByRole('form', { name: 'Toxiproxy API' })
    await vi.waitFor(() => expect(within(form).getByRole('status').textContent).toContain('Not listening'))
    expect(within(form).getByRole('status').textContent).toContain('port 8474 is already in use')
  })
})
