import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { commands } from '@shared/contract'
import type { ProxyInfo } from '@shared/proxy-model'
import type { ProxyResponderInfo } from '@shared/responders/proxy-schema'
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

const upstream: ProxyResponderInfo = {
  framing: 'resp',
  rules: [
    { match: { equals: 'PING' }, reply: '+PONG\\r\\n', action: 'answer' },
    { match: { prefix: 'GET secret' }, reply: 'GET other', action: 'replace' }
  ],
  stats: { hits: [0, 0], messages: 0, unmatched: 0 }
}

describe('Respond by rule on a proxy card', () => {
  it('edits one direction, applies it with proxy:respond (a payload the contract accepts), and shows live hits', async () => {
    let current: ProxyInfo = proxy()
    const fake = new FakeTransport()
      .on('proxy:respond', (input) => {
        const parsed = commands['proxy:respond'].request.safeParse(input)
        if (!parsed.success) return { code: 'invalid', message: parsed.error.message }
        const r = parsed.data.responder
        current = proxy({
          responders: r
            ? { upstream: { ...r, stats: { hits: r.rules.map(() => 0), messages: 0, unmatched: 0 } } }
            : undefined
        })
        return current
      })
      .on('proxy:list', () => ({
        proxies: [
          current.responders?.upstream
            ? {
                ...current,
                responders: {
                  upstream: { ...current.responders.upstream, stats: { hits: [7], messages: 9, unmatched: 2 } }
                }
              }
            : current
        ]
      }))
    await renderApp(makeSnapshot({ proxies: [proxy()] }), fake)
    const user = userEvent.setup()
    const card = screen.getByRole('article', { name: 'Proxy redis' })
    await user.click(within(card).getByRole('button', { name: 'client → server' }))
    const editor = within(card).getByRole('group', { name: 'Respond by rule, upstream' })
    // A proxy passes on what it does not answer: no greeting, no fallback; each rule says what it does.
    expect(within(editor).queryByLabelText('Fallback reply')).toBeNull()
    expect(within(editor).queryByText('Greeting')).toBeNull()
    expect((within(editor).getByLabelText('Rule 1 equals') as HTMLInputElement).value).toBe('PING')
    await user.selectOptions(within(editor).getByLabelText('Rule 1 action'), 'replace')
    await user.click(within(editor).getByRole('button', { name: 'Apply rules' }))
    await vi.waitFor(() => expect(fake.callsOf('proxy:respond')).toHaveLength(1))
    expect(fake.callsOf('proxy:respond')[0]).toEqual({
      proxy: 'redis',
      stream: 'upstream',
      responder: {
        framing: 'line',
        rules: [{ match: { equals: 'PING' }, reply: 'PONG from the lab\\r\\n', action: 'replace' }]
      }
    })
    fake.emit(makeBatch(1, { events: [{ type: 'proxy.updated', at: 1, proxy: current }] }))
    await vi.waitFor(() => expect(within(card).getByRole('button', { name: 'client → server · 1 rule' })).toBeTruthy())
    // Hits over all pairs come from proxy:list while the editor is open.
    await vi.waitFor(() => expect(within(editor).getByLabelText('Rule 1 hits').textContent).toBe('7'), {
      timeout: 3_000
    })
    expect(editor.textContent).toContain('9 messages, 2 passed on')
    await user.click(within(editor).getByRole('button', { name: 'Clear' }))
    await vi.waitFor(() => expect(fake.callsOf('proxy:respond')).toHaveLength(2))
    expect(fake.callsOf('proxy:respond')[1]).toEqual({ proxy: 'redis', stream: 'upstream', responder: null })
    await vi.waitFor(() => expect(within(card).queryByRole('group', { name: 'Respond by rule, upstream' })).toBeNull())
  })

  it('opens with the rules a direction has, and shows the engine refusal in words', async () => {
    const fake = new FakeTransport()
      .on('proxy:respond', () => ({
        code: 'invalid',
        message: 'responder.rules.1.match.regex: Bad regex at position 0'
      }))
      .on('proxy:list', () => ({ proxies: [proxy({ responders: { upstream } })] }))
    await renderApp(makeSnapshot({ proxies: [proxy({ responders: { upstream } })] }), fake)
    const user = userEvent.setup()
    const card = screen.getByRole('article', { name: 'Proxy redis' })
    await user.click(within(card).getByRole('button', { name: 'client → server · 2 rules' }))
    const editor = within(card).getByRole('group', { name: 'Respond by rule, upstream' })
    expect((within(editor).getByLabelText('Rule 2 action') as HTMLSelectElement).value).toBe('replace')
    expect(
      (within(editor).getByLabelText('Responder framing') as HTMLSelectElement).selectedOptions[0].textContent
    ).toBe('Redis RESP')
    await user.click(within(editor).getByRole('button', { name: 'Apply rules' }))
    await vi.waitFor(() => expect(within(editor).getByRole('alert').textContent).toContain('Bad regex at position 0'))
    // The other direction has its own editor.
    await user.click(within(card).getByRole('button', { name: 'server → client' }))
    expect(within(card).getByRole('group', { name: 'Respond by rule, downstream' })).toBeTruthy()
    expect(within(card).queryByRole('group', { name: 'Respond by rule, upstream' })).toBeNull()
  })
})
