// Issue 19, item 9: the chart says "last minute", so its axis spans exactly that, never "90 s ago".
import { describe, expect, it } from 'vitest'
import { RATE_WINDOW_S, agoText, lastWindow } from '@renderer/ui/charts/rate-chart'

describe('the rate chart’s window', () => {
  it('keeps only the last 60 s of samples, x relative to the newest', () => {
    // 90 s of samples at 2 Hz, as after the page was hidden for a while.
    const t = Array.from({ length: 181 }, (_, i) => 1_000 + i / 2)
    const series = { t, in: t.map((_, i) => i), out: t.map(() => 0) }
    const [x, inRate] = lastWindow(series)
    expect(RATE_WINDOW_S).toBe(60)
    expect(x[0]).toBe(-60)
    expect(x[x.length - 1]).toBe(0)
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-RATE_WINDOW_S)
    expect(inRate[inRate.length - 1]).toBe(180)
    expect(agoText(60)).toBe('1 min ago')
  })

  it('is empty for an empty series', () => {
    expect(lastWindow({ t: [], in: [], out: [] })).toEqual([[], [], []])
  })
})
