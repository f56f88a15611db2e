import { act, renderHook } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { tickWithViews, useNow } from '@renderer/store/ticker'

afterEach(() => vi.useRealTimers())

describe('the ages clock', () => {
  it('ticks once a second alone, and rides along with a store notification when nearly due (one frame, not two)', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { result, unmount } = renderHook(() => useNow())
    const t0 = result.current
    act(() => vi.advanceTimersByTime(1_000))
    expect(result.current).toBe(t0 + 1_000)
    // Not due yet: a notification 500 ms after a tick leaves the clock alone.
    act(() => {
      vi.advanceTimersByTime(500)
      tickWithViews()
    })
    expect(result.current).toBe(t0 + 1_000)
    // Nearly due: it ticks with the notification, and its own timer then waits past the next one.
    act(() => {
      vi.advanceTimersByTime(300)
      tickWithViews()
    })
    expect(result.current).toBe(t0 + 1_800)
    act(() => vi.advanceTimersByTime(1_000))
    expect(result.current).toBe(t0 + 1_800)
    act(() => vi.advanceTimersByTime(300))
    expect(result.current).toBe(t0 + 3_100)
    unmount()
  })
})
