import type { ReactElement } from 'react'

/** One choice of a Segmented control. */
export interface SegmentOption<T extends string> {
  value: T
  label: string
}

/** A row of mutually exclusive buttons (a radiogroup): the traffic view mode, the kernel view's scope. */
export function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
  className = ''
}: {
  label: string
  options: readonly SegmentOption<T>[]
  value: T
  onChange: (value: T) => void
  className?: string
}): ReactElement {
  return (
    <div
      role="radiogroup"
      aria-label={label}
      className={`flex overflow-hidden rounded border border-slate-300 dark:border-slate-600 ${className}`}
    >
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={value === o.value}
          onClick={() => onChange(o.value)}
          className={`px-2 py-0.5 ${value === o.value ? 'bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900' : 'hover:bg-slate-100 dark:hover:bg-slate-700'}`}
        >
          {o.label}
        </button>
      ))}
    </div>
  )
}
