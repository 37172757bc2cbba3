/**
 * The DQN's optimizers with their update as one SIMD wasm loop (core/nn/wasm-optimizers.ts) give
 * tfjs's Adam and RMSprop to the bit — weights, moments and the β powers after many steps — so a
 * run, its snapshots and a resumed run are what they were with the stock optimizers; on cpu they
 * are the stock ones. A weight tensor shared with another (a target network) is not changed under it.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src/main/trainer/backend'
import { WasmAdam, WasmRmsProp } from '../../src/core/nn/wasm-optimizers'

/** A small MLP's weights, trained `steps` Adam/RMSprop steps on a fixed regression; every float afterwards. */
function train(optimizer: tf.Optimizer, steps: number): Promise<Float32Array[]> {
  const vars = [tf.variable(tf.randomNormal([6, 5], 0, 0.5, 'float32', 1)), tf.variable(tf.zeros([5])), tf.variable(tf.randomNormal([5, 2], 0, 0.5, 'float32', 2))]
  const x = tf.randomNormal([16, 6], 0, 1, 'float32', 3) as tf.Tensor2D
  const y = tf.randomNormal([16, 2], 0, 1, 'float32', 4)
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.relu(x.matMul(vars[0] as tf.Tensor2D).add(vars[1])).matMul(vars[2] as tf.Tensor2D).sub(y).square().mean() as tf.Scalar, false, vars)
  }
  return (async () => {
    const state = await optimizer.getWeights()
    const adam = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable }
    const out = [...vars.map((v) => v.dataSync() as Float32Array), ...state.slice(1).map((w) => w.tensor.dataSync() as Float32Array)]
    if (adam.accBeta1) out.push(adam.accBeta1.dataSync() as Float32Array, adam.accBeta2!.dataSync() as Float32Array)
    expect(state[0].name).toBe('iter')
    expect(state[0].tensor.dataSync()[0]).toBe(steps)
    vars.forEach((v) => v.dispose())
    optimizer.dispose()
    return out
  })()
}

describe.each(['wasm', 'cpu'] as const)('on %s', (backend) => {
  it.each([
    ['Adam', () => tf.train.adam(0.01), () => new WasmAdam(0.01, 0.9, 0.999)],
    ['Adam, other settings', () => tf.train.adam(3e-4, 0.8, 0.99, 1e-5), () => new WasmAdam(3e-4, 0.8, 0.99, 1e-5)],
    ['RMSprop (Keras defaults)', () => tf.train.rmsprop(1e-3, 0.9, 0, 1e-7), () => new WasmRmsProp(1e-3, 0.9, 0, 1e-7)],
    ['RMSprop with momentum', () => tf.train.rmsprop(1e-2, 0.95, 0.5, 0.01), () => new WasmRmsProp(1e-2, 0.95, 0.5, 0.01)],
  ])('%s matches tfjs\'s to the bit after 40 steps', async (_, stock, host) => {
    await chooseBackend(backend)
    const expected = await train(stock(), 40)
    const actual = await train(host(), 40)
    expect(actual.length).toBe(expected.length)
    actual.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(expected[i])))
    // The run moved the weights (a test that trains nothing would pass trivially).
    expect(expected[0].some((v, i) => v !== tf.tidy(() => tf.randomNormal([6, 5], 0, 0.5, 'float32', 1).dataSync()[i]))).toBe(true)
  })
})

describe('on wasm', () => {
  it('never changes a weight tensor whose data another tensor shares', async () => {
    await chooseBackend('wasm')
    const w = tf.variable(tf.tensor2d([[1, 2, 3, 4, 5]]))
    const target = tf.variable(tf.zeros([1, 5]))
    target.assign(w) // what a hard target-network copy does: the two share one buffer
    const before = Array.from(target.dataSync())
    const opt = new WasmAdam(0.1, 0.9, 0.999)
    opt.minimize(() => w.sum() as tf.Scalar, false, [w])
    expect(Array.from(target.dataSync())).toEqual(before)
    expect(Array.from(w.dataSync())).not.toEqual(before)
    opt.dispose()
  })
})

describe('the module', () => {
  it('is what src/core/nn/wasm-optimizers.wat assembles to (and im2col-module.ts what im2col.wat does)', () => {
    const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../scripts/build-wasm-kernels.mjs'), '--check'], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})
