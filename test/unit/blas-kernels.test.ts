/**
 * The wasm backend's matrix products and convolutions on the system BLAS (nblas) give what
 * wasm's own kernels (XNNPACK) give, forward and through tf.grads — so a network trains the
 * same whichever computes it — and choosing them is the backend loader's job, with the reason
 * on the run when nblas is missing.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend, realSystem, type BackendSystem } from '../../src/main/trainer/backend'
import { forEachColumnSlab, forEachPatchSlab, registerBlasKernels, unregisterBlasKernels, type Blas } from '../../src/main/trainer/blas-kernels'
import { dense, setTransposedMatMulFast } from '../../src/core/nn/dense'

let nblas: Blas
beforeAll(async () => {
  const { backend, skipped } = await chooseBackend('wasm')
  expect(backend).toBe('wasm')
  // This machine has nblas (an optional dependency); the loader put its kernels in place.
  expect(skipped).toEqual([])
  const mod = (await import('nblas')) as unknown as Blas & { default?: Blas }
  nblas = typeof mod.sgemm === 'function' ? mod : mod.default!
})

const usesBlas = (name: string): boolean => Boolean((tf.getKernel(name, 'wasm')?.kernelFunc as { blas?: boolean } | undefined)?.blas)

/** The same computation with the BLAS kernels and with wasm's own; largest difference relative to 1 + |value|. */
function compare(f: () => tf.Tensor[]): { blas: Float32Array[]; xnn: Float32Array[]; worst: number } {
  expect(['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'Sum'].every(usesBlas)).toBe(true)
  const blas = tf.tidy(() => f().map((t) => t.dataSync() as Float32Array))
  unregisterBlasKernels()
  try {
    expect(usesBlas('Conv2D') || usesBlas('BatchMatMul')).toBe(false)
    const xnn = tf.tidy(() => f().map((t) => t.dataSync() as Float32Array))
    let worst = 0
    blas.forEach((b, i) => {
      expect(b.length).toBe(xnn[i].length)
      b.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - xnn[i][j]) / (1 + Math.abs(xnn[i][j])))))
    })
    return { blas, xnn, worst }
  } finally {
    registerBlasKernels(nblas)
  }
}

const seeded = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed)

/** Input channels of the test convolutions that run on the BLAS. */
const CHANNELS = 16

describe('convolutions', () => {
  const cases: [string, number[], number[], number | [number, number], 'valid' | 'same'][] = [
    ['Snake\'s second conv (16 → 32, 3×3, valid)', [8, 8, 8, 16], [3, 3, 16, 32], 1, 'valid'],
    ['the VAE\'s strided 4×4 conv (32 → 64, stride 2, same)', [2, 16, 16, 32], [4, 4, 32, 64], 2, 'same'],
    ['uneven strides and an odd size', [3, 11, 9, 20], [3, 2, 20, 5], [2, 1], 'same'],
    ['a thin filter matrix (Snake\'s first conv, stays on XNNPACK)', [4, 10, 10, 4], [3, 3, 4, 16], 1, 'valid'],
    ['the VAE\'s first conv (3 → 32, 4×4, stride 2)', [2, 16, 16, 3], [4, 4, 3, 32], 2, 'same'],
  ]
  it.each(cases)('%s: forward and both gradients match wasm\'s own kernels', (_, xs, ws, strides, pad) => {
    const x = seeded(xs, 1) as tf.Tensor4D
    const w = seeded(ws, 2).mul(0.1) as tf.Tensor4D
    const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad).square().sum()
    const { worst, blas } = compare(() => [tf.conv2d(x, w, strides, pad), ...tf.grads(loss)([x, w])])
    expect(blas[0].some((v) => v !== 0)).toBe(true)
    expect(worst).toBeLessThan(1e-4)
  })

  it('dilation and explicit padding (forward)', () => {
    const x = seeded([2, 12, 12, 24], 3) as tf.Tensor4D
    const w = seeded([3, 3, 24, 7], 4) as tf.Tensor4D
    const pad: tf.backend_util.ExplicitPadding = [[0, 0], [1, 2], [2, 1], [0, 0]]
    expect(compare(() => [tf.conv2d(x, w, 1, 'same', 'NHWC', 2), tf.conv2d(x, w, [2, 1], pad)]).worst).toBeLessThan(1e-4)
  })

  it('a conv layer trains the same: ten Adam steps end on the same weights', () => {
    const train = (): tf.Tensor[] => {
      const w = tf.variable(seeded([3, 3, 16, 8], 5).mul(0.1) as tf.Tensor4D)
      const x = seeded([4, 9, 9, 16], 6) as tf.Tensor4D
      const target = seeded([4, 7, 7, 8], 7)
      const opt = tf.train.adam(0.01)
      for (let i = 0; i < 10; i++) opt.minimize(() => tf.conv2d(x, w as tf.Tensor4D, 1, 'valid').sub(target).square().mean() as tf.Scalar)
      const out = w.clone()
      w.dispose()
      opt.dispose()
      return [out]
    }
    expect(compare(train).worst).toBeLessThan(1e-4)
  })

  it('builds the same patches, and adds them back, in slabs as at once (what bounds its memory)', () => {
    const info = tf.backend_util.computeConv2DInfo([2, 7, 6, CHANNELS], [3, 3, CHANNELS, 4], 2, 1, 'same')
    const backend = tf.backend() as unknown as Parameters<typeof forEachPatchSlab>[0]
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 7 * 6 * CHANNELS }, (_, i) => Math.sin(i)), [2, 7, 6, CHANNELS])
    const K = 3 * 3 * CHANNELS
    const rows = info.batchSize * info.outHeight * info.outWidth
    const patches = (slabRows?: number): number[] => {
      const all: number[] = []
      forEachPatchSlab(backend, x, info, (r0, r1, slab) => {
        expect(r0).toBe(all.length / K)
        all.push(...slab.subarray(0, (r1 - r0) * K))
      }, slabRows)
      return all
    }
    const whole = patches()
    expect(whole.length).toBe(rows * K)
    expect(patches(5)).toEqual(whole)
    // Each patch row holds its window: in the first output pixel's, tap (padTop, padLeft) is pixel (0, 0).
    const xs = x.dataSync()
    const tap = (info.padInfo.top * 3 + info.padInfo.left) * CHANNELS
    expect(info.padInfo.top + info.padInfo.left).toBeGreaterThan(0)
    expect(whole.slice(tap, tap + CHANNELS)).toEqual(Array.from(xs.subarray(0, CHANNELS)))
    // 'same' padding puts zeros where the window leaves the image.
    expect(whole.some((v) => v === 0)).toBe(true)

    // col2im is im2col's adjoint: <im2col(x), c> = <x, col2im(c)> for any c.
    const c = Float32Array.from({ length: rows * K }, (_, i) => Math.cos(i * 0.7))
    const back = (slabRows?: number): Float32Array => {
      const out = (backend as unknown as { makeOutput(s: number[], d: string): tf.TensorInfo }).makeOutput(x.shape, 'float32')
      forEachColumnSlab(backend, out, info, (r0, r1, cols) => cols.set(c.subarray(r0 * K, r1 * K)), slabRows)
      return tf.engine().makeTensorFromTensorInfo(out).dataSync() as Float32Array
    }
    const xc = back()
    expect(Array.from(back(7))).toEqual(Array.from(xc))
    const lhs = whole.reduce((s, v, i) => s + v * c[i], 0)
    const rhs = Array.from(xs).reduce((s, v, i) => s + v * xc[i], 0)
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * (1 + Math.abs(lhs)))
    x.dispose()
  })
})

describe('matrix products', () => {
  it('plain, transposed and batched products match wasm\'s own', () => {
    const a = seeded([3, 5, 7], 8)
    const b = seeded([7, 4], 9)
    const b3 = seeded([3, 4, 7], 10)
    const a2 = seeded([15, 7], 11)
    const { worst } = compare(() => [
      tf.matMul(a2, b as tf.Tensor2D),
      tf.matMul(a2, a2, true, false),
      tf.matMul(a2, a2, false, true),
      tf.matMul(b as tf.Tensor2D, a2, true, true),
      tf.matMul(a as tf.Tensor3D, b3 as tf.Tensor3D, false, true),
      tf.matMul(a as tf.Tensor3D, tf.reshape(b, [1, 7, 4]) as tf.Tensor3D),
    ])
    expect(worst).toBeLessThan(1e-5)
  })

  it('sums over all but the last axis (bias gradients) as a GEMV; other reductions stay wasm\'s', () => {
    const x = seeded([6, 5, 4, 9], 15)
    const { worst, blas } = compare(() => [x.sum([0, 1, 2]), x.sum([2, 0, 1], true), x.reshape([120, 9]).sum(0), x.sum(3), x.sum([0, 2]), x.sum()])
    expect(blas.map((b) => b.length)).toEqual([9, 9, 9, 120, 45, 1])
    expect(worst).toBeLessThan(1e-5)
  })
})

describe('fused kernels (what the DQN\'s untaped forward pass calls)', () => {
  const fusedConv = (x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | undefined, activation: string, stride = 1): tf.Tensor =>
    tf.engine().runKernel('FusedConv2D', { x, filter: w, ...(bias ? { bias } : {}) }, { strides: stride, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation } as never) as tf.Tensor
  const fusedMatMul = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor | undefined, activation: string): tf.Tensor =>
    tf.engine().runKernel('_FusedMatMul', { a, b, ...(bias ? { bias } : {}) }, { transposeA: false, transposeB: false, activation } as never) as tf.Tensor

  it('FusedConv2D and _FusedMatMul with a bias, with and without ReLU, match wasm\'s own (and the unfused ops)', () => {
    expect(['FusedConv2D', '_FusedMatMul'].every(usesBlas)).toBe(true)
    const x = seeded([6, 9, 9, CHANNELS], 1)
    const w = seeded([3, 3, CHANNELS, 12], 2).mul(0.2)
    const cb = seeded([12], 3)
    const a = seeded([37, 50], 4)
    const k = seeded([50, 21], 5).mul(0.2)
    const db = seeded([21], 6)
    const run = (): tf.Tensor[] => [
      fusedConv(x, w, cb, 'relu'),
      fusedConv(x, w, cb, 'linear', 2),
      fusedConv(x, w, undefined, 'linear'),
      fusedMatMul(a, k, db, 'relu'),
      fusedMatMul(a, k, db, 'linear'),
      tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'), cb)),
      tf.relu(tf.add(tf.matMul(a, k), db)),
    ]
    const { blas, worst } = compare(run)
    expect(worst).toBeLessThan(1e-4)
    // ReLU applied (some zeros, none negative), and fused = unfused on the BLAS path.
    expect(blas[0].some((v) => v === 0) && blas[0].every((v) => v >= 0)).toBe(true)
    expect(blas[1].some((v) => v < 0)).toBe(true)
    expect(Array.from(blas[0])).toEqual(Array.from(blas[5]))
    expect(Array.from(blas[3])).toEqual(Array.from(blas[6]))
  })

  it('epilogues the BLAS does not do (leaky ReLU, a ReLU without bias) are wasm\'s own', () => {
    const x = seeded([2, 6, 6, CHANNELS], 7)
    const w = seeded([3, 3, CHANNELS, 4], 8).mul(0.2)
    const a = seeded([5, 8], 9)
    const k = seeded([8, 3], 10)
    const leaky = (t: tf.Tensor): tf.Tensor => tf.where(tf.greater(t, 0), t, tf.mul(t, 0.2))
    const ours = tf.tidy(() => [
      tf.engine().runKernel('FusedConv2D', { x, filter: w }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'leakyrelu', leakyreluAlpha: 0.2 } as never) as tf.Tensor,
      fusedConv(x, w, undefined, 'relu'),
      tf.engine().runKernel('_FusedMatMul', { a, b: k }, { transposeA: false, transposeB: false, activation: 'leakyrelu', leakyreluAlpha: 0.2 } as never) as tf.Tensor,
    ].map((t) => Array.from(t.dataSync())))
    const expected = tf.tidy(() => [leaky(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')), tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')), leaky(tf.matMul(a, k))].map((t) => Array.from(t.dataSync())))
    ours.forEach((o, i) => o.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(1e-4 * (1 + Math.abs(expected[i][j])))))
  })
})

describe('the Dense layer\'s gradient', () => {
  it('asks the BLAS for transposed products, and gets what the explicit transposes give', () => {
    const x = seeded([64, 40], 12) as tf.Tensor2D
    const w = seeded([40, 24], 13) as tf.Tensor2D
    const b = seeded([24], 14) as tf.Tensor1D
    const grads = (): Float32Array[] => tf.tidy(() => tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D).square().sum())([x, w, b]).map((g) => g.dataSync() as Float32Array))
    const transposed = grads()
    setTransposedMatMulFast(null)
    try {
      const explicit = grads()
      transposed.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - explicit[i][j])).toBeLessThan(1e-4 * (1 + Math.abs(explicit[i][j])))))
    } finally {
      setTransposedMatMulFast('wasm')
    }
  })
})

describe('the backend loader', () => {
  it('without nblas, wasm runs on its own kernels and the run says why', async () => {
    const withoutNblas: BackendSystem = {
      ...realSystem,
      async importPackage(pkg) {
        if (pkg === 'nblas') throw Object.assign(new Error(`Cannot find package 'nblas' imported from backend.ts`), { code: 'ERR_MODULE_NOT_FOUND' })
        return realSystem.importPackage(pkg)
      },
    }
    unregisterBlasKernels()
    try {
      const { backend, skipped } = await chooseBackend('wasm', withoutNblas)
      expect(backend).toBe('wasm')
      expect(skipped).toEqual(["system BLAS: nblas is not installed (matrix products stay on wasm's XNNPACK)"])
      expect(usesBlas('BatchMatMul') || usesBlas('Conv2D')).toBe(false)
    } finally {
      await chooseBackend('wasm')
    }
    expect(usesBlas('BatchMatMul') && usesBlas('Conv2D')).toBe(true)
  })
})
