import type { Payload } from '@shared/contract'

/** How many sent messages are remembered. */
export const HISTORY_MAX = 20

/** Adds a sent payload to the front of the history, without duplicates, at most HISTORY_MAX long. */
export function pushHistory(history: readonly Payload[], p: Payload): Payload[] {
  const rest = history.filter((h) => !(h.text === p.text && h.format === p.format && h.lineEnding === p.lineEnding))
  return [p, ...rest].slice(0, HISTORY_MAX)
}

/** A one-line label of a history entry. */
export function historyLabel(p: Payload): string {
  const text = p.text.length > 40 ? `${p.text.slice(0, 40)}…` : p.text
  const ending = p.lineEnding === 'none' ? '' : ` +${p.lineEnding.toUpperCase()}`
  return `[${p.format}] ${text.replace(/\n/g, '⏎')}${ending}`
}
