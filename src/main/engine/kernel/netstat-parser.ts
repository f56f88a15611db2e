import type { KernelSocket } from '@shared/kernel-model'
import { parseIPv4, parseIPv6, formatIPv6 } from './ip-address'

/** A socket from netstat's text: its owner pid only where netstat prints one (Windows `-o`). */
export type NetstatSocket = Omit<KernelSocket, 'command' | 'labConnectionId' | 'labServerId'>

const STATE_NAMES: Record<string, KernelSocket['state']> = {
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN-SENT',
  SYN_RECEIVED: 'SYN-RECV',
  SYN_RCVD: 'SYN-RECV',
  SYN_RECV: 'SYN-RECV',
  FIN_WAIT_1: 'FIN-WAIT-1',
  FIN_WAIT_2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT',
  CLOSED: 'CLOSE',
  CLOSE: 'CLOSE',
  CLOSE_WAIT: 'CLOSE-WAIT',
  LAST_ACK: 'LAST-ACK',
  LISTEN: 'LISTEN',
  LISTENING: 'LISTEN',
  CLOSING: 'CLOSING'
}

function stateOf(text: string): KernelSocket['state'] | undefined {
  return STATE_NAMES[text.toUpperCase().replace(/-/g, '_')]
}

function cleanAddress(text: string, family: 'IPv4' | 'IPv6'): string | undefined {
  if (text === '*') return family === 'IPv4' ? '0.0.0.0' : '::'
  if (family === 'IPv4') return parseIPv4(text) ? text : undefined
  const bytes = parseIPv6(text)
  if (!bytes) return undefined
  const zone = text.indexOf('%')
  // Keep the zone: fe80::1%lo0 and fe80::1%en0 are different sockets.
  return formatIPv6(bytes) + (zone >= 0 ? text.slice(zone).replace(/\]$/, '') : '')
}

function base(family: 'IPv4' | 'IPv6', state: KernelSocket['state']): NetstatSocket {
  return {
    family,
    state,
    localAddress: '',
    localPort: 0,
    remoteAddress: '',
    remotePort: 0,
    recvQ: 0,
    sendQ: 0,
    inode: 0,
    uid: -1,
    pid: null
  }
}

/** macOS/BSD endpoint: `127.0.0.1.8080`, `*.8080`, `::1.8080`, `fe80::1%lo0.631`, `*.*`. */
function splitBsdEndpoint(text: string, family: 'IPv4' | 'IPv6'): { address: string; port: number } | undefined {
  const dot = text.lastIndexOf('.')
  if (dot <= 0) return undefined
  const portText = text.slice(dot + 1)
  const port = portText === '*' ? 0 : /^\d+$/.test(portText) ? Number(portText) : NaN
  if (!Number.isInteger(port) || port > 65535) return undefined
  const address = cleanAddress(text.slice(0, dot), family)
  return address === undefined ? undefined : { address, port }
}

/**
 * Parses macOS/BSD `netstat -an -p tcp`. `tcp46` (a dual-stack socket) is reported as IPv6. uid and inode
 * are not shown by netstat: uid is -1 and inode 0.
 */
export function parseBsdNetstat(text: string): NetstatSocket[] {
  const out: NetstatSocket[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 6 || !/^tcp(4|6|46)?$/i.test(f[0]!)) continue
    const family = /6/.test(f[0]!) ? 'IPv6' : 'IPv4'
    const state = stateOf(f[5]!)
    const local = splitBsdEndpoint(f[3]!, family)
    const remote = splitBsdEndpoint(f[4]!, family)
    const recvQ = /^\d+$/.test(f[1]!) ? Number(f[1]) : NaN
    const sendQ = /^\d+$/.test(f[2]!) ? Number(f[2]) : NaN
    if (!state || !local || !remote || Number.isNaN(recvQ) || Number.isNaN(sendQ)) continue
    out.push({
      ...base(family, state),
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      recvQ,
      sendQ
    })
  }
  return out
}

/** Windows endpoint: `0.0.0.0:135`, `[::]:135`, `[fe80::1%4]:49152`, `*:*`. */
function splitWindowsEndpoint(text: string): { address: string; port: number; family: 'IPv4' | 'IPv6' } | undefined {
  const colon = text.lastIndexOf(':')
  if (colon <= 0) return undefined
  const portText = text.slice(colon + 1)
  const port = portText === '*' ? 0 : /^\d+$/.test(portText) ? Number(portText) : NaN
  if (!Number.isInteger(port) || port > 65535) return undefined
  const host = text.slice(0, colon)
  const family = host.startsWith('[') ? 'IPv6' : 'IPv4'
  const address = cleanAddress(host === '*' ? '*' : host.replace(/^\[/, '').replace(/\]$/, ''), family)
  return address === undefined ? undefined : { address, port, family }
}

/**
 * Parses Windows `netstat -ano -p TCP` / `-p TCPv6` (English state names). Windows shows no queues:
 * recvQ and sendQ are 0; the PID column is kept.
 */
export function parseWindowsNetstat(text: string): NetstatSocket[] {
  const out: NetstatSocket[] = []
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 4 || f[0]!.toUpperCase() !== 'TCP') continue
    const local = splitWindowsEndpoint(f[1]!)
    const remote = splitWindowsEndpoint(f[2]!)
    const state = stateOf(f[3]!)
    if (!local || !remote || !state) continue
    const pid = f[4] !== undefined && /^\d+$/.test(f[4]) ? Number(f[4]) : null
    out.push({
      ...base(local.family, state),
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      pid
    })
  }
  return out
}
