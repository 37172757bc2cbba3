/**
 * Box plots across runs (the seed dashboard's "last N training points"): the
 * quartiles of each run's last N per-episode values, Tukey's whiskers (the
 * furthest values within 1.5 IQR of the box) and the values beyond them as
 * outliers. Quartiles interpolate linearly between order statistics (d3's
 * `quantileSorted`, R-7 — numpy's and pandas' default, as the seed's plotly).
 */
import { nice, quantileSorted, ticks } from 'd3-array'
import type { MetricPoint } from '../../../shared/api'

export interface BoxStats {
  n: number
  min: number
  q1: number
  median: number
  q3: number
  max: number
  mean: number
  /** The lowest value ≥ q1 − 1.5 IQR. */
  whiskerLow: number
  /** The highest value ≤ q3 + 1.5 IQR. */
  whiskerHigh: number
  /** Values outside the whiskers, ascending. */
  outliers: number[]
}

/** The box of a sample (non-finite values ignored); null when nothing is left. */
export function boxStats(values: Iterable<number>): BoxStats | null {
  const sorted = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  const n = sorted.length
  if (!n) return null
  const q1 = quantileSorted(sorted, 0.25)!
  const median = quantileSorted(sorted, 0.5)!
  const q3 = quantileSorted(sorted, 0.75)!
  const iqr = q3 - q1
  const lowFence = q1 - 1.5 * iqr
  const highFence = q3 + 1.5 * iqr
  const inside = sorted.filter((v) => v >= lowFence && v <= highFence)
  return {
    n,
    min: sorted[0],
    q1,
    median,
    q3,
    max: sorted[n - 1],
    mean: sorted.reduce((s, v) => s + v, 0) / n,
    // The quartiles lie inside the fences, so some value always does.
    whiskerLow: inside[0],
    whiskerHigh: inside[inside.length - 1],
    outliers: sorted.filter((v) => v < lowFence || v > highFence),
  }
}

/** The steps a run's last `n` episodes were recorded at (episode k is step k; `done` episodes so far). */
export function lastStepsRange(done: number, n: number): { fromStep: number; toStep: number } | null {
  if (done < 1 || n < 1) return null
  return { fromStep: Math.max(1, done - n + 1), toStep: done }
}

/** Values per key from a metrics answer, in step order, keeping the last `n` of each. */
export function lastValuesByKey(points: readonly MetricPoint[], keys: readonly string[], n: number): Map<string, number[]> {
  const out = new Map<string, { step: number; value: number }[]>(keys.map((k) => [k, []]))
  for (const p of points) out.get(p.key)?.push({ step: p.step, value: p.value })
  return new Map([...out].map(([k, list]) => [k, list.sort((a, b) => a.step - b.step).slice(-n).map((p) => p.value)]))
}

/** A shared value axis for several boxes: its range (padded, on round numbers) and tick values. */
export function boxAxis(boxes: readonly (BoxStats | null)[], count = 5): { lo: number; hi: number; ticks: number[] } | null {
  const present = boxes.filter((b): b is BoxStats => !!b)
  if (!present.length) return null
  let lo = Math.min(...present.map((b) => b.min))
  let hi = Math.max(...present.map((b) => b.max))
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1
    lo -= pad
    hi += pad
  }
  const [niceLo, niceHi] = nice(lo, hi, count)
  return { lo: niceLo, hi: niceHi, ticks: ticks(niceLo, niceHi, count) }
}

/** Parses the "last N" box: a whole number of episodes from 1 to 100 000, or a one-line problem. */
export function parseLastN(text: string, noun = 'episode'): { n: number } | { error: string } {
  const v = Number(text.trim())
  if (text.trim() === '' || !Number.isInteger(v) || v < 1 || v > 100_000) return { error: `N must be a whole number of ${noun}s from 1 to 100000` }
  return { n: v }
}
