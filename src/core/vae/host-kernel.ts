/**
 * A dense layer's kernel kept in host memory — plain Float32Arrays outside the
 * wasm heap — with its own Adam moments, for VAEs whose dense layers do not fit
 * tfjs-wasm's 4 GB memory (the seed preset: 65 536 × 2 048 and 1 024 × 65 536,
 * ≈ 201 M weights; weights, gradients and two Adam moments are 3.2 GB).
 *
 * x·W runs on the active backend in row chunks of W (≤ CHUNK_VALUES each):
 * a chunk is copied in, multiplied, and freed, so the heap only ever holds one
 * chunk. The backward pass does the same for dx = dy·Wᵀ and writes dW = xᵀ·dy
 * chunk by chunk into host memory; the trainer then folds dW into the global
 * gradient norm (clipping) and takes the Adam step here, in JavaScript, with
 * tfjs's Adam formula. The numbers are the same as with a tf.Variable kernel up
 * to float rounding (the sum over chunks is a different summation order).
 */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../rng'

/** Values of W per chunk copied to the backend (64 MB). */
export const CHUNK_VALUES = 1 << 24

export interface AdamConfig {
  lr: number
  beta1: number
  beta2: number
  epsilon: number
}

/** tfjs's tf.train.adam(lr) defaults (ε is the float32 backend's epsilon). */
export const adamDefaults = (lr: number): AdamConfig => ({ lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 })

/** Bytes of host memory one kernel of `values` weights needs: weights, gradient, Adam's two moments. */
export const hostBytesPerKernel = (values: number): number => 4 * 4 * values

function allocate(n: number, what: string): Float32Array {
  try {
    return new Float32Array(n)
  } catch (e) {
    throw new Error(`could not allocate ${(n * 4 / 2 ** 30).toFixed(2)} GB of memory for ${what} (${String((e as Error)?.message ?? e)}); this machine has too little free memory for this VAE — use a smaller latent_dim or the reference preset`)
  }
}

export class HostKernel {
  readonly value: Float32Array
  readonly grad: Float32Array
  private readonly m: Float32Array
  private readonly v: Float32Array
  /** True once a backward pass has written `grad` (reset by `adamStep`). */
  gradReady = false
  /** x [B, rows] → x·W [B, cols], differentiable in x (dW goes to `grad`). */
  readonly matMul: (x: tf.Tensor2D) => tf.Tensor2D
  private readonly chunkRows: number

  constructor(
    readonly name: string,
    readonly rows: number,
    readonly cols: number,
    chunkValues = CHUNK_VALUES,
  ) {
    const n = rows * cols
    this.value = allocate(n, `the weights of ${name}`)
    this.grad = allocate(n, `the gradient of ${name}`)
    this.m = allocate(n, `Adam's first moment of ${name}`)
    this.v = allocate(n, `Adam's second moment of ${name}`)
    this.chunkRows = Math.max(1, Math.floor(chunkValues / cols))
    this.matMul = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
      save([x])
      return { value: this.forward(x), gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => this.backward(dy, saved[0] as tf.Tensor2D) }
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D) => tf.Tensor2D
  }

  get size(): number {
    return this.value.length
  }

  /** Glorot-uniform weights from a seeded stream (what tf.initializers.glorotUniform draws, by another generator). */
  initGlorot(seed: number): void {
    const limit = Math.sqrt(6 / (this.rows + this.cols))
    const rng = new Rng(seed)
    for (let i = 0; i < this.value.length; i++) this.value[i] = (2 * rng.random() - 1) * limit
  }

  private chunks(): { r0: number; r: number }[] {
    const out: { r0: number; r: number }[] = []
    for (let r0 = 0; r0 < this.rows; r0 += this.chunkRows) out.push({ r0, r: Math.min(this.chunkRows, this.rows - r0) })
    return out
  }

  private chunkTensor(r0: number, r: number): tf.Tensor2D {
    return tf.tensor2d(this.value.subarray(r0 * this.cols, (r0 + r) * this.cols), [r, this.cols])
  }

  private forward(x: tf.Tensor2D): tf.Tensor2D {
    const B = x.shape[0]
    let y: tf.Tensor2D | null = null
    for (const { r0, r } of this.chunks()) {
      const part = tf.tidy((): tf.Tensor2D => tf.matMul(tf.slice(x, [0, r0], [B, r]) as tf.Tensor2D, this.chunkTensor(r0, r)))
      if (!y) y = part
      else {
        const sum = tf.add(y, part) as tf.Tensor2D
        tf.dispose([y, part])
        y = sum
      }
    }
    return y!
  }

  private backward(dy: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
    const B = x.shape[0]
    const parts: tf.Tensor2D[] = []
    for (const { r0, r } of this.chunks()) {
      // Explicit transposes: tfjs-wasm runs transposed matMuls without XNNPACK (see nn/dense.ts).
      parts.push(tf.tidy(() => tf.matMul(dy, tf.transpose(this.chunkTensor(r0, r)))))
      const g = tf.tidy(() => tf.matMul(tf.transpose(tf.slice(x, [0, r0], [B, r])), dy))
      this.grad.set(g.dataSync() as Float32Array, r0 * this.cols)
      g.dispose()
    }
    this.gradReady = true
    const dx = parts.length === 1 ? parts[0] : tf.concat(parts, 1)
    if (parts.length > 1) tf.dispose(parts)
    return dx
  }

  /** Σ dW² of the last backward pass. */
  gradSquaredNorm(): number {
    let s = 0
    const g = this.grad
    for (let i = 0; i < g.length; i++) s += g[i] * g[i]
    return s
  }

  /**
   * One Adam step with the gradient times `scale` (the trainer's clipping).
   * `accBeta` = [β₁ᵗ, β₂ᵗ] of this step, as tfjs's Adam uses them.
   */
  adamStep(c: AdamConfig, accBeta: [number, number], scale: number): void {
    if (!this.gradReady) throw new Error(`no gradient for ${this.name}: the loss did not reach it`)
    const { lr, beta1, beta2, epsilon } = c
    const c1 = 1 - accBeta[0]
    const c2 = 1 - accBeta[1]
    const { value: w, grad, m, v } = this
    for (let i = 0; i < w.length; i++) {
      const g = grad[i] * scale
      const mi = beta1 * m[i] + (1 - beta1) * g
      const vi = beta2 * v[i] + (1 - beta2) * g * g
      m[i] = mi
      v[i] = vi
      w[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon)
    }
    this.gradReady = false
  }

  /** Adam's moments, for a checkpoint. */
  moments(): { m: Float32Array; v: Float32Array } {
    return { m: this.m, v: this.v }
  }

  setMoments(m: Float32Array, v: Float32Array): void {
    if (m.length !== this.size || v.length !== this.size) throw new Error(`${this.name}: saved Adam moments hold ${m.length} values, the kernel ${this.size}`)
    this.m.set(m)
    this.v.set(v)
  }
}
