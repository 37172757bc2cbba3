/**
 * The renderer's VAE helpers: decoding runs.results (base64 float32), shared
 * colour ranges, and comparing runs (settings that differ, final numbers with
 * the best marked, series re-keyed per run by epoch).
 */
import { describe, expect, test } from 'vitest'
import type { RunConfig, RunSummary } from '../../src/shared/api'
import { configRows, metricRows, overlayBuffer, sameImage, stepsPerEpoch } from '../../src/renderer/src/lib/compare'
import { MetricsBuffer } from '../../src/renderer/src/lib/metrics'
import { bounds2d, decodeFloat32, pairRange, parseVaeResults, aucVerdict } from '../../src/renderer/src/lib/vae'

const b64 = (a: number[]): string => Buffer.from(new Float32Array(a).buffer).toString('base64')

function run(id: number, over: Partial<RunConfig> & { latest?: Record<string, number> } = {}): RunSummary {
  const { latest, ...cfg } = over
  const vae = (cfg.algo ?? 'vae') === 'vae'
  const config: RunConfig = {
    env: vae ? 'jets' : 'catch',
    algo: 'vae',
    seed: 1,
    episodes: 2,
    backend: 'auto',
    target: null,
    checkpoint_every: 100,
    replay_every: 10,
    params: vae ? { beta: 1, epochs: 2, seed: 1, batch_size: 16 } : { lr: 0.001 },
    env_params: {},
    track: null,
    data: vae ? { path: '/d/jets.h5', channels: null } : null,
    name: `run ${id}`,
    ...cfg,
  }
  return {
    id,
    name: config.name,
    env: config.env,
    algo: config.algo,
    seed: config.seed,
    backend: 'wasm',
    status: 'completed',
    statusReason: null,
    config,
    createdAt: id,
    startedAt: 1000,
    endedAt: 5000,
    episodesDone: config.episodes,
    envSteps: 0,
    gradSteps: 0,
    latest: latest ?? {},
    modelEpisode: null,
    backendSkipped: [],
  }
}

describe('results decoding', () => {
  test('base64 little-endian float32 round-trips', () => {
    expect(Array.from(decodeFloat32(b64([1, -2.5, 3e-8])))).toEqual([1, -2.5, new Float32Array([3e-8])[0]])
    expect(() => decodeFloat32(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(/not float32/)
  })

  test('parseVaeResults checks lengths and decodes every array', () => {
    const img = Array.from({ length: 2 * 2 * 3 }, (_, i) => i)
    const raw = {
      n: 2,
      pixelMse: 0.1,
      baselinePixelMse: 0.2,
      energyRatio: [0.9, 1, 1.1],
      channels: ['Track', 'ECAL', 'HCAL'],
      imageShape: [2, 2, 3],
      w1Reco: { mass: 1, pt: 2 },
      w1Prior: { mass: 3, pt: 4 },
      latentAuc: null,
      latent: { pca: b64([0, 1, 2, 3]), pcaExplained: [0.6, 0.3], umap: null, labels: b64([0, 1]) },
      examples: { count: 1, original: b64(img), reconstructed: b64(img) },
      samples: { count: 1, images: b64(img) },
    }
    const r = parseVaeResults(raw)
    expect(r.latentAuc).toBeNull()
    expect(r.latent.umap).toBeNull()
    expect(Array.from(r.latent.labels)).toEqual([0, 1])
    expect(r.examples.original[11]).toBe(11)
    expect(() => parseVaeResults({ ...raw, examples: { count: 2, original: b64(img), reconstructed: b64(img) } })).toThrow(/shorter/)
    expect(() => parseVaeResults({ ...raw, imageShape: [2, 2] })).toThrow(/imageShape/)
    // Per-channel MSE: absent in older runs (no rows then), kept when there is one number per channel.
    expect(r.pixelMseByChannel).toEqual([])
    const withChannels = parseVaeResults({ ...raw, pixelMseByChannel: [0.2, 0.05, 0.05], baselinePixelMseByChannel: [0.3, 0.2, 0.1] })
    expect(withChannels.pixelMseByChannel).toEqual([0.2, 0.05, 0.05])
    expect(withChannels.baselinePixelMseByChannel).toEqual([0.3, 0.2, 0.1])
    expect(parseVaeResults({ ...raw, pixelMseByChannel: [0.2, 0.05] }).pixelMseByChannel).toEqual([])
  })

  test('a pair shares one range; in log scale its bottom is the original’s smallest deposit', () => {
    const original = [0, 0.01, 0.5]
    const reco = [1e-6, 0.02, 2]
    const lin = pairRange([original, reco], original, 'linear', 1, 0)!
    expect([lin.min, lin.max]).toEqual([0, 2])
    const log = pairRange([original, reco], original, 'log', 1, 0)!
    expect(log.min).toBe(0.01)
    expect(log.max).toBe(2)
    expect(pairRange([[0, 0]], null, 'log', 1, 0)).toBeNull()
    expect(bounds2d(new Float32Array([0, 0, 10, 20]), 0)).toEqual({ x0: 0, x1: 10, y0: 0, y1: 20 })
  })
})

describe('comparing runs', () => {
  test('settings that differ; a VAE’s own epochs/seed params are not listed twice', () => {
    const rows = configRows([run(1), run(2, { params: { beta: 0.5, epochs: 2, seed: 1, batch_size: 16 } })])
    const diff = rows.filter((r) => r.differs).map((r) => r.key)
    expect(diff).toEqual(['params.beta'])
    expect(rows.map((r) => r.key)).toContain('data.path')
    expect(rows.map((r) => r.key)).not.toContain('params.epochs')
    expect(rows.map((r) => r.key)).not.toContain('replay_every')
    const mixed = configRows([run(1), run(3, { algo: 'dqn', env: 'catch', data: null })])
    expect(mixed.find((r) => r.key === 'data.path')!.values).toEqual(['/d/jets.h5', '—'])
    expect(mixed.find((r) => r.key === 'replay_every')!.values).toEqual(['—', '10'])
  })

  test('final numbers: best marked by direction, ties as shown are no win, RL rows only with RL runs', () => {
    const a = run(1, { latest: { mse: 0.01, baseline_pixel_mse: 0.02, latent_auc: 0.7, energy_ratio_ECAL: 0.8, w1_mass: 5, mse_ratio_Track: 0.97, mse_ratio_HCAL: 0.2 } })
    const b = run(2, { latest: { mse: 0.03, baseline_pixel_mse: 0.02, latent_auc: 0.6, energy_ratio_ECAL: 1.1, w1_mass: 5, mse_ratio_Track: 0.99 } })
    const rows = metricRows([a, b], [undefined, undefined])
    const get = (k: string) => rows.find((r) => r.key === k)!
    expect(get('mse').best).toBe(0)
    expect(get('latent_auc').best).toBe(0)
    expect(get('energy_ratio_ECAL').best).toBe(1) // closer to 1
    expect(get('w1_mass').best).toBe(-1) // a tie
    expect(get('mse_ratio').text).toEqual(['0.500×', '1.500×'])
    // Per channel: a row for each channel any run has, lower is better, absent values as a dash.
    expect(get('mse_ratio_Track').label).toBe('MSE ÷ baseline · Track')
    expect(get('mse_ratio_Track').best).toBe(0)
    expect(get('mse_ratio_HCAL').text).toEqual(['0.200×', '—'])
    // Raw-unit numbers name their units (the charts' MSE is in standardised units, a different scale).
    expect(['mse', 'baseline_pixel_mse'].map((k) => get(k).label)).toEqual(['MSE per pixel (GeV²)', 'Mean-image baseline (GeV²)'])
    for (const k of ['w1_mass', 'w1_pt', 'w1_prior_mass', 'w1_prior_pt']) expect(get(k).label).toMatch(/^W1 .* \(GeV\)$/)
    expect(rows.some((r) => r.group === 'RL')).toBe(false)
    const c = run(3, { algo: 'dqn', env: 'catch', data: null, latest: { win_rate: 0.4, return: 1 } })
    const buf = new MetricsBuffer()
    buf.add([1, -1, 1, 1].map((v, i) => ({ key: 'return', step: i + 1, value: v, time: 0 })))
    const mixed = metricRows([a, c], [undefined, buf])
    expect(mixed.find((r) => r.key === 'win_rate')!.text).toEqual(['—', '40.0%'])
    expect(mixed.find((r) => r.key === 'mean_return')!.values[1]).toBe(0.5)
    expect(mixed.find((r) => r.key === 'latent_auc')!.text[1]).toBe('—')
  })

  test('VAE series are re-keyed per run and placed by epoch', () => {
    const buf = new MetricsBuffer()
    const pts = (key: string, steps: number[], values: number[]) => steps.map((step, i) => ({ key, step, value: values[i], time: 0 }))
    buf.add([...pts('train_loss', [1, 2, 3, 4, 5, 6], [9, 8, 7, 6, 5, 4]), ...pts('epoch', [3, 6], [1, 2]), ...pts('val_loss', [3, 6], [7.5, 4.5])])
    expect(stepsPerEpoch(buf)).toBe(3)
    const r = run(7)
    const out = overlayBuffer([r], [buf], ['val_loss', 'train_loss'])
    expect(out.series.get('val_loss@7')).toEqual({ steps: [1, 2], values: [7.5, 4.5] })
    expect(out.series.get('train_loss@7')!.steps).toEqual([0.333, 0.667, 1, 1.333, 1.667, 2])
    expect(sameImage([1, 2], [1, 2])).toBe(true)
    expect(sameImage([1, 2], [1, 3])).toBe(false)
  })
})

test('aucVerdict claims a separation only when the 95 % interval clears ½', () => {
  const at = (lo: number, hi: number) => aucVerdict({ latentAuc: (lo + hi) / 2, latentAucInterval: { lo, hi, quarks: 100, gluons: 90 } })
  expect(at(0.55, 0.7)).toMatchObject({ text: 'separates the classes', tone: 'good' })
  expect(at(0.55, 0.7).detail).toContain('190 held-out jets (100 quark, 90 gluon)')
  expect(at(0.45, 0.7)).toMatchObject({ text: 'no clear separation: the interval includes 0.5', tone: '' })
  expect(at(0.2, 0.4)).toMatchObject({ text: 'separates the classes (inverted)', tone: 'good' })
  expect(aucVerdict({ latentAuc: 0.8, latentAucInterval: null }).tone).toBe('')
  expect(aucVerdict({ latentAuc: null, latentAucInterval: null }).text).toBe('needs both classes')
})
