import net from 'node:net'
import type { CommandRequest, CommandValue } from '@shared/contract'
import { LabFailure } from '../errors'
import type { ServerOwner } from '../tcp-server'
import { adoptOutgoing } from '../tcp-client'

function tryOnce(port: number): Promise<net.Socket | 'refused'> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true })
    socket.pause()
    socket.once('connect', () => {
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', () => {
      socket.destroy()
      resolve('refused')
    })
  })
}

/**
 * The classic accident, bounded: connect again and again to 127.0.0.1:PORT, where nothing listens, letting the
 * system choose the client's ephemeral port each time, until it chooses PORT itself — then "simultaneous open"
 * connects the socket to itself. Stops at `maxTries` or `timeoutMs`. The self-connected socket becomes an ordinary
 * outgoing lab connection (local = remote; what it writes it reads back).
 */
export async function huntSelfConnection(
  req: CommandRequest<'lesson:self-connect-hunt'>,
  owner: ServerOwner
): Promise<CommandValue<'lesson:self-connect-hunt'>> {
  const started = performance.now()
  let tries = 0
  while (tries < req.maxTries && performance.now() - started < req.timeoutMs) {
    tries++
    const r = await tryOnce(req.port)
    if (r === 'refused') continue
    if (r.localPort === req.port) {
      const conn = adoptOutgoing(r, owner)
      return { tries, elapsedMs: Math.round(performance.now() - started), connection: conn.info() }
    }
    r.destroy()
    throw new LabFailure(
      'listening',
      `Something listens on 127.0.0.1:${req.port}, so connecting there reaches it, not the client itself`,
      'Pick a port in the ephemeral range where nothing listens.'
    )
  }
  return { tries, elapsedMs: Math.round(performance.now() - started), connection: null }
}
