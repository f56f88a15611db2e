import { useMemo } from 'react'
import type { ReactElement } from 'react'
import type { AlignedData, Options } from 'uplot'
import { UPlotChart } from './uplot-chart'

/** Props of a sparkline. */
export interface SparklineProps {
  values: number[]
  width?: number
  height?: number
  /** Stroke colour (CSS). */
  color?: string
  /** Accessible description; defaults to the last value. */
  label?: string
}

/** A tiny line of recent values: no axes, no legend, fixed size. */
export function Sparkline({ values, width = 80, height = 20, color = '#0284c7', label }: SparklineProps): ReactElement {
  const options = useMemo<Omit<Options, 'width' | 'height'>>(
    () => ({
      padding: [2, 0, 2, 0],
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: color, fill: `${color}33`, width: 1, points: { show: false } }]
    }),
    [color]
  )
  const data = useMemo<AlignedData>(() => [values.map((_, i) => i), values], [values])
  const last = values.length > 0 ? values[values.length - 1] : 0
  return (
    <UPlotChart
      options={options}
      data={data}
      width={width}
      height={height}
      label={label ?? `Recent values, latest ${last}`}
    />
  )
}
