/**
 * Rows of the compare table's final numbers: one value per run, the best
 * marked by the row's direction. Each run kind builds its own rows
 * (run-kinds/<kind>/compare.ts) from these helpers.
 */
import type { Series } from './metrics'
import { fmtNumber } from './format'

/** A setting's value as text. */
export function show(v: unknown): string {
  // An empty list means something per setting (no hidden layers, default strides): its spec's help says what.
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'empty'
  if (v === null || v === undefined) return '—'
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

export type Better = 'lower' | 'higher' | 'one' | null

export interface MetricRow {
  key: string
  /** The run kind's compare group ('RL', 'VAE'), or 'Run' for rows every run has. */
  group: string
  label: string
  hint?: string
  values: (number | null)[]
  text: string[]
  better: Better
  /** Index of the best run (−1 when there is no ranking: fewer than two values, or no "better"). */
  best: number
}

/** The last `n` values of a series, averaged. */
export function meanOfLast(s: Series | undefined, n: number): number | null {
  if (!s || !s.values.length) return null
  const vs = s.values.slice(-n)
  return vs.reduce((a, b) => a + b, 0) / vs.length
}

export function minOf(s: Series | undefined): number | null {
  if (!s || !s.values.length) return null
  let m = Infinity
  for (const v of s.values) if (Number.isFinite(v) && v < m) m = v
  return m === Infinity ? null : m
}

function bestIndex(values: (number | null)[], better: Better): number {
  if (!better) return -1
  let best = -1
  let bestScore = Infinity
  let count = 0
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return
    count++
    const score = better === 'lower' ? v : better === 'higher' ? -v : Math.abs(v - 1)
    if (score < bestScore) {
      bestScore = score
      best = i
    }
  })
  return count >= 2 ? best : -1
}

export function row(key: string, group: string, label: string, values: (number | null)[], better: Better, fmt: (v: number) => string = (v) => fmtNumber(v), hint?: string): MetricRow {
  const text = values.map((v) => (v === null ? '—' : fmt(v)))
  let best = bestIndex(values, better)
  // A tie as shown is no win.
  if (best >= 0 && text.some((t, i) => i !== best && t === text[best])) best = -1
  return { key, group, label, hint, values, text, better, best }
}

