/**
 * Per-run metric series kept outside Vue's deep reactivity (they can be long).
 * Each key is a pair of parallel arrays (step, value) in step order. When a
 * series grows past MAX_POINTS it is thinned to every other point, so memory
 * stays bounded on very long runs while the curve keeps its shape.
 */
import type { MetricPoint } from '../../../shared/api'

export const MAX_POINTS = 20_000

/**
 * Points per series to ask the host for: two (a bucket's min and max) per pixel
 * column of the widest chart this screen can show. The host thins longer series.
 */
export function chartPointBudget(): number {
  const px = typeof window === 'undefined' ? 2000 : Math.ceil(window.screen.width * (window.devicePixelRatio || 1))
  return Math.min(MAX_POINTS, Math.max(1000, 2 * px))
}

export interface Series {
  steps: number[]
  values: number[]
}

export class MetricsBuffer {
  readonly series = new Map<string, Series>()

  add(points: readonly MetricPoint[]): void {
    for (const p of points) {
      let s = this.series.get(p.key)
      if (!s) {
        s = { steps: [], values: [] }
        this.series.set(p.key, s)
      }
      const last = s.steps.length ? s.steps[s.steps.length - 1] : -Infinity
      if (p.step > last) {
        s.steps.push(p.step)
        s.values.push(p.value)
      } else if (p.step === last) {
        s.values[s.values.length - 1] = p.value
      } else {
        // Out of order (rare: a fetch racing live events) — insert in place.
        const i = lowerBound(s.steps, p.step)
        if (s.steps[i] === p.step) s.values[i] = p.value
        else {
          s.steps.splice(i, 0, p.step)
          s.values.splice(i, 0, p.value)
        }
      }
      if (s.steps.length > MAX_POINTS) thin(s)
    }
  }

  count(key: string): number {
    return this.series.get(key)?.steps.length ?? 0
  }

  /**
   * uPlot-style aligned data for `keys`: [xs, ys1, ys2, ...], xs the union of
   * steps, null where a series has no value at that step.
   */
  aligned(keys: readonly string[]): [number[], ...(number | null)[][]] {
    const present = keys.map((k) => this.series.get(k))
    const stepSet = new Set<number>()
    for (const s of present) if (s) for (const x of s.steps) stepSet.add(x)
    const xs = [...stepSet].sort((a, b) => a - b)
    const index = new Map<number, number>()
    xs.forEach((x, i) => index.set(x, i))
    const ys = present.map((s) => {
      const col: (number | null)[] = new Array(xs.length).fill(null)
      if (s) for (let i = 0; i < s.steps.length; i++) col[index.get(s.steps[i])!] = s.values[i]
      return col
    })
    return [xs, ...ys]
  }
}

function lowerBound(arr: number[], x: number): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (arr[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

function thin(s: Series): void {
  const steps: number[] = []
  const values: number[] = []
  const n = s.steps.length
  for (let i = 0; i < n; i += 2) {
    steps.push(s.steps[i])
    values.push(s.values[i])
  }
  // Always keep the newest point.
  if ((n - 1) % 2 !== 0) {
    steps.push(s.steps[n - 1])
    values.push(s.values[n - 1])
  }
  s.steps = steps
  s.values = values
}

/**
 * TensorBoard's scalar smoothing: an exponential moving average with weight
 * `weight` in [0, 1), debiased so that the first points are not pulled toward
 * zero (the average is divided by 1 − weight^n after n finite values). Nulls
 * and non-finite values stay as they are and do not count.
 */
export function emaSmooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (!(weight > 0)) return [...values]
  const w = Math.min(weight, 0.999)
  let last = 0
  let n = 0
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v
    last = last * w + (1 - w) * v
    n++
    return last / (1 - Math.pow(w, n))
  })
}

/** The newest step any series of the buffer holds (0 when empty). */
export function lastStep(buf: MetricsBuffer | undefined): number {
  let last = 0
  for (const s of buf?.series.values() ?? []) if (s.steps.length) last = Math.max(last, s.steps[s.steps.length - 1])
  return last
}
