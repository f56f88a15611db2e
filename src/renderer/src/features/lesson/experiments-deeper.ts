import type { ConnectionInfo, ServerInfo } from '@shared/model'
import type { KernelView } from '@shared/kernel-model'

/** What the lab saw, for an experiment to judge whether its effect happened. */
export interface ExperimentContext {
  servers: readonly ServerInfo[]
  connections: readonly ConnectionInfo[]
  /** The kernel's view, read when the person asks for a check (null where the system gives none). */
  kernel: KernelView | null
}

/** The verdict of a check: whether the expected effect is there, in words about the user's own sockets. */
export interface CheckResult {
  happened: boolean
  text: string
}

/** A lab-side action an experiment can run with one click. */
export type ExperimentAction = 'load' | 'self-connect-hunt'

function listening(servers: readonly ServerInfo[], pred: (s: ServerInfo) => boolean): ServerInfo | null {
  return (
    servers.find((s) => s.state === 'listening' && s.family !== 'unix' && (s.protocol ?? 'tcp') === 'tcp' && pred(s)) ??
    null
  )
}

function host(s: ServerInfo): string {
  const a = s.bound.address
  return a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '::1' : a
}

/** The accept-queue experiment: the server in mode "never", its LISTEN socket and who is waiting. */
export function checkAcceptQueue(ctx: ExperimentContext): CheckResult | null {
  const s = listening(ctx.servers, (x) => x.acceptMode === 'never')
  if (!s) return { happened: false, text: 'No server is in accept mode "never" yet: start one (step 1).' }
  if (!ctx.kernel || ctx.kernel.source === 'unavailable')
    return { happened: false, text: 'The kernel view is not available on this system.' }
  const l = ctx.kernel.sockets.find((k) => k.state === 'LISTEN' && k.localPort === s.bound.port)
  const waiting = ctx.kernel.sockets.filter((k) => k.state === 'SYN-SENT' && k.remotePort === s.bound.port).length
  const queued = l?.recvQ ?? 0
  if (queued === 0)
    return {
      happened: false,
      text: `Nobody waits yet: LISTEN Recv-Q of port ${s.bound.port} is 0. Connect a few clients (step 2).`
    }
  const full = queued >= s.backlog + 1
  return {
    happened: true,
    text:
      `${queued} connection${queued === 1 ? '' : 's'} completed the handshake and wait in the accept queue (LISTEN Recv-Q ${queued}, backlog ${s.backlog}).` +
      (full ? ` The queue is full (backlog + 1 on Linux)` : '') +
      (waiting > 0
        ? `; ${waiting} more client${waiting === 1 ? ' is' : 's are'} still in SYN-SENT: the kernel drops their SYNs and they retry.`
        : '.')
  }
}

/** The self-connection experiment: a connection whose two ends are the same address and port. */
export function checkSelfConnection(ctx: ExperimentContext): CheckResult | null {
  const self = ctx.connections.find(
    (c) =>
      c.family !== 'unix' &&
      c.local.port === c.remote.port &&
      c.local.address === c.remote.address &&
      c.serverId === null
  )
  return self
    ? {
        happened: true,
        text: `Connection ${self.id} is connected to itself: ${self.local.address}:${self.local.port} on both ends, no listener. What it sends, it reads back.`
      }
    : { happened: false, text: 'No self-connected socket yet.' }
}

/** TIME-WAIT: which side of the lab's connections holds it. */
export function checkTimeWait(ctx: ExperimentContext): CheckResult | null {
  if (!ctx.kernel || ctx.kernel.source === 'unavailable')
    return { happened: false, text: 'The kernel view is not available on this system.' }
  const ports = new Set(ctx.servers.map((s) => s.bound.port))
  const tw = ctx.kernel.sockets.filter(
    (k) => k.state === 'TIME-WAIT' && (ports.has(k.localPort) || ports.has(k.remotePort))
  )
  if (tw.length === 0)
    return { happened: false, text: "No TIME-WAIT socket on the lab's ports right now (it lasts 60 s on Linux)." }
  const labSide = tw.filter((k) => ports.has(k.localPort)).length
  const peerSide = tw.length - labSide
  return {
    happened: true,
    text: `TIME-WAIT: ${labSide} on the lab's side (the lab closed first), ${peerSide} on the peers' side (the peer closed first).`
  }
}

/** The experiments that need the newer lab features: the accept queue, self-connection, server patterns, TIME-WAIT. */
export function deeperExperiments(servers: readonly ServerInfo[]): Array<{
  id: string
  title: string
  server: ServerInfo | null
  startHint: string | null
  expect: string
  steps: Array<{ text: string; command?: string }>
  watch: string[]
  check?: (ctx: ExperimentContext) => CheckResult | null
  action?: ExperimentAction
}> {
  const never = listening(servers, (s) => s.acceptMode === 'never')
  const nh = never ? host(never) : '127.0.0.1'
  const np = never ? String(never.bound.port) : 'PORT'
  const pool =
    listening(servers, (s) => s.acceptMode === 'pool' || s.acceptMode === 'one-at-a-time') ??
    listening(servers, () => true)
  const http = listening(servers, (s) => s.behaviour === 'http')
  const hh = http ? host(http) : '127.0.0.1'
  const hp = http ? String(http.bound.port) : 'PORT'
  const any = listening(servers, () => true)
  const ap = any ? String(any.bound.port) : 'PORT'
  return [
    {
      id: 'accept-queue',
      title: 'The backlog and the accept queue',
      server: never,
      startHint: never
        ? null
        : 'Start a server with Accept mode "never (listen, do not accept)" and Backlog 3. The lab then listens but never calls accept().',
      expect:
        'Expect the first backlog + 1 clients to connect at once (the kernel completes their handshakes by itself), later ones to hang with no error, and everyone to be served the moment the lab starts accepting.',
      steps: [
        {
          text: 'Connect six clients, each in its own terminal (or in the background):',
          command: `for i in 1 2 3 4 5 6; do (printf "client $i\\n"; sleep 30) | nc ${nh} ${np} & done`
        },
        { text: 'Open the Kernel tab: the LISTEN socket\'s Recv-Q is the accept queue. Click "Check what happened".' },
        { text: 'Switch the server\'s Accept mode to "concurrent" in its settings: the lab starts calling accept().' }
      ],
      watch: [
        'No row appears in Connections while the mode is "never": accept() was never called, so the lab has no socket for them yet.',
        'On Linux Recv-Q of LISTEN stops at backlog + 1; the clients beyond it stay in SYN-SENT and their SYNs are retried after 1 s, 3 s, 7 s… No error is reported to them.',
        'Other systems differ: macOS and the BSDs let the queue grow to about 1.5 × backlog; Windows answers a full queue with RST ("connection refused"). Linux drops the SYN (net.ipv4.tcp_abort_on_overflow = 0).',
        'Until accepting starts the listening socket is held by a small helper process (its pid shows as the owner); then it is handed to the lab, queue and all.'
      ],
      check: checkAcceptQueue
    },
    {
      id: 'self-connection',
      title: 'TCP self-connection',
      server: null,
      startHint: null,
      expect:
        'Expect a connection with no server at all, whose local and remote ends are the same address and port: the kernel matched the client\'s SYN with itself ("simultaneous open").',
      steps: [
        {
          text: 'In "Connect to…", choose Host 127.0.0.1, an even Port from the ephemeral range (e.g. 40002) with nothing listening, and the same Local port: it connects to itself.'
        },
        { text: 'Send some text on it: the same connection reads it back.' },
        {
          text: 'Or let the lab retry like a buggy client does, with no local port, until the system happens to pick the destination port itself (bounded to 100,000 tries): click "Hunt for a self-connection".'
        },
        {
          text: 'The same accident from a shell (bash only):',
          command:
            'for i in $(seq 1 60000); do (exec 3<>/dev/tcp/127.0.0.1/40002) 2>/dev/null && { echo "connected to itself after $i tries"; break; }; done'
        }
      ],
      watch: [
        "The row's local and remote columns are equal; no server row owns it.",
        'Linux hands connect() the even ports of its range (bind() gets the odd ones), so an even port is found within a few thousand tries and an odd one practically never.',
        'While it lives, a server that does not set SO_REUSEADDR cannot listen on that port ("address already in use"). Lesson: never listen on a port in the ephemeral range.'
      ],
      check: checkSelfConnection,
      action: 'self-connect-hunt'
    },
    {
      id: 'server-patterns',
      title: 'Server patterns: one at a time, a pool of K, an event loop',
      server: pool,
      startHint: pool
        ? null
        : 'Start three echo servers with the option "Echo delay" 200 ms: one with Accept mode "one at a time", one "pool" of 3, one "concurrent".',
      expect:
        'Expect the sequential server to answer the 10th client after about 10 × the delay, the pool of 3 after about 4 ×, the event loop after about 1 ×.',
      steps: [
        {
          text: 'Pick a server below and click "Run 10 clients": each connects at once, sends one line, and times its answer.'
        },
        { text: "Change the server's Accept mode (or pool size) in its settings and run again." }
      ],
      watch: [
        "The bars are each client's answer time from the start of the run.",
        'One at a time: a staircase, every client waits for all before it. A pool of K: K bars at a time, in steps. Concurrent: one flat row.',
        'Clients beyond the pool are accepted by the kernel and the lab but wait in the lab\'s queue (state "queued"): that is where a thread pool keeps them too.'
      ],
      action: 'load'
    },
    {
      id: 'time-wait',
      title: 'Who gets TIME-WAIT, and FIN vs RST',
      server: any,
      startHint: any ? null : 'Start a server with Behaviour manual.',
      expect:
        'Expect TIME-WAIT on whichever side closed first, and a reset to reach the peer as "Connection reset by peer" instead of an end of file.',
      steps: [
        {
          text: 'Connect a client, select its row and click Close (the lab closes first):',
          command: `nc -v 127.0.0.1 ${ap}`
        },
        {
          text: 'Connect another and end it from the terminal with Ctrl+D / Ctrl+C (the peer closes first), then close the row.'
        },
        { text: 'Open the Kernel tab (scope "all") and click "Check what happened".' },
        {
          text: 'FIN vs RST: connect two clients; Close one row and Reset the other.',
          command: `nc -v 127.0.0.1 ${ap}`
        }
      ],
      watch: [
        'The side that sends the first FIN goes FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT (60 s on Linux); the other side passes through CLOSE-WAIT and LAST-ACK and leaves no trace.',
        'After Close, nc reads end of file and exits quietly. After Reset it sees "Connection reset by peer" (with -v), and nothing enters TIME-WAIT: RST ends the connection at once.'
      ],
      check: checkTimeWait
    },
    {
      id: 'bash-http',
      title: 'A raw HTTP request with bash alone',
      server: http,
      startHint: http ? null : 'Start a server with Behaviour http.',
      expect: "Expect the http server's page, which quotes the request exactly as the lab read it from the socket.",
      steps: [
        {
          text: 'Send an HTTP request with nothing but bash:',
          command: `exec 3<>/dev/tcp/${hh}/${hp}; printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3; cat <&3; exec 3>&-`
        },
        { text: 'Select the connection and look at its first chunk in the Escaped view.' }
      ],
      watch: [
        'The request is a few lines of text ending with an empty line (\\r\\n\\r\\n): that is all HTTP/1.1 needs — what minimal containers without curl rely on.',
        '"Connection: close" makes the server close after its answer, so cat ends by itself.'
      ]
    },
    {
      id: 'ports-addresses',
      title: 'Ports and addresses: one port, two servers',
      server: any,
      startHint: null,
      expect:
        'Expect two servers on the same port to coexist when their addresses differ, and 0.0.0.0 / :: to take clients that a loopback-only server refuses.',
      steps: [
        { text: 'Start one server on 127.0.0.1 port 0, then a second one on 127.0.0.2 with the port the first got.' },
        { text: 'Reach each on its own:', command: `nc -v 127.0.0.2 ${ap}` },
        {
          text: 'Start a server on 0.0.0.0 and one on 127.0.0.1; connect to 127.0.0.3 (also loopback on Linux) on each port.'
        },
        { text: 'Start a server on :: and connect with IPv4:', command: `nc -v 127.0.0.1 ${ap}` }
      ],
      watch: [
        'A listener is identified by address and port: 127.0.0.1:P and 127.0.0.2:P are different sockets. 0.0.0.0:P would conflict with both.',
        '127.0.0.1 is reachable only through that address; 0.0.0.0 through every IPv4 address of the machine.',
        'On a dual-stack :: server an IPv4 client shows as ::ffff:127.0.0.1 (an IPv4-mapped IPv6 address).',
        "localhost may resolve to ::1 first (the system's resolver order); a server on 127.0.0.1 then refuses that first attempt and the client falls back."
      ]
    }
  ]
}
