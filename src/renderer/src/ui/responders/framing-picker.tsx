import { useState } from 'react'
import type { ReactNode } from 'react'
import { describeFraming, framingSchema, normalizeFraming } from '@shared/framing'
import type { FramingInput, FramingSpec } from '@shared/framing'
import { INPUT } from '@renderer/ui/classes'

const CHOICES: { label: string; value: FramingInput }[] = [
  { label: 'raw chunks', value: 'raw' },
  { label: 'lines (LF, CR stripped)', value: 'line' },
  { label: 'lines (CRLF)', value: 'crlf' },
  { label: 'HTTP/1.x', value: 'http' },
  { label: 'Redis RESP', value: 'resp' },
  { label: '2-byte length (big endian)', value: { type: 'length', bytes: 2 } },
  { label: '4-byte length (big endian)', value: { type: 'length', bytes: 4 } },
  { label: 'NUL-delimited', value: { type: 'delimiter', hex: '00' } },
  { label: 'length-prefixed…', value: { type: 'length', bytes: 1 } },
  { label: 'delimiter…', value: { type: 'delimiter', hex: '0d0a' } },
  { label: 'fixed size…', value: { type: 'fixed', size: 16 } }
]

const keyOf = (f: FramingInput): string => JSON.stringify(normalizeFraming(f))
const SMALL = `${INPUT} py-0.5 text-xs`

/** The fields of a length, delimiter or fixed framing, edited in place (kept valid: a bad value is not applied). */
function Details({ spec, onChange }: { spec: FramingSpec; onChange: (f: FramingInput) => void }): ReactNode {
  const set = (patch: Record<string, unknown>): void => {
    const next = framingSchema.safeParse({ ...spec, ...patch })
    if (next.success) onChange(next.data)
  }
  if (spec.type === 'delimiter') {
    return (
      <input
        aria-label="Delimiter (hex)"
        className={`${SMALL} font-mono`}
        defaultValue={spec.hex}
        onChange={(e) => set({ hex: e.target.value })}
      />
    )
  }
  if (spec.type === 'fixed') {
    return (
      <input
        aria-label="Message size (bytes)"
        className={SMALL}
        type="number"
        min={1}
        defaultValue={spec.size}
        onChange={(e) => set({ size: Number(e.target.value) })}
      />
    )
  }
  if (spec.type !== 'length') return null
  return (
    <div className="grid grid-cols-2 gap-1">
      <select
        aria-label="Length field bytes"
        className={SMALL}
        value={spec.bytes}
        onChange={(e) => set({ bytes: Number(e.target.value) })}
      >
        {[1, 2, 4, 8].map((b) => (
          <option key={b} value={b}>
            {b}-byte length
          </option>
        ))}
      </select>
      <select
        aria-label="Endianness"
        className={SMALL}
        value={spec.endian}
        onChange={(e) => set({ endian: e.target.value })}
      >
        <option value="big">big endian</option>
        <option value="little">little endian</option>
      </select>
      <label className="flex items-center gap-1">
        offset
        <input
          aria-label="Bytes before the length"
          className={SMALL}
          type="number"
          min={0}
          defaultValue={spec.offset}
          onChange={(e) => set({ offset: Number(e.target.value) })}
        />
      </label>
      <label className="flex items-center gap-1">
        <input
          type="checkbox"
          checked={spec.includesHeader}
          onChange={(e) => set({ includesHeader: e.target.checked })}
        />
        counts header
      </label>
      <label className="col-span-2 flex items-center gap-1">
        max
        <input
          aria-label="Longest body (bytes)"
          className={SMALL}
          type="number"
          min={0}
          defaultValue={spec.maxLength}
          onChange={(e) => set({ maxLength: Number(e.target.value) })}
        />
      </label>
    </div>
  )
}

/** A select of common framings, with the fields of a length, delimiter or fixed framing below it. */
export function FramingPicker(props: {
  value: FramingInput
  onChange: (f: FramingInput) => void
  id?: string
  label?: string
}): ReactNode {
  const { value, onChange } = props
  // Once a "…" entry is chosen its fields stay open, even when the values happen to equal a preset.
  const [sticky, setSticky] = useState<string | null>(null)
  let spec: FramingSpec | null = null
  try {
    spec = normalizeFraming(value)
  } catch {
    spec = null
  }
  const current = spec ? JSON.stringify(spec) : ''
  const stickyChoice = CHOICES.find(
    (c) => c.label === sticky && spec !== null && normalizeFraming(c.value).type === spec.type
  )
  const preset = stickyChoice ? undefined : CHOICES.find((c) => !c.label.endsWith('…') && keyOf(c.value) === current)
  // A framing that is no preset is shown under its kind's "…" entry, with its fields.
  const custom = preset
    ? null
    : (stickyChoice ??
      CHOICES.find((c) => c.label.endsWith('…') && spec !== null && normalizeFraming(c.value).type === spec.type))
  const selected = preset ? keyOf(preset.value) : custom ? `custom:${custom.label}` : current
  return (
    <div className="space-y-1">
      <select
        id={props.id}
        aria-label={props.label ?? 'Framing'}
        className={SMALL}
        value={selected}
        onChange={(e) => {
          const v = e.target.value
          const choice = CHOICES.find((c) => (c.label.endsWith('…') ? `custom:${c.label}` : keyOf(c.value)) === v)
          if (!choice) return
          setSticky(choice.label.endsWith('…') ? choice.label : null)
          onChange(choice.value)
        }}
      >
        {!preset && !custom && spec ? <option value={current}>{describeFraming(spec)}</option> : null}
        {CHOICES.map((c) => (
          <option key={c.label} value={c.label.endsWith('…') ? `custom:${c.label}` : keyOf(c.value)}>
            {c.label}
          </option>
        ))}
      </select>
      {custom && spec ? <Details key={custom.label} spec={spec} onChange={onChange} /> : null}
    </div>
  )
}
