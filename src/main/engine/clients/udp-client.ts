import dgram from 'node:dgram'
import type { CommandRequest } from '@shared/contract'
import type { Family } from '@shared/model'
import { LabConnection } from '../lab-connection'
import type { ConnectionHandlers } from '../lab-connection'
import type { ServerOwner } from '../tcp-server'
import { describeSocketError } from '../errors'
import { UdpFlowSocket } from '../connections/udp-flow-socket'
import { describeDatagramError, udpTypeFor } from '../connections/udp-errors'
import { reportFlowError } from '../servers/udp-server'

// The user drives an outgoing flow: replies are counted and recorded, nothing is automatic.
const clientHandlers: ConnectionHandlers = { onData() {}, onPeerEnd() {}, onClose() {} }

/**
 * An outgoing UDP "client": a connected datagram socket (the kernel then only delivers datagrams from
 * that peer, and reports its ICMP "port unreachable" as ECONNREFUSED). Connecting sends nothing: it
 * resolves at once, and the flow shows each datagram sent and every reply.
 */
export async function connectUdpClient(
  req: CommandRequest<'client:connect'>,
  owner: ServerOwner
): Promise<LabConnection> {
  const port = req.port ?? 0
  const type = await udpTypeFor(req.host, 'connect', port)
  const socket = dgram.createSocket(type)
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.connect(port, req.host, () => {
      socket.removeListener('error', reject)
      resolve()
    })
  }).catch((err: unknown) => {
    socket.close()
    throw describeSocketError(err, { op: 'connect', host: req.host, port })
  })
  const local = socket.address()
  const remoteInfo = socket.remoteAddress()
  const remote = { address: remoteInfo.address, port: remoteInfo.port }
  const family: Family = remoteInfo.family === 'IPv6' ? 'IPv6' : 'IPv4'
  let closed = false
  const flow = new UdpFlowSocket(
    { address: local.address, port: local.port },
    remote,
    family,
    (datagram) =>
      socket.send(datagram, (err) => {
        if (err) reportFlowError(conn, describeDatagramError(err, remote, datagram.length), owner)
      }),
    () => {
      closed = true
      socket.close()
    }
  )
  const conn = new LabConnection({
    id: owner.nextConnectionId(),
    serverId: null,
    origin: 'outgoing',
    socket: flow,
    budget: owner.budget,
    owner,
    kind: 'udp'
  })
  conn.handlers = clientHandlers
  socket.on('message', (msg) => flow.deliver(msg))
  // On a connected socket the kernel reports the peer's ICMP errors on a later receive: in words, on the flow.
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (!closed) reportFlowError(conn, describeDatagramError(err, remote), owner)
  })
  owner.adopt(conn)
  return conn
}
