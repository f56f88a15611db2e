import type { SavedPayload, Sequence, UiPrefs } from '@shared/contract'
import { uiPrefsSchema } from '@shared/contract'
import { LabFailure } from '../errors'

/** Most saved payloads and sequences one workspace keeps (documented in the README). */
export const SAVED_LIMITS = { payloads: 500, sequences: 100 } as const

/** Saved payloads, sequences and UI preferences: plain data the workspace file holds beside the running lab. */
export class SavedItems {
  payloads: SavedPayload[] = []
  sequences: Sequence[] = []
  ui: UiPrefs = {}

  /** Adds what an imported or loaded document holds; its items win over ones of the same name. */
  merge(doc: { payloads: SavedPayload[]; sequences: Sequence[]; ui: UiPrefs }): void {
    for (const p of doc.payloads) upsert(this.payloads, p)
    for (const s of doc.sequences) upsert(this.sequences, s)
    this.ui = { ...this.ui, ...doc.ui }
  }

  /** Keeps a payload under its name (replacing one of the same name). */
  savePayload(p: SavedPayload): string[] {
    if (!this.payloads.some((x) => x.name === p.name) && this.payloads.length >= SAVED_LIMITS.payloads) {
      throw new LabFailure('too-many', `At most ${SAVED_LIMITS.payloads} payloads are kept`, 'Delete one first.')
    }
    upsert(this.payloads, p)
    return this.payloads.map((x) => x.name)
  }

  /** Deletes a payload no sequence sends. */
  deletePayload(name: string): string[] {
    if (!this.payloads.some((p) => p.name === name))
      throw new LabFailure('not-found', `There is no saved payload named ${JSON.stringify(name)}`)
    const user = this.sequences.find((s) => s.steps.some((st) => st.payload === name))
    if (user)
      throw new LabFailure(
        'in-use',
        `Sequence ${JSON.stringify(user.name)} sends ${JSON.stringify(name)}`,
        'Remove it from the sequence first.'
      )
    this.payloads = this.payloads.filter((p) => p.name !== name)
    return this.payloads.map((x) => x.name)
  }

  /** Keeps a sequence whose every step names a saved payload. */
  saveSequence(s: Sequence): string[] {
    const missing = s.steps.findIndex((st) => !this.payloads.some((p) => p.name === st.payload))
    if (missing >= 0)
      throw new LabFailure(
        'not-found',
        `steps[${missing}].payload: there is no saved payload named ${JSON.stringify(s.steps[missing].payload)}`
      )
    if (!this.sequences.some((x) => x.name === s.name) && this.sequences.length >= SAVED_LIMITS.sequences) {
      throw new LabFailure('too-many', `At most ${SAVED_LIMITS.sequences} sequences are kept`, 'Delete one first.')
    }
    upsert(this.sequences, s)
    return this.sequences.map((x) => x.name)
  }

  /** Deletes a sequence. */
  deleteSequence(name: string): string[] {
    if (!this.sequences.some((s) => s.name === name))
      throw new LabFailure('not-found', `There is no sequence named ${JSON.stringify(name)}`)
    this.sequences = this.sequences.filter((s) => s.name !== name)
    return this.sequences.map((x) => x.name)
  }

  /** A sequence by name. */
  sequence(name: string): Sequence {
    const seq = this.sequences.find((s) => s.name === name)
    if (!seq) throw new LabFailure('not-found', `There is no sequence named ${JSON.stringify(name)}`)
    return seq
  }

  /** Merges UI preferences, within their bound. */
  setUi(ui: UiPrefs): void {
    const checked = uiPrefsSchema.safeParse({ ...this.ui, ...ui })
    if (!checked.success) throw new LabFailure('invalid', 'At most 100 UI preferences are kept')
    this.ui = checked.data
  }
}

function upsert<T extends { name: string }>(list: T[], item: T): void {
  const i = list.findIndex((x) => x.name === item.name)
  if (i >= 0) list[i] = item
  else list.push(item)
}
