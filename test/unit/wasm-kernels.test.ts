/**
 * Our wasm kernels (registerWasmKernels). Identity shares its input's data: a clone — what tfjs
 * keeps for a gradient — must still read its values after the original is disposed or a variable
 * it came from is assigned, and free its memory when the last holder goes. Slice and PadV2 copy
 * whole runs: they must give what the cpu backend gives for every shape, dtype and padding. Cast
 * to the same dtype shares like Identity; a bias Add and ReLU's gradient (one pass each) give the
 * cpu backend's values, through the tape too.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { reluGrad } from '../../src/core/nn/relu-grad'
import { registerWasmKernels } from '../../src/core/nn/wasm-kernels'

beforeAll(async () => {
  registerWasmKernels()
  await tf.setBackend('wasm')
  await tf.ready()
})

/** The same op on wasm (ours) and on cpu. */
async function both(f: () => tf.Tensor): Promise<[number[], number[], number[]]> {
  const wasm = tf.tidy(f)
  const w = { values: Array.from(wasm.dataSync()), shape: wasm.shape }
  wasm.dispose()
  await tf.setBackend('cpu')
  try {
    const c = tf.tidy(f)
    const values = Array.from(c.dataSync())
    expect(c.shape).toEqual(w.shape)
    c.dispose()
    return [w.values, values, w.shape]
  } finally {
    await tf.setBackend('wasm')
  }
}
const ramp = (shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor =>
  tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (dtype === 'int32' ? i : i * 0.5 - 3)), shape, dtype)

/** Values from the host, the same on both backends (their sin and cos differ in the last bit). */
const wave = (shape: number[], phase: number): tf.Tensor => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.9 + phase)), shape)
const plusZero = (v: number[]): number[] => v.map((x) => x + 0) // −0 → +0

describe('the sharing Identity', () => {
  it('a clone reads the same values after its original is disposed; memory is freed with the last one', () => {
    const buffers = (): number => (tf.memory() as { numDataBuffers: number }).numDataBuffers
    const before = buffers()
    const a = tf.tensor1d([1, 2, 3])
    const b = tf.clone(a)
    expect(buffers() - before).toBe(1) // one buffer for both
    a.dispose()
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3])
    b.dispose()
    expect(buffers()).toBe(before)
  })

  it('a variable assigned a new value leaves a clone of its old value alone', () => {
    const v = tf.variable(tf.tensor1d([4, 5]))
    const kept = tf.clone(v)
    v.assign(tf.tensor1d([6, 7]))
    expect(Array.from(kept.dataSync())).toEqual([4, 5])
    expect(Array.from(v.dataSync())).toEqual([6, 7])
    kept.dispose()
    v.dispose()
  })

  it('gradients through saved tensors are unchanged', () => {
    const x = tf.tensor2d([[1, -2], [3, 4]])
    const g = tf.grad((t: tf.Tensor) => tf.relu(t).square().sum())(x)
    expect(Array.from(g.dataSync())).toEqual([2, 0, 6, 8])
  })
})

describe('Slice and PadV2', () => {
  const slices: [string, number[], number[], number[]][] = [
    ['the VAE crop (NHWC, whole channels)', [2, 8, 8, 3], [0, 1, 1, 0], [2, 5, 6, 3]],
    ['a partial innermost axis', [3, 4, 5], [1, 0, 2], [2, 4, 2]],
    ['one contiguous block', [4, 6], [1, 0], [2, 6]],
    ['rank 1', [9], [2], [5]],
    ['rank 5, -1 sizes', [2, 3, 2, 3, 2], [1, 1, 0, 1, 0], [-1, 2, -1, 2, -1]],
    ['an empty slice', [3, 3], [1, 1], [0, 2]],
  ]
  it.each(slices)('slices %s like the cpu backend', async (_, shape, begin, size) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const [ours, cpu] = await both(() => tf.slice(ramp(shape, dtype), begin, size))
      expect(ours).toEqual(cpu)
    }
  })

  const pads: [string, number[], [number, number][], number][] = [
    ['the VAE input (125 → 128)', [2, 5, 5, 3], [[0, 0], [1, 2], [1, 2], [0, 0]], 0],
    ['every axis, a constant', [2, 3, 4], [[1, 0], [0, 2], [3, 1]], -7],
    ['rank 1', [4], [[2, 3]], 1.5],
    ['nothing', [2, 2], [[0, 0], [0, 0]], 0],
  ]
  it.each(pads)('pads %s like the cpu backend', async (_, shape, paddings, value) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const [ours, cpu] = await both(() => tf.pad(ramp(shape, dtype), paddings, value))
      expect(ours).toEqual(cpu)
    }
  })

  it('their gradients (each other) flow through a crop and a pad', async () => {
    const [ours, cpu] = await both(() => tf.grad((x: tf.Tensor) => tf.pad(tf.slice(x, [0, 1, 1, 0], [1, 3, 3, 2]), [[0, 0], [2, 1], [1, 2], [0, 0]]).mul(ramp([1, 6, 6, 2])).sum())(ramp([1, 5, 5, 2])))
    expect(ours).toEqual(cpu)
  })
})

describe('Cast, a bias Add, a rank-2 fused product and ReLU gradient', () => {
  it('_FusedMatMul takes rank-2 inputs (the DQN calls it so) and gives the cpu backend\'s values', async () => {
    for (const activation of ['relu', 'linear']) {
      const [ours, cpu, shape] = await both(
        () => tf.engine().runKernel('_FusedMatMul', { a: wave([5, 7], 0), b: wave([7, 3], 1), bias: wave([3], 2) }, { transposeA: false, transposeB: false, activation } as never) as tf.Tensor,
      )
      expect(shape).toEqual([5, 3])
      ours.forEach((v, i) => expect(Math.abs(v - cpu[i])).toBeLessThan(1e-5))
    }
  })

  it('a Cast to the same dtype shares the data; to another dtype it converts', () => {
    const buffers = (): number => (tf.memory() as { numDataBuffers: number }).numDataBuffers
    const a = tf.tensor1d([1.5, -2])
    const before = buffers()
    const same = tf.cast(a, 'float32')
    expect(buffers()).toBe(before)
    const ints = tf.cast(a, 'int32')
    expect(buffers()).toBe(before + 1)
    a.dispose()
    expect(Array.from(same.dataSync())).toEqual([1.5, -2])
    expect(Array.from(ints.dataSync())).toEqual([1, -2])
    tf.dispose([same, ints])
  })

  // Channel counts around the SIMD width (3 is the VAE's output, 32 a conv layer's), both operand orders, and adds that are not a bias.
  const adds: [string, number[], number[]][] = [
    ['3 channels', [2, 5, 5, 3], [3]],
    ['32 channels', [3, 4, 32], [32]],
    ['5 channels, bias first', [5], [4, 2, 5]],
    ['a Dense layer', [7, 9], [9]],
    ['no bias (same shapes)', [3, 4], [3, 4]],
    ['no bias (another axis)', [4, 3], [4, 1]],
  ]
  it.each(adds)('adds %s like the cpu backend', async (_, sa, sb) => {
    const [ours, cpu] = await both(() => tf.add(wave(sa, 0), wave(sb, 1)))
    expect(ours).toEqual(cpu)
  })

  const tiles: [string, number[], number[]][] = [
    ['the VAE energy gradient (broadcast over pixels)', [4, 1, 3], [1, 25, 1]],
    ['every axis repeated', [2, 3, 2], [3, 2, 4]],
    ['rank 1', [5], [3]],
    ['nothing repeated', [3, 4], [1, 1]],
    ['a zero repeat', [2, 2], [0, 3]],
  ]
  it.each(tiles)('tiles %s like the cpu backend', async (_, shape, reps) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const [ours, cpu] = await both(() => tf.tile(ramp(shape, dtype), reps))
      expect(ours).toEqual(cpu)
    }
  })

  it("Sum's gradient (a broadcast now) is the cpu backend's, over any axes", async () => {
    for (const axis of [1, [0, 2], undefined]) {
      const [ours, cpu] = await both(() => tf.grad((t: tf.Tensor) => tf.sum(tf.sum(t, axis as never, true).square()))(wave([3, 4, 5], 0)))
      // The forward sums' float order differs between the backends (cpu accumulates in doubles).
      ours.forEach((v, i) => expect(Math.abs(v - cpu[i])).toBeLessThan(1e-5 * (1 + Math.abs(cpu[i]))))
      if (axis !== undefined) expect(new Set(ours).size).toBeGreaterThan(1)
    }
  })

  it("ReLU's gradient is tfjs's Step·Multiply, alone and through the tape, for any length", async () => {
    for (const n of [1, 4, 7, 64, 1001]) {
      const x = (): tf.Tensor => tf.concat([tf.zeros([1]), wave([n - 1], 0)]) // about half negative, and an exact 0
      const dy = (): tf.Tensor => wave([n], 2)
      const [ours, cpu] = await both(() => reluGrad(dy(), tf.relu(x())))
      const [, formula] = await both(() => tf.mul(dy(), tf.step(tf.relu(x()))))
      expect(plusZero(ours)).toEqual(plusZero(cpu))
      expect(plusZero(ours)).toEqual(plusZero(formula))
      const [taped, tapedCpu] = await both(() => tf.grad((t: tf.Tensor) => tf.relu(t).mul(dy()).sum())(x()))
      expect(plusZero(taped)).toEqual(plusZero(tapedCpu))
    }
  })
})
