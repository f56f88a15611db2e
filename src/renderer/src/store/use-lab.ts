import { createContext, createElement, useContext, useSyncExternalStore } from 'react'
import type { ReactNode } from 'react'
import type { LabState } from './lab-state'
import type { LabStore } from './lab-store'

/** The tree's lab store (null outside a provider); components use useLabStore, useLab or useCommand. */
export const LabStoreContext = createContext<LabStore | null>(null)

/** Makes a started lab store available to the tree. */
export function LabStoreProvider({ store, children }: { store: LabStore; children: ReactNode }): ReactNode {
  return createElement(LabStoreContext.Provider, { value: store }, children)
}

/** The lab store of the tree (to run commands, use useCommand from ./use-command). */
export function useLabStore(): LabStore {
  const store = useContext(LabStoreContext)
  if (!store) throw new Error('useLabStore needs a <LabStoreProvider>')
  return store
}

/** A slice of the lab state; re-renders only when the selected value changes (return stable values). */
export function useLab<T>(selector: (s: LabState) => T): T {
  const store = useLabStore()
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()))
}
