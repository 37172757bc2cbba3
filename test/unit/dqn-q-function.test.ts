/**
 * The one DQN with a handed Q-function (a user's compiled model, as
 * qlearning4k's Agent uses it) and the loop settings only qlearning4k needs.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { Dqn, linearEpsilon, type DqnLoopParams, type DqnParams } from '../../src/core/agents/dqn'
import { CompiledModelQ } from '../../src/core/agents/compiled-q'
import { ReplayMemory } from '../../src/core/agents/replay-memory'
import type { EpisodeResult } from '../../src/core/agent'
import { defaultParams } from '../../src/core/catalog'
import { CatchEnv } from '../../src/core/catch/env'

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

async function run(dqn: Dqn, episodes: number): Promise<EpisodeResult[]> {
  const out: EpisodeResult[] = []
  for await (const ep of dqn.train(episodes)) out.push(ep)
  return out
}

const loop: DqnLoopParams = {
  gamma: 0.9,
  batch_size: 8,
  memory_size: 500,
  nb_frames: 1,
  epsilon_start: 0.8,
  epsilon_end: 0.1,
  epsilon_decay_episodes: 4,
  epsilon_decay_steps: 0,
  random_steps: 0,
  learning_starts: 8,
  train_every: 1,
}

function compiledCatchModel(seed: number): tf.Sequential {
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [100], kernelInitializer: tf.initializers.glorotUniform({ seed }) }))
  model.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }))
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
  return model
}

describe('Dqn loop settings', () => {
  it('random_episodes: whole episodes of random play without learning, then ε falls from its start', async () => {
    const p = { ...(defaultParams('catch', 'dqn') as unknown as DqnParams), learning_starts: 5, random_episodes: 3 }
    const dqn = new Dqn(new CatchEnv(), p, 4)
    const eps = await run(dqn, 6)
    expect(eps.map((e) => e.metrics.epsilon).slice(0, 3)).toEqual([1, 1, 1])
    eps.slice(3).forEach((e, k) => expect(e.metrics.epsilon).toBeCloseTo(linearEpsilon(p, k), 12))
    expect(eps.slice(0, 3).map((e) => e.gradSteps)).toEqual([0, 0, 0])
    expect(eps.slice(0, 3).every((e) => Number.isNaN(e.metrics.loss))).toBe(true)
    // The memory filled meanwhile: learning starts at the first step of episode 3.
    expect(eps.slice(3).map((e) => e.gradSteps)).toEqual([9, 18, 27])
    dqn.dispose()
  })
})

describe('Dqn with a compiled model as its Q-function', () => {
  it('learns through model.trainOnBatch on full target rows, one call per gradient step', async () => {
    const model = compiledCatchModel(1)
    const q = new CompiledModelQ(model)
    const before = model.getWeights().map((w) => Array.from(w.dataSync()))
    const fit = model.trainOnBatch.bind(model)
    let calls = 0
    model.trainOnBatch = async (x, y) => {
      calls++
      expect((y as tf.Tensor).shape).toEqual([8, 3])
      return fit(x, y)
    }
    const dqn = new Dqn(new CatchEnv(), loop, 2, { qFunction: q })
    const eps = await run(dqn, 6)
    expect(calls).toBe(dqn.gradSteps)
    expect(dqn.gradSteps).toBe(6 * 9 - 8 + 1)
    expect(eps.at(-1)!.metrics.loss).toBeGreaterThan(0)
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(before)
    // The DQN acts on the model's own Q-values.
    const s = new CatchEnv().reset(3).obs
    expect(Array.from(await dqn.qValues(s))).toEqual(Array.from((model.predict(tf.tensor2d(s, [1, 100])) as tf.Tensor).dataSync()))
    // Snapshots and export belong to the built-in network; the model stays its owner's after dispose.
    await expect(dqn.snapshot()).rejects.toThrow(/a snapshot needs the built-in Q-network/)
    await expect(dqn.artifacts()).rejects.toThrow(/export needs the built-in Q-network/)
    dqn.dispose()
    expect(model.predict(tf.zeros([1, 100])) as tf.Tensor).toBeTruthy()
    model.dispose()
  })

  it('same seed, same model weights → same episodes; a shared memory carries over between DQNs', async () => {
    const once = async () => {
      const model = compiledCatchModel(3)
      const memory = new ReplayMemory(500, 100, 'without-replacement')
      const first = await run(new Dqn(new CatchEnv(5), loop, 7, { qFunction: new CompiledModelQ(model), memory }), 3)
      expect(memory.size).toBe(27)
      // A second DQN on the same memory trains from its first step.
      const second = await run(new Dqn(new CatchEnv(6), loop, 8, { qFunction: new CompiledModelQ(model), memory }), 1)
      expect(second[0].gradSteps).toBe(9)
      model.dispose()
      return [...first, ...second].map((e) => [e.actions, e.metrics.loss])
    }
    expect(await once()).toEqual(await once())
  })

  it('refuses a replay memory whose states do not fit the env', () => {
    const model = compiledCatchModel(4)
    expect(() => new Dqn(new CatchEnv(), loop, 1, { qFunction: new CompiledModelQ(model), memory: new ReplayMemory(10, 50) })).toThrow(
      /replay memory holds states of 50 values; catch stacked 1× gives 100/,
    )
    model.dispose()
  })
})
