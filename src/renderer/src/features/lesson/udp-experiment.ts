import type { ServerInfo } from '@shared/model'
import type { Experiment } from './experiments'

function target(
  servers: readonly ServerInfo[],
  protocol: 'udp' | 'tcp'
): { server: ServerInfo | null; host: string; port: string } {
  const s =
    servers.find(
      (x) =>
        x.state === 'listening' &&
        x.family !== 'unix' &&
        (x.protocol ?? 'tcp') === protocol &&
        (x.behaviour === 'echo' || x.behaviour === 'discard')
    ) ?? null
  if (!s) return { server: null, host: '127.0.0.1', port: protocol === 'udp' ? 'UDP_PORT' : 'TCP_PORT' }
  const a = s.bound.address
  return { server: s, host: a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '::1' : a, port: String(s.bound.port) }
}

/** "Three writes from nc -u are three datagrams; three writes to a TCP server may arrive as one chunk." */
export function udpBoundaries(servers: readonly ServerInfo[]): Experiment {
  const udp = target(servers, 'udp')
  const tcp = target(servers, 'tcp')
  return {
    id: 'udp-boundaries',
    title: 'Datagrams keep their boundaries, a stream does not',
    needs: 'echo',
    server: udp.server,
    startHint: udp.server
      ? null
      : 'Start a UDP server first: in the start form choose Protocol UDP, Host 127.0.0.1, Port 0 and Behaviour echo (or discard). For the comparison, keep a TCP echo server running too.',
    steps: [
      {
        text: 'Type three lines into nc -u, pressing Enter after each (Ctrl+C ends it):',
        command: `nc -u ${udp.host} ${udp.port}`
      },
      {
        text: 'Or three writes from plain bash, no tools:',
        command: `exec 3>/dev/udp/${udp.host}/${udp.port}; printf 'one' >&3; printf 'two' >&3; printf 'three' >&3; exec 3>&-`
      },
      {
        text: 'The same three writes to a TCP server, back to back:',
        command: `exec 3<>/dev/tcp/${tcp.host}/${tcp.port}; printf 'one' >&3; printf 'two' >&3; printf 'three' >&3; exec 3>&-`
      }
    ],
    watch: [
      'Try this: three writes from nc -u are three datagrams; three writes to a TCP server may arrive as one chunk.',
      'The UDP flow shows exactly 3 chunks (3, 3 and 5 bytes from bash): each write is one datagram, and a read never joins or splits them.',
      'The TCP connection may show fewer chunks than writes (often one of 11 bytes): a stream has no message boundaries, the reads decide.',
      'A UDP flow has no handshake and no FIN: it appears with its first datagram and ends after the idle timeout.'
    ]
  }
}
