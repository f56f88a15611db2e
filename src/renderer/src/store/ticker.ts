import { useSyncExternalStore } from 'react'

// One shared 1 s clock for every ticking age cell, instead of a timer per row.
const TICK_MS = 1000
// While the lab store notifies its views (2 Hz under traffic) the clock ticks in the same task, so ages change in
// the frame the counters change in, not in a frame of their own; the clock's own timer waits this much longer.
const SLACK_MS = 300
// A tick this close to due rides along with a store notification.
const EARLY_MS = 250

let now = Date.now()
let lastTick = now
let timer: ReturnType<typeof setTimeout> | null = null
const listeners = new Set<() => void>()

function tick(): void {
  now = Date.now()
  lastTick = now
  for (const l of listeners) l()
}

function schedule(delay: number): void {
  if (timer !== null) clearTimeout(timer)
  timer = setTimeout(() => {
    timer = null
    tick()
    if (listeners.size > 0) schedule(TICK_MS)
  }, delay)
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (timer === null) {
    now = Date.now()
    lastTick = now
    schedule(TICK_MS)
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && timer !== null) {
      clearTimeout(timer)
      timer = null
    }
  }
}

/** Called as the lab store tells its views of a change: a tick nearly due happens now, in the same frame. */
export function tickWithViews(): void {
  if (listeners.size === 0 || Date.now() - lastTick < TICK_MS - EARLY_MS) return
  tick()
  schedule(TICK_MS + SLACK_MS)
}

/** The current time, updated about once a second by one shared clock. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now)
}
