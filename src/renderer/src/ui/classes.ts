// Shared Tailwind class strings, so every control looks the same in both themes.

/** A text input or select. */
export const INPUT =
  'w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 shadow-xs outline-none placeholder:text-slate-400 focus:border-sky-500 focus:ring-2 focus:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500'

/** A field's label. */
export const LABEL = 'mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400'

const BUTTON_BASE =
  'inline-flex items-center justify-center gap-1.5 rounded-md text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50'

/** Buttons by weight. */
export const BUTTON = {
  primary: `${BUTTON_BASE} bg-sky-600 px-3 py-1.5 text-white hover:bg-sky-500 dark:bg-sky-600 dark:hover:bg-sky-500`,
  secondary: `${BUTTON_BASE} border border-slate-300 bg-white px-2.5 py-1 text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800`,
  danger: `${BUTTON_BASE} border border-red-300 bg-white px-2.5 py-1 text-red-700 hover:bg-red-50 dark:border-red-900 dark:bg-slate-900 dark:text-red-300 dark:hover:bg-red-950`,
  ghost: `${BUTTON_BASE} px-1.5 py-1 text-slate-600 hover:bg-slate-200/70 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100`
} as const

/** A small pill. */
export const BADGE = 'inline-flex items-center rounded-full px-1.5 py-px text-[11px] font-medium leading-4'

/** Badge tones. */
export const TONES = {
  green: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300',
  amber: 'bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-300',
  red: 'bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300',
  grey: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  sky: 'bg-sky-100 text-sky-800 dark:bg-sky-900/50 dark:text-sky-300',
  violet: 'bg-violet-100 text-violet-800 dark:bg-violet-900/50 dark:text-violet-300'
} as const

/** A panel's section heading. */
export const HEADING = 'text-[11px] font-semibold tracking-wider text-slate-500 uppercase dark:text-slate-400'
