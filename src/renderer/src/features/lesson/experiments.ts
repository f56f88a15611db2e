import type { Behaviour, ServerInfo } from '@shared/model'
import { udpBoundaries } from './udp-experiment'
import { hostPort } from '@shared/endpoint-format'
import type { CheckResult, ExperimentAction, ExperimentContext } from './experiments-deeper'
import { deeperExperiments } from './experiments-deeper'

/** One numbered step: words, and optionally the exact command to type. */
export interface ExperimentStep {
  text: string
  command?: string
}

/** A guided experiment, filled in with a real running server when one fits. */
export interface Experiment {
  id: string
  title: string
  /** The behaviour the experiment needs, or null when any TCP server will do. */
  needs: Behaviour | null
  /** The running server used in the commands, or null (then the commands carry placeholders). */
  server: ServerInfo | null
  /** Shown when no server fits: what to start first. */
  startHint: string | null
  steps: ExperimentStep[]
  watch: string[]
  /** What to expect, said before it runs. */
  expect?: string
  /** Judges afterwards, from what the lab and the kernel saw, whether the effect happened. */
  check?: (ctx: ExperimentContext) => CheckResult | null
  /** A lab-side action the card offers as a button. */
  action?: ExperimentAction
}

/** Where a client should connect to reach a server: a wildcard bind is reached through loopback. */
export function connectTarget(s: ServerInfo | null): { host: string; port: string; unix: string | null } {
  if (!s) return { host: '127.0.0.1', port: 'PORT', unix: null }
  if (s.family === 'unix') return { host: '', port: '', unix: s.bound.address }
  const a = s.bound.address
  const host = a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '::1' : a
  return { host, port: String(s.bound.port), unix: null }
}

function pick(
  servers: readonly ServerInfo[],
  behaviour: Behaviour | null,
  prefer: Behaviour = 'echo'
): ServerInfo | null {
  const tcp = servers.filter((s) => s.state === 'listening' && s.family !== 'unix' && (s.protocol ?? 'tcp') === 'tcp')
  if (behaviour) return tcp.find((s) => s.behaviour === behaviour) ?? null
  return tcp.find((s) => s.behaviour === prefer) ?? tcp[0] ?? null
}

function hint(behaviour: Behaviour | null, server: ServerInfo | null): string | null {
  if (server) return null
  return `Start it first: in the start form choose Host 127.0.0.1, Port 0 (any free port) and Behaviour ${behaviour ?? 'echo'}, then click "Start server". The commands below then show its real port instead of PORT.`
}

function url(host: string, port: string): string {
  return `http://${hostPort(host, port)}/`
}

/** The "Try this" experiments, with commands for the user's own running servers. */
export function buildExperiments(servers: readonly ServerInfo[]): Experiment[] {
  const make = (
    id: string,
    title: string,
    needs: Behaviour | null,
    body: (host: string, port: string, s: ServerInfo | null) => Pick<Experiment, 'steps' | 'watch'>
  ): Experiment => {
    const server = pick(servers, needs)
    const { host, port } = connectTarget(server)
    return { id, title, needs, server, startHint: hint(needs, server), ...body(host, port, server) }
  }
  return [
    make('echo', 'Echo with nc', 'echo', (h, p) => ({
      steps: [
        { text: 'Connect from a terminal:', command: `nc ${h} ${p}` },
        { text: 'Type hello and press Enter.' },
        { text: 'Press Ctrl+C to end nc.' }
      ],
      watch: [
        'hello comes back: 6 bytes in (hello plus the newline, \\n), 6 bytes out.',
        "A new row in Connections; its peer port is nc's ephemeral port, chosen by the OS.",
        'Each Enter is one chunk: chunk boundaries are where the reads happened, not messages.'
      ]
    })),
    make('two-clients', 'Two clients at once: N+1 sockets', null, (h, p) => ({
      steps: [
        { text: 'In one terminal:', command: `nc ${h} ${p}` },
        { text: 'In a second terminal, the same command:', command: `nc ${h} ${p}` },
        { text: "Look at the server's life steps and the kernel view." }
      ],
      watch: [
        '"3 sockets: 1 listening + 2 connected".',
        'Both rows share the local port; the peer ports differ, so the 4-tuples differ.',
        'The kernel view: one LISTEN and two ESTABLISHED on the lab side, plus the two nc sockets.'
      ]
    })),
    make('in-use', 'A port already in use', null, (h, p) => ({
      steps: [
        { text: `Start another server on ${h} port ${p} in the start form: it fails.` },
        { text: 'Or try to listen there from a terminal:', command: `nc -l ${h} ${p}` }
      ],
      watch: [
        'The lab says "Port … is already in use by this lab: server #N … listens there" (EADDRINUSE), and nc says "Address already in use": only one listener per address and port.'
      ]
    })),
    make('half-close', 'Half-close with nc -N against echo-after-eof', 'echo-after-eof', (h, p) => ({
      steps: [
        { text: 'Send a line and half-close at the end of input:', command: `printf 'hello\\n' | nc -N ${h} ${p}` },
        { text: 'Now interactively: type lines, then press Ctrl+D.', command: `nc -N ${h} ${p}` },
        {
          text: 'Compare with telnet, which cannot half-close (quit with Ctrl+] then quit):',
          command: `telnet ${h} ${p}`
        }
      ],
      watch: [
        'Nothing comes back until nc sends FIN; then everything is echoed and the connection closes.',
        'The state moves to "peer half-closed"; the sequence diagram shows FIN from the peer, then the lab\'s data, then its FIN.',
        'telnet sees nothing at all: the server waits for an end of file that telnet never sends.'
      ]
    })),
    make('pause', 'Pause reading and watch the sender stall', 'discard', (h, p, s) => ({
      steps: [
        {
          text: s?.pauseOnAccept
            ? 'This server pauses every new connection at accept (its card says "paused at accept").'
            : 'On the discard server\'s card open Settings and tick "Pause new connections at accept" (or tick it under More options when starting one): each new connection then starts with reading paused.'
        },
        {
          text: 'Send a fixed 8 MiB (8,388,608 bytes); nc waits once the buffers are full:',
          command: `head -c 8M /dev/zero | nc -N ${h} ${p}`
        },
        { text: 'Open "Kernel sockets" below the table and look at the two sockets of this connection.' },
        { text: 'Select the new connection and click "Resume reading".' }
      ],
      watch: [
        'While paused, Bytes in stays 0 and nc does not exit: its writes block.',
        "The kernel view: Recv-Q of the lab's socket fills first, then Send-Q of nc's socket (bytes nc wrote that the lab's kernel has no room for).",
        'After Resume the queued bytes arrive at once: Bytes in ends at exactly 8,388,608 and nc exits.',
        'A live connection can be paused too: select it and click "Pause reading"; its peer stalls the same way.'
      ]
    })),
    make('http', 'A browser or curl against http', 'http', (h, p) => ({
      steps: [
        { text: 'Ask with curl, showing the request and response headers:', command: `curl -v ${url(h, p)}` },
        { text: `Or open ${url(h, p)} in a browser.` }
      ],
      watch: [
        'The request is plain text bytes: GET / HTTP/1.1 then CR LF (\\r\\n) and headers, ending with an empty line.',
        'HTTP is only a convention on top of the byte stream; TCP gives it no meaning.',
        'A browser may open more than one connection (and keep them open).'
      ]
    })),
    make('localhost', 'localhost vs 127.0.0.1 vs ::1', null, (_h, p, s) => {
      const port = s ? p : 'PORT'
      return {
        steps: [
          { text: 'IPv4 loopback:', command: `nc -v 127.0.0.1 ${port}` },
          { text: 'IPv6 loopback:', command: `nc -v ::1 ${port}` },
          { text: 'The name, which can resolve to both:', command: `nc -v localhost ${port}` }
        ],
        watch: [
          'A server bound to 127.0.0.1 refuses ::1 ("Connection refused"), and the reverse.',
          'localhost may try ::1 first and fall back to 127.0.0.1.',
          'On Linux a server on :: also takes IPv4 clients; they show as ::ffff:127.0.0.1. One on 0.0.0.0 takes every IPv4 interface.'
        ]
      }
    }),
    udpBoundaries(servers),
    make('dev-tcp', 'bash /dev/tcp: a client with no tools', 'echo', (h, p) => ({
      steps: [
        { text: 'Open a connection on file descriptor 3:', command: `exec 3<>/dev/tcp/${h}/${p}` },
        { text: 'Write to it:', command: `printf 'hello\\n' >&3` },
        { text: 'Read one line back:', command: 'head -n 1 <&3' },
        { text: 'Close it:', command: 'exec 3>&-' }
      ],
      watch: ['The connection opens with the exec and stays open between commands; it closes with exec 3>&-.']
    })),
    ...deeperExperiments(servers).map((e) => ({ ...e, needs: null }))
  ]
}
