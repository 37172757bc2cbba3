/** Comparing generative runs (a VAE on jets): the data they read, and physics metrics on held-out jets. */
import type { RunSummary } from '../../../../shared/api'
import { minOf, row, show, type MetricRow } from '../../lib/compare-rows'
import { fmtNumber } from '../../lib/format'
import type { MetricsBuffer } from '../../lib/metrics'

const GROUP = 'VAE'

export function generativeConfigEntries(run: Pick<RunSummary, 'config'>): Record<string, string> {
  const data = run.config.data
  return { 'data.path': data?.path ?? '—', ...(data?.channels ? { 'data.channels': show(data.channels) } : {}) }
}

export function generativeCompareRows(runs: readonly RunSummary[], buffers: readonly (MetricsBuffer | undefined)[], mine: (i: number) => boolean): MetricRow[] {
  const latest = (i: number, key: string): number | null => {
    const v = runs[i].latest[key]
    return v === undefined || !Number.isFinite(v) ? null : v
  }
  const only = (f: (i: number) => number | null): (number | null)[] => runs.map((_, i) => (mine(i) ? f(i) : null))
  const rows: MetricRow[] = [
    row('best_val_loss', GROUP, 'Best validation loss', only((i) => minOf(buffers[i]?.series.get('val_loss')) ?? latest(i, 'val_loss')), 'lower', undefined, 'Lowest validation loss per image over the epochs (its weights are the ones evaluated)'),
    row('mse', GROUP, 'MSE per pixel (GeV²)', only((i) => latest(i, 'mse')), 'lower', (v) => fmtNumber(v, 4), 'Reconstruction MSE per pixel on held-out jets, raw units'),
    row('baseline_pixel_mse', GROUP, 'Mean-image baseline (GeV²)', only((i) => latest(i, 'baseline_pixel_mse')), null, (v) => fmtNumber(v, 4), 'MSE per pixel of predicting every jet by the mean training image'),
    row(
      'mse_ratio',
      GROUP,
      'MSE ÷ baseline',
      only((i) => {
        const m = latest(i, 'mse')
        const b = latest(i, 'baseline_pixel_mse')
        return m !== null && b ? m / b : null
      }),
      'lower',
      (v) => `${v.toFixed(3)}×`,
      'Below 1: the model reconstructs better than the average jet',
    ),
  ]
  /** The per-channel metrics with this prefix that any of these runs has, in first-seen order: [key, channel] (['energy_ratio_Track', 'Track'], …). */
  const channelKeys = (prefix: string): [string, string][] => {
    const keys: string[] = []
    runs.forEach((r, i) => {
      if (mine(i)) for (const k of Object.keys(r.latest)) if (k.startsWith(prefix) && !keys.includes(k)) keys.push(k)
    })
    return keys.map((k) => [k, k.slice(prefix.length)])
  }
  for (const [k, channel] of channelKeys('mse_ratio_'))
    rows.push(row(k, GROUP, `MSE ÷ baseline · ${channel}`, only((i) => latest(i, k)), 'lower', (v) => `${v.toFixed(3)}×`, 'This channel\'s MSE per pixel over the mean image\'s there (1 = nothing learned in it)'))
  for (const [k, channel] of channelKeys('energy_ratio_')) rows.push(row(k, GROUP, `Energy ratio · ${channel}`, only((i) => latest(i, k)), 'one', (v) => fmtNumber(v, 3), 'Σ reconstructed / Σ original energy (1 = kept)'))
  rows.push(
    row('w1_mass', GROUP, 'W1 jet mass · reco (GeV)', only((i) => latest(i, 'w1_mass')), 'lower'),
    row('w1_pt', GROUP, 'W1 pT · reco (GeV)', only((i) => latest(i, 'w1_pt')), 'lower'),
    row('w1_prior_mass', GROUP, 'W1 jet mass · prior (GeV)', only((i) => latest(i, 'w1_prior_mass')), 'lower'),
    row('w1_prior_pt', GROUP, 'W1 pT · prior (GeV)', only((i) => latest(i, 'w1_prior_pt')), 'lower'),
    row('latent_auc', GROUP, 'Latent quark/gluon AUC', only((i) => latest(i, 'latent_auc')), 'higher', (v) => fmtNumber(v, 3), '0.5 = chance'),
  )
  return rows
}
