import { LabTcpServer } from './tcp-server'
import { LabUdpServer } from './servers/udp-server'
import type { CommandRequest, CommandValue } from '@shared/contract'
import { bytesToBase64, encodePayload } from '@shared/payload-codec'
import { compileResponder } from '@shared/responders/rules'
import { testSample } from '@shared/responders/test-sample'
import { LabFailure } from './errors'
import type { Lab } from './lab'
import type { RespondStats } from './behaviours/respond'

/** `respond:test`: frames the sample as the server would and says which rule fires and what it replies. */
export function respondTest(req: CommandRequest<'respond:test'>): CommandValue<'respond:test'> {
  const sample = encodePayload(req.sample)
  if (!sample.ok) throw new LabFailure('bad-payload', sample.error.message)
  const compiled = compileResponder(req.options)
  if (!compiled.ok) throw new LabFailure('invalid', `${compiled.error.path.join('.')}: ${compiled.error.message}`)
  const r = testSample(compiled.value, req.options.framing ?? 'line', sample.bytes)
  return {
    messages: r.messages.map((m) => ({
      start: m.start,
      end: m.end,
      ...(m.summary !== undefined ? { summary: m.summary } : {}),
      rule: m.rule,
      fallback: m.fallback,
      reply: m.reply ? bytesToBase64(m.reply) : null,
      delayMs: m.delayMs,
      then: m.then
    })),
    pending: r.pending,
    broken: r.broken
  }
}

/** `respond:stats`: a respond server's hit counters. */
export function respondStats(lab: Lab, req: CommandRequest<'respond:stats'>): CommandValue<'respond:stats'> {
  const found = lab.servers.get(req.serverId)
  // Responders run on stream servers (TCP, TLS, Unix) and on UDP servers (a datagram is a message).
  const server = found instanceof LabTcpServer || found instanceof LabUdpServer ? found : undefined
  if (!server) throw new LabFailure('not-found', `No server with id ${req.serverId}`)
  if (server.behaviourName !== 'respond') {
    throw new LabFailure(
      'wrong-behaviour',
      `Server ${req.serverId} runs ${server.behaviourName}, not respond`,
      'Switch it to respond to count rule hits'
    )
  }
  const s = server.behaviourStats() as RespondStats
  return {
    serverId: req.serverId,
    hits: s.hits,
    fallback: s.fallback,
    unmatched: s.unmatched,
    messages: s.messages,
    dropped: s.dropped
  }
}
