/**
 * Comparing runs side by side: which settings differ, the final numbers each
 * run reached (each run kind's own rows, run-kinds/<kind>/compare.ts) with the
 * best one marked, and series re-keyed per run so that one chart can overlay them.
 */
import type { RunSummary } from '../../../shared/api'
import { listRunKindViews, runKindView, unitOf } from '../run-kinds'
import { row, type MetricRow } from './compare-rows'
import { runSettingSections } from './compare-settings'
import { fmtDuration, fmtNumber } from './format'
import { MetricsBuffer } from './metrics'

export type { Better, MetricRow } from './compare-rows'

/** A run's configuration as flat key → text (only the settings that mean something for its kind). */
export function flattenConfig(run: Pick<RunSummary, 'config' | 'algo' | 'env'>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const section of runSettingSections(run)) for (const r of section.rows) out[r.key] = r.value
  return out
}

export interface ConfigRow {
  key: string
  /** The setting's label from its spec (the key itself for run settings without one). */
  label: string
  /** One per run; '—' where a run has no such setting. */
  values: string[]
  /** Per run: the setting is recorded but did not act (e.g. a death penalty under the vanilla reward). */
  unused: boolean[]
  /** Why a setting is unused, where it is ("used when reward is death_tax, …"). */
  when?: string
  /** What the setting does, from its spec. */
  help?: string
  differs: boolean
}

/** Every setting of the runs, in a stable order (run settings first, then the world's, then hyper-parameters). */
export function configRows(runs: readonly Pick<RunSummary, 'config' | 'algo' | 'env'>[]): ConfigRow[] {
  const flats = runs.map(flattenConfig)
  const rowsOf = runs.map((r) => runSettingSections(r).flatMap((s) => s.rows))
  const keys: string[] = []
  for (const f of flats) for (const k of Object.keys(f)) if (!keys.includes(k)) keys.push(k)
  const rank = (k: string): number => (k.startsWith('params.') ? 2 : k.startsWith('env_params.') ? 1 : 0)
  keys.sort((a, b) => rank(a) - rank(b))
  return keys.map((key) => {
    const values = flats.map((f) => f[key] ?? '—')
    const settings = rowsOf.map((rows) => rows.find((r) => r.key === key))
    const described = settings.find((s) => s)
    return {
      key,
      label: described?.label ?? key,
      values,
      unused: settings.map((s) => !!s && !s.used),
      when: settings.find((s) => s?.when)?.when,
      help: described?.help,
      differs: values.some((v) => v !== values[0]),
    }
  })
}

/**
 * The numbers runs are compared by: progress and training time for every run,
 * then each run kind's own rows (blank for runs of other kinds). `buffers`
 * holds each run's metric series when loaded; otherwise latest values are used.
 */
export function metricRows(runs: readonly RunSummary[], buffers: readonly (MetricsBuffer | undefined)[]): MetricRow[] {
  const kinds = runs.map((r) => runKindView(r))
  const rows: MetricRow[] = []
  const duration = runs.map((r) => (r.startedAt && r.endedAt ? r.endedAt - r.startedAt : null))
  rows.push(row('done', 'Run', 'Progress', runs.map((r) => r.episodesDone), null, (v) => fmtNumber(v)))
  rows[0].text = runs.map((r) => `${r.episodesDone.toLocaleString('en-US')} / ${r.config.episodes.toLocaleString('en-US')} ${unitOf(r)}`)
  rows.push(row('duration', 'Run', 'Training time', duration, null, (v) => fmtDuration(v)))
  for (const kind of listRunKindViews()) {
    if (kinds.includes(kind)) rows.push(...kind.compareRows(runs, buffers, (i) => kinds[i] === kind))
  }
  return rows
}

/** Gradient steps per epoch of a VAE run, from its `epoch` series (step at the end of epoch k = k × steps per epoch). */
export function stepsPerEpoch(buf: MetricsBuffer | undefined): number | null {
  const s = buf?.series.get('epoch')
  if (!s || !s.steps.length) return null
  const i = s.steps.length - 1
  return s.values[i] > 0 ? s.steps[i] / s.values[i] : null
}

/**
 * A buffer whose keys are `${key}@${runId}`, re-indexed by `x`: for VAE runs
 * epoch-end values at their epoch, per-batch values at fractional epochs;
 * for RL runs by episode, as recorded. (Charts smooth what they draw: MetricChart.)
 */
export function overlayBuffer(runs: readonly RunSummary[], buffers: readonly (MetricsBuffer | undefined)[], keys: readonly string[]): MetricsBuffer {
  const out = new MetricsBuffer()
  runs.forEach((run, r) => {
    const buf = buffers[r]
    if (!buf) return
    // Runs that count epochs record per-batch steps: placed by epoch.
    const dataset = unitOf(run) === 'epochs'
    const spe = dataset ? stepsPerEpoch(buf) : 1
    const epochAt = new Map<number, number>()
    const ep = buf.series.get('epoch')
    if (ep) ep.steps.forEach((st, k) => epochAt.set(st, ep.values[k]))
    for (const key of keys) {
      const s = buf.series.get(key)
      if (!s) continue
      const points: { key: string; step: number; value: number; time: number }[] = []
      const values = s.values
      for (let k = 0; k < s.steps.length; k++) {
        let x: number | undefined = s.steps[k]
        if (dataset) x = epochAt.get(s.steps[k]) ?? (spe ? Math.round((s.steps[k] / spe) * 1000) / 1000 : undefined)
        if (x === undefined || !Number.isFinite(values[k])) continue
        points.push({ key: `${key}@${run.id}`, step: x, value: values[k], time: 0 })
      }
      out.add(points)
    }
  })
  return out
}

/** Whether two images are the same (the runs held out the same jets). */
export function sameImage(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
