import { useEffect, useRef } from 'react'
import type { UiPrefs } from '@shared/contract'
import type { SortKey, StateFilter, UiState } from '@renderer/store/ui-store'
import { useUiStore } from '@renderer/store/ui-store'
import { useCommand } from '@renderer/store/use-command'
import { useWorkspace } from '@renderer/store/workspace-store'

const SORT_KEYS: readonly SortKey[] = ['id', 'peer', 'local', 'state', 'bytes-in', 'bytes-out', 'chunks', 'rate', 'age']
const STATE_FILTERS: readonly StateFilter[] = ['any', 'active', 'closed']
/** How long the table settings must stay unchanged before they are saved. */
const SAVE_AFTER_MS = 1_000

/** The table settings a workspace keeps, as preferences. */
export function prefsOf(s: Pick<UiState, 'sort' | 'stateFilter'>): UiPrefs {
  return { 'table.sortKey': s.sort.key, 'table.sortDir': s.sort.dir, 'table.stateFilter': s.stateFilter }
}

/** The table settings stored preferences stand for (unknown values are ignored). */
export function settingsOf(prefs: UiPrefs): Partial<Pick<UiState, 'sort' | 'stateFilter'>> {
  const out: Partial<Pick<UiState, 'sort' | 'stateFilter'>> = {}
  const key = prefs['table.sortKey']
  const dir = prefs['table.sortDir']
  if (typeof key === 'string' && (SORT_KEYS as readonly string[]).includes(key) && (dir === 'asc' || dir === 'desc'))
    out.sort = { key: key as SortKey, dir }
  const filter = prefs['table.stateFilter']
  if (typeof filter === 'string' && (STATE_FILTERS as readonly string[]).includes(filter))
    out.stateFilter = filter as StateFilter
  return out
}

/** Applies the workspace's table preferences once they arrive, then saves changes to them (debounced). */
export function useUiPrefs(): void {
  const { run } = useCommand(undefined, { trackBusy: false })
  const ui = useUiStore()
  const prefs = useWorkspace((v) => v.status?.ui)
  const applied = useRef(false)
  const last = useRef('')

  useEffect(() => {
    if (applied.current || !prefs) return
    applied.current = true
    const s = settingsOf(prefs)
    if (Object.keys(s).length > 0) ui.set(s)
    last.current = JSON.stringify(prefsOf(ui.get()))
  }, [prefs, ui])

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null
    const unsubscribe = ui.subscribe(() => {
      if (!applied.current) return
      const next = JSON.stringify(prefsOf(ui.get()))
      if (next === last.current) return
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => {
        last.current = next
        void run('workspace:set-ui', { ui: JSON.parse(next) as UiPrefs })
      }, SAVE_AFTER_MS)
    })
    return () => {
      unsubscribe()
      if (timer) clearTimeout(timer)
    }
  }, [ui, run])
}
