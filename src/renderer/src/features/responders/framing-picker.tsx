import type { ReactNode } from 'react'
import { describeFraming, normalizeFraming } from '@shared/framing'
import type { FramingInput } from '@shared/framing'
import { INPUT } from '@renderer/features/layout/ui-classes'

const CHOICES: { label: string; value: FramingInput }[] = [
  { label: 'raw chunks', value: 'raw' },
  { label: 'lines (LF, CR stripped)', value: 'line' },
  { label: 'lines (CRLF)', value: 'crlf' },
  { label: 'HTTP/1.x', value: 'http' },
  { label: 'Redis RESP', value: 'resp' },
  { label: '1-byte length', value: { type: 'length', bytes: 1 } },
  { label: '2-byte length (big endian)', value: { type: 'length', bytes: 2 } },
  { label: '2-byte length (little endian)', value: { type: 'length', bytes: 2, endian: 'little' } },
  { label: '4-byte length (big endian)', value: { type: 'length', bytes: 4 } },
  { label: '4-byte length (little endian)', value: { type: 'length', bytes: 4, endian: 'little' } },
  { label: '8-byte length (big endian)', value: { type: 'length', bytes: 8 } },
  { label: 'NUL-delimited', value: { type: 'delimiter', hex: '00' } },
  { label: 'fixed 16 bytes', value: { type: 'fixed', size: 16 } }
]

const keyOf = (f: FramingInput): string => JSON.stringify(normalizeFraming(f))

/** A select of common framings; a framing set elsewhere (a workspace file) shows as its own entry. */
export function FramingPicker(props: { value: FramingInput; onChange: (f: FramingInput) => void; id?: string; label?: string }): ReactNode {
  const { value, onChange } = props
  let current = ''
  try {
    current = keyOf(value)
  } catch {
    current = ''
  }
  const known = CHOICES.some((c) => keyOf(c.value) === current)
  return (
    <select
      id={props.id}
      aria-label={props.label ?? 'Framing'}
      className={`${INPUT} py-1 text-xs`}
      value={current}
      onChange={(e) => {
        const choice = CHOICES.find((c) => keyOf(c.value) === e.target.value)
        if (choice) onChange(choice.value)
      }}
    >
      {!known && current !== '' ? <option value={current}>{describeFraming(value)}</option> : null}
      {CHOICES.map((c) => (
        <option key={c.label} value={keyOf(c.value)}>
          {c.label}
        </option>
      ))}
    </select>
  )
}
