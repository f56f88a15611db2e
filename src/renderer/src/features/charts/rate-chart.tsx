import { useMemo } from 'react'
import type { ReactElement } from 'react'
import type { AlignedData, Options } from 'uplot'
import { formatRate } from '@shared/byte-format'
import { UPlotChart } from './uplot-chart'

/** Rates over time: `t` in seconds since the epoch, `in`/`out` in bytes per second. */
export interface RateSeries {
  t: number[]
  in: number[]
  out: number[]
}

const AXIS = { stroke: '#94a3b8', grid: { stroke: 'rgba(148,163,184,0.2)', width: 1 }, ticks: { stroke: 'rgba(148,163,184,0.3)', width: 1 } }

/** Total bytes per second in and out, with time and rate axes and a legend. */
export function RateChart({ series, height = 160 }: { series: RateSeries; height?: number }): ReactElement {
  const options = useMemo<Omit<Options, 'width' | 'height'>>(
    () => ({
      legend: { show: true, live: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1024, max)] } },
      axes: [
        { ...AXIS, space: 70, values: (_u, splits) => splits.map((v) => new Date(v * 1000).toLocaleTimeString([], { hour12: false })) },
        { ...AXIS, size: 80, values: (_u, splits) => splits.map((v) => formatRate(v)) }
      ],
      series: [
        {},
        { label: 'in', stroke: '#0284c7', fill: 'rgba(2,132,199,0.12)', width: 1.5, points: { show: false }, value: (_u, v) => (v === null ? '–' : formatRate(v)) },
        { label: 'out', stroke: '#d97706', fill: 'rgba(217,119,6,0.12)', width: 1.5, points: { show: false }, value: (_u, v) => (v === null ? '–' : formatRate(v)) }
      ]
    }),
    []
  )
  const data = useMemo<AlignedData>(() => [series.t, series.in, series.out], [series])
  const n = series.t.length
  const label = n > 0 ? `Total rate: in ${formatRate(series.in[n - 1])}, out ${formatRate(series.out[n - 1])}` : 'Total rate: no data yet'
  return <UPlotChart options={options} data={data} height={height} label={label} className="text-slate-600 dark:text-slate-300" />
}
