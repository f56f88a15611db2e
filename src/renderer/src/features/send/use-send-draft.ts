import { useMemo, useState } from 'react'
import type { LabError, Payload } from '@shared/contract'
import { encodePayload } from '@shared/payload-codec'

/** Who a message goes to: the selected connection's peer, or every peer of its server. */
export type SendTarget = 'peer' | 'server'

/** The part of a draft that belongs to one connection (cleared when another is selected). */
interface PerConnection {
  connectionId: number | null
  text: string
  /** Which history entry is in the box (-1: none). */
  cursor: number
  target: SendTarget
  status: string | null
  error: LabError | null
}

const fresh = (connectionId: number | null): PerConnection => ({
  connectionId,
  text: '',
  cursor: -1,
  target: 'peer',
  status: null,
  error: null
})

/** The send box's draft: the text, its result and the target per connection; format and line ending carry over. */
export function useSendDraft(connectionId: number | null) {
  const [format, setFormat] = useState<Payload['format']>('text')
  const [lineEnding, setLineEnding] = useState<Payload['lineEnding']>('none')
  const [stored, setStored] = useState<PerConnection>(() => fresh(connectionId))
  // Another connection's draft reads as a fresh one (derived, not reset by a setState during render).
  const draft = stored.connectionId === connectionId ? stored : fresh(connectionId)
  const update = (patch: Partial<Omit<PerConnection, 'connectionId'>>): void =>
    setStored((d) => ({ ...(d.connectionId === connectionId ? d : fresh(connectionId)), ...patch }))

  const payload: Payload = { text: draft.text, format, lineEnding }
  const encoded = useMemo(
    () => encodePayload({ text: draft.text, format, lineEnding }),
    [draft.text, format, lineEnding]
  )

  return {
    ...draft,
    format,
    lineEnding,
    payload,
    encoded,
    setFormat,
    setLineEnding,
    /** Typing: the box no longer shows a history entry. */
    setText: (text: string) => update({ text, cursor: -1 }),
    setTarget: (target: SendTarget) => update({ target }),
    setOutcome: (outcome: { status?: string | null; error?: LabError | null }) => update(outcome),
    /** Puts history entry `index` in the box (-1 empties it). */
    recall: (index: number, entry: Payload | undefined) => {
      if (index < 0 || !entry) return update({ cursor: -1, text: '' })
      update({ cursor: index, text: entry.text })
      setFormat(entry.format)
      setLineEnding(entry.lineEnding)
    },
    /** After a send: the text stays for another send, the history cursor is reset. */
    sent: (status: string) => update({ status, error: null, cursor: -1 })
  }
}
