import type { Behaviour, ServerInfo } from './model'
import type { ProxyInfo } from './proxy-model'

/** A "Try this" experiment through a proxy (the renderer's Experiment shape; pure, so tests can run its commands). */
export interface ProxyExperiment {
  id: string
  title: string
  needs: Behaviour | null
  server: ServerInfo | null
  startHint: string | null
  steps: { text: string; command?: string }[]
  watch: string[]
}

/** Where a client reaches a proxy: its bound listen address (a wildcard through loopback). */
function proxyTarget(p: ProxyInfo | null): { host: string; port: string } {
  if (!p || p.listen.startsWith('unix:')) return { host: '127.0.0.1', port: 'PROXY_PORT' }
  const colon = p.listen.lastIndexOf(':')
  let host = p.listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
  if (host === '0.0.0.0') host = '127.0.0.1'
  if (host === '::') host = '::1'
  return { host, port: p.listen.slice(colon + 1) }
}

const FIRST =
  'First: start an echo server (Port 0), then in the sidebar under Proxies click "New proxy…", set Upstream to that server\'s address and click "Start proxy". The commands below then show the proxy\'s real port instead of PROXY_PORT.'

/** "Try this" experiments through a proxy: partial reads (slicer), latency, and what a reset looks like to each side. */
export function buildProxyExperiments(
  servers: readonly ServerInfo[],
  proxies: readonly ProxyInfo[]
): ProxyExperiment[] {
  // The commands speak plain TCP: a proxy that terminates TLS (listen `tls:…`) would only see garbage from them.
  const proxy = proxies.find((p) => p.enabled && !p.listen.startsWith('unix:') && !p.listen.startsWith('tls:')) ?? null
  const server = servers.find((s) => s.state === 'listening') ?? null
  const { host: h, port: p } = proxyTarget(proxy)
  const py = (body: string): string =>
    `python3 -c "import socket; s = socket.create_connection(('${h}', ${p})); s.sendall(b'hello world\\n'); ${body}"`
  const base = { needs: null, server, startHint: proxy ? null : FIRST }
  return [
    {
      ...base,
      id: 'proxy-slicer',
      title: 'Partial reads: a slicer against a line-reading client',
      steps: [
        {
          text: `On the proxy${proxy ? ` ${proxy.name}` : ''} click "Add fault": slicer, downstream, average_size 3, delay 50000 (µs).`
        },
        { text: 'A client that assumes one read is one message (one recv):', command: py('print(repr(s.recv(100)))') },
        { text: 'A client that reads until the newline:', command: py("print(repr(s.makefile('rb').readline()))") }
      ],
      watch: [
        "The first prints b'hel' or so: recv returns whatever arrived, here one slice of the line.",
        'The second prints the whole line: framing by a delimiter survives any slicing.',
        'Select the pair: its timeline says "12 bytes sliced into 4 by slicer" and shows each slice as its own write to the client.'
      ]
    },
    {
      ...base,
      id: 'proxy-latency',
      title: 'Latency: the same answer, later',
      steps: [
        { text: 'Add fault: latency, downstream, latency 200 (ms).' },
        { text: 'Time one round trip through the proxy:', command: `time (printf 'hi\\n' | nc -N ${h} ${p})` },
        { text: 'Edit the fault to 1000 ms, or set toxicity 0.5, and run it again a few times.' }
      ],
      watch: [
        "real is about 0.2 s more than without the fault; the server answered at once (see the upstream leg's times).",
        'The pair timeline marks "held 200 ms by latency" just before the bytes go to the client.',
        'With toxicity 0.5 about half of the connections are slowed: the chance is drawn once per connection and direction.'
      ]
    },
    {
      ...base,
      id: 'proxy-reset',
      title: 'What a reset looks like to each side',
      steps: [
        { text: 'Add fault: reset_peer, downstream, timeout 0.' },
        { text: 'Ask through the proxy:', command: py('print(s.recv(100))') },
        { text: 'Or with nc:', command: `printf 'hi\\n' | nc ${h} ${p}; echo "nc exit: $?"` }
      ],
      watch: [
        'The client gets ConnectionResetError (ECONNRESET) instead of an answer; nc ends with nothing printed.',
        'Both legs close "reset": the client leg and the upstream leg, so the server sees ECONNRESET too.',
        'Remove the fault and compare with the "Close" action on a leg: a FIN is an orderly end of file, an RST discards what was in flight.'
      ]
    }
  ]
}
