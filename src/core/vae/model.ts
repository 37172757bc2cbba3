/**
 * A convolutional variational autoencoder for jet images (N × 125 × 125 × 3,
 * channels last), read top to bottom:
 *
 *   encoder  x → asinh((x − m) / s) → zero-pad to P×P → [Conv k×k, stride 2, 'same', ReLU] × L
 *            → flatten → Dense → (μ, log σ²)     (2 × latentDim; log σ² softly bounded)
 *   sample   z = μ + σ·ε,  ε ~ N(0, I)                     (the reparameterisation)
 *   decoder  z → Dense, ReLU → reshape (P/2^L)² × F_L
 *            → [ConvTranspose k×k, stride 2, ReLU] × (L−1) → ConvTranspose to C (linear)
 *            → crop the padding off → d;  x̂ = m + s ⊙ d
 *
 * m and s are fixed (not trained) images — the per-pixel mean and spread of the
 * training images, set by the trainer before training. Jet images are sparse
 * and heavy-tailed (a few central pixels carry values ~100× the image's RMS):
 * fed raw, the encoder's activations swing wildly and the decoder must grow its
 * weights a hundredfold before it can draw a jet, and training sits on the
 * "predict the mean image" plateau. Standardised per pixel, both ends work on
 * O(1) numbers (asinh tames the rare pixels hundreds of σ out, e.g. a hit where
 * the training images were almost always empty); the last deconv starts at
 * zero, so the untrained VAE predicts exactly m — the baseline — and learns the
 * residual from there.
 *
 *   loss per image = Σ_pixels,channels (x̂ − x)²  +  λ_E · Σ_c (Σ_pixels x̂_c − x_c)²  +  β · KL(q(z|x) ‖ N(0, I))
 *   KL = −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j)
 *
 * The energy term (λ_E = energy_weight, default 3e-3): the squared error barely
 * sees the ≈ 14 500 nearly empty outer pixels, and a tiny systematic output
 * there added up to 1.6–2.6 × the true energy outside the jet core and 8–17 %
 * too much per channel in all (docs/benchmarks.md, issue 12); asking each
 * channel's total to match fixes that without changing the MSE. Much larger
 * weights let the term (the image totals vary by hundreds of units) swamp the
 * pixels and the latent collapses.
 *
 * Why a *sum* of squared errors: it is the Gaussian log-likelihood (unit
 * variance, up to constants), which is what makes β = 1 the ELBO. A per-pixel
 * *mean* divides the reconstruction term by 46 875 while the KL stays a sum
 * over latents — then the KL wins, the posterior collapses onto the prior, every
 * image decodes to the mean image and the latent space is one cluster (what
 * DeepFalcon's seed VAE showed). `mse` = recon / (H·W·C) is reported alongside.
 *
 * The network is run on its own variables with raw ops (no Layers API) and a
 * dense op with a hand-written gradient, which keeps wasm fast. Weights are
 * saved as tfjs artifacts (weightSpecs + weightData, topology = the arch JSON).
 * A model too big for the wasm heap (the seed preset) keeps its two dense
 * kernels in host memory instead (host-kernel.ts); everything else is the same.
 */
import * as tf from '@tensorflow/tfjs'
import { deriveSeed } from '../rng'
import { dense } from '../nn/dense'
import { registerWasmKernels } from '../nn/wasm-kernels'
import type { VaePresetName } from './params'
import { HostKernel, hostBytesPerKernel } from './host-kernel'

export interface VaeArch {
  /** Side of the (square) input images. */
  imageSize: number
  channels: number
  /** Side after zero-padding; must be divisible by 2^(encoder layers). */
  paddedSize: number
  encoderFilters: number[]
  /** Filters of the hidden ConvTranspose layers; one fewer than encoderFilters (the last one outputs `channels`). */
  decoderFilters: number[]
  kernel: number
  latentDim: number
  /**
   * Point slots per channel (0 or absent: none). Each slot is three more latent numbers — a position
   * (row, column) and an energy — found by the encoder with a spatial softmax and drawn by the decoder
   * as a point (a bilinear splat) on top of the convolutional decoder's image; see `encodePoints`.
   */
  pointsPerChannel?: number
}

export const VAE_ARCHS: Record<VaePresetName, VaeArch> = {
  reference: { imageSize: 125, channels: 3, paddedSize: 128, encoderFilters: [32, 64, 128], decoderFilters: [64, 32], kernel: 4, latentDim: 32 },
  // DeepFalcon's (Keras-tutorial style): Conv 32, 64 (3×3, stride 2) → Dense latent 1024.
  seed: { imageSize: 125, channels: 3, paddedSize: 128, encoderFilters: [32, 64], decoderFilters: [32], kernel: 3, latentDim: 1024 },
  // The reference VAE plus three point slots per channel: the leading hits, drawn in their own pixels.
  points: { imageSize: 125, channels: 3, paddedSize: 128, encoderFilters: [32, 64, 128], decoderFilters: [64, 32], kernel: 4, latentDim: 32, pointsPerChannel: 3 },
}

/** The preset's architecture with `latent_dim` (0 = keep) and any overrides applied. */
export function resolveArch(preset: VaePresetName, latentDim = 0, overrides: Partial<VaeArch> = {}): VaeArch {
  const base = VAE_ARCHS[preset]
  if (!base) throw new Error(`unknown VAE preset "${preset}" (known: ${Object.keys(VAE_ARCHS).join(', ')})`)
  const arch: VaeArch = { ...base, ...overrides, encoderFilters: [...(overrides.encoderFilters ?? base.encoderFilters)], decoderFilters: [...(overrides.decoderFilters ?? base.decoderFilters)] }
  if (latentDim > 0) arch.latentDim = latentDim
  validateArch(arch)
  return arch
}

export function validateArch(a: VaeArch): void {
  const L = a.encoderFilters.length
  if (L < 1) throw new Error('the VAE needs at least one encoder conv layer')
  if (a.decoderFilters.length !== L - 1) throw new Error(`decoderFilters needs ${L - 1} entries (one fewer than encoderFilters), got ${a.decoderFilters.length}`)
  if (a.paddedSize < a.imageSize) throw new Error(`paddedSize ${a.paddedSize} is smaller than imageSize ${a.imageSize}`)
  if (a.paddedSize % 2 ** L !== 0) throw new Error(`paddedSize ${a.paddedSize} is not divisible by 2^${L}`)
  if (a.latentDim < 1) throw new Error('latentDim must be at least 1')
  const k = a.pointsPerChannel ?? 0
  if (!Number.isInteger(k) || k < 0 || k > 16) throw new Error(`pointsPerChannel must be a whole number from 0 to 16, got ${k}`)
}

/** Point slots in all (pointsPerChannel × channels). */
export const pointSlots = (a: VaeArch): number => (a.pointsPerChannel ?? 0) * a.channels
/** Numbers per point slot in the latent: row, column, energy. */
const POINT_LATENTS = 3
/** Length of z: the convolutional decoder's latentDim, then three numbers per point slot. */
export const latentSize = (a: VaeArch): number => a.latentDim + POINT_LATENTS * pointSlots(a)

/** Side of the encoder's last feature map. */
export const bottleneckSize = (a: VaeArch): number => a.paddedSize / 2 ** a.encoderFilters.length
const padBefore = (a: VaeArch): number => Math.floor((a.paddedSize - a.imageSize) / 2)
export const imageLength = (a: VaeArch): number => a.imageSize * a.imageSize * a.channels

/** Names and shapes of all weights, in a fixed order (the artifacts' order). */
export function weightShapes(a: VaeArch): { name: string; shape: number[] }[] {
  const k = a.kernel
  const out: { name: string; shape: number[] }[] = []
  let cin = a.channels
  a.encoderFilters.forEach((f, i) => {
    out.push({ name: `encoder/conv${i}/kernel`, shape: [k, k, cin, f] }, { name: `encoder/conv${i}/bias`, shape: [f] })
    cin = f
  })
  const s = bottleneckSize(a)
  const flat = s * s * cin
  out.push({ name: 'encoder/dense/kernel', shape: [flat, 2 * a.latentDim] }, { name: 'encoder/dense/bias', shape: [2 * a.latentDim] })
  out.push({ name: 'decoder/dense/kernel', shape: [a.latentDim, flat] }, { name: 'decoder/dense/bias', shape: [flat] })
  const outs = [...a.decoderFilters, a.channels]
  outs.forEach((f, i) => {
    // conv2dTranspose filters are [k, k, outChannels, inChannels].
    out.push({ name: `decoder/deconv${i}/kernel`, shape: [k, k, f, cin] }, { name: `decoder/deconv${i}/bias`, shape: [f] })
    cin = f
  })
  const slots = pointSlots(a)
  if (slots > 0) {
    out.push(
      { name: 'points/conv0/kernel', shape: [3, 3, a.channels, POINT_FEATURES] },
      { name: 'points/conv0/bias', shape: [POINT_FEATURES] },
      { name: 'points/conv1/kernel', shape: [1, 1, POINT_FEATURES, slots] },
      { name: 'points/conv1/bias', shape: [slots] },
      { name: POINT_SHARPNESS, shape: [1] },
      { name: POINT_LOGVAR, shape: [slots, POINT_LATENTS] },
    )
  }
  out.push({ name: MEAN, shape: [a.imageSize, a.imageSize, a.channels] }, { name: STD, shape: [a.imageSize, a.imageSize, a.channels] })
  return out
}

/** Soft bounds of log σ² (σ from 0.007 to 2.7). */
const LOGVAR_MIN = -10
const LOGVAR_MAX = 2

/** Feature maps of the point finder's 3 × 3 convolution (a 1 × 1 one then gives each slot its logits). */
const POINT_FEATURES = 8
/**
 * The point finder's logits start as sharpness · asinh(x_c) (x in transformed units), so each slot
 * begins on its channel's brightest pixel not yet taken; 20 makes that softmax nearly one-hot (a
 * sharpness of 4 put the first slot on the leading Track pixel in 44 % of jets, 20 in 94 %: issue 12).
 */
const POINT_SHARPNESS = 'points/sharpness'
const POINT_SHARPNESS_INIT = 20
/**
 * log σ² of each slot's position and energy, learned, one per slot and number. It starts tiny (σ ≈
 * 0.06 pixels): a position noisy by pixels draws the point beside its hit, and the loss then teaches
 * the decoder to dim points instead of placing them.
 */
const POINT_LOGVAR = 'points/logvar'
const POINT_LOGVAR_INIT = -14
/**
 * A slot's logits are lowered by this × the earlier slots' softmax of its channel: far below any
 * sharpness · asinh(x) a hit gives, so the pixels they took are masked and each slot takes another hit.
 */
const POINT_TAKEN_PENALTY = 1e4

/** The fixed per-pixel standardisation (saved with the weights, never trained). */
const MEAN = 'norm/mean'
const STD = 'norm/std'
/** Weights that start at a constant rather than Glorot-uniform (besides the zeros named in the constructor). */
const CONSTANT_INIT: Record<string, number> = { [STD]: 1, [POINT_SHARPNESS]: POINT_SHARPNESS_INIT, [POINT_LOGVAR]: POINT_LOGVAR_INIT }
const FIXED = new Set([MEAN, STD])

/** Trainable parameters. */
export function parameterCount(a: VaeArch): number {
  return weightShapes(a)
    .filter((w) => !FIXED.has(w.name))
    .reduce((n, w) => n + w.shape.reduce((p, d) => p * d, 1), 0)
}

/**
 * Trainable weights the wasm backend can hold: weights, gradients, Adam's two
 * moments and XNNPACK's packed copies must fit its 4 GB heap with room for the
 * activations. Beyond this, the dense kernels move to host memory (HostKernel),
 * which is how the seed preset (≈ 201 M, almost all in its two dense layers) trains on wasm.
 */
export const WASM_MAX_PARAMETERS = 50_000_000

/** The dense kernels' names (the weights that can live in host memory). */
const DENSE_KERNELS = ['encoder/dense/kernel', 'decoder/dense/kernel']

/**
 * Which kernels a model keeps in host memory on this backend: none unless the
 * weights exceed what wasm holds (or `force`, which tests use at small sizes);
 * then the dense kernels. Throws, with the reason, when even the rest does not fit.
 */
export function hostKernelNames(a: VaeArch, backend = tf.getBackend(), force = false): string[] {
  const n = parameterCount(a)
  if (force) return DENSE_KERNELS
  if (backend !== 'wasm' || n <= WASM_MAX_PARAMETERS) return []
  const shapes = weightShapes(a)
  const onHeap = shapes.filter((w) => !FIXED.has(w.name) && !DENSE_KERNELS.includes(w.name)).reduce((s, w) => s + w.shape.reduce((p, d) => p * d, 1), 0)
  if (onHeap > WASM_MAX_PARAMETERS)
    throw new Error(
      `this VAE has ${(n / 1e6).toFixed(0)} M weights, ${(onHeap / 1e6).toFixed(0)} M of them outside its dense kernels; the wasm backend can train at most ${WASM_MAX_PARAMETERS / 1e6} M ` +
        `(weights, gradients and Adam's moments share its 4 GB memory). Use the node or node-gpu backend, fewer filters, or the reference preset.`,
    )
  return DENSE_KERNELS
}

/** Host memory (bytes) the model's host kernels need for weights, gradients and Adam's moments. */
export function hostMemoryBytes(a: VaeArch, backend = tf.getBackend(), force = false): number {
  const names = hostKernelNames(a, backend, force)
  return weightShapes(a)
    .filter((w) => names.includes(w.name))
    .reduce((s, w) => s + hostBytesPerKernel(w.shape[0] * w.shape[1]), 0)
}

export interface VaeLoss {
  /** recon + β·KL, mean over the batch (per image). */
  loss: tf.Scalar
  /** Σ squared error per image, mean over the batch. */
  recon: tf.Scalar
  /** KL per image, mean over the batch. */
  kl: tf.Scalar
  /** Σ_c (Σ_pixels x̂_c − x_c)² per image, mean over the batch. */
  energy: tf.Scalar
}

/** A copy of the trainable weights: tensors for the variables, arrays for the host kernels. */
export interface WeightCopy {
  tensors: tf.Tensor[]
  host: Float32Array[]
}

/**
 * Peak process memory of training with host kernels, as a multiple of hostMemoryBytes: the
 * best epoch's copy of the weights and a checkpoint's encoded copies come on top (the seed
 * preset's trainer peaked at 7.2 GB RSS through its first checkpoint, hostMemoryBytes 3.2 GB).
 */
export const HOST_PEAK_FACTOR = 2.5

export interface VaeModelOptions {
  /** Keep the dense kernels in host memory even where the backend could hold them. */
  hostKernels?: boolean
  /** Bytes of memory the machine has available (os.freemem()); host kernels that would not fit are refused up front. */
  availableMemory?: number
}

export class VaeModel {
  /** The trainable weights on the backend (what the tf optimizer updates). */
  readonly variables: tf.Variable[]
  /** Trainable kernels in host memory (empty unless the model is too big for wasm); the trainer steps them. */
  readonly hostKernels: HostKernel[]
  private readonly byName = new Map<string, tf.Variable>()
  private readonly hostByName = new Map<string, HostKernel>()

  constructor(
    readonly arch: VaeArch,
    seed: number,
    options: VaeModelOptions = {},
  ) {
    validateArch(arch)
    const hostNames = hostKernelNames(arch, tf.getBackend(), options.hostKernels)
    const need = HOST_PEAK_FACTOR * hostMemoryBytes(arch, tf.getBackend(), options.hostKernels)
    if (need > 0 && options.availableMemory !== undefined && need > options.availableMemory)
      throw new Error(
        `this VAE keeps ${(parameterCount(arch) / 1e6).toFixed(0)} M weights in host memory (too many for the wasm backend's 4 GB): training needs about ` +
          `${(need / 2 ** 30).toFixed(1)} GB and this machine has ${(options.availableMemory / 2 ** 30).toFixed(1)} GB available. Free memory, use a smaller latent_dim, or the reference preset.`,
      )
    registerWasmKernels()
    const lastKernel = `decoder/deconv${arch.decoderFilters.length}/kernel`
    const all: tf.Variable[] = []
    weightShapes(arch).forEach(({ name, shape }, i) => {
      if (hostNames.includes(name)) {
        const k = new HostKernel(name, shape[0], shape[1])
        k.initGlorot(deriveSeed(seed, i))
        this.hostByName.set(name, k)
        return
      }
      // The last deconv starts at zero, so the untrained decoder outputs exactly m; the point finder's
      // last conv too, so its logits start as the sharpness times the image (POINT_SHARPNESS).
      const zero = name.endsWith('/bias') || name === MEAN || name === lastKernel || name === 'points/conv1/kernel'
      const constant = CONSTANT_INIT[name] ?? (zero ? 0 : undefined)
      const init = constant !== undefined ? tf.fill(shape, constant) : tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) }).apply(shape)
      const v = tf.variable(init, !FIXED.has(name), `vae/${name}/${seed}/${variableCounter++}`)
      init.dispose()
      this.byName.set(name, v)
      all.push(v)
    })
    this.variables = all.filter((v) => v.trainable)
    this.hostKernels = [...this.hostByName.values()]
  }

  /** Sets the fixed per-pixel mean m and spread s ([S, S, C] each, transformed units). */
  setNormalization(mean: Float32Array, std: Float32Array): void {
    const a = this.arch
    const shape: [number, number, number] = [a.imageSize, a.imageSize, a.channels]
    tf.tidy(() => {
      this.w(MEAN).assign(tf.tensor3d(mean, shape))
      this.w(STD).assign(tf.tensor3d(std, shape))
    })
  }

  private w(name: string): tf.Variable {
    return this.byName.get(name)!
  }

  /** x·W + b of a dense layer, with W on the backend or in host memory. */
  private dense(layer: string, x: tf.Tensor2D): tf.Tensor2D {
    const bias = this.w(`${layer}/bias`) as tf.Tensor1D
    const host = this.hostByName.get(`${layer}/kernel`)
    return host ? tf.add(host.matMul(x), bias) : dense(x, this.w(`${layer}/kernel`) as tf.Tensor2D, bias)
  }

  /** A weight's values (a copy for variables, the live array for host kernels). */
  private async values(name: string): Promise<Float32Array> {
    return this.hostByName.get(name)?.value ?? ((await this.w(name).data()) as Float32Array)
  }

  /** q(z|x): μ and log σ², each [B, latentSize]. `x` is [B, S, S, C] in transformed units. */
  encode(x: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
    const u = tf.asinh(tf.div(tf.sub(x, this.w(MEAN)), this.w(STD))) as tf.Tensor4D
    const global = this.encodeGlobal(u)
    if (pointSlots(this.arch) === 0) return global
    const points = this.encodePoints(x, u)
    return { mu: tf.concat([global.mu, points.mu], 1), logvar: tf.concat([global.logvar, points.logvar], 1) }
  }

  /** The convolutional encoder: μ and log σ² of the first latentDim numbers of z, from the standardised image u. */
  private encodeGlobal(u: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
    const a = this.arch
    const before = padBefore(a)
    const after = a.paddedSize - a.imageSize - before
    let h: tf.Tensor4D = before + after > 0 ? tf.pad(u, [[0, 0], [before, after], [before, after], [0, 0]]) : u
    a.encoderFilters.forEach((_, i) => {
      h = tf.fused.conv2d({
        x: h,
        filter: this.w(`encoder/conv${i}/kernel`) as tf.Tensor4D,
        bias: this.w(`encoder/conv${i}/bias`),
        strides: 2,
        pad: 'same',
        activation: 'relu',
      })
    })
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D
    const out = this.dense('encoder/dense', flat)
    const [mu, raw] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D]
    // log σ² softly held in [LOGVAR_MIN, LOGVAR_MAX]: one odd image can otherwise
    // give log σ² ≈ 15, a z in the thousands and a loss spike that undoes training.
    const upper = tf.sub(LOGVAR_MAX, tf.softplus(tf.sub(LOGVAR_MAX, raw)))
    const logvar = tf.add(LOGVAR_MIN, tf.softplus(tf.sub(upper, LOGVAR_MIN))) as tf.Tensor2D
    return { mu, logvar }
  }

  /**
   * The point slots' posterior: for each channel, `pointsPerChannel` slots in turn take a spatial
   * softmax over the pixels of logits = a small conv net on u (3 × 3, ReLU, 1 × 1) + sharpness · asinh(x_c), lowered where
   * the channel's earlier slots already sit; μ is the softmax's mean position (scaled to [−1, 1]) and
   * asinh of the energy under it, log σ² a learned constant per slot. Why points: the strided conv
   * path cannot learn to carry single-pixel hits within a 10-minute run, whatever the latent — and
   * the leading hits are most of the squared error (docs/benchmarks.md, "VAE reconstructions with the
   * defaults").
   */
  private encodePoints(x: tf.Tensor4D, u: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
    const a = this.arch
    const B = x.shape[0]
    const S = a.imageSize
    const K = a.pointsPerChannel ?? 0
    const f = tf.relu(tf.conv2d(u, this.w('points/conv0/kernel') as tf.Tensor4D, 1, 'same').add(this.w('points/conv0/bias'))) as tf.Tensor4D
    const learned = tf.add(tf.conv2d(f, this.w('points/conv1/kernel') as tf.Tensor4D, 1, 'same'), this.w('points/conv1/bias'))
    // [B, S·S, P] → per slot [B, S·S]; slot k belongs to channel ⌊k / K⌋.
    const logits = tf.unstack(tf.reshape(learned, [B, S * S, a.channels * K]), 2) as tf.Tensor2D[]
    const channels = tf.unstack(tf.reshape(x, [B, S * S, a.channels]), 2) as tf.Tensor2D[]
    const sharpness = this.w(POINT_SHARPNESS)
    const coords = pixelCoordinates(S)
    const mus: tf.Tensor2D[] = []
    for (let c = 0; c < a.channels; c++) {
      const bright = tf.mul(tf.asinh(channels[c]), sharpness)
      let taken: tf.Tensor2D | null = null
      for (let k = 0; k < K; k++) {
        let l = tf.add(logits[c * K + k], bright) as tf.Tensor2D
        if (taken) l = tf.sub(l, tf.mul(taken, POINT_TAKEN_PENALTY))
        const p = tf.softmax(l) as tf.Tensor2D
        taken = taken ? (tf.add(taken, stopGradient(p)) as tf.Tensor2D) : stopGradient(p)
        const position = tf.div(tf.sub(tf.matMul(p, coords), (S - 1) / 2), (S - 1) / 2) // [B, 2]
        const energy = tf.asinh(tf.sum(tf.mul(p, channels[c]), 1, true)) // [B, 1]
        mus.push(tf.concat([position, energy], 1) as tf.Tensor2D)
      }
    }
    const mu = tf.reshape(tf.stack(mus, 1), [B, -1]) as tf.Tensor2D
    const logvar = tf.tile(tf.reshape(this.w(POINT_LOGVAR), [1, -1]), [B, 1]) as tf.Tensor2D
    return { mu, logvar }
  }

  /** p(x|z): the mean image [B, S, S, C] (transformed units) for latents [B, latentSize]. */
  decode(z: tf.Tensor2D): tf.Tensor4D {
    const a = this.arch
    if (pointSlots(a) === 0) return this.decodeGlobal(z)
    const [global, points] = tf.split(z, [a.latentDim, POINT_LATENTS * pointSlots(a)], 1) as [tf.Tensor2D, tf.Tensor2D]
    // Under the points the conv decoder learns to take the hits' share back out of the mean image, and
    // it overshoots below zero (6 % of Track's energy negative after 3 epochs, in the PyTorch prototype),
    // which no detector deposit is and which bends the jet mass; so its part is held at ≥ 0 — with the
    // gradient passed straight through, because a plain ReLU left pixels that went below zero there for
    // good (a default run ended with 61 % of Track's energy, against 71 % unclamped).
    return tf.add(nonNegative(this.decodeGlobal(global)), this.drawPoints(points)) as tf.Tensor4D
  }

  /**
   * Each slot's energy sinh(e) put on the pixels around its position by bilinear weights (all of it on
   * one pixel when the position is that pixel's centre), summed per channel: [B, S, S, C].
   */
  private drawPoints(points: tf.Tensor2D): tf.Tensor4D {
    const a = this.arch
    const B = points.shape[0]
    const S = a.imageSize
    const P = pointSlots(a)
    const K = a.pointsPerChannel ?? 0
    const half = (S - 1) / 2
    const slots = tf.reshape(points, [B * P, POINT_LATENTS])
    const [row, col, energy] = tf.split(slots, 3, 1) as tf.Tensor2D[]
    const grid = tf.reshape(tf.range(0, S, 1, 'float32'), [1, S])
    const weights = (at: tf.Tensor2D): tf.Tensor2D => tf.relu(tf.sub(1, tf.abs(tf.sub(grid, tf.add(tf.mul(at, half), half))))) as tf.Tensor2D // [B·P, S]
    const rows = tf.mul(weights(row), tf.sinh(energy)) // [B·P, S]
    const splats = tf.matMul(tf.reshape(rows, [B * P, S, 1]), tf.reshape(weights(col), [B * P, 1, S])) // [B·P, S, S]
    const perChannel = tf.sum(tf.reshape(splats, [B, a.channels, K, S, S]), 2) // [B, C, S, S]
    return tf.transpose(perChannel, [0, 2, 3, 1]) as tf.Tensor4D
  }

  /** The convolutional decoder: its image [B, S, S, C] (transformed units) for the first latentDim numbers of z. */
  private decodeGlobal(z: tf.Tensor2D): tf.Tensor4D {
    const a = this.arch
    const B = z.shape[0]
    const s = bottleneckSize(a)
    const cLast = a.encoderFilters[a.encoderFilters.length - 1]
    const h = tf.relu(this.dense('decoder/dense', z))
    let x = tf.reshape(h, [B, s, s, cLast]) as tf.Tensor4D
    const outs = [...a.decoderFilters, a.channels]
    let side = s
    outs.forEach((f, i) => {
      side *= 2
      const y = tf.add(
        tf.conv2dTranspose(x, this.w(`decoder/deconv${i}/kernel`) as tf.Tensor4D, [B, side, side, f], 2, 'same'),
        this.w(`decoder/deconv${i}/bias`),
      ) as tf.Tensor4D
      x = i < outs.length - 1 ? tf.relu(y) : y
    })
    const before = padBefore(a)
    const cropped = side === a.imageSize ? x : tf.slice(x, [0, before, before, 0], [B, a.imageSize, a.imageSize, a.channels])
    return tf.add(tf.mul(cropped, this.w(STD)), this.w(MEAN))
  }

  /**
   * The loss of a batch. `eps` [B, latentDim] is the standard-normal noise of the
   * reparameterisation (drawn by the caller from a seeded Rng, so runs repeat).
   */
  loss(x: tf.Tensor4D, eps: tf.Tensor2D, beta: number, energyWeight = 0): VaeLoss {
    return tf.tidy(() => {
      const { mu, logvar } = this.encode(x)
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) as tf.Tensor2D
      const xHat = this.decode(z)
      const B = x.shape[0]
      const diff = tf.sub(xHat, x)
      const recon = tf.mean(tf.sum(tf.reshape(tf.square(diff), [B, -1]), 1)) as tf.Scalar
      const energy = tf.mean(tf.sum(tf.square(tf.sum(tf.reshape(diff, [B, -1, this.arch.channels]), 1)), 1)) as tf.Scalar
      const klPer = tf.mul(tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), tf.add(logvar, 1)), 1), 0.5)
      const kl = tf.mean(klPer) as tf.Scalar
      const loss = tf.add(tf.add(recon, tf.mul(energy, energyWeight)), tf.mul(kl, beta)) as tf.Scalar
      return { loss, recon, kl, energy }
    })
  }

  /**
   * Weights in tfjs artifact form (float32, in weightShapes order); `modelTopology`
   * holds the architecture, `userDefinedMetadata` anything extra. Encoded here
   * rather than by tf.io.encodeWeights so host kernels never enter the backend.
   */
  async artifacts(metadata: Record<string, unknown> = {}): Promise<tf.io.ModelArtifacts> {
    const shapes = weightShapes(this.arch)
    const total = shapes.reduce((s, w) => s + w.shape.reduce((p, d) => p * d, 1), 0)
    const data = new Float32Array(total)
    let o = 0
    for (const { name } of shapes) {
      const v = await this.values(name)
      data.set(v, o)
      o += v.length
    }
    return {
      modelTopology: { class_name: 'QuarkadeVAE', config: this.arch },
      format: 'quarkade-vae',
      generatedBy: `TensorFlow.js tfjs-core v${tf.version_core}`,
      weightSpecs: shapes.map(({ name, shape }) => ({ name, shape, dtype: 'float32' as const })),
      weightData: data.buffer,
      userDefinedMetadata: metadata as Record<string, object>,
    }
  }

  /** Loads weights saved by `artifacts()` (same architecture; float32 weights, as artifacts() writes). */
  loadWeights(artifacts: tf.io.ModelArtifacts): void {
    const specs = artifacts.weightSpecs ?? []
    const data = artifacts.weightData
    const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data ?? new ArrayBuffer(0))
    const offsets = new Map<string, { spec: tf.io.WeightsManifestEntry; offset: number }>()
    let o = 0
    for (const spec of specs) {
      if (spec.dtype !== 'float32' || spec.quantization) throw new Error(`weight "${spec.name}" is ${spec.quantization ? 'quantized' : spec.dtype}; a Quarkade VAE saves float32 weights`)
      offsets.set(spec.name, { spec, offset: o })
      o += spec.shape.reduce((p, d) => p * d, 1) * 4
    }
    if (o > buffer.byteLength) throw new Error(`the saved VAE's weight data holds ${buffer.byteLength} bytes, its specs need ${o}`)
    for (const { name, shape } of weightShapes(this.arch)) {
      const at = offsets.get(name)
      if (!at) throw new Error(`the saved VAE has no weight "${name}"`)
      if (at.spec.shape.join() !== shape.join()) throw new Error(`weight "${name}" is [${at.spec.shape.join('×')}], this VAE needs [${shape.join('×')}]`)
      const values = new Float32Array(buffer, at.offset, shape.reduce((p, d) => p * d, 1))
      const host = this.hostByName.get(name)
      if (host) host.value.set(values)
      else tf.tidy(() => this.w(name).assign(tf.tensor(values, shape)))
    }
  }

  /** A model rebuilt from `artifacts()` output. */
  static fromArtifacts(artifacts: tf.io.ModelArtifacts): VaeModel {
    const topo = artifacts.modelTopology as { class_name?: string; config?: VaeArch } | undefined
    if (topo?.class_name !== 'QuarkadeVAE' || !topo.config) throw new Error('these artifacts are not a Quarkade VAE')
    const model = new VaeModel(topo.config, 0)
    model.loadWeights(artifacts)
    return model
  }

  /** Copies of the trainable weights (e.g. the best ones, for early stopping). */
  cloneWeights(): WeightCopy {
    return { tensors: this.variables.map((v) => tf.clone(v)), host: this.hostKernels.map((k) => k.value.slice()) }
  }

  setWeights(weights: WeightCopy): void {
    this.variables.forEach((v, i) => v.assign(weights.tensors[i]))
    this.hostKernels.forEach((k, i) => k.value.set(weights.host[i]))
  }

  dispose(): void {
    tf.dispose(this.variables)
  }
}

let variableCounter = 0

const pixelCoordinateCache = new Map<number, Float32Array>()

/** (row, column) of every pixel of an S × S image, row-major: [S·S, 2] (the values built once per size). */
function pixelCoordinates(S: number): tf.Tensor2D {
  let xy = pixelCoordinateCache.get(S)
  if (!xy) {
    xy = new Float32Array(2 * S * S)
    for (let i = 0; i < S * S; i++) {
      xy[2 * i] = Math.floor(i / S)
      xy[2 * i + 1] = i % S
    }
    pixelCoordinateCache.set(S, xy)
  }
  return tf.tensor2d(xy, [S * S, 2])
}

/** max(x, 0) forward, the gradient passed through unchanged (a straight-through clamp: nothing sticks at 0). */
const nonNegative = tf.customGrad((...inputs) => ({ value: tf.relu(inputs[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => dy })) as (x: tf.Tensor4D) => tf.Tensor4D

/** x forward, no gradient back (a slot's "taken" mask shapes the next slot's logits but is not trained through). */
const stopGradient = tf.customGrad((...inputs) => ({ value: tf.clone(inputs[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as (x: tf.Tensor2D) => tf.Tensor2D
