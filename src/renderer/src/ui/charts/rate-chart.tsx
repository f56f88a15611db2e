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

/** How much time the x axis always spans, in seconds (the store keeps one minute). */
export const RATE_WINDOW_S = 60

const IN_COLOUR = '#0284c7'
const OUT_COLOUR = '#d97706'
const AXIS = {
  stroke: '#94a3b8',
  grid: { stroke: 'rgba(148,163,184,0.2)', width: 1 },
  ticks: { stroke: 'rgba(148,163,184,0.3)', width: 1 }
}

/** `now`, `15 s ago`, `1 min ago`: an x tick as the time before the newest sample. */
export function agoText(seconds: number): string {
  const s = Math.round(seconds)
  if (s <= 0) return 'now'
  return s % 60 === 0 ? `${s / 60} min ago` : `${s} s ago`
}

/**
 * The samples of the last RATE_WINDOW_S seconds, x as seconds before the newest (0 = now). Older
 * samples (a gap while the page was hidden) would stretch the axis past "last minute".
 */
export function lastWindow(series: RateSeries): [number[], number[], number[]] {
  const newest = series.t.length > 0 ? series.t[series.t.length - 1] : 0
  let from = 0
  while (from < series.t.length && series.t[from] - newest < -RATE_WINDOW_S) from++
  return [series.t.slice(from).map((t) => t - newest), series.in.slice(from), series.out.slice(from)]
}

/**
 * Total bytes per second in and out over the last minute. The x axis reads in seconds before the newest
 * sample with whole-second steps, so a few seconds of data never repeat a label; the legend above the
 * plot shows the current values (uPlot's own legend would read "--" until the pointer is on the plot).
 */
export function RateChart({ series, height = 160 }: { series: RateSeries; height?: number }): ReactElement {
  const options = useMemo<Omit<Options, 'width' | 'height'>>(
    () => ({
      legend: { show: false },
      cursor: { y: false, points: { show: false } },
      scales: {
        // x is seconds relative to the newest sample (0 = now), so ticks fall on whole "s ago" values.
        // Exactly the last minute, whatever the ring holds: the caption says "last minute".
        x: { time: false, range: () => [-RATE_WINDOW_S, 0] },
        y: { range: (_u, _min, max) => [0, Math.max(1024, max * 1.1)] }
      },
      axes: [
        {
          ...AXIS,
          space: 60,
          incrs: [1, 2, 5, 10, 15, 20, 30, 60],
          values: (_u, splits) => splits.map((v) => agoText(-v))
        },
        { ...AXIS, size: 78, space: 30, values: (_u, splits) => splits.map((v) => formatRate(v)) }
      ],
      series: [
        {},
        { label: 'in', stroke: IN_COLOUR, fill: 'rgba(2,132,199,0.12)', width: 1.5, points: { show: false } },
        { label: 'out', stroke: OUT_COLOUR, fill: 'rgba(217,119,6,0.12)', width: 1.5, points: { show: false } }
      ]
    }),
    []
  )
  const data = useMemo<AlignedData>(() => lastWindow(series), [series])
  const n = series.t.length
  const now = n > 0 ? { in: series.in[n - 1], out: series.out[n - 1] } : null
  const label = now ? `Total rate: in ${formatRate(now.in)}, out ${formatRate(now.out)}` : 'Total rate: no data yet'
  return (
    <figure className="flex min-w-0 flex-col gap-1">
      <figcaption aria-hidden="true" className="flex items-center gap-4 text-xs text-slate-600 dark:text-slate-300">
        <span className="font-semibold">Total rate</span>
        <LegendItem colour={IN_COLOUR} name="in" value={now ? formatRate(now.in) : 'no data yet'} />
        <LegendItem colour={OUT_COLOUR} name="out" value={now ? formatRate(now.out) : 'no data yet'} />
        <span className="ml-auto text-slate-400 dark:text-slate-500">last minute, sampled twice a second</span>
      </figcaption>
      <UPlotChart
        options={options}
        data={data}
        height={height}
        label={label}
        className="text-slate-600 dark:text-slate-300"
      />
    </figure>
  )
}

function LegendItem({ colour, name, value }: { colour: string; name: string; value: string }): ReactElement {
  return (
    <span className="inline-flex items-center gap-1.5">
      <span aria-hidden="true" className="inline-block h-0.5 w-3 rounded" style={{ background: colour }} />
      {name}
      <span className="font-mono tabular-nums text-slate-900 dark:text-slate-100">{value}</span>
    </span>
  )
}
