import type { ServerInfo } from '@shared/model'

/** A ready-to-paste command for a UDP or TLS server (same shape as servers/server-commands.ts). */
export interface TransportCommand {
  tool: string
  command: string
  explain: string
}

function dial(server: Pick<ServerInfo, 'bound'>): string {
  const a = server.bound.address
  if (a === '0.0.0.0') return '127.0.0.1'
  if (a === '::') return '::1'
  return a
}

/** `nc -u`, `socat - UDP:…` and bash `/dev/udp` for a UDP server; the certificate's trust commands for a TLS one. */
export function transportCommands(
  server: Pick<ServerInfo, 'bound' | 'behaviour' | 'protocol' | 'certificate'>
): TransportCommand[] | null {
  const host = dial(server)
  const port = server.bound.port
  const v6 = host.includes(':')
  if (server.protocol === 'udp') {
    return [
      {
        tool: 'nc -u',
        command: `nc -u ${host} ${port}`,
        explain: 'Each line you type is sent as one datagram; replies are printed.'
      },
      {
        tool: 'socat',
        command: `socat - UDP:${v6 ? `[${host}]` : host}:${port}`,
        explain: 'Like nc -u: one datagram per line read from the terminal.'
      },
      {
        tool: '/dev/udp',
        command: `exec 3<>/dev/udp/${host}/${port}; cat <&3 & printf 'one' >&3; printf 'two' >&3`,
        explain: 'Plain bash: each printf is one write, so one datagram.'
      }
    ]
  }
  if (server.protocol === 'tls' && server.certificate) {
    const explain: Record<number, string> = {
      0: "One HTTPS request, trusting the lab's certificate file.",
      1: 'A TLS session you can type into; it prints the handshake first.',
      2: 'Like nc, over TLS, trusting the certificate file.',
      3: 'The SHA-256 fingerprint of the certificate file: compare it with the one shown here.'
    }
    return server.certificate.trustCommands.map((command, i) => ({
      tool: command.split(' ')[0] + (i === 3 ? ' x509' : ''),
      command,
      explain: explain[i] ?? ''
    }))
  }
  return null
}
