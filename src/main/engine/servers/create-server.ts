import type { CommandRequest, CommandValue } from '@shared/contract'
import type { LabConnection } from '../lab-connection'
import type { ServerOwner } from '../tcp-server'
import { LabTcpServer } from '../tcp-server'
import { connectClient } from '../tcp-client'
import { LabFailure } from '../errors'
import { connectTlsClient } from '../clients/tls-client'
import { connectUdpClient } from '../clients/udp-client'
import { maxUdpPayload } from '../connections/udp-errors'
import type { CertificateFolder } from '../tls/certificate'
import type { LabServer } from './lab-server'
import { LabTlsServer } from './tls-server'
import { LabUdpServer } from './udp-server'

/** A server of the protocol the request names (tcp when it names none). */
export function createServer(
  id: number,
  req: CommandRequest<'server:start'>,
  owner: ServerOwner,
  certs: CertificateFolder
): LabServer {
  switch (req.protocol ?? 'tcp') {
    case 'udp':
      return new LabUdpServer(id, req, owner)
    case 'tls':
      if (req.host.startsWith('unix:')) {
        throw new LabFailure(
          'unsupported',
          'TLS servers listen on an IP address and port in the lab, not on a unix: path'
        )
      }
      return new LabTlsServer(id, req, owner, certs)
    default:
      return new LabTcpServer(id, req, owner)
  }
}

/** An outgoing client of the protocol the request names. */
export function openClient(req: CommandRequest<'client:connect'>, owner: ServerOwner): Promise<LabConnection> {
  switch (req.protocol ?? 'tcp') {
    case 'udp':
      return connectUdpClient(req, owner)
    case 'tls':
      return connectTlsClient(req, owner)
    default:
      return connectClient(req, owner)
  }
}

/** Refuses, changing nothing, a payload too large for one datagram to any UDP target. */
export function checkDatagramSize(targets: readonly LabConnection[], size: number): void {
  for (const c of targets) {
    if (c.kind !== 'udp') continue
    const max = maxUdpPayload(c.family)
    if (size > max) {
      throw new LabFailure(
        'EMSGSIZE',
        `${size} bytes do not fit in one UDP datagram (EMSGSIZE): over ${c.family} a datagram carries at most ${max} bytes`,
        'Send less, or split it into several datagrams yourself: UDP never splits or joins them.'
      )
    }
  }
}

/** Refuses stream-only actions on a UDP flow, in words. */
export function checkActionFits(conn: LabConnection, action: CommandRequest<'connection:action'>['action']): void {
  if (conn.kind !== 'udp') return
  if (action === 'half-close') {
    throw new LabFailure(
      'unsupported',
      'A UDP flow cannot be half-closed: UDP has no FIN',
      'Close the flow to forget it.'
    )
  }
  if (action === 'reset') {
    throw new LabFailure('unsupported', 'A UDP flow cannot be reset: UDP has no RST', 'Close the flow to forget it.')
  }
  if (action === 'pause' || action === 'resume') {
    throw new LabFailure(
      'unsupported',
      'A UDP flow cannot be paused: the peer is never told to wait, its datagrams would just be lost',
      'Stop the server or close the flow instead.'
    )
  }
}

/** `server:certificate`: a TLS server's certificate and key as PEM. */
export function serverCertificate(
  servers: ReadonlyMap<number, LabServer>,
  req: CommandRequest<'server:certificate'>
): CommandValue<'server:certificate'> {
  const server = servers.get(req.serverId)
  if (!server)
    throw new LabFailure('not-found', `There is no server ${req.serverId}`, 'It may have been stopped already.')
  if (!(server instanceof LabTlsServer) || !server.identity) {
    throw new LabFailure('not-tls', `Server ${req.serverId} does not speak TLS`, 'Only TLS servers have a certificate.')
  }
  return {
    certPem: server.identity.certPem,
    keyPem: server.identity.keyPem,
    certPath: server.certificate?.certPath ?? null,
    ...server.givenFiles()
  }
}
