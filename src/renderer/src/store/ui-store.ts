import { createContext, useContext } from 'react'
import type { SimpleStore } from './simple-store'
import { createSimpleStore, useStoreValue } from './simple-store'

/** Table columns that can be sorted. */
export type SortKey = 'id' | 'peer' | 'local' | 'state' | 'bytes-in' | 'bytes-out' | 'chunks' | 'rate' | 'age'

/** Which connections the table shows by state. */
export type StateFilter = 'any' | 'active' | 'closed'

/** What the person selected and how the table is filtered and sorted. */
export interface UiState {
  /** The server whose connections the table shows; null shows every server's (and outgoing ones). */
  selectedServerId: number | null
  /** Whether the outgoing clients are the selection (the sidebar's "Outgoing" section). */
  outgoingSelected: boolean
  selectedConnectionId: number | null
  filterText: string
  stateFilter: StateFilter
  sort: { key: SortKey; dir: 'asc' | 'desc' }
  /** The selected connection exists but the table's scope or filter hides it (the detail says so). */
  selectionHidden?: boolean
  /** Proxied pairs (by client leg id) shown as their two legs. */
  expandedPairs: ReadonlySet<number>
}

/** The UI state store type. */
export type UiStore = SimpleStore<UiState>

/** A fresh UI store: nothing selected, newest connections first. */
export function createUiStore(): UiStore {
  return createSimpleStore<UiState>({
    selectedServerId: null,
    outgoingSelected: false,
    selectedConnectionId: null,
    filterText: '',
    stateFilter: 'any',
    sort: { key: 'id', dir: 'desc' },
    expandedPairs: new Set()
  })
}

/** The tree's UI store. */
export const UiStoreContext = createContext<UiStore | null>(null)

/** The UI store of the tree. */
export function useUiStore(): UiStore {
  const s = useContext(UiStoreContext)
  if (!s) throw new Error('useUiStore needs a UiStoreContext provider')
  return s
}

/** A slice of the UI state. */
export function useUi<T>(selector: (s: UiState) => T): T {
  return useStoreValue(useUiStore(), selector)
}
