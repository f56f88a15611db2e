import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { ProxyInfo } from '@shared/proxy-model'
import { renderApp } from './render-app'
import { FakeTransport } from './fake-transport'
import { makeBatch, makeSnapshot } from './fixtures'

const proxy = (over: Partial<ProxyInfo> = {}): ProxyInfo => ({
  name: 'redis',
  listen: '127.0.0.1:26379',
  upstream: '127.0.0.1:6379',
  enabled: true,
  toxics: [],
  onUpstreamFailure: 'close',
  ...over
})

describe('proxies in the sidebar', () => {
  it('shows proxies from the snapshot and follows proxy events (an API change shows at once)', async () => {
    const { fake } = await renderApp(makeSnapshot({ proxies: [proxy()] }))
    const card = screen.getByRole('article', { name: 'Proxy redis' })
    expect(card.textContent).toContain('127.0.0.1:26379 → 127.0.0.1:6379')
    const toxic = {
      name: 'latency_downstream',
      type: 'latency' as const,
      stream: 'downstream' as const,
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 }
    }
    fake.emit(
      makeBatch(1, { events: [{ type: 'proxy.updated', at: 1, proxy: proxy({ enabled: false, toxics: [toxic] }) }] })
    )
    await vi.waitFor(() => expect(within(card).getByText('disabled')).toBeTruthy())
    expect(card.textContent).toContain('latency_downstream: latency 200 ms, jitter 0 ms')
    expect(card.textContent).toContain('The receiver gets each piece later')
    fake.emit(makeBatch(2, { events: [{ type: 'proxy.removed', at: 2, name: 'redis' }] }))
    await vi.waitFor(() => expect(screen.queryByRole('article', { name: 'Proxy redis' })).toBeNull())
  })

  it('creates a proxy and adds a fault through the contract, showing a refusal in words', async () => {
    const fake = new FakeTransport()
      .on('proxy:create', (input) => proxy({ name: input.name, listen: '127.0.0.1:40000', upstream: input.upstream }))
      .on('toxic:add', () => ({
        code: 'invalid',
        message: 'latency: attributes.latency: latency (ms) is over 3600000'
      }))
    await renderApp(makeSnapshot({ proxies: [proxy()] }), fake)
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'New proxy…' }))
    const form = screen.getByRole('form', { name: 'New proxy' })
    await user.clear(within(form).getByLabelText('Name'))
    await user.type(within(form).getByLabelText('Name'), 'api')
    await user.clear(within(form).getByLabelText('Upstream (the real server)'))
    await user.type(within(form).getByLabelText('Upstream (the real server)'), 'unix:/run/api.sock')
    await user.click(within(form).getByRole('button', { name: 'Start proxy' }))
    await vi.waitFor(() => expect(fake.callsOf('proxy:create')).toHaveLength(1))
    expect(fake.callsOf('proxy:create')[0]).toMatchObject({
      name: 'api',
      listen: '127.0.0.1:0',
      upstream: 'unix:/run/api.sock',
      onUpstreamFailure: 'close'
    })
    const card = screen.getByRole('article', { name: 'Proxy redis' })
    await user.click(within(card).getByRole('button', { name: 'Add fault' }))
    const add = within(card).getByRole('form', { name: 'Add a fault' })
    await user.type(within(add).getByLabelText('latency (ms)'), '150')
    await user.click(within(add).getByRole('button', { name: 'Add fault' }))
    await vi.waitFor(() => expect(fake.callsOf('toxic:add')).toHaveLength(1))
    expect(fake.callsOf('toxic:add')[0]).toMatchObject({
      proxy: 'redis',
      toxic: { type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 150 } }
    })
    // The engine's refusal shows in words, and the form stays open to fix it.
    await vi.waitFor(() => expect(within(add).getByRole('alert').textContent).toContain('is over 3600000'))
  })
})
