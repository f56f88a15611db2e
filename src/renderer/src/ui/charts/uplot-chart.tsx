import { useEffect, useRef, useState } from 'react'
import type { ReactElement } from 'react'
import uPlot from 'uplot'
import type { AlignedData, Options } from 'uplot'
import 'uplot/dist/uPlot.min.css'

/** Props of the uPlot wrapper: options without a size, the data, and a fixed or container-tracking width. */
export interface UPlotChartProps {
  options: Omit<Options, 'width' | 'height'>
  data: AlignedData
  height: number
  /** A fixed width; without one the chart follows its container's width. */
  width?: number
  className?: string
  label: string
}

// uPlot needs a real canvas and matchMedia; jsdom and odd hosts have neither.
function canDraw(): boolean {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return false
  try {
    return document.createElement('canvas').getContext('2d') !== null
  } catch {
    return false
  }
}

/** A uPlot chart owned by React: created on mount, fed new data, resized with its box, destroyed on unmount. */
export function UPlotChart({ options, data, height, width, className, label }: UPlotChartProps): ReactElement {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const dataRef = useRef(data)
  dataRef.current = data
  const [failed, setFailed] = useState(false)

  // The chart is made once per options object; callers memoise their options.
  useEffect(() => {
    const el = box.current
    if (!el || !canDraw()) {
      setFailed(true)
      return
    }
    let chart: uPlot
    try {
      chart = new uPlot({ ...options, width: width ?? Math.max(50, el.clientWidth), height }, dataRef.current, el)
    } catch {
      setFailed(true)
      return
    }
    plot.current = chart
    let observer: ResizeObserver | undefined
    if (width === undefined && typeof ResizeObserver === 'function') {
      observer = new ResizeObserver((entries) => {
        const w = Math.floor(entries[0]?.contentRect.width ?? 0)
        if (w > 0 && w !== chart.width) chart.setSize({ width: w, height })
      })
      observer.observe(el)
    }
    return () => {
      observer?.disconnect()
      chart.destroy()
      plot.current = null
    }
  }, [options, height, width])

  useEffect(() => {
    plot.current?.setData(data)
  }, [data])

  return (
    <div
      ref={box}
      role="img"
      aria-label={label}
      className={className}
      // The legend (when shown) is laid out below the plot, so the box only sets a minimum height.
      style={{ width: width ?? '100%', minHeight: height, minWidth: 0 }}
      data-chart-fallback={failed ? 'true' : undefined}
    />
  )
}
