/**
 * Comparing runs side by side: which settings differ, the final numbers each
 * run reached (physics metrics for VAE runs, win rate / return / greedy steps
 * for RL runs) with the best one marked, and series re-keyed per run so that
 * one chart can overlay them.
 */
import type { RunConfig, RunSummary } from '../../../shared/api'
import { fmtDuration, fmtNumber, fmtPercent } from './format'
import { MetricsBuffer, type Series } from './metrics'
import { isDatasetRun, VAE_RUN_OWNED_PARAMS } from './vae'

/** One colour per compared run (at most four). */
export const RUN_COLORS = ['#2dd4bf', '#f472b6', '#fbbf24', '#60a5fa'] as const

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(', ') : '[]'
  if (v === null || v === undefined) return '—'
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** A run's configuration as flat key → text (only the settings that mean something for its kind). */
export function flattenConfig(run: Pick<RunSummary, 'config' | 'algo'>): Record<string, string> {
  const c: RunConfig = run.config
  const dataset = isDatasetRun(run)
  const out: Record<string, string> = {
    env: c.env,
    algo: c.algo,
    seed: show(c.seed),
    [dataset ? 'epochs' : 'episodes']: show(c.episodes),
    backend: c.backend,
  }
  if (dataset) {
    out['data.path'] = c.data?.path ?? '—'
    if (c.data?.channels) out['data.channels'] = show(c.data.channels)
  } else {
    out.target = c.target ? `${c.target.metric} ≥ ${c.target.value}` : 'none'
    out.checkpoint_every = show(c.checkpoint_every)
    out.replay_every = show(c.replay_every)
  }
  if (c.track) out.track = c.track.name ?? '(custom)'
  for (const [k, v] of Object.entries(c.params ?? {})) {
    if (dataset && VAE_RUN_OWNED_PARAMS.includes(k)) continue
    out[`params.${k}`] = show(v)
  }
  for (const [k, v] of Object.entries(c.env_params ?? {})) out[`env_params.${k}`] = show(v)
  return out
}

export interface ConfigRow {
  key: string
  /** One per run; '—' where a run has no such setting. */
  values: string[]
  differs: boolean
}

/** Every setting of the runs, in a stable order (run settings first, then hyper-parameters). */
export function configRows(runs: readonly Pick<RunSummary, 'config' | 'algo'>[]): ConfigRow[] {
  const flats = runs.map(flattenConfig)
  const keys: string[] = []
  for (const f of flats) for (const k of Object.keys(f)) if (!keys.includes(k)) keys.push(k)
  const rank = (k: string): number => (k.startsWith('params.') ? 2 : k.startsWith('env_params.') ? 1 : 0)
  keys.sort((a, b) => rank(a) - rank(b))
  return keys.map((key) => {
    const values = flats.map((f) => f[key] ?? '—')
    return { key, values, differs: values.some((v) => v !== values[0]) }
  })
}

export type Better = 'lower' | 'higher' | 'one' | null

export interface MetricRow {
  key: string
  group: 'VAE' | 'RL' | 'Run'
  label: string
  hint?: string
  values: (number | null)[]
  text: string[]
  better: Better
  /** Index of the best run (−1 when there is no ranking: fewer than two values, or no "better"). */
  best: number
}

/** The last `n` values of a series, averaged. */
function meanOfLast(s: Series | undefined, n: number): number | null {
  if (!s || !s.values.length) return null
  const vs = s.values.slice(-n)
  return vs.reduce((a, b) => a + b, 0) / vs.length
}

function minOf(s: Series | undefined): number | null {
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

function row(key: string, group: MetricRow['group'], label: string, values: (number | null)[], better: Better, fmt: (v: number) => string = (v) => fmtNumber(v), hint?: string): MetricRow {
  const text = values.map((v) => (v === null ? '—' : fmt(v)))
  let best = bestIndex(values, better)
  // A tie as shown is no win.
  if (best >= 0 && text.some((t, i) => i !== best && t === text[best])) best = -1
  return { key, group, label, hint, values, text, better, best }
}

/**
 * The numbers runs are compared by. `buffers` holds each run's metric series
 * when loaded (for the best validation loss and mean return); otherwise the
 * run's latest values are used.
 */
export function metricRows(runs: readonly RunSummary[], buffers: readonly (MetricsBuffer | undefined)[]): MetricRow[] {
  const vae = runs.map(isDatasetRun)
  const anyVae = vae.some(Boolean)
  const anyRl = vae.some((v) => !v)
  const latest = (i: number, key: string): number | null => {
    const v = runs[i].latest[key]
    return v === undefined || !Number.isFinite(v) ? null : v
  }
  const only = (kind: boolean, f: (i: number) => number | null): (number | null)[] => runs.map((_, i) => (vae[i] === kind ? f(i) : null))
  const rows: MetricRow[] = []
  const duration = runs.map((r) => (r.startedAt && r.endedAt ? r.endedAt - r.startedAt : null))
  rows.push(row('done', 'Run', 'Progress', runs.map((r) => r.episodesDone), null, (v) => fmtNumber(v)))
  rows[0].text = runs.map((r) => `${r.episodesDone.toLocaleString('en-US')} / ${r.config.episodes.toLocaleString('en-US')} ${isDatasetRun(r) ? 'epochs' : 'episodes'}`)
  rows.push(row('duration', 'Run', 'Training time', duration, null, (v) => fmtDuration(v)))
  if (anyVae) {
    rows.push(
      row('best_val_loss', 'VAE', 'Best validation loss', only(true, (i) => minOf(buffers[i]?.series.get('val_loss')) ?? latest(i, 'val_loss')), 'lower', undefined, 'Lowest validation loss per image over the epochs (its weights are the ones evaluated)'),
      row('mse', 'VAE', 'MSE per pixel', only(true, (i) => latest(i, 'mse')), 'lower', (v) => fmtNumber(v, 4), 'Reconstruction MSE per pixel on held-out jets, raw units'),
      row('baseline_pixel_mse', 'VAE', 'Mean-image baseline', only(true, (i) => latest(i, 'baseline_pixel_mse')), null, (v) => fmtNumber(v, 4), 'MSE per pixel of predicting every jet by the mean training image'),
      row(
        'mse_ratio',
        'VAE',
        'MSE ÷ baseline',
        only(true, (i) => {
          const m = latest(i, 'mse')
          const b = latest(i, 'baseline_pixel_mse')
          return m !== null && b ? m / b : null
        }),
        'lower',
        (v) => `${v.toFixed(3)}×`,
        'Below 1: the model reconstructs better than the average jet',
      ),
    )
    const energyKeys: string[] = []
    for (const r of runs) for (const k of Object.keys(r.latest)) if (k.startsWith('energy_ratio_') && !energyKeys.includes(k)) energyKeys.push(k)
    for (const k of energyKeys) rows.push(row(k, 'VAE', `Energy ratio · ${k.slice('energy_ratio_'.length)}`, only(true, (i) => latest(i, k)), 'one', (v) => fmtNumber(v, 3), 'Σ reconstructed / Σ original energy (1 = kept)'))
    rows.push(
      row('w1_mass', 'VAE', 'W1 jet mass · reco', only(true, (i) => latest(i, 'w1_mass')), 'lower'),
      row('w1_pt', 'VAE', 'W1 pT · reco', only(true, (i) => latest(i, 'w1_pt')), 'lower'),
      row('w1_prior_mass', 'VAE', 'W1 jet mass · prior', only(true, (i) => latest(i, 'w1_prior_mass')), 'lower'),
      row('w1_prior_pt', 'VAE', 'W1 pT · prior', only(true, (i) => latest(i, 'w1_prior_pt')), 'lower'),
      row('latent_auc', 'VAE', 'Latent quark/gluon AUC', only(true, (i) => latest(i, 'latent_auc')), 'higher', (v) => fmtNumber(v, 3), '0.5 = chance'),
    )
  }
  if (anyRl) {
    rows.push(
      row('win_rate', 'RL', 'Win rate (last 100)', only(false, (i) => latest(i, 'win_rate')), 'higher', fmtPercent),
      row('mean_return', 'RL', 'Mean return (last 100)', only(false, (i) => meanOfLast(buffers[i]?.series.get('return'), 100) ?? latest(i, 'return')), 'higher'),
    )
    if (runs.some((r, i) => !vae[i] && r.latest.greedy_steps !== undefined)) {
      rows.push(row('greedy_steps', 'RL', 'Greedy steps to the goal', only(false, (i) => latest(i, 'greedy_steps')), 'lower', (v) => fmtNumber(v), 'Moves the greedy policy needs (Pixel Racer)'))
    }
    rows.push(row('loss', 'RL', 'Last loss', only(false, (i) => latest(i, 'loss')), null))
  }
  return rows
}

/** Moving average over `window` points (centred on the newest: a trailing mean). */
export function smooth(values: readonly number[], window: number): number[] {
  if (window <= 1) return [...values]
  const out: number[] = []
  let sum = 0
  for (let i = 0; i < values.length; i++) {
    sum += values[i]
    if (i >= window) sum -= values[i - window]
    out.push(sum / Math.min(i + 1, window))
  }
  return out
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
 * epoch-end values at their epoch, per-batch values at fractional epochs
 * (smoothed); for RL runs by episode, as recorded.
 */
export function overlayBuffer(runs: readonly RunSummary[], buffers: readonly (MetricsBuffer | undefined)[], keys: readonly string[], opts: { smoothKeys?: readonly string[] } = {}): MetricsBuffer {
  const out = new MetricsBuffer()
  runs.forEach((run, r) => {
    const buf = buffers[r]
    if (!buf) return
    const dataset = isDatasetRun(run)
    const spe = dataset ? stepsPerEpoch(buf) : 1
    const epochAt = new Map<number, number>()
    const ep = buf.series.get('epoch')
    if (ep) ep.steps.forEach((st, k) => epochAt.set(st, ep.values[k]))
    for (const key of keys) {
      const s = buf.series.get(key)
      if (!s) continue
      const points: { key: string; step: number; value: number; time: number }[] = []
      const values = opts.smoothKeys?.includes(key) ? smooth(s.values, Math.max(1, Math.round(s.values.length / 40))) : s.values
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
