/**
 * The sweep page's table of configurations: sorting (by a setting, the final
 * metric's mean or std, or runs landed) and its CSV export.
 */
import type { SweepValue } from '../../../core/sweep'
import type { SweepConfigRow, SweepSummary } from '../../../shared/sweeps'

/** A column: `#` (configuration), `mean`, `std`, `landed`, or `setting:<key>`. */
export type SweepSortKey = '#' | 'mean' | 'std' | 'landed' | `setting:${string}`

function compareValues(a: SweepValue | null | undefined, b: SweepValue | null | undefined): number {
  // Missing values (no run landed yet) sort last whichever way the column goes.
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), undefined, { numeric: true })
}

export function sortConfigRows(rows: readonly SweepConfigRow[], key: SweepSortKey, descending: boolean): SweepConfigRow[] {
  const value = (r: SweepConfigRow): SweepValue | null =>
    key === '#' ? r.index : key === 'mean' ? r.mean : key === 'std' ? r.std : key === 'landed' ? r.landed : (r.values[key.slice('setting:'.length)] ?? null)
  return [...rows].sort((a, b) => {
    const va = value(a)
    const vb = value(b)
    if (va == null || vb == null) return compareValues(va, vb) || a.index - b.index
    return (descending ? -1 : 1) * compareValues(va, vb) || a.index - b.index
  })
}

/** The swept settings, in the sweep's order. */
export function sweptKeys(sweep: SweepSummary): string[] {
  return sweep.spec.axes.map((a) => a.key)
}

function csvField(v: SweepValue | null | undefined | boolean): string {
  if (v == null) return ''
  const text = Array.isArray(v) ? v.join(',') : String(v)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One row per configuration: its settings, the metric's mean and std over seeds, runs landed of runs, best. */
export function configsCsv(sweep: SweepSummary, rows: readonly SweepConfigRow[]): string {
  const keys = sweptKeys(sweep)
  const m = sweep.spec.metric.key
  const header = ['config', ...keys, `${m}_mean`, `${m}_std`, 'runs_landed', 'runs', 'best']
  const lines = rows.map((r) => [r.index + 1, ...keys.map((k) => r.values[k]), r.mean, r.std, r.landed, r.runs, r.best].map(csvField).join(','))
  return [header.map(csvField).join(','), ...lines].join('\n') + '\n'
}
