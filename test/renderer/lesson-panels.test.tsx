import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import type { ServerInfo } from '@shared/model'
import { ServerLifeSteps } from '@renderer/features/lesson/server-life-steps'
import { Term } from '@renderer/ui/term'
import { TryThisPanel } from '@renderer/features/lesson/try-this-panel'
import { makeServerInfo } from './fixtures'

afterEach(cleanup)

function server(over: Partial<ServerInfo> = {}): ServerInfo {
  return makeServerInfo({ requestedPort: 0, bound: { address: '127.0.0.1', port: 40123 }, ...over })
}

describe('ServerLifeSteps', () => {
  it('shows the calls with the live N and N+1 sockets', () => {
    render(<ServerLifeSteps server={server()} openConnections={2} acceptedTotal={5} />)
    expect(screen.getByText('socket(AF_INET, SOCK_STREAM)')).toBeTruthy()
    expect(screen.getByText('bind(127.0.0.1:40123)')).toBeTruthy()
    expect(screen.getByText('listen(511)')).toBeTruthy()
    expect(screen.getByText('accept() ×5')).toBeTruthy()
    expect(screen.getByTestId('socket-count').textContent).toBe('3 sockets: 1 listening + 2 connected')
    expect(screen.getByText(/port 0 asked: the kernel picked 40123/)).toBeTruthy()
  })

  it('counts no listener once the server stops accepting', () => {
    render(<ServerLifeSteps server={server({ state: 'not-accepting' })} openConnections={2} acceptedTotal={2} />)
    expect(screen.getByTestId('socket-count').textContent).toBe('2 sockets: the listener is closed, 2 connected remain')
  })
})

describe('Term', () => {
  it('gives a focusable term a tooltip description', () => {
    render(<Term name="half-close" />)
    const term = screen.getByText('half-close', { selector: '[data-term]' })
    const tip = document.getElementById(term.getAttribute('aria-describedby') ?? '')
    expect(tip?.getAttribute('role')).toBe('tooltip')
    expect(tip?.textContent).toMatch(/shutdown\(SHUT_WR\)/)
  })
})

describe('TryThisPanel', () => {
  it('uses the real bound port of a matching running server', () => {
    render(
      <TryThisPanel
        servers={[
          server({ bound: { address: '0.0.0.0', port: 40123 } }),
          server({ id: 2, behaviour: 'http', bound: { address: '::1', port: 8081 }, family: 'IPv6' })
        ]}
      />
    )
    expect(screen.getAllByText('nc 127.0.0.1 40123').length).toBeGreaterThan(0)
    expect(screen.getAllByRole('button', { name: 'Copy command: nc 127.0.0.1 40123' }).length).toBeGreaterThan(0)
    expect(screen.getByText('curl -v http://[::1]:8081/')).toBeTruthy()
    expect(screen.getByText('exec 3<>/dev/tcp/127.0.0.1/40123')).toBeTruthy()
  })

  it('shows a placeholder and a start hint when no server fits', () => {
    const { container } = render(<TryThisPanel servers={[]} />)
    expect(screen.getAllByText('nc 127.0.0.1 PORT').length).toBeGreaterThan(0)
    const halfClose = container.querySelector('[data-experiment="half-close"]')
    expect(halfClose?.textContent).toMatch(/Behaviour echo-after-eof/)
    expect(halfClose?.textContent).toContain("printf 'hello\\n' | nc -N 127.0.0.1 PORT")
  })
})
