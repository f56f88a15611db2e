import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'

const made: {
  opts: { width: number; height: number }
  data: unknown
  setData: ReturnType<typeof vi.fn>
  destroy: ReturnType<typeof vi.fn>
}[] = []

vi.mock('uplot', () => ({
  default: class FakePlot {
    width: number
    setData = vi.fn()
    setSize = vi.fn()
    destroy = vi.fn()
    constructor(opts: { width: number; height: number }, data: unknown) {
      this.width = opts.width
      made.push({ opts, data, setData: this.setData, destroy: this.destroy })
    }
  }
}))

import { Sparkline } from '@renderer/ui/charts/sparkline'
import { RateChart, agoText } from '@renderer/ui/charts/rate-chart'

const realGetContext = HTMLCanvasElement.prototype.getContext
beforeAll(() => {
  // uPlot is faked; the wrapper only checks that drawing is possible.
  window.matchMedia = ((q: string) => ({
    matches: false,
    media: q,
    addEventListener() {},
    removeEventListener() {}
  })) as unknown as typeof window.matchMedia
  HTMLCanvasElement.prototype.getContext = (() => ({})) as unknown as typeof realGetContext
})
afterAll(() => {
  HTMLCanvasElement.prototype.getContext = realGetContext
})
afterEach(() => {
  cleanup()
  made.length = 0
})

describe('charts', () => {
  it('a sparkline is a fixed-size uPlot fed new values and destroyed on unmount', () => {
    const { rerender, unmount } = render(<Sparkline values={[1, 2, 3]} label="rate of #1" />)
    expect(made.length).toBe(1)
    expect(made[0].opts).toMatchObject({ width: 80, height: 20 })
    expect(made[0].data).toEqual([
      [0, 1, 2],
      [1, 2, 3]
    ])
    rerender(<Sparkline values={[1, 2, 3, 4]} label="rate of #1" />)
    expect(made.length).toBe(1)
    expect(made[0].setData).toHaveBeenLastCalledWith([
      [0, 1, 2, 3],
      [1, 2, 3, 4]
    ])
    expect(screen.getByRole('img', { name: 'rate of #1' })).toBeTruthy()
    unmount()
    expect(made[0].destroy).toHaveBeenCalledTimes(1)
  })

  it('the rate chart has axes, its own legend with the current values and an accessible summary', () => {
    const { container } = render(<RateChart series={{ t: [1, 2], in: [0, 2048], out: [0, 512] }} />)
    expect(made.length).toBe(1)
    const opts = made[0].opts as unknown as { legend: { show: boolean }; series: { label?: string }[] }
    // uPlot's legend reads "--" until the pointer is on the plot; ours shows the latest values.
    expect(opts.legend.show).toBe(false)
    expect(container.querySelector('figcaption')?.textContent).toMatch(/in\s*2\.0 KiB\/s.*out\s*512 B\/s/)
    expect(opts.series.map((s) => s.label)).toEqual([undefined, 'in', 'out'])
    expect(screen.getByRole('img', { name: 'Total rate: in 2.0 KiB/s, out 512 B/s' })).toBeTruthy()
  })

  it('labels the time axis in seconds before the newest sample', () => {
    expect([agoText(0), agoText(5), agoText(30.2), agoText(60)]).toEqual(['now', '5 s ago', '30 s ago', '1 min ago'])
  })
})
