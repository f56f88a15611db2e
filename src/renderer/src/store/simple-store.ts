import { useSyncExternalStore } from 'react'

/** A minimal external store: a state value replaced on every change, and its listeners. */
export interface SimpleStore<T> {
  get(): T
  /** Replaces the state with `patch` merged in (or the function's result) and notifies once. */
  set(patch: Partial<T> | ((s: T) => Partial<T>)): void
  subscribe(listener: () => void): () => void
}

/** Creates a store holding `initial`. */
export function createSimpleStore<T extends object>(initial: T): SimpleStore<T> {
  let state = initial
  const listeners = new Set<() => void>()
  return {
    get: () => state,
    set(patch) {
      const p = typeof patch === 'function' ? patch(state) : patch
      state = { ...state, ...p }
      for (const l of listeners) l()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

/** Reads a slice of a store and re-renders when that slice changes (the selector must return stable values). */
export function useStoreValue<T, S>(store: Pick<SimpleStore<T>, 'get' | 'subscribe'>, selector: (s: T) => S): S {
  return useSyncExternalStore(store.subscribe, () => selector(store.get()))
}
