import { commands } from '@shared/contract'
import type { CommandName, CommandResult } from '@shared/contract'
import { eventBatchSchema } from '@shared/model'
import type { EventBatch } from '@shared/model'
import { resultEnvelopeSchema } from '@shared/ws-protocol'

// What the page receives is checked against the contract the same way whichever front door brought it
// (the Electron preload or the browser WebSocket).

/** A batch that matches the contract, or null: a dropped batch leaves a sequence gap and the store resyncs. */
export function checkBatch(raw: unknown): EventBatch | null {
  const batch = eventBatchSchema.safeParse(raw)
  return batch.success ? batch.data : null
}

/** A command's answer checked against its response schema; a malformed one becomes an `invalid-response` failure. */
export function checkResult<C extends CommandName>(name: C, raw: unknown): CommandResult<C> {
  const envelope = resultEnvelopeSchema.safeParse(raw)
  if (!envelope.success) return invalid(`The lab's answer to ${name} was malformed`)
  if (!envelope.data.ok) return { ok: false, error: envelope.data.error }
  const value = commands[name].response.safeParse(envelope.data.value)
  if (!value.success) return invalid(`The lab's answer to ${name} did not match the contract`)
  return { ok: true, value: value.data } as CommandResult<C>
}

function invalid<C extends CommandName>(message: string): CommandResult<C> {
  return { ok: false, error: { code: 'invalid-response', message } }
}
