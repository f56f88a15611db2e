import net from 'node:net'
import type { CommandRequest } from '@shared/contract'
import { LabConnection } from '../lab-connection'
import type { ConnectionHandlers } from '../lab-connection'
import type { ServerOwner } from '../tcp-server'
import { describeSocketError } from '../errors'
import { clientHandshakeFailure, clientTlsFacts, startTlsClient, tlsServername } from '../tls/tls-dial'

const clientHandlers: ConnectionHandlers = { onData() {}, onPeerEnd() {}, onClose() {} }

function timeout<T>(ms: number, work: Promise<T>, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout()
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }))
    }, ms)
    work.then(
      (v) => {
        clearTimeout(timer)
        resolve(v)
      },
      (e: unknown) => {
        clearTimeout(timer)
        reject(e)
      }
    )
  })
}

/**
 * An outgoing TLS client: TCP first (so its encrypted byte counts stay visible), then the handshake with
 * SNI, ALPN and verification on or off. A certificate problem is a failure in words when verification is
 * on, and a fact shown on the connection when it is off.
 */
export async function connectTlsClient(
  req: CommandRequest<'client:connect'>,
  owner: ServerOwner
): Promise<LabConnection> {
  const opts = req.tls ?? { verify: true }
  const port = req.port ?? 0
  const raw = net.connect({ host: req.host, port, allowHalfOpen: true })
  await timeout(
    req.timeoutMs,
    new Promise<void>((resolve, reject) => {
      raw.once('connect', () => {
        raw.removeListener('error', reject)
        resolve()
      })
      raw.once('error', reject)
    }),
    () => raw.destroy()
  ).catch((err: unknown) => {
    raw.destroy()
    throw describeSocketError(err, { op: 'connect', host: req.host, port })
  })
  const socket = startTlsClient(raw, req.host, opts)
  socket.pause()
  await timeout(
    req.timeoutMs,
    new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => {
        socket.removeListener('error', reject)
        resolve()
      })
      socket.once('error', reject)
    }),
    () => socket.destroy()
  ).catch((err: NodeJS.ErrnoException) => {
    socket.destroy()
    throw clientHandshakeFailure(err, tlsServername(req.host, opts) ?? req.host, port)
  })
  const conn = new LabConnection({
    id: owner.nextConnectionId(),
    serverId: null,
    origin: 'outgoing',
    socket,
    budget: owner.budget,
    owner,
    kind: 'tls',
    wire: raw
  })
  conn.tls = clientTlsFacts(socket, req.host, opts)
  conn.handlers = clientHandlers
  owner.adopt(conn)
  return conn
}
