import { readFile } from 'node:fs/promises'
import { run } from './processes'

// A real UDP peer in Python: sends one datagram per size (bytes 'a'..), then reads replies until `expect`
// arrived or the timeout passed; prints the local port and the reply sizes as JSON.
const PY_CLIENT = `
import json, socket, sys
host, port, sizes, expect, timeout = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
fam = socket.AF_INET6 if ':' in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(timeout)
for i, n in enumerate(sizes):
    s.sendto(bytes([97 + (i % 26)]) * n, (host, port))
got = []
try:
    while len(got) < expect:
        data, _ = s.recvfrom(65536)
        got.append(len(data))
except socket.timeout:
    pass
print(json.dumps({"port": s.getsockname()[1], "replies": got}))
`

/** Sends datagrams of `sizes` bytes from one Python socket and collects up to `expectReplies` replies. */
export async function pythonUdp(
  host: string,
  port: number,
  sizes: number[],
  expectReplies = 0,
  timeoutS = 3
): Promise<{ port: number; replies: number[] }> {
  const r = await run(
    'python3',
    ['-c', PY_CLIENT, host, String(port), JSON.stringify(sizes), String(expectReplies), String(timeoutS)],
    {
      timeoutMs: (timeoutS + 10) * 1000
    }
  )
  if (r.code !== 0) throw new Error(`python3 UDP client failed: ${r.stderr}`)
  return JSON.parse(r.stdout.toString()) as { port: number; replies: number[] }
}

// A flood: `count` datagrams of `size` bytes as fast as Python can send them, from one socket.
const PY_FLOOD = `
import socket, sys
host, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b'x' * size
sent = 0
for _ in range(count):
    try:
        s.sendto(payload, (host, port))
        sent += 1
    except BlockingIOError:
        pass
print(sent)
`

/** Floods HOST:PORT with `count` datagrams of `size` bytes; returns how many the kernel accepted to send. */
export async function pythonUdpFlood(host: string, port: number, count: number, size: number): Promise<number> {
  const r = await run('python3', ['-c', PY_FLOOD, host, String(port), String(count), String(size)], {
    timeoutMs: 30_000
  })
  if (r.code !== 0) throw new Error(`python3 UDP flood failed: ${r.stderr}`)
  return Number(r.stdout.toString().trim())
}

/** The kernel's count of datagrams dropped at a local UDP port's receive queue (Linux /proc/net/udp{,6}). */
export async function udpDrops(port: number): Promise<number> {
  let drops = 0
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 13) continue
      const localPort = parseInt(cols[1].split(':').pop() ?? '', 16)
      if (localPort === port) drops += Number(cols[cols.length - 1])
    }
  }
  return drops
}

/** Packets the kernel dropped before any socket saw them (the per-CPU backlog, /proc/net/softnet_stat column 2). */
export async function backlogDrops(): Promise<number> {
  const text = await readFile('/proc/net/softnet_stat', 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .reduce((n, l) => n + parseInt(l.trim().split(/\s+/)[1] ?? '0', 16), 0)
}
