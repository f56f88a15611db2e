import { useSyncExternalStore } from 'react'

// One shared 1 s clock for every ticking age cell, instead of a timer per row.
let now = Date.now()
let timer: ReturnType<typeof setInterval> | null = null
const listeners = new Set<() => void>()

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (timer === null) {
    now = Date.now()
    timer = setInterval(() => {
      now = Date.now()
      for (const l of listeners) l()
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer)
      timer = null
    }
  }
}

/** The current time, updated once a second by one shared timer. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now)
}
