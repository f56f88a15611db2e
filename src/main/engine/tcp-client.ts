import net from 'node:net'
import type { CommandRequest } from '@shared/contract'
import { LabConnection } from './lab-connection'
import type { ConnectionHandlers } from './lab-connection'
import type { ServerOwner } from './tcp-server'
import { describeSocketError, LabFailure } from './errors'
import { checkUnixPath } from './unix-socket-path'

// An outgoing client has no behaviour: the user drives it; a peer's FIN leaves it half-open for them to see.
const clientHandlers: ConnectionHandlers = {
  onData() {},
  onPeerEnd() {},
  onClose() {}
}

/** Connects from the lab to HOST:PORT or unix:PATH; resolves once connected, rejects with a LabFailure in words. */
export async function connectClient(req: CommandRequest<'client:connect'>, owner: ServerOwner): Promise<LabConnection> {
  const unixPath = req.host.startsWith('unix:') ? checkUnixPath(req.host.slice(5)) : undefined
  const socket =
    unixPath !== undefined
      ? net.connect({ path: unixPath, allowHalfOpen: true })
      : net.connect({
          host: req.host,
          port: req.port ?? 0,
          allowHalfOpen: true,
          // The client's own end, when the user binds it (an interface, a port, or both: the self-connection experiment).
          ...(req.localAddress !== undefined ? { localAddress: req.localAddress } : {}),
          ...(req.localPort ? { localPort: req.localPort } : {})
        })
  socket.pause()
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy()
      reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }))
    }, req.timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve()
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      socket.destroy()
      reject(err)
    })
  }).catch((err: unknown) => {
    if (err instanceof LabFailure) throw err
    const localInUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && req.localPort
    if (localInUse) {
      throw new LabFailure(
        'EADDRINUSE',
        `Local port ${req.localPort} is already in use`,
        'Another socket is bound to it; choose another local port, or leave it empty to let the system pick.'
      )
    }
    throw describeSocketError(err, {
      op: 'connect',
      host: unixPath !== undefined ? `unix:${unixPath}` : req.host,
      port: req.port
    })
  })
  return adoptOutgoing(socket, owner, unixPath)
}

/** Registers a connected outgoing socket as a lab connection (the user drives it). */
export function adoptOutgoing(socket: net.Socket, owner: ServerOwner, unixPath?: string): LabConnection {
  const conn = new LabConnection({
    id: owner.nextConnectionId(),
    serverId: null,
    origin: 'outgoing',
    socket,
    budget: owner.budget,
    owner,
    unixPath
  })
  conn.handlers = clientHandlers
  owner.adopt(conn)
  return conn
}
