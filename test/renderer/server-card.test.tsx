import { describe, expect, it } from 'vitest'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { makeServer, makeSnapshot } from './fixtures'
import { renderApp } from './render-app'
import { peerCommands } from '@renderer/features/servers/server-snippets'

describe('server card', () => {
  it('shows the bound address, the nc command in <code> and a copy button that copies it', async () => {
    // user-event puts its own clipboard on navigator; read it back after the click.
    const user = userEvent.setup()
    await renderApp(
      makeSnapshot({
        servers: [
          makeServer({
            bound: { address: '127.0.0.1', port: 8080 },
            notes: ['Loopback only: reachable from this machine alone.']
          })
        ],
        serverCounters: [{ id: 1, bytesIn: 2048, bytesOut: 6, accepted: 5, open: 2 }]
      })
    )
    const nav = screen.getByRole('navigation', { name: 'Servers' })
    const card = within(nav).getByRole('article', { name: 'Server 127.0.0.1:8080' })
    const codes = within(card).getAllByText((_, el) => el?.tagName === 'CODE' && el.textContent === 'nc 127.0.0.1 8080')
    expect(codes).toHaveLength(1)
    expect(card.textContent).toContain('1 + 2')
    expect(card.textContent).toContain('2.0 KiB')
    expect(card.textContent).toContain('Loopback only')
    await user.click(within(card).getByRole('button', { name: 'Copy nc command' }))
    expect(await navigator.clipboard.readText()).toBe('nc 127.0.0.1 8080')
    expect(within(card).getByRole('button', { name: 'Copy nc command' }).textContent).toBe('Copied')
    expect(within(card).getByRole('button', { name: 'Copy telnet command' })).toBeTruthy()
    expect(within(card).getByRole('button', { name: 'Copy /dev/tcp command' })).toBeTruthy()
  })

  it('names IPv6 and Unix servers as the contract says', async () => {
    await renderApp(
      makeSnapshot({
        servers: [
          makeServer({ id: 1, bound: { address: '::1', port: 8080 }, family: 'IPv6' }),
          makeServer({
            id: 2,
            bound: { address: '/tmp/lab.sock', port: 0 },
            family: 'unix',
            requestedHost: 'unix:/tmp/lab.sock'
          })
        ]
      })
    )
    expect(screen.getByRole('article', { name: 'Server [::1]:8080' }).textContent).toContain('nc ::1 8080')
    expect(screen.getByRole('article', { name: 'Server unix:/tmp/lab.sock' }).textContent).toContain(
      'nc -U /tmp/lab.sock'
    )
  })

  it('runs its actions through the engine and shows their errors', async () => {
    const { fake } = await renderApp(
      makeSnapshot({
        servers: [makeServer()],
        serverCounters: [{ id: 1, bytesIn: 0, bytesOut: 0, accepted: 1, open: 1 }]
      })
    )
    fake.on('server:close-all', () => ({ closed: 1 }))
    fake.on('server:configure', () => ({
      code: 'in-use',
      message: 'Port 8080 is already in use',
      hint: 'Another program took it.'
    }))
    const user = userEvent.setup()
    const card = screen.getByRole('article', { name: 'Server 127.0.0.1:8080' })
    await user.click(within(card).getByRole('button', { name: 'Close all' }))
    await user.selectOptions(within(card).getByLabelText('Acts as'), 'discard')
    await user.click(within(card).getByRole('button', { name: 'Stop accepting' }))
    expect(fake.callsOf('server:close-all')).toEqual([{ serverId: 1 }])
    expect(fake.callsOf('server:configure')).toEqual([
      { serverId: 1, behaviour: 'discard' },
      { serverId: 1, accepting: false }
    ])
    expect((await within(card).findByRole('alert')).textContent).toContain('Port 8080 is already in use')
  })
})

describe('peer commands', () => {
  it('dials loopback for wildcard binds and adds curl for http', () => {
    const any4 = peerCommands({ bound: { address: '0.0.0.0', port: 80 }, family: 'IPv4', behaviour: 'http' })
    expect(any4.map((c) => c.command)).toEqual([
      'nc 127.0.0.1 80',
      'telnet 127.0.0.1 80',
      "exec 3<>/dev/tcp/127.0.0.1/80; printf 'hello\\n' >&3; timeout 1 cat <&3; exec 3>&-",
      'curl http://127.0.0.1:80/'
    ])
    const any6 = peerCommands({ bound: { address: '::', port: 81 }, family: 'IPv6', behaviour: 'http' })
    expect(any6[0].command).toBe('nc ::1 81')
    expect(any6[3].command).toBe("curl -g 'http://[::1]:81/'")
    expect(
      peerCommands({ bound: { address: '/tmp/a b.sock', port: 0 }, family: 'unix', behaviour: 'echo' }).map(
        (c) => c.command
      )
    ).toEqual(["nc -U '/tmp/a b.sock'"])
  })
})
