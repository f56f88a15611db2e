import { useId } from 'react'
import type { ReactElement, ReactNode } from 'react'
import { GLOSSARY } from './glossary'
import type { TermName } from './glossary'

/** A term with its short definition as a tooltip on hover and keyboard focus. */
export function Term({ name, children }: { name: TermName; children?: ReactNode }): ReactElement {
  const id = useId()
  return (
    <span className="group relative inline-block">
      <span
        tabIndex={0}
        aria-describedby={id}
        data-term={name}
        className="cursor-help underline decoration-dotted underline-offset-2 focus:outline focus:outline-1 focus:outline-sky-500"
      >
        {children ?? name}
      </span>
      <span
        role="tooltip"
        id={id}
        className="pointer-events-none invisible absolute bottom-full left-0 z-20 mb-1 w-72 rounded bg-slate-900 p-2 text-xs font-normal text-white opacity-0 shadow-lg transition-opacity group-focus-within:visible group-focus-within:opacity-100 group-hover:visible group-hover:opacity-100 dark:bg-slate-100 dark:text-slate-900"
      >
        <strong>{name}</strong>: {GLOSSARY[name]}
      </span>
    </span>
  )
}
