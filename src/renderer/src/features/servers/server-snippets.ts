import type { ServerInfo } from '@shared/model'

/** A ready-to-paste shell command that reaches a server. */
export interface PeerCommand {
  /** Short name, used in the copy button's name: "Copy nc command". */
  tool: 'nc' | 'telnet' | '/dev/tcp' | 'curl'
  command: string
  /** What it does, in one line. */
  explain: string
}

/** The address a client should dial: a wildcard bind is reached over loopback. */
export function dialHost(server: Pick<ServerInfo, 'bound'>): string {
  const a = server.bound.address
  if (a === '0.0.0.0') return '127.0.0.1'
  if (a === '::') return '::1'
  return a
}

/** `nc`, `telnet`, bash `/dev/tcp` (and `curl` for http) commands for a server, in that order. */
export function peerCommands(server: Pick<ServerInfo, 'bound' | 'family' | 'behaviour'>): PeerCommand[] {
  if (server.family === 'unix') {
    const path = shellQuote(server.bound.address)
    const list: PeerCommand[] = [
      {
        tool: 'nc',
        command: `nc -U ${path}`,
        explain: 'Connect over the Unix socket; type lines, Ctrl-D to half-close.'
      }
    ]
    if (server.behaviour === 'http') {
      list.push({
        tool: 'curl',
        command: `curl --unix-socket ${path} http://localhost/`,
        explain: 'Send one HTTP request over the Unix socket.'
      })
    }
    return list
  }
  const host = dialHost(server)
  const port = server.bound.port
  const v6 = host.includes(':')
  const list: PeerCommand[] = [
    {
      tool: 'nc',
      command: `nc ${host} ${port}`,
      explain: 'Connect and type lines; Ctrl-D half-closes, Ctrl-C closes.'
    },
    { tool: 'telnet', command: `telnet ${host} ${port}`, explain: 'Interactive; Ctrl-] then "quit" to leave.' },
    {
      tool: '/dev/tcp',
      // Read for one second, then close fd 3: a background `cat` would keep the connection open.
      command: `exec 3<>/dev/tcp/${host}/${port}; printf 'hello\\n' >&3; timeout 1 cat <&3; exec 3>&-`,
      explain: 'Plain bash, no tools: fd 3 is the socket; it sends a line, prints the reply for a second, then closes.'
    }
  ]
  if (server.behaviour === 'http') {
    list.push({
      tool: 'curl',
      command: v6 ? `curl -g 'http://[${host}]:${port}/'` : `curl http://${host}:${port}/`,
      explain: 'One HTTP request; or open the address in a browser.'
    })
  }
  return list
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}
