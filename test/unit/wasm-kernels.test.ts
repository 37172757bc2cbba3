/**
 * The wasm backend's Identity shares its input's data (registerWasmKernels): a clone — what tfjs
 * keeps for a gradient — must still read its values after the original is disposed or a variable
 * it came from is assigned, and free its memory when the last holder goes.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerWasmKernels } from '../../src/core/nn/wasm-kernels'

beforeAll(async () => {
  registerWasmKernels()
  await tf.setBackend('wasm')
  await tf.ready()
})

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
