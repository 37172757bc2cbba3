/**
 * Training a VAE on jet images, read top to bottom (CleanRL style):
 *
 *   1. split     image positions → train / validation, in blocks of batch_size
 *                (contiguous blocks keep an HDF5 source's reads sequential)
 *   2. fit       the input transform's constants and the mean image on up to
 *                FIT_IMAGES training images
 *   3. epochs    shuffle the training batches; for each: transform, draw ε from
 *                the seeded Rng, one Adam step on recon + β·KL; yield progress
 *   4. validate  after every epoch, with fixed ε (so epochs compare); keep the
 *                best weights; stop early after `early_stopping_patience` epochs
 *                without improvement; end with the best weights
 *
 * `VaeTrainer.train()` is an async generator yielding after every batch, so the
 * caller can pause (stop pulling), stop (return) or checkpoint (`snapshot()`)
 * between batches. Everything random comes from `seed`: the same seed on the
 * same backend gives the same losses.
 */
import * as tf from '@tensorflow/tfjs'
import { Rng, deriveSeed } from '../rng'
import type { ParamValues } from '../params'
import { VaeModel, imageLength, latentSize, resolveArch, type VaeArch, type WeightCopy } from './model'
import { adamDefaults, type AdamConfig } from './host-kernel'
import { FitStats, PixelStats, applyTransform, fetchImages, invertTransform, type ImageSource, type InputTransform } from './data'
import type { VaeParams } from './params'
import { concatBytes, restoreOptimizer, saveOptimizer, type OptimizerStateMeta } from '../nn/optimizer-state'
import { WasmAdam } from '../nn/wasm-optimizers'
import { take } from '../nn/read'

/** Training images the transform and the mean-image baseline are fitted on. */
export const FIT_IMAGES = 2048
/** Gradient clipping: at this multiple of the running average norm (EMA with this decay). */
const CLIP_FACTOR = 3
const CLIP_DECAY = 0.95
/** Seed stream of the validation noise (fixed across epochs). */
const VAL_STREAM = 0x7a1

export interface ValResult {
  /** recon + β·KL per image (transformed units). */
  loss: number
  recon: number
  kl: number
  /** recon per value: Σ squared error / (H·W·C). */
  mse: number
  /** Σ squared error per image of predicting the training mean image (KL 0): the bar a VAE must clear. */
  baselineRecon: number
  baselineMse: number
}

export interface VaeProgress {
  /** 0-based epoch this batch belongs to. */
  epoch: number
  /** 0-based batch within the epoch. */
  batch: number
  batchesPerEpoch: number
  /** Gradient steps so far (this one included). */
  step: number
  imagesSeen: number
  /** This batch's loss per image (recon + β·KL), its parts, and mse = recon / (H·W·C). */
  trainLoss: number
  trainRecon: number
  trainKl: number
  trainMse: number
  /** Images per second over this batch, reading included. */
  imagesPerS: number
  /** On an epoch's last batch: the epoch's mean training loss and the validation results. */
  epochTrainLoss?: number
  valLoss?: number
  val?: ValResult
  /** True when this epoch's validation loss is the best so far (its weights are kept). */
  best?: boolean
  /** Set on the last yield: why training ended. */
  stop?: 'epochs' | 'early_stopping'
}

export interface EpochSummary {
  epoch: number
  trainLoss: number
  val: ValResult
}

export interface Split {
  train: number[]
  val: number[]
}

/**
 * Validation = a seeded random choice of ⌈val_fraction · blocks⌉ blocks of
 * `block` consecutive images (at least one block, and at least one left to train on).
 */
export function splitIndices(size: number, valFraction: number, block: number, seed: number): Split {
  const nBlocks = Math.ceil(size / block)
  if (nBlocks < 2) throw new Error(`${size} images make only one batch of ${block}: need at least two to hold some out for validation`)
  const rng = new Rng(deriveSeed(seed, 0x5917))
  const order = shuffled(Array.from({ length: nBlocks }, (_, i) => i), rng)
  const nVal = Math.min(nBlocks - 1, Math.max(1, Math.round(valFraction * nBlocks)))
  const isVal = new Uint8Array(nBlocks)
  for (let k = 0; k < nVal; k++) isVal[order[k]] = 1
  const train: number[] = []
  const val: number[] = []
  for (let i = 0; i < size; i++) (isVal[Math.floor(i / block)] ? val : train).push(i)
  return { train, val }
}

function shuffled<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1)
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}

/** Standard normals (Box–Muller) from a seeded Rng. */
export function normals(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.random()
    const v = rng.random()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = r * Math.cos(2 * Math.PI * v)
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v)
  }
  return out
}

const chunk = (indices: readonly number[], size: number): number[][] =>
  Array.from({ length: Math.ceil(indices.length / size) }, (_, k) => indices.slice(k * size, (k + 1) * size))

/** A checkpoint blob's name for a host kernel's Adam moment (blobs become files: no slashes). */
const hostBlob = (kernel: string, moment: 'm' | 'v'): string => `host-${kernel.replaceAll('/', '-')}-${moment}.bin`

export interface VaeTrainerOptions {
  /** Architecture overrides on top of the preset (e.g. fewer filters for tests). */
  arch?: Partial<VaeArch>
  /** Keep the dense kernels in host memory (as the seed preset does on wasm), whatever their size. */
  hostKernels?: boolean
  /** Bytes of memory available to training (the trainer process passes os.freemem()). */
  availableMemory?: number
}

export class VaeTrainer {
  readonly arch: VaeArch
  readonly model: VaeModel
  readonly split: Split
  private readonly optimizer: tf.AdamOptimizer
  /** Adam for the model's host-memory kernels (if any): its settings and [β₁ᵗ, β₂ᵗ] of the next step. */
  private readonly hostAdam: AdamConfig
  private hostAccBeta: [number, number]
  private readonly rng: Rng
  private readonly L: number
  transform: InputTransform | null = null
  /** Mean training image, transformed units (the baseline's prediction). */
  meanImage: Float32Array | null = null
  private baseline: { recon: number } | null = null
  private gradNormAvg: number | null = null
  epoch = 0
  step = 0
  imagesSeen = 0
  private order: number[][] | null = null
  private pos = 0
  private sums = { loss: 0, n: 0 }
  best: { epoch: number; loss: number } | null = null
  private bestWeights: WeightCopy | null = null
  private sinceBest = 0
  stopped: 'epochs' | 'early_stopping' | null = null
  readonly history: EpochSummary[] = []

  constructor(
    readonly source: ImageSource,
    readonly params: VaeParams,
    options: VaeTrainerOptions = {},
  ) {
    const p = params
    this.arch = resolveArch(p.preset, p.latent_dim, options.arch)
    this.L = imageLength(this.arch)
    this.model = new VaeModel(this.arch, p.seed, { hostKernels: options.hostKernels, availableMemory: options.availableMemory })
    // tfjs's Adam, each weight tensor's update as one wasm loop (the same numbers; wasm-optimizers.ts).
    this.optimizer = new WasmAdam(p.lr, 0.9, 0.999)
    this.hostAdam = adamDefaults(p.lr)
    this.hostAccBeta = [this.hostAdam.beta1, this.hostAdam.beta2]
    this.rng = new Rng(deriveSeed(p.seed, 1))
    this.split = splitIndices(source.size, p.val_fraction, p.batch_size, p.seed)
  }

  static fromValues(source: ImageSource, values: ParamValues, options: VaeTrainerOptions = {}): VaeTrainer {
    return new VaeTrainer(source, values as unknown as VaeParams, options)
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.split.train.length / this.params.batch_size)
  }

  /**
   * Step 2: the transform's constants and the per-pixel mean/spread, from up to
   * FIT_IMAGES training images — runs of 64 spread evenly over the training
   * split (a file sorted by class still gives a fair sample; runs keep reads sequential).
   */
  async fit(): Promise<InputTransform> {
    if (this.transform) return this.transform
    const stats = new FitStats(this.L, this.arch.channels)
    const train = this.split.train
    const RUN = 64
    const runs = Math.ceil(Math.min(FIT_IMAGES, train.length) / RUN)
    const take: number[] = []
    for (let r = 0; r < runs; r++) {
      const start = Math.floor((r * train.length) / runs)
      take.push(...train.slice(start, Math.min(start + RUN, Math.floor(((r + 1) * train.length) / runs))))
    }
    // Pass 1: the transform's per-channel scales (raw images).
    if (this.params.input_transform !== 'none')
      for (const part of chunk(take, 256)) {
        const { images } = await fetchImages(this.source, part, this.L)
        stats.add(images, part.length)
      }
    const transform = stats.transform(this.params.input_transform)
    // Pass 2: per-pixel mean and spread of the transformed images.
    const pixels = new PixelStats(this.L)
    for (const part of chunk(take, 256)) {
      const { images } = await fetchImages(this.source, part, this.L)
      pixels.add(applyTransform(transform, images.subarray(0, part.length * this.L)), part.length)
    }
    const { mean, std } = pixels.result()
    this.transform = transform
    this.meanImage = mean
    this.model.setNormalization(mean, std)
    return this.transform
  }

  /** Step 3's shuffle: per image when the source can gather, else whole contiguous blocks. */
  private epochOrder(): number[][] {
    const B = this.params.batch_size
    if (this.source.gather) return chunk(shuffled([...this.split.train], this.rng), B)
    const blocks = new Map<number, number[]>()
    for (const i of this.split.train) {
      const b = Math.floor(i / B)
      if (!blocks.has(b)) blocks.set(b, [])
      blocks.get(b)!.push(i)
    }
    return shuffled([...blocks.values()], this.rng)
  }

  private toTensor(images: Float32Array, n: number): tf.Tensor4D {
    const a = this.arch
    return tf.tensor4d(applyTransform(this.transform!, images.subarray(0, n * this.L)), [n, a.imageSize, a.imageSize, a.channels])
  }

  /** β for the current step: ramps linearly from 0 over the first kl_warmup_epochs (KL annealing). */
  betaNow(): number {
    const p = this.params
    const warm = (p.kl_warmup_epochs ?? 0) * this.batchesPerEpoch
    return warm > 0 ? p.beta * Math.min(1, this.step / warm) : p.beta
  }

  /**
   * One Adam step on a batch of raw images; returns the per-image loss parts.
   * The gradient's global norm is clipped at CLIP_FACTOR × its running average:
   * jet images are heavy-tailed, and one odd batch can otherwise throw the
   * encoder's μ to hundreds and undo epochs of training in a single step.
   */
  private async gradientStep(images: Float32Array, n: number): Promise<{ loss: number; recon: number; kl: number; gradNorm: number }> {
    const beta = this.betaNow()
    const x = this.toTensor(images, n)
    const e = this.latentDraws(this.rng, n)
    let recon!: tf.Scalar
    let kl!: tf.Scalar
    const { value, grads } = tf.variableGrads(() => {
      const parts = this.model.loss(x, e, beta, this.params.energy_weight ?? 0)
      recon = tf.keep(parts.recon)
      kl = tf.keep(parts.kl)
      return parts.loss
    }, this.model.variables)
    // Chained adds, not addN: webgpu's AddN takes at most 7 inputs (see clipByGlobalNorm in agents/dqn.ts).
    const normT = tf.tidy(() => Object.values(grads).map((g) => tf.sum(tf.square(g))).reduce((a, b) => a.add(b)))
    const [l, r, k, g] = await Promise.all([value.data(), recon.data(), kl.data(), normT.data()])
    const host = this.model.hostKernels
    const norm = Math.sqrt(g[0] + host.reduce((s, h) => s + h.gradSquaredNorm(), 0))
    const limit = this.gradNormAvg === null ? Infinity : CLIP_FACTOR * this.gradNormAvg
    const scale = Number.isFinite(norm) && norm > limit ? limit / norm : 1
    const step = Object.entries(grads).map(([name, t]) => ({ name, tensor: scale < 1 ? tf.mul(t, scale) : t }))
    tf.tidy(() => this.optimizer.applyGradients(step))
    if (host.length) {
      for (const h of host) h.adamStep(this.hostAdam, this.hostAccBeta, scale)
      this.hostAccBeta = [this.hostAccBeta[0] * this.hostAdam.beta1, this.hostAccBeta[1] * this.hostAdam.beta2]
    }
    if (scale < 1) tf.dispose(step.map((s) => s.tensor))
    if (Number.isFinite(norm)) this.gradNormAvg = this.gradNormAvg === null ? norm : CLIP_DECAY * this.gradNormAvg + (1 - CLIP_DECAY) * Math.min(norm, limit)
    tf.dispose([x, e, value, recon, kl, normT, ...Object.values(grads)])
    return { loss: l[0], recon: r[0], kl: k[0], gradNorm: norm }
  }

  /** Steps 3–4. Yields after every batch; ends after `epochs` epochs or early stopping. */
  async *train(): AsyncGenerator<VaeProgress> {
    const p = this.params
    await this.fit()
    while (this.epoch < p.epochs && !this.stopped) {
      if (!this.order) {
        this.order = this.epochOrder()
        this.pos = 0
        this.sums = { loss: 0, n: 0 }
      }
      const t0 = performance.now()
      const indices = this.order[this.pos]
      const { images } = await fetchImages(this.source, indices, this.L)
      const r = await this.gradientStep(images, indices.length)
      if (!Number.isFinite(r.loss)) throw new Error(`the VAE loss became ${r.loss} at step ${this.step + 1} (try a smaller lr or another input_transform)`)
      this.step++
      this.imagesSeen += indices.length
      this.sums.loss += r.loss * indices.length
      this.sums.n += indices.length
      const progress: VaeProgress = {
        epoch: this.epoch,
        batch: this.pos,
        batchesPerEpoch: this.order.length,
        step: this.step,
        imagesSeen: this.imagesSeen,
        trainLoss: r.loss,
        trainRecon: r.recon,
        trainKl: r.kl,
        trainMse: r.recon / this.L,
        imagesPerS: 0,
      }
      progress.imagesPerS = indices.length / ((performance.now() - t0) / 1000)
      this.pos++
      if (this.pos >= this.order.length) Object.assign(progress, await this.endEpoch())
      yield progress
    }
    this.restoreBestWeights()
  }

  /** Step 4, after an epoch's last batch. */
  private async endEpoch(): Promise<Partial<VaeProgress>> {
    const p = this.params
    const val = await this.evaluate(this.split.val, this.baseline?.recon)
    this.baseline = { recon: val.baselineRecon }
    const trainLoss = this.sums.loss / Math.max(1, this.sums.n)
    this.history.push({ epoch: this.epoch, trainLoss, val })
    const best = !this.best || val.loss < this.best.loss
    if (best) {
      this.best = { epoch: this.epoch, loss: val.loss }
      tf.dispose(this.bestWeights?.tensors ?? [])
      this.bestWeights = this.model.cloneWeights()
      this.sinceBest = 0
    } else this.sinceBest++
    this.epoch++
    this.order = null
    this.pos = 0
    if (p.early_stopping_patience > 0 && this.sinceBest >= p.early_stopping_patience) this.stopped = 'early_stopping'
    else if (this.epoch >= p.epochs) this.stopped = 'epochs'
    if (this.stopped) this.restoreBestWeights()
    return { epochTrainLoss: trainLoss, valLoss: val.loss, val, best, ...(this.stopped ? { stop: this.stopped } : {}) }
  }

  /** Puts the best-validation weights back (training does this when it ends). */
  restoreBestWeights(): void {
    if (this.bestWeights) this.model.setWeights(this.bestWeights)
  }

  /**
   * Loss on a set of images with fixed noise (the same every call), and the
   * mean-image baseline on the same images (unless `knownBaseline` gives it).
   */
  async evaluate(indices: readonly number[], knownBaseline?: number): Promise<ValResult> {
    await this.fit()
    const rng = new Rng(deriveSeed(this.params.seed, VAL_STREAM))
    const mean = this.meanImage!
    let loss = 0
    let recon = 0
    let kl = 0
    let base = 0
    for (const part of chunk(indices, this.params.batch_size)) {
      const n = part.length
      const { images } = await fetchImages(this.source, part, this.L)
      const parts = tf.tidy(() => {
        const r = this.model.loss(this.toTensor(images, n), this.latentDraws(rng, n), this.params.beta, this.params.energy_weight ?? 0)
        return tf.stack([r.loss, r.recon, r.kl])
      })
      const v = await parts.data()
      parts.dispose()
      loss += v[0] * n
      recon += v[1] * n
      kl += v[2] * n
      if (knownBaseline === undefined) {
        const x = applyTransform(this.transform!, images.subarray(0, n * this.L))
        for (let k = 0; k < n; k++)
          for (let i = 0; i < this.L; i++) {
            const d = x[k * this.L + i] - mean[i]
            base += d * d
          }
      }
    }
    const N = Math.max(1, indices.length)
    const baselineRecon = knownBaseline ?? base / N
    return { loss: loss / N, recon: recon / N, kl: kl / N, mse: recon / N / this.L, baselineRecon, baselineMse: baselineRecon / this.L }
  }

  /** `n` draws from N(0, I) over the whole latent (the point slots' numbers included): [n, latentSize]. */
  private latentDraws(rng: Rng, n: number): tf.Tensor2D {
    const d = latentSize(this.arch)
    return tf.tensor2d(normals(rng, n * d), [n, d])
  }

  /** Posterior means μ(x) of raw images ([n × latentSize]). */
  encodeMeans(images: Float32Array, n: number): Promise<Float32Array> {
    return take(tf.tidy(() => this.model.encode(this.toTensor(images, n)).mu))
  }

  /** Reconstructions of raw images from their posterior means, in raw units. */
  async reconstruct(images: Float32Array, n: number): Promise<Float32Array> {
    const out = await take(tf.tidy(() => this.model.decode(this.model.encode(this.toTensor(images, n)).mu)))
    return invertTransform(this.transform!, out)
  }

  /** Decodes `n` draws z ~ N(0, I) (seeded) into raw-unit images. */
  async samplePrior(n: number, seed: number): Promise<Float32Array> {
    const out = await take(tf.tidy(() => this.model.decode(this.latentDraws(new Rng(seed), n))))
    return invertTransform(this.transform!, out)
  }

  /** The model (current weights) as tfjs artifacts, with the transform and params as metadata. */
  async artifacts(): Promise<tf.io.ModelArtifacts> {
    return this.model.artifacts({ transform: this.transform, params: this.params })
  }

  /** Everything training depends on, for an exact resume between any two batches. */
  async snapshot(): Promise<{ meta: Record<string, unknown>; blobs: Record<string, Uint8Array> }> {
    const model = await this.model.artifacts()
    const optimizer = await saveOptimizer(this.optimizer)
    const bestData = this.bestWeights ? [...(await Promise.all(this.bestWeights.tensors.map((w) => w.data() as Promise<Float32Array>))), ...this.bestWeights.host] : null
    const bytes = (d: Float32Array): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
    const hostMoments = Object.fromEntries(
      this.model.hostKernels.flatMap((h) => {
        const { m, v } = h.moments()
        return [
          [hostBlob(h.name, 'm'), bytes(m)],
          [hostBlob(h.name, 'v'), bytes(v)],
        ]
      }),
    )
    const order = this.order ?? []
    return {
      meta: {
        kind: 'vae',
        params: this.params,
        weightSpecs: model.weightSpecs,
        arch: this.arch,
        epoch: this.epoch,
        step: this.step,
        imagesSeen: this.imagesSeen,
        pos: this.pos,
        sums: this.sums,
        rng: this.rng.getState(),
        transform: this.transform,
        baseline: this.baseline,
        best: this.best,
        sinceBest: this.sinceBest,
        gradNormAvg: this.gradNormAvg,
        stopped: this.stopped,
        history: this.history,
        sourceSize: this.source.size,
        orderLengths: this.order ? order.map((b) => b.length) : null,
        optimizer: optimizer.meta,
        hostAccBeta: this.hostAccBeta,
        hostKernels: this.model.hostKernels.length > 0,
      },
      blobs: {
        'model.bin': new Uint8Array(model.weightData as ArrayBuffer),
        'optimizer.bin': optimizer.bytes,
        ...(bestData ? { 'best.bin': concatBytes(bestData.map(bytes)) } : {}),
        ...hostMoments,
        ...(this.meanImage ? { 'mean.bin': new Uint8Array(this.meanImage.slice().buffer) } : {}),
        'order.bin': new Uint8Array(Int32Array.from(order.flat()).buffer),
      },
    }
  }

  /** A trainer that continues exactly where `snap` was taken (same source, same backend). */
  static async restore(source: ImageSource, snap: { meta: Record<string, unknown>; blobs: Record<string, Uint8Array> }, options: Pick<VaeTrainerOptions, 'availableMemory'> = {}): Promise<VaeTrainer> {
    const m = snap.meta as {
      params: VaeParams
      weightSpecs: tf.io.WeightsManifestEntry[]
      arch: VaeArch
      epoch: number
      step: number
      imagesSeen: number
      pos: number
      sums: { loss: number; n: number }
      rng: number[]
      transform: InputTransform | null
      baseline: { recon: number } | null
      best: { epoch: number; loss: number } | null
      sinceBest: number
      gradNormAvg: number | null
      stopped: 'epochs' | 'early_stopping' | null
      history: EpochSummary[]
      sourceSize: number
      orderLengths: number[] | null
      optimizer: OptimizerStateMeta
      hostAccBeta?: [number, number]
      hostKernels?: boolean
    }
    if (source.size !== m.sourceSize) throw new Error(`the checkpoint was trained on ${m.sourceSize} images, this source has ${source.size}`)
    const t = new VaeTrainer(source, m.params, { arch: m.arch, hostKernels: m.hostKernels, ...options })
    const floats = (bytes: Uint8Array): Float32Array => new Float32Array(bytes.slice().buffer)
    const modelBytes = snap.blobs['model.bin']
    t.model.loadWeights({ weightSpecs: m.weightSpecs, weightData: modelBytes.slice().buffer })
    if (snap.blobs['best.bin']) {
      const all = floats(snap.blobs['best.bin'])
      let o = 0
      t.bestWeights = {
        tensors: t.model.variables.map((v) => tf.tensor(all.subarray(o, (o += v.size)), v.shape)),
        host: t.model.hostKernels.map((h) => all.slice(o, (o += h.size))),
      }
    }
    await restoreOptimizer(t.optimizer, m.optimizer, snap.blobs['optimizer.bin'])
    for (const h of t.model.hostKernels) {
      const mb = snap.blobs[hostBlob(h.name, 'm')]
      const vb = snap.blobs[hostBlob(h.name, 'v')]
      if (!mb || !vb) throw new Error(`the checkpoint has no Adam state for ${h.name}`)
      h.setMoments(floats(mb), floats(vb))
    }
    if (m.hostAccBeta) t.hostAccBeta = m.hostAccBeta
    t.rng.setState(m.rng)
    t.transform = m.transform
    t.meanImage = snap.blobs['mean.bin'] ? floats(snap.blobs['mean.bin']) : null
    t.baseline = m.baseline
    t.epoch = m.epoch
    t.step = m.step
    t.imagesSeen = m.imagesSeen
    t.pos = m.pos
    t.sums = m.sums
    t.best = m.best
    t.sinceBest = m.sinceBest
    t.gradNormAvg = m.gradNormAvg
    t.stopped = m.stopped
    t.history.push(...m.history)
    if (m.orderLengths) {
      const flat = Array.from(new Int32Array(snap.blobs['order.bin'].slice().buffer))
      let k = 0
      t.order = m.orderLengths.map((len) => flat.slice(k, (k += len)))
    }
    return t
  }

  dispose(): void {
    this.model.dispose()
    this.optimizer.dispose()
    tf.dispose(this.bestWeights?.tensors ?? [])
    this.bestWeights = null
  }
}


