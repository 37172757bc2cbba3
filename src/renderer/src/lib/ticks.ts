/** Axis ticks for pictures of arrays (a slice heatmap's rows and columns) and for colour bars. */
import { ticks } from 'd3-array'

/** Round index ticks along an axis of n cells, each with where its cell's centre sits (0…1 from the start). */
export function indexTicks(n: number, count = 5): { index: number; at: number }[] {
  if (n < 1) return []
  if (n === 1) return [{ index: 0, at: 0.5 }]
  return ticks(0, n - 1, count)
    .filter((i) => Number.isInteger(i))
    .map((index) => ({ index, at: (index + 0.5) / n }))
}

/**
 * Numbers for a log colour bar from lo to hi (both > 0), low to high: the two ends exactly and, between,
 * values evenly spaced in log rounded to two significant digits, each with where it sits on the bar (0…1).
 */
export function logBarTicks(lo: number, hi: number, count = 4): { value: number; at: number }[] {
  if (!(lo > 0) || !(hi > lo)) return lo > 0 ? [{ value: lo, at: 0 }] : []
  const a = Math.log10(lo)
  const b = Math.log10(hi)
  const inner = Array.from({ length: Math.max(0, count - 2) }, (_, i) => Number((10 ** (a + ((b - a) * (i + 1)) / (count - 1))).toPrecision(2)))
  return [lo, ...inner, hi].map((value) => ({ value, at: (Math.log10(value) - a) / (b - a) }))
}
