/**
 * The DQN's Q-network learns without tfjs's tape: backwardNetwork writes the chain rule out for
 * the networks buildQNetwork makes. Its gradients must be what the tape gives for the same loss —
 * Dense and conv networks, strided convs, a linear Q-function — on wasm (with the system BLAS, as
 * trainers run) and on cpu.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { backwardNetwork, buildQNetwork, forwardNetwork, type LayerTrace, type NetworkShape } from '../../src/core/agents/dqn'

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

const base = { conv_filters: [] as number[], conv_kernel: 3, conv_kernels: [] as number[], conv_strides: [] as number[], hidden: [] as number[] }
const networks: [string, NetworkShape, number[]][] = [
  ['Catch\'s MLP', { ...base, network: 'mlp', hidden: [100, 100], nb_frames: 1 }, [10, 10]],
  ['a linear Q-function', { ...base, network: 'mlp', hidden: [], nb_frames: 2 }, [3, 4]],
  ['qlearning4k\'s Snake conv net', { ...base, network: 'conv', conv_filters: [16, 32], hidden: [256], nb_frames: 4 }, [10, 10]],
  ['strided convs on [channels, H, W] observations', { ...base, network: 'conv', conv_filters: [6, 5], conv_kernels: [4, 3], conv_strides: [2, 1], hidden: [12, 7], nb_frames: 2 }, [2, 13, 11]],
]

describe.each(['wasm', 'cpu'])('on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend)
  })

  it.each(networks)('%s: the tape\'s gradients', (_, shape, frame) => {
    const nActions = 5
    const net = buildQNetwork(shape, frame, nActions, 3)
    const stateSize = shape.nb_frames * frame.reduce((a, b) => a * b, 1)
    const B = 6
    tf.tidy(() => {
      const x = tf.randomUniform([B, stateSize], 0, 1, 'float32', 1) as tf.Tensor2D
      const dQ = tf.randomNormal([B, nActions], 0, 1, 'float32', 2) as tf.Tensor2D
      const weights = net.trainableWeights.map((w) => w.read() as tf.Variable)
      const { grads } = tf.variableGrads(() => forwardNetwork(net, x, shape, frame).mul(dQ).sum() as tf.Scalar, weights)
      const trace: LayerTrace[] = []
      const traced = forwardNetwork(net, x, shape, frame, undefined, trace).dataSync()
      // The traced pass (no custom-gradient wrapper) gives the taped one's Q-values.
      const taped = forwardNetwork(net, x, shape, frame).dataSync()
      taped.forEach((v, j) => expect(Math.abs(traced[j] - v)).toBeLessThan(1e-6 * (1 + Math.abs(v))))
      const ours = backwardNetwork(net, trace, dQ)
      expect(ours).toHaveLength(weights.length)
      weights.forEach((w, i) => {
        const want = grads[w.name].dataSync()
        const got = ours[i].dataSync()
        expect(ours[i].shape).toEqual(w.shape)
        expect(want.some((v) => v !== 0)).toBe(true)
        want.forEach((v, j) => expect(Math.abs(got[j] - v)).toBeLessThan(1e-4 * (1 + Math.abs(v))))
      })
    })
    net.dispose()
  })
})
