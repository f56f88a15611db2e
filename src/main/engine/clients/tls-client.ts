import net from 'node:net'
import tls from 'node:tls'
import type { CommandRequest } from '@shared/contract'
import { LabConnection } from '../lab-connection'
import type { ConnectionHandlers } from '../lab-connection'
import type { ServerOwner } from '../tcp-server'
import { describeSocketError, LabFailure } from '../errors'
import { describeCertificateProblem, handshakeFacts, isCertificateProblem } from '../tls/tls-words'

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
  const servername = opts.servername ?? (net.isIP(req.host) === 0 ? req.host : undefined)
  const socket = tls.connect({
    socket: raw,
    host: req.host,
    servername,
    ALPNProtocols: opts.alpn,
    rejectUnauthorized: opts.verify,
    ...(opts.caPem !== undefined ? { ca: [...tls.rootCertificates, opts.caPem] } : {})
  })
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
    const name = servername ?? req.host
    if (isCertificateProblem(err)) {
      throw new LabFailure(
        'tls-certificate',
        `TLS handshake with ${name}:${port} failed: ${describeCertificateProblem(err, name)}`,
        "Trust it (give the server's certificate PEM as the CA) or turn verification off to connect anyway."
      )
    }
    if (err.code === 'ETIMEDOUT')
      throw new LabFailure(
        'ETIMEDOUT',
        `The TLS handshake with ${name}:${port} timed out`,
        'Is the server speaking TLS on that port?'
      )
    throw new LabFailure(
      'tls-handshake',
      `TLS handshake with ${name}:${port} failed: ${err.message}`,
      'Is the server speaking TLS on that port, with a version this client accepts?'
    )
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
  const problem = socket.authorized
    ? null
    : describeCertificateProblem(
        { code: String(socket.authorizationError ?? ''), message: String(socket.authorizationError ?? '') },
        servername ?? req.host
      )
  conn.tls = { ...handshakeFacts(socket), sni: servername ?? null, verify: opts.verify, verifyError: problem }
  conn.handlers = clientHandlers
  owner.adopt(conn)
  return conn
}
