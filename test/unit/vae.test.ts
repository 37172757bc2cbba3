import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { Rng } from '../../src/core/rng'
import { defaults, paramsSchema, type ParamValues } from '../../src/core/params'
import { VAE_PARAMS } from '../../src/core/vae/params'
import { VaeModel, latentSize, parameterCount, resolveArch, type VaeArch } from '../../src/core/vae/model'
import { FitStats, applyTransform, fetchImages, invertTransform, memorySource, type ImageSource } from '../../src/core/vae/data'
import { VaeTrainer, splitIndices, type VaeProgress } from '../../src/core/vae/train'
import { evaluateVae } from '../../src/core/vae/results'

const S = 125
const C = 3
const L = S * S * C

/**
 * Jet-like images: a main Gaussian blob near the centre plus 0–2 softer
 * satellites; the blob width per channel depends on the class (quark 0 narrow,
 * gluon 1 wide), amplitudes log-normal, values ~1e-3 like the CMS images.
 */
function syntheticJets(n: number, seed: number): { images: Float32Array; y: Float32Array } {
  const rng = new Rng(seed)
  const images = new Float32Array(n * L)
  const y = new Float32Array(n)
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random())
  for (let k = 0; k < n; k++) {
    const cls = rng.random() < 0.5 ? 0 : 1
    y[k] = cls
    const widths = cls === 0 ? [2, 3, 5] : [4, 6, 9]
    const amp = Math.exp(0.4 * gauss())
    const blobs = [{ r: S / 2 + 2 * gauss(), c: S / 2 + 2 * gauss(), a: amp, w: 1 }]
    const satellites = rng.int(0, 3)
    for (let s = 0; s < satellites; s++) blobs.push({ r: S / 2 + 12 * gauss(), c: S / 2 + 12 * gauss(), a: amp * (0.2 + 0.3 * rng.random()), w: 0.6 })
    for (const b of blobs)
      for (let ch = 0; ch < C; ch++) {
        const sw = widths[ch] * b.w
        const norm = (b.a / (2 * Math.PI * sw * sw)) * (ch === 0 ? 0.6 : 1)
        for (let i = Math.max(0, Math.floor(b.r - 4 * sw)); i <= Math.min(S - 1, Math.ceil(b.r + 4 * sw)); i++)
          for (let j = Math.max(0, Math.floor(b.c - 4 * sw)); j <= Math.min(S - 1, Math.ceil(b.c + 4 * sw)); j++)
            images[k * L + (i * S + j) * C + ch] += norm * Math.exp(-((i - b.r) ** 2 + (j - b.c) ** 2) / (2 * sw * sw))
      }
  }
  return { images, y }
}

/** The reference preset's code path with fewer filters, so a test trains in seconds. */
const SMALL: Partial<VaeArch> = { encoderFilters: [8, 16, 32], decoderFilters: [16, 8] }
const params = (over: ParamValues = {}): ParamValues => ({ ...defaults(VAE_PARAMS), ...over })

/** A source without `gather`, like a file read in contiguous runs. */
function contiguousOnly(src: ImageSource): ImageSource {
  return { size: src.size, batch: (start, count) => src.batch(start, count) }
}

async function drain(t: VaeTrainer, maxBatches = Infinity): Promise<VaeProgress[]> {
  const out: VaeProgress[] = []
  for await (const p of t.train()) {
    out.push(p)
    if (out.length >= maxBatches) break
  }
  return out
}

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

describe('VAE params and architecture', () => {
  it('VAE_PARAMS defaults validate', () => {
    const p = paramsSchema(VAE_PARAMS).parse({})
    expect(p).toMatchObject({ preset: 'points', beta: 1, energy_weight: 3e-3, lr: 1e-3, batch_size: 16, input_transform: 'per_channel_scale' })
  })

  it('presets resolve: reference 125→128→16×16×128, latent 32; points = reference + 3 point slots per channel; seed latent 1024', () => {
    const ref = resolveArch('reference')
    expect(ref).toMatchObject({ imageSize: 125, paddedSize: 128, encoderFilters: [32, 64, 128], decoderFilters: [64, 32], kernel: 4, latentDim: 32 })
    expect(latentSize(ref)).toBe(32)
    const points = resolveArch('points')
    expect(points).toMatchObject({ ...ref, pointsPerChannel: 3 })
    expect(latentSize(points)).toBe(32 + 3 * 3 * 3)
    expect(() => resolveArch('points', 0, { pointsPerChannel: 1.5 })).toThrow(/pointsPerChannel must be a whole number/)
    expect(resolveArch('reference', 16).latentDim).toBe(16)
    expect(resolveArch('seed')).toMatchObject({ encoderFilters: [32, 64], latentDim: 1024 })
    expect(parameterCount(resolveArch('seed'))).toBeGreaterThan(1e8)
    expect(() => resolveArch('reference', 0, { decoderFilters: [8] })).toThrow(/decoderFilters needs 2/)
  })

  it('points: each slot takes its channel\'s brightest hit not yet taken, z carries its pixel and energy, and the decoder draws it there', () => {
    const arch = resolveArch('points', 4, SMALL)
    const model = new VaeModel(arch, 0)
    // m = 0, s = 1, so the untrained convolutional decoder draws nothing and the output is the points alone.
    model.setNormalization(new Float32Array(L), new Float32Array(L).fill(1))
    const x = new Float32Array(L)
    const at = (row: number, col: number, ch: number): number => (row * S + col) * C + ch
    x[at(40, 70, 0)] = 50 // the leading Track hit
    x[at(41, 70, 0)] = 20 // a second Track hit in the next pixel
    x[at(80, 20, 1)] = 30 // an ECAL hit
    const { mu, decoded } = tf.tidy(() => {
      const m = model.encode(tf.tensor4d(x, [1, S, S, C])).mu
      return { mu: m.dataSync(), decoded: model.decode(m).dataSync() }
    })
    expect(mu).toHaveLength(latentSize(arch))
    // Slots after the 4 convolutional numbers, (row, column) scaled to [−1, 1] and asinh(energy); Track's first, then ECAL's.
    const slot = (k: number): number[] => {
      const [r, c, e] = mu.slice(4 + 3 * k, 7 + 3 * k)
      return [r * 62 + 62, c * 62 + 62, Math.sinh(e)]
    }
    const expectSlot = (k: number, row: number, col: number, energy: number): void => {
      const [r, c, e] = slot(k)
      expect(r).toBeCloseTo(row, 2)
      expect(c).toBeCloseTo(col, 2)
      expect(e).toBeCloseTo(energy, 1)
    }
    expectSlot(0, 40, 70, 50)
    expectSlot(1, 41, 70, 20)
    expectSlot(3, 80, 20, 30)
    for (const [row, col, ch] of [
      [40, 70, 0],
      [41, 70, 0],
      [80, 20, 1],
    ])
      expect(decoded[at(row, col, ch)]).toBeCloseTo(x[at(row, col, ch)], 1)
    // Off the hits the points add almost nothing (the empty slots spread their little energy thin).
    expect(Math.abs(decoded[at(10, 10, 0)])).toBeLessThan(0.05)
    model.dispose()
  })

  it('the seed preset with a smaller latent trains on the backend (the full size keeps its dense kernels in host memory: vae-host-kernel.test.ts)', async () => {
    const { images, y } = syntheticJets(16, 9)
    const t = VaeTrainer.fromValues(memorySource(images, y, L), params({ preset: 'seed', latent_dim: 8, batch_size: 8, epochs: 1 }))
    expect(t.arch).toMatchObject({ encoderFilters: [32, 64], kernel: 3, latentDim: 8 })
    const out = await drain(t)
    expect(out.every((p) => Number.isFinite(p.trainLoss))).toBe(true)
    expect(Number.isFinite(out[out.length - 1].valLoss)).toBe(true)
    t.dispose()
  })

  it('maps a batch of 125×125×3 images to 125×125×3 reconstructions; untrained it predicts the mean image', () => {
    const arch = resolveArch('reference', 4, SMALL)
    const m = new VaeModel(arch, 3)
    const mean = Float32Array.from({ length: L }, (_, i) => (i % 7) * 0.1)
    m.setNormalization(mean, new Float32Array(L).fill(2))
    tf.tidy(() => {
      const x = tf.randomUniform([2, S, S, C], 0, 1, 'float32', 1) as tf.Tensor4D
      const { mu, logvar } = m.encode(x)
      expect(mu.shape).toEqual([2, 4])
      expect(logvar.shape).toEqual([2, 4])
      const out = m.decode(mu)
      expect(out.shape).toEqual([2, S, S, C])
      const d = out.dataSync()
      for (let i = 0; i < 2 * L; i += 997) expect(d[i]).toBeCloseTo(mean[i % L], 5)
      // The energy term: Σ_c (Σ_pixels x̂_c − x_c)² per image (here x̂ = the mean image), mean over the batch.
      const xs = x.dataSync()
      let want = 0
      for (let k = 0; k < 2; k++)
        for (let c = 0; c < C; c++) {
          let sum = 0
          for (let i = c; i < L; i += C) sum += mean[i] - xs[k * L + i]
          want += sum * sum / 2
        }
      const parts = m.loss(x, tf.zeros([2, 4]) as tf.Tensor2D, 1, 0.5)
      expect(parts.energy.dataSync()[0] / want).toBeCloseTo(1, 3)
      expect(parts.loss.dataSync()[0]).toBeCloseTo(parts.recon.dataSync()[0] + 0.5 * parts.energy.dataSync()[0] + parts.kl.dataSync()[0], 0)
    })
    m.dispose()
  })
})

describe('VAE data', () => {
  it('splits positions into disjoint train/validation blocks, seeded', () => {
    const s = splitIndices(1000, 0.1, 32, 5)
    expect(s.train.length + s.val.length).toBe(1000)
    expect(new Set([...s.train, ...s.val]).size).toBe(1000)
    expect(s.val.length).toBeGreaterThan(0)
    // whole blocks of 32
    const valBlocks = new Set(s.val.map((i) => Math.floor(i / 32)))
    expect(s.train.some((i) => valBlocks.has(Math.floor(i / 32)))).toBe(false)
    expect(splitIndices(1000, 0.1, 32, 5)).toEqual(s)
    expect(splitIndices(1000, 0.1, 32, 6).val).not.toEqual(s.val)
  })

  it('transforms invert exactly; the per-channel scale is the RMS of each channel, scale the RMS of all', () => {
    const { images } = syntheticJets(6, 1)
    const stats = new FitStats(L, C)
    stats.add(images, 4) // "training split": the first 4 images only
    for (const kind of ['none', 'log1p', 'per_channel_scale', 'scale'] as const) {
      const t = stats.transform(kind)
      const back = invertTransform(t, applyTransform(t, images))
      for (let i = 0; i < images.length; i += 101) expect(back[i]).toBeCloseTo(images[i], 6)
    }
    const t = stats.transform('per_channel_scale')
    for (let c = 0; c < C; c++) {
      let s = 0
      for (let i = c; i < 4 * L; i += C) s += images[i] ** 2
      expect(t.scales[c]).toBeCloseTo(Math.sqrt(s / (4 * S * S)), 9)
    }
    const x = applyTransform(t, images.subarray(0, 4 * L))
    let sq = 0
    for (let i = 1; i < x.length; i += C) sq += x[i] ** 2
    expect(sq / (4 * S * S)).toBeCloseTo(1, 5)
    // One scale for every channel: the mean square over all values of the fitted images is 1.
    const g = stats.transform('scale')
    expect(new Set(g.scales).size).toBe(1)
    const xg = applyTransform(g, images.subarray(0, 4 * L))
    expect(xg.reduce((a, v) => a + v * v, 0) / xg.length).toBeCloseTo(1, 5)
  })

  it('reads scattered positions from a contiguous-only source', async () => {
    const { images, y } = syntheticJets(10, 2)
    const src = contiguousOnly(memorySource(images, y, L))
    const got = await fetchImages(src, [7, 2, 3, 4, 9], L)
    expect(Array.from(got.y)).toEqual([7, 2, 3, 4, 9].map((i) => y[i]))
    expect(got.images.subarray(L, 2 * L)).toEqual(images.subarray(2 * L, 3 * L))
  })
})

describe('VAE training', () => {
  it('learns: validation loss falls clearly below predicting the mean image (125×125×3, wasm)', async () => {
    const { images, y } = syntheticJets(320, 1)
    const t = VaeTrainer.fromValues(
      memorySource(images, y, L),
      // energy_weight pinned: the ratio below is val loss (which includes the energy term) over the
      // mean image's squared error alone, so a larger default weight would move the bar, not the learning.
      params({ latent_dim: 8, batch_size: 8, lr: 2e-3, epochs: 6, early_stopping_patience: 0, seed: 0, energy_weight: 1e-4 }),
      { arch: SMALL },
    )
    const t0 = performance.now()
    const epochs = (await drain(t)).filter((p) => p.val)
    const seconds = (performance.now() - t0) / 1000
    const ratios = epochs.map((p) => p.val!.loss / p.val!.baselineRecon)
    console.log(`VAE learns: ${seconds.toFixed(1)} s, val loss / mean-image baseline per epoch: ${ratios.map((r) => r.toFixed(3)).join(' ')}`)
    expect(epochs).toHaveLength(6)
    expect(epochs[5].stop).toBe('epochs')
    // val loss = recon + energy_weight·energy + β·KL, so the latent code has to pay for itself.
    expect(Math.min(...ratios)).toBeLessThan(0.85)
    // The KL is in play (no posterior collapse) and the reconstructions carry information.
    expect(epochs[5].val!.kl).toBeGreaterThan(10)
    // After training the model holds the best-validation weights.
    const best = await t.evaluate(t.split.val)
    expect(best.loss / best.baselineRecon).toBeCloseTo(Math.min(...ratios), 6)
    const results = await evaluateVae(t, { maxImages: 64, umap: true, examples: 2, samples: 2 })
    expect(results.pixelMse).toBeLessThan(results.baselinePixelMse)
    // Per channel: the same errors split by channel (every channel has as many values), so they average to the whole.
    expect(results.pixelMseByChannel).toHaveLength(3)
    const meanOf = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length
    expect(meanOf(results.pixelMseByChannel)).toBeCloseTo(results.pixelMse, 12)
    expect(meanOf(results.baselinePixelMseByChannel)).toBeCloseTo(results.baselinePixelMse, 12)
    results.baselinePixelMseByChannel.forEach((v) => expect(v).toBeGreaterThan(0))
    results.energyRatio.forEach((r) => expect(r).toBeGreaterThan(0.5))
    expect(results.latentAuc).toBeGreaterThan(0.5)
    expect(results.latentAucInterval!.lo).toBeLessThan(results.latentAuc!)
    expect(results.latentAucInterval!.quarks + results.latentAucInterval!.gluons).toBe(results.n)
    expect(results.latent.pca).toHaveLength(2 * results.n)
    expect(results.latent.umap).toHaveLength(2 * results.n)
    expect(results.examples.count).toBe(2)
    expect(results.samples.images).toHaveLength(2 * L)
    expect(Number.isFinite(results.w1Reco.mass) && Number.isFinite(results.w1Prior.pt)).toBe(true)
    t.dispose()
  })

  it('is deterministic under a seed on the same backend, and the seed matters', async () => {
    const { images, y } = syntheticJets(48, 3)
    const run = async (seed: number, source = memorySource(images, y, L)): Promise<number[]> => {
      const t = VaeTrainer.fromValues(source, params({ latent_dim: 4, batch_size: 8, epochs: 2, seed }), { arch: SMALL })
      const losses = (await drain(t)).flatMap((p) => [p.trainLoss, p.valLoss ?? -1])
      t.dispose()
      return losses
    }
    const a = await run(11)
    expect(await run(11)).toEqual(a)
    expect(await run(12)).not.toEqual(a)
    // A contiguous-only source trains on whole blocks, also deterministically.
    const c = await run(11, contiguousOnly(memorySource(images, y, L)))
    expect(await run(11, contiguousOnly(memorySource(images, y, L)))).toEqual(c)
  })

  it('resumes exactly from a snapshot taken between batches', async () => {
    const { images, y } = syntheticJets(40, 4)
    const src = memorySource(images, y, L)
    const p = params({ latent_dim: 4, batch_size: 8, epochs: 3, seed: 2 })
    const straight = VaeTrainer.fromValues(src, p, { arch: SMALL })
    const all = (await drain(straight)).map((q) => [q.step, q.trainLoss, q.valLoss ?? null])
    straight.dispose()

    const first = VaeTrainer.fromValues(src, p, { arch: SMALL })
    const head = (await drain(first, 6)).map((q) => [q.step, q.trainLoss, q.valLoss ?? null]) // mid-epoch 2
    const snap = await first.snapshot()
    first.dispose()
    const resumed = await VaeTrainer.restore(src, snap)
    const tail = (await drain(resumed)).map((q) => [q.step, q.trainLoss, q.valLoss ?? null])
    expect([...head, ...tail]).toEqual(all)
    resumed.dispose()
  })

  it('saves and restores the weights as tfjs artifacts', async () => {
    const { images, y } = syntheticJets(24, 5)
    const t = VaeTrainer.fromValues(memorySource(images, y, L), params({ latent_dim: 4, batch_size: 8, epochs: 1 }), { arch: SMALL })
    await drain(t)
    const art = await t.artifacts()
    expect(art.format).toBe('quarkade-vae')
    expect(art.weightSpecs!.map((w) => w.name)).toContain('encoder/conv0/kernel')
    expect((art.userDefinedMetadata as { transform: { kind: string } }).transform.kind).toBe('per_channel_scale')
    const copy = VaeModel.fromArtifacts(art)
    const x = applyTransform(t.transform!, images.subarray(0, 2 * L))
    const [a, b] = tf.tidy(() => {
      const xt = tf.tensor4d(x, [2, S, S, C])
      return [t.model.decode(t.model.encode(xt).mu).dataSync(), copy.decode(copy.encode(xt).mu).dataSync()]
    })
    expect(Array.from(b)).toEqual(Array.from(a))
    copy.dispose()
    t.dispose()
  })
})
