/**
 * VAE benchmarks (wired into bench/run.ts by the lead):
 *   vae_images_per_s                    reference VAE, batch 32, training images/s on selectBackend('auto')
 *   wasm_conv_backprop_filter_speedup   Conv2DBackpropFilter, wasm (ours) vs the cpu backend
 *   wasm_conv_backprop_input_speedup    Conv2DBackpropInput (conv2dTranspose), wasm: ours vs tfjs-wasm's own
 * Each is the median of several timed windows.
 *
 * vaeQualityBenches (slow: a whole default training run, up to QUALITY_BUDGET_S):
 *   vae_default_quality   the jets VAE with every setting at its default, on 1 024 generated jets
 *                         (`quarkade gen jets --n 1024`, seed 0), run seed 1: reconstruction MSE
 *                         against the mean image's, energy ratios, W1 of jet mass/pT (issue 12)
 */
import type * as TF from '@tensorflow/tfjs'
import { median, now, round, type BenchResult } from './util'
import type { BackendChoice } from '../src/shared/api'
import { loadavg } from 'node:os'

const WINDOWS = 5

/** Synthetic jet-like images (a Gaussian blob per channel), the same `count` images tiled. */
function blobs(count: number, S = 125, C = 3): Float32Array {
  const out = new Float32Array(count * S * S * C)
  for (let k = 0; k < count; k++) {
    const r0 = S / 2 + ((k * 7) % 5) - 2
    const c0 = S / 2 + ((k * 3) % 5) - 2
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++)
        for (let c = 0; c < C; c++) {
          const w = 2 + c + (k % 2) * 2
          out[((k * S + i) * S + j) * C + c] = 1e-2 * Math.exp(-((i - r0) ** 2 + (j - c0) ** 2) / (2 * w * w))
        }
  }
  return out
}

async function backpropInputSpeedup(): Promise<BenchResult> {
  const tf = await import('@tensorflow/tfjs')
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { nativeWasmConv2DBackpropInput } = await import('../src/core/nn/wasm-conv-grad')
  await selectBackend('wasm')
  // The reference VAE's middle decoder layer: 32×32×64 → 64×64×32, 4×4, stride 2, batch 8.
  const inputShape: [number, number, number, number] = [8, 64, 64, 32]
  const dy = tf.tensor4d(Float32Array.from({ length: 8 * 32 * 32 * 64 }, (_, i) => Math.sin(i)), [8, 32, 32, 64])
  const w = tf.tensor4d(Float32Array.from({ length: 4 * 4 * 32 * 64 }, (_, i) => Math.cos(i) / 64), [4, 4, 32, 64])
  const time = (f: () => TF.Tensor, reps: number): number => {
    f().dispose()
    const t0 = now()
    for (let i = 0; i < reps; i++) {
      const t = f()
      t.dataSync()
      t.dispose()
    }
    return (now() - t0) / reps
  }
  const ours: number[] = []
  const native: number[] = []
  for (let k = 0; k < WINDOWS; k++) {
    ours.push(time(() => tf.conv2dTranspose(dy, w, inputShape, 2, 'same'), 3))
    native.push(time(() => nativeWasmConv2DBackpropInput(dy, w, inputShape, 2, 'same'), 1))
  }
  tf.dispose([dy, w])
  const ratios = ours.map((o, k) => native[k] / o)
  return { value: round(median(ratios)), unit: '× (tfjs-wasm ms / ours ms)', ours_ms: round(median(ours)), native_ms: round(median(native)), input_shape: inputShape, runs: ratios.map((r) => round(r)) }
}

/** Training images/s of the reference VAE (batch 32) on the given backend (bench/gpu.ts asks for webgpu). */
export async function vaeImagesPerS(choice: BackendChoice): Promise<BenchResult> {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { VaeTrainer } = await import('../src/core/vae/train')
  const { VAE_PARAMS } = await import('../src/core/vae/params')
  const { defaults } = await import('../src/core/params')
  const backend = await selectBackend(choice)
  const L = 125 * 125 * 3
  const tile = blobs(32)
  // Large enough that no epoch (and so no validation pass) ends while timing.
  const size = 32 * 100_000
  const source = {
    size,
    async batch(_start: number, count: number) {
      const images = new Float32Array(count * L)
      for (let k = 0; k < count; k++) images.set(tile.subarray((k % 32) * L, ((k % 32) + 1) * L), k * L)
      return { images, y: new Float32Array(count) }
    },
  }
  const trainer = VaeTrainer.fromValues(source, { ...defaults(VAE_PARAMS), preset: 'reference', batch_size: 32, epochs: 1 })
  const it = trainer.train()
  const steps = async (n: number): Promise<number> => {
    const t0 = now()
    let images = 0
    for (let i = 0; i < n; i++) images += 32 * Number(!(await it.next()).done)
    return images / ((now() - t0) / 1000)
  }
  await steps(2) // warm-up (also fits the input transform)
  const runs: number[] = []
  for (let w = 0; w < WINDOWS; w++) runs.push(await steps(2))
  await it.return(undefined)
  trainer.dispose()
  return { value: round(median(runs)), unit: 'images/s', backend, batch_size: 32, preset: 'reference', runs: runs.map((r) => round(r)) }
}

export const vaeBenches: Record<string, () => Promise<BenchResult>> = {
  vae_images_per_s: () => vaeImagesPerS('auto'),

  async wasm_conv_backprop_filter_speedup() {
    const tf = await import('@tensorflow/tfjs')
    const { selectBackend } = await import('../src/main/trainer/backend')
    await selectBackend('wasm')
    // The reference VAE's first conv layer (128×128×3 → 64×64×32, 4×4, stride 2), batch 4:
    // the cpu backend needs seconds for it, so keep the batch small.
    const xShape: [number, number, number, number] = [4, 128, 128, 3]
    const filterShape: [number, number, number, number] = [4, 4, 3, 32]
    const x = Float32Array.from({ length: xShape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i))
    const dy = Float32Array.from({ length: 4 * 64 * 64 * 32 }, (_, i) => Math.cos(i))
    const time = async (backend: 'cpu' | 'wasm', reps: number): Promise<number> => {
      await tf.setBackend(backend)
      const xt = tf.tensor4d(x, xShape)
      const dyt = tf.tensor4d(dy, [4, 64, 64, 32])
      const once = (): void => {
        const g = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape } as never) as TF.Tensor
        g.dataSync()
        g.dispose()
      }
      once()
      const t0 = now()
      for (let i = 0; i < reps; i++) once()
      const ms = (now() - t0) / reps
      tf.dispose([xt, dyt])
      return ms
    }
    const cpuMs: number[] = []
    const wasmMs: number[] = []
    const ratios: number[] = []
    for (let w = 0; w < 3; w++) {
      const c = await time('cpu', 1)
      const m = await time('wasm', 10)
      cpuMs.push(c)
      wasmMs.push(m)
      ratios.push(c / m)
    }
    await tf.setBackend('wasm')
    return {
      value: round(median(ratios)),
      unit: '× (cpu ms / wasm ms)',
      cpu_ms: round(median(cpuMs)),
      wasm_ms: round(median(wasmMs)),
      x_shape: xShape,
      filter_shape: filterShape,
      runs: ratios.map((r) => round(r)),
    }
  },

  wasm_conv_backprop_input_speedup: backpropInputSpeedup,
}

/** Wall-clock budget of vae_default_quality's training (the goal: a default run reaches its quality within 10 minutes). */
const QUALITY_BUDGET_S = 600

/**
 * A default VAE run on generated jets: trains until its default epochs end or QUALITY_BUDGET_S
 * passes, then evaluates on the held-out jets. value = reconstruction MSE / the mean image's
 * (goal ≤ 0.5); energy ratios goal within 10 % of 1; w1_mass_reco goal well below w1_mass_prior.
 */
export async function vaeDefaultQuality(): Promise<BenchResult> {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { VaeTrainer } = await import('../src/core/vae/train')
  const { VAE_PARAMS } = await import('../src/core/vae/params')
  const { evaluateVae, mseRatioByChannel } = await import('../src/core/vae/results')
  const { memorySource, generatedJets } = await import('../src/core/vae/data')
  const { defaults } = await import('../src/core/params')
  const { jetsWorld } = await import('../src/core/jets/world')
  const backend = await selectBackend('auto')
  const L = 125 * 125 * 3
  const { images, y } = generatedJets(1024, 0)
  const params = { ...defaults(VAE_PARAMS), epochs: jetsWorld.defaultEpisodes, seed: 1 }
  const trainer = VaeTrainer.fromValues(memorySource(images, y, L), params)
  const load = loadavg()[0]
  const t0 = now()
  let budgetHit = false
  for await (const _ of trainer.train()) {
    if ((now() - t0) / 1000 > QUALITY_BUDGET_S) {
      budgetHit = true
      break
    }
  }
  trainer.restoreBestWeights()
  const trainS = (now() - t0) / 1000
  const r = await evaluateVae(trainer, { umap: false })
  const result: BenchResult = {
    value: round(r.pixelMse / r.baselinePixelMse),
    unit: '× mean-image MSE',
    mse: r.pixelMse,
    baseline_mse: r.baselinePixelMse,
    // Per channel (Track, ECAL, HCAL): where the reconstructions beat the mean image and where they do not.
    mse_ratio_by_channel: mseRatioByChannel(r).map((v) => round(v)),
    energy_ratio: r.energyRatio.map((e) => round(e)),
    w1_mass_reco: round(r.w1Reco.mass),
    w1_mass_prior: round(r.w1Prior.mass),
    w1_pt_reco: round(r.w1Reco.pt),
    w1_pt_prior: round(r.w1Prior.pt),
    held_out: r.n,
    epochs_done: trainer.history.length,
    steps: trainer.step,
    train_s: round(trainS),
    budget_hit: budgetHit,
    load_average: round(load),
    backend,
    params,
  }
  trainer.dispose()
  return result
}

/** Not in vaeBenches (bench/run.ts spreads that into every full run): `...vaeQualityBenches` there adds it. */
export const vaeQualityBenches: Record<string, () => Promise<BenchResult>> = {
  vae_default_quality: vaeDefaultQuality,
}
