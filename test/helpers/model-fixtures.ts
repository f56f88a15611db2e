import type { KernelSocket } from '@shared/kernel-model'
import type { ConnectionInfo, ServerInfo } from '@shared/model'

// Shared by node-side and jsdom tests: plain data only, no DOM and no node-only imports.

/** A listening echo server #1 on 127.0.0.1:PORT (PORT from `overrides.bound`, else 8080), started at 0. */
export function makeServerInfo(overrides: Partial<ServerInfo> = {}): ServerInfo {
  const port = overrides.bound?.port ?? 8080
  return {
    id: 1,
    requestedHost: '127.0.0.1',
    requestedPort: port,
    bound: { address: '127.0.0.1', port },
    family: 'IPv4',
    behaviour: 'echo',
    options: {},
    state: 'listening',
    acceptMode: 'concurrent',
    maxConnections: null,
    backlog: 511,
    startedAt: 0,
    notes: [],
    ...overrides
  }
}

/** An open connection `id` accepted by server #1 on 127.0.0.1:8080 from 127.0.0.1:(40000+id), no traffic, times 0. */
export function makeConnectionInfo(id: number, overrides: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    id,
    serverId: 1,
    origin: 'accepted',
    family: 'IPv4',
    local: { address: '127.0.0.1', port: 8080 },
    remote: { address: '127.0.0.1', port: 40000 + id },
    state: 'open',
    closeReason: null,
    error: null,
    openedAt: 0,
    peerEndedAt: null,
    closedAt: null,
    lastActivity: 0,
    bytesIn: 0,
    bytesOut: 0,
    chunksIn: 0,
    chunksOut: 0,
    paused: false,
    ...overrides
  }
}

/** An ESTABLISHED IPv4 kernel socket 127.0.0.1:0 ↔ 127.0.0.1:0, empty queues, no process and no lab link. */
export function makeKernelSocket(overrides: Partial<KernelSocket> = {}): KernelSocket {
  return {
    family: 'IPv4',
    state: 'ESTABLISHED',
    localAddress: '127.0.0.1',
    localPort: 0,
    remoteAddress: '127.0.0.1',
    remotePort: 0,
    recvQ: 0,
    sendQ: 0,
    inode: 1,
    uid: 0,
    pid: null,
    command: null,
    labConnectionId: null,
    labServerId: null,
    ...overrides
  }
}
