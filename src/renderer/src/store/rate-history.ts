/** A bounded series of rate samples (bytes per second in and out), oldest first. */
export interface RateSeries {
  /** Sample times, ms since the epoch (uPlot wants seconds: divide by 1000). */
  readonly t: number[]
  readonly in: number[]
  readonly out: number[]
}

/** A rate in both directions, bytes per second. */
export interface Rate {
  readonly in: number
  readonly out: number
}

/** The number of samples kept per series: one minute at 2 Hz. */
export const RATE_SAMPLES = 120
/** How often rates are sampled. */
export const RATE_SAMPLE_MS = 500

/** An empty series. */
export const EMPTY_SERIES: RateSeries = { t: [], in: [], out: [] }
/** No traffic. */
export const ZERO_RATE: Rate = Object.freeze({ in: 0, out: 0 })

/**
 * A fixed-size ring of samples: O(1) per push whatever its length, never grows. `series()` copies it out
 * once per change, so callers get a stable object to hand to React or a chart.
 */
export class RateRing {
  private readonly t: Float64Array
  private readonly rin: Float64Array
  private readonly rout: Float64Array
  private start = 0
  private size = 0
  private cached: RateSeries = EMPTY_SERIES
  private dirty = false

  constructor(readonly capacity = RATE_SAMPLES) {
    this.t = new Float64Array(capacity)
    this.rin = new Float64Array(capacity)
    this.rout = new Float64Array(capacity)
  }

  /** Adds a sample, dropping the oldest when full. */
  push(at: number, rateIn: number, rateOut: number): void {
    const i = (this.start + this.size) % this.capacity
    this.t[i] = at
    this.rin[i] = rateIn
    this.rout[i] = rateOut
    if (this.size < this.capacity) this.size++
    else this.start = (this.start + 1) % this.capacity
    this.dirty = true
  }

  /** The number of samples held. */
  get length(): number {
    return this.size
  }

  /** The newest sample's rate, or zero. */
  last(): Rate {
    if (this.size === 0) return ZERO_RATE
    const i = (this.start + this.size - 1) % this.capacity
    return { in: this.rin[i], out: this.rout[i] }
  }

  /** The samples, oldest first (the same object until the next push). */
  series(): RateSeries {
    if (!this.dirty) return this.cached
    const t: number[] = new Array(this.size)
    const a: number[] = new Array(this.size)
    const b: number[] = new Array(this.size)
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % this.capacity
      t[k] = this.t[i]
      a[k] = this.rin[i]
      b[k] = this.rout[i]
    }
    this.cached = { t, in: a, out: b }
    this.dirty = false
    return this.cached
  }
}

/** Counters read at the previous sample, to turn absolute counters into a rate. */
export interface CounterBaseline {
  at: number
  bytesIn: number
  bytesOut: number
}

/** Bytes per second between a baseline and the current counters; never negative. */
export function rateSince(base: CounterBaseline, at: number, bytesIn: number, bytesOut: number): Rate {
  const dt = (at - base.at) / 1000
  if (dt <= 0) return ZERO_RATE
  return { in: Math.max(0, (bytesIn - base.bytesIn) / dt), out: Math.max(0, (bytesOut - base.bytesOut) / dt) }
}
