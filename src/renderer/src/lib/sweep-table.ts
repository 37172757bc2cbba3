/** The sweep page's table of configurations as CSV (sorting is the app's tableSort). */
import type { SweepValue } from '../../../core/sweep'
import type { SweepConfigRow, SweepSummary } from '../../../shared/sweeps'

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
