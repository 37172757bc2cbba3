/**
 * Runs' metrics as CSV — one row per recorded point: run, step, key, value —
 * read in windows of steps small enough that the host never thins them
 * (runs.metrics returns every point of a series up to `maxPoints`).
 */
import type { MetricPoint } from '../../../shared/api'

export const CSV_HEADER = 'run_id,run_name,step,key,value\n'
/** Steps per request: at most one point per step and key, so never over the host's 100 000-point cap. */
export const CSV_WINDOW_STEPS = 50_000
const MAX_POINTS = 100_000

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** CSV rows (no header) for one run's points, ordered by key then step. */
export function csvRows(run: { id: number; name: string }, points: readonly MetricPoint[]): string {
  const sorted = [...points].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.step - b.step))
  const name = csvField(run.name)
  let out = ''
  for (const p of sorted) out += `${run.id},${name},${p.step},${csvField(p.key)},${csvField(p.value)}\n`
  return out
}

export type MetricsFetch = (q: { id: number; fromStep: number; toStep: number; maxPoints: number }) => Promise<MetricPoint[]>

/**
 * The CSV of these runs' metrics as Blob parts (one per window, so a long run is
 * never one huge string). `lastStep` is each run's newest recorded step.
 */
export async function metricsCsvParts(runs: readonly { id: number; name: string; lastStep: number }[], fetch: MetricsFetch): Promise<string[]> {
  const parts = [CSV_HEADER]
  for (const run of runs) {
    for (let from = 0; from <= run.lastStep; from += CSV_WINDOW_STEPS) {
      const points = await fetch({ id: run.id, fromStep: from, toStep: from + CSV_WINDOW_STEPS - 1e-6, maxPoints: MAX_POINTS })
      if (points.length) parts.push(csvRows(run, points))
    }
  }
  return parts
}
