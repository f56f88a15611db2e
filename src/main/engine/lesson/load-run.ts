import net from 'node:net'
import type { CommandRequest, CommandValue } from '@shared/contract'
import { encodeForSend } from '../send-payload'

type LoadResult = CommandValue<'lesson:load'>['clients'][number]

function oneClient(
  req: CommandRequest<'lesson:load'>,
  index: number,
  request: Buffer,
  t0: number,
  deadline: number
): Promise<LoadResult> {
  return new Promise((resolve) => {
    let connectedAt: number | null = null
    let got = 0
    let done = false
    const socket = net.connect({ host: req.host, port: req.port })
    const finish = (error: string | null): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const now = performance.now()
      resolve({
        index,
        connectMs: connectedAt === null ? null : Math.round(connectedAt - t0),
        answerMs: error === null ? Math.round(now - t0) : null,
        bytes: got,
        error
      })
    }
    const timer = setTimeout(() => finish('no answer in time'), Math.max(1, deadline - performance.now()))
    socket.once('connect', () => {
      connectedAt = performance.now()
      socket.write(request)
    })
    socket.on('data', (d: Buffer) => {
      got += d.length
      if (got >= Math.min(request.length, req.answerBytes ?? request.length)) finish(null)
    })
    socket.once('end', () => finish(got > 0 ? null : 'closed without an answer'))
    socket.once('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message))
  })
}

/**
 * A small built-in load for the server-pattern experiment: N clients connect at once, each sends one request and
 * times its answer (ms from the start of the run). What a sequential server, a pool of K and an event loop do to
 * the tenth client shows in these times. Bounded by `clients` (≤ 200) and `timeoutMs` (≤ 60 s).
 */
export async function runLoad(req: CommandRequest<'lesson:load'>): Promise<CommandValue<'lesson:load'>> {
  const request = Buffer.from(encodeForSend(req.payload))
  const t0 = performance.now()
  const deadline = t0 + req.timeoutMs
  const clients = await Promise.all(
    Array.from({ length: req.clients }, (_, i) => oneClient(req, i + 1, request, t0, deadline))
  )
  return { clients, elapsedMs: Math.round(performance.now() - t0) }
}
