import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { nativeWasmConv2DBackpropInput, registerWasmConvGrad } from '../../src/core/nn/wasm-conv-grad'

type Shape4 = [number, number, number, number]
type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    a[i] = (s / 2 ** 32) * 2 - 1
  }
  return a
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1)

/** max |a − b| / max |a|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(b.length).toBe(a.length)
  let num = 0
  let den = 0
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]))
    den = Math.max(den, Math.abs(a[i]))
  }
  return num / den
}

async function on<T>(backend: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(backend)
  tf.engine().startScope()
  try {
    return f()
  } finally {
    tf.engine().endScope()
  }
}

function backpropFilter(xShape: Shape4, filterShape: Shape4, strides: number, pad: Pad): Float32Array {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad)
  const x = tf.tensor4d(values(size(xShape), 1), xShape)
  const dy = tf.tensor4d(values(size(info.outShape), 2), info.outShape)
  const attrs = { strides, pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap
  return (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor).dataSync() as Float32Array
}

function backpropInput(xShape: Shape4, filterShape: Shape4, strides: number, pad: Pad): Float32Array {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad)
  const w = tf.tensor4d(values(size(filterShape), 3), filterShape)
  const dy = tf.tensor4d(values(size(info.outShape), 2), info.outShape)
  const attrs = { strides, pad, dataFormat: 'NHWC', inputShape: xShape } as unknown as tf.NamedAttrMap
  return (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs) as tf.Tensor).dataSync() as Float32Array
}

// [x shape, filter shape, stride, padding]: stride 1 & 2, same / valid / explicit, kernel 3 & 4,
// batch 1 & 7, channels 1 / 3 / 16, odd sizes.
const CASES: [Shape4, Shape4, number, Pad][] = [
  [[1, 9, 9, 1], [3, 3, 1, 3], 1, 'same'],
  [[1, 10, 10, 3], [4, 4, 3, 16], 1, 'valid'],
  [[7, 12, 11, 3], [4, 4, 3, 16], 2, 'same'],
  [[7, 13, 13, 3], [3, 3, 3, 16], 2, 'valid'],
  [[7, 13, 13, 16], [3, 3, 16, 1], 2, 'same'],
  [[7, 16, 16, 16], [4, 4, 16, 16], 2, 'valid'],
  [[2, 10, 10, 16], [3, 3, 16, 3], 1, 'valid'],
  [[3, 11, 9, 16], [3, 4, 16, 1], 2, [[0, 0], [1, 2], [0, 1], [0, 0]]],
  [[2, 25, 25, 3], [4, 4, 3, 8], 2, 'same'],
]

const label = ([x, f, s, p]: (typeof CASES)[number]): string => `x[${x}] w[${f}] stride ${s} ${typeof p === 'string' ? p : 'explicit'}`

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

afterAll(async () => {
  await tf.setBackend('wasm')
})

describe('wasm Conv2DBackpropFilter', () => {
  it('is registered, idempotently', () => {
    registerWasmConvGrad()
    const k = tf.getKernel('Conv2DBackpropFilter', 'wasm')
    registerWasmConvGrad()
    expect(k).toBeTruthy()
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(k)
  })

  it.each(CASES.map((c) => [label(c), c] as const))('matches the cpu backend: %s', async (_, [xs, fs, s, p]) => {
    const cpu = await on('cpu', () => backpropFilter(xs, fs, s, p))
    const wasm = await on('wasm', () => backpropFilter(xs, fs, s, p))
    expect(relErr(cpu, wasm)).toBeLessThan(1e-5)
  })

  it('leaves no tensors or wasm buffers behind', async () => {
    await tf.setBackend('wasm')
    const backend = tf.backend() as unknown as { numDataIds(): number }
    const before = [tf.memory().numTensors, backend.numDataIds()]
    for (const [xs, fs, s, p] of CASES) tf.tidy(() => void backpropFilter(xs, fs, s, p))
    expect([tf.memory().numTensors, backend.numDataIds()]).toEqual(before)
  })
})

describe('wasm Conv2DBackpropInput (conv2dTranspose)', () => {
  it.each(CASES.map((c) => [label(c), c] as const))('matches the cpu backend and wasm\'s own kernel: %s', async (_, [xs, fs, s, p]) => {
    const cpu = await on('cpu', () => backpropInput(xs, fs, s, p))
    const wasm = await on('wasm', () => backpropInput(xs, fs, s, p))
    expect(relErr(cpu, wasm)).toBeLessThan(1e-5)
    if (typeof p === 'string') {
      const native = await on('wasm', () => {
        const info = tf.backend_util.computeConv2DInfo(xs, fs, s, 1, p)
        const dy = tf.tensor4d(values(size(info.outShape), 2), info.outShape)
        return nativeWasmConv2DBackpropInput(dy, tf.tensor4d(values(size(fs), 3), fs), xs, s, p).dataSync()
      })
      expect(relErr(native, wasm)).toBeLessThan(1e-5)
    }
  })

  it('conv2dTranspose runs on wasm and equals cpu', async () => {
    const run = (): Float32Array => {
      const y = tf.tensor4d(values(2 * 8 * 8 * 16, 5), [2, 8, 8, 16])
      const w = tf.tensor4d(values(4 * 4 * 3 * 16, 6), [4, 4, 3, 16])
      return tf.conv2dTranspose(y, w, [2, 16, 16, 3], 2, 'same').dataSync() as Float32Array
    }
    expect(relErr(await on('cpu', run), await on('wasm', run))).toBeLessThan(1e-5)
  })
})

describe('gradients on wasm equal those on cpu', () => {
  const x = values(3 * 14 * 14 * 3, 7)
  const w = values(4 * 4 * 3 * 8, 8)
  const wt = values(4 * 4 * 3 * 8, 9)

  it('tf.grads of conv2d (input and filter), stride 2, same', async () => {
    const run = (): Float32Array[] => {
      const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar => tf.conv2d(a, b, 2, 'same').square().sum()
      return tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([tf.tensor4d(x, [3, 14, 14, 3]), tf.tensor4d(w, [4, 4, 3, 8])]).map((g) => g.dataSync() as Float32Array)
    }
    const cpu = await on('cpu', run)
    const wasm = await on('wasm', run)
    cpu.forEach((g, i) => expect(relErr(g, wasm[i])).toBeLessThan(1e-5))
  })

  it('tf.grads of conv2dTranspose (input and filter), stride 2, same', async () => {
    const y = values(3 * 7 * 7 * 8, 10)
    const run = (): Float32Array[] => {
      const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar => tf.conv2dTranspose(a, b, [3, 14, 14, 3], 2, 'same').square().sum()
      return tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([tf.tensor4d(y, [3, 7, 7, 8]), tf.tensor4d(wt, [4, 4, 3, 8])]).map((g) => g.dataSync() as Float32Array)
    }
    const cpu = await on('cpu', run)
    const wasm = await on('wasm', run)
    cpu.forEach((g, i) => expect(relErr(g, wasm[i])).toBeLessThan(1e-5))
  })
})
