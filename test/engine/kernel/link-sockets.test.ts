import { describe, expect, it } from 'vitest'
import type { ConnectionInfo, ServerInfo } from '@shared/model'
import { makeConnectionInfo, makeKernelSocket, makeServerInfo } from '../../helpers/model-fixtures'
import { isPeerSideOf, linkKernelSockets, peerConnectionId } from '../../../src/main/engine/kernel/link-sockets'

const sock = makeKernelSocket

function server(id: number, address: string, port: number, p: Partial<ServerInfo> = {}): ServerInfo {
  const family = address.includes(':') ? 'IPv6' : 'IPv4'
  return makeServerInfo({ id, requestedHost: address, requestedPort: port, bound: { address, port }, family, ...p })
}

function conn(
  id: number,
  local: [string, number],
  remote: [string, number],
  p: Partial<ConnectionInfo> = {}
): ConnectionInfo {
  const family = local[0].includes(':') ? 'IPv6' : 'IPv4'
  return makeConnectionInfo(id, {
    family,
    local: { address: local[0], port: local[1] },
    remote: { address: remote[0], port: remote[1] },
    ...p
  })
}

describe('linkKernelSockets', () => {
  it('links the listener, the lab side of each connection, and not the peer side', () => {
    const sockets = [
      sock({ state: 'LISTEN', localPort: 8080, remoteAddress: '0.0.0.0' }),
      sock({ localPort: 8080, remotePort: 50000 }),
      sock({ localPort: 50000, remotePort: 8080 }),
      sock({ localPort: 9999, remotePort: 1 })
    ]
    const out = linkKernelSockets(
      sockets,
      [server(1, '127.0.0.1', 8080)],
      [conn(7, ['127.0.0.1', 8080], ['127.0.0.1', 50000])]
    )
    expect(out.map((s) => [s.labServerId, s.labConnectionId])).toEqual([
      [1, null],
      [null, 7],
      [null, null],
      [null, null]
    ])
    expect(isPeerSideOf(out[2]!, conn(7, ['127.0.0.1', 8080], ['127.0.0.1', 50000]))).toBe(true)
    expect(isPeerSideOf(out[1]!, conn(7, ['127.0.0.1', 8080], ['127.0.0.1', 50000]))).toBe(false)
    expect(peerConnectionId(out[2]!, [conn(7, ['127.0.0.1', 8080], ['127.0.0.1', 50000])])).toBe(7)
    expect(peerConnectionId(out[1]!, [conn(7, ['127.0.0.1', 8080], ['127.0.0.1', 50000])])).toBeNull()
  })

  it('matches IPv4-mapped kernel addresses to plain IPv4 lab addresses and back', () => {
    const sockets = [
      sock({
        family: 'IPv6',
        localAddress: '::ffff:127.0.0.1',
        localPort: 8080,
        remoteAddress: '::ffff:127.0.0.1',
        remotePort: 40000
      })
    ]
    expect(
      linkKernelSockets(sockets, [], [conn(3, ['127.0.0.1', 8080], ['127.0.0.1', 40000])])[0]!.labConnectionId
    ).toBe(3)
    const plain = [sock({ localPort: 8080, remotePort: 40000 })]
    expect(
      linkKernelSockets(plain, [], [conn(4, ['::ffff:127.0.0.1', 8080], ['::ffff:127.0.0.1', 40000])])[0]!
        .labConnectionId
    ).toBe(4)
  })

  it('treats wildcards sensibly and never links a different address or a stopped server', () => {
    const any6 = sock({ family: 'IPv6', state: 'LISTEN', localAddress: '::', localPort: 9000, remoteAddress: '::' })
    const any4 = sock({ state: 'LISTEN', localAddress: '0.0.0.0', localPort: 9001, remoteAddress: '0.0.0.0' })
    const lo6 = sock({ family: 'IPv6', state: 'LISTEN', localAddress: '::1', localPort: 9002, remoteAddress: '::' })
    const servers = [
      server(1, '::', 9000),
      server(2, '::', 9001),
      server(3, '127.0.0.1', 9002),
      server(4, '0.0.0.0', 9003, { state: 'not-accepting' })
    ]
    const stopped = sock({ state: 'LISTEN', localAddress: '0.0.0.0', localPort: 9003, remoteAddress: '0.0.0.0' })
    const out = linkKernelSockets([any6, any4, lo6, stopped], servers, [])
    expect(out.map((s) => s.labServerId)).toEqual([1, 2, null, null])
  })

  it('prefers a live connection over a closed one with the same tuple, and keeps TIME-WAIT linked', () => {
    const tw = sock({ state: 'TIME-WAIT', localPort: 8080, remotePort: 50000, inode: 0 })
    const conns = [
      conn(1, ['127.0.0.1', 8080], ['127.0.0.1', 50000], { state: 'closed' }),
      conn(2, ['127.0.0.1', 8080], ['127.0.0.1', 50000])
    ]
    expect(linkKernelSockets([tw], [], conns)[0]!.labConnectionId).toBe(2)
    expect(linkKernelSockets([tw], [], [conns[0]!])[0]!.labConnectionId).toBe(1)
  })

  it('does not mutate its input', () => {
    const s = sock({ localPort: 1, remotePort: 2 })
    linkKernelSockets([s], [], [conn(9, ['127.0.0.1', 1], ['127.0.0.1', 2])])
    expect(s.labConnectionId).toBeNull()
  })
})
