import type { Payload } from '@shared/contract'
import { encodePayload } from '@shared/payload-codec'
import { LabFailure } from './errors'

/** The bytes a payload stands for, or a LabFailure naming the position of the first error. */
export function encodeForSend(payload: Payload): Uint8Array {
  const r = encodePayload(payload)
  if (!r.ok)
    throw new LabFailure(
      r.error.code,
      r.error.message,
      `Fix the ${payload.format} input at position ${r.error.position}.`
    )
  if (r.bytes.length === 0) throw new LabFailure('empty-payload', 'Nothing to send: the payload is empty')
  return r.bytes
}
