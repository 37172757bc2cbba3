/**
 * The maze's algorithms: the seed's Double DQN preset (its CNN, Huber loss,
 * gradient clipping) and Split-Q (two reward streams, their weights and memories).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { defaultParams, effectiveEnvParams, getAlgo, getWorld, makeEnv } from '../../src/core/catalog'
import { QNetwork, buildQNetwork, type DqnParams } from '../../src/core/agents/dqn'
import { SplitQ, rewardStreams, type SplitQParams } from '../../src/core/agents/split-q'
import { splitBiases } from '../../src/core/agents/split-q-params'
import { ReplayMemory } from '../../src/core/agents/replay-memory'
import { implementationOf } from '../../src/core/agents/implementations'
import type { EpisodeResult } from '../../src/core/agent'
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../../src/core/env'
import type { ParamValues } from '../../src/core/params'
import { RunStore } from '../../src/main/services/run-store'

const root = path.resolve(__dirname, '../..')

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

/**
 * Two steps, then the end; the state is the step (one-hot). Action 0 earns 1 and costs 2,
 * action 1 earns 0.5 and costs nothing: the streams disagree on which is better.
 */
class TwoStreamChain implements Env<null, { rewardParts: [number, number] }> {
  readonly id = 'two-stream-chain'
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [2], low: 0, high: 1 }
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2, labels: ['earn 1, pay 2', 'earn ½'] }
  static readonly PARTS: [number, number][] = [
    [1, -2],
    [0.5, 0],
  ]
  private t = 0
  reset() {
    this.t = 0
    return { obs: Float32Array.of(1, 0), info: { rewardParts: [0, 0] as [number, number] } }
  }
  step(action: number): StepResult<{ rewardParts: [number, number] }> {
    this.t++
    const parts = TwoStreamChain.PARTS[action]
    return { obs: Float32Array.of(0, 1), reward: parts[0] + parts[1], terminated: this.t === 2, truncated: false, info: { rewardParts: [parts[0], parts[1]] } }
  }
  renderState(): null {
    return null
  }
  isWon(): boolean {
    return false
  }
}

/** A linear Q on the one-hot step: tabular, so the streams' fixed points are exact. */
const chainParams = (values: ParamValues = {}): SplitQParams =>
  ({
    ...defaultParams('catch-v1', 'split-q'),
    network: 'mlp',
    hidden: [],
    optimizer: 'adam',
    lr: 0.03,
    gamma: 0.9,
    batch_size: 16,
    memory_size: 400,
    learning_starts: 16,
    epsilon_start: 1,
    epsilon_end: 1,
    target_network: 'none',
    double_dqn: false,
    loss: 'mse',
    ...values,
  }) as unknown as SplitQParams

async function play(agent: SplitQ, episodes: number, record = false): Promise<EpisodeResult[]> {
  const out: EpisodeResult[] = []
  for await (const e of agent.train(episodes, () => record)) out.push(e)
  return out
}

describe('Double DQN · seed preset', () => {
  test('its settings resolve to the seed’s, on 84-wide frames of the full maze', () => {
    const p = defaultParams('maze-v1', 'ddqn-seed')
    expect(p).toMatchObject({
      conv_filters: [16, 32, 64], conv_kernels: [8, 4, 3], conv_strides: [4, 2, 1], hidden: [256], optimizer: 'rmsprop', rmsprop_rho: 0.95,
      rmsprop_epsilon: 0.01, lr: 2.5e-4, loss: 'huber', grad_clip_norm: 1, gamma: 0.95, batch_size: 64, epsilon_end: 0.05,
      epsilon_decay_steps: 800_000, target_update_every: 500, target_update_unit: 'episodes', double_dqn: true,
    })
    expect(effectiveEnvParams('maze-v1', 'ddqn-seed', {})).toMatchObject({ frame_scale: 3, observation: 'frames' })
    // The plain DQN keeps its old behaviour: no strides, squared loss, no clipping.
    expect(defaultParams('catch-v1', 'dqn')).toMatchObject({ conv_strides: [], loss: 'mse', grad_clip_norm: 0, target_update_unit: 'steps' })
    // The seed's 50 000 transitions do not fit at these frames; the preset's 4 000 do.
    const env = makeEnv('maze-v1', effectiveEnvParams('maze-v1', 'ddqn-seed', {}))
    const algo = getAlgo('ddqn-seed')
    expect(algo.checkSettings!(p, env)).toBeNull()
    expect(algo.checkSettings!({ ...p, memory_size: 50_000 }, env)).toMatch(/memory_size 50000 needs 11\.6 GiB.*at most 4295/)
  })

  test('strides and kernels give the seed CNN’s layer shapes; too-small frames are refused by name', () => {
    const p = defaultParams('maze-v1', 'ddqn-seed') as unknown as DqnParams
    const model = buildQNetwork(p, [4, 93, 84], 9, 0)
    const shapes = model.layers.filter((l) => /conv2d|dense|flatten/.test(l.name)).map((l) => (l.outputShape as number[]).slice(1))
    expect(shapes).toEqual([[22, 20, 16], [10, 9, 32], [8, 7, 64], [3584], [256], [9]])
    model.dispose()
    expect(() => buildQNetwork(p, [4, 33, 33], 9, 0)).toThrow('conv layer 3 (kernel 3, stride 1) leaves nothing of 33×33 observations')
    // …and before a run starts: the small maze at 3 pixels a tile is 33×33.
    const smallEnv = makeEnv('maze-v1', { ...effectiveEnvParams('maze-v1', 'ddqn-seed', {}), preset: 'small' })
    expect(getAlgo('ddqn-seed').checkSettings!(p as unknown as ParamValues, smallEnv)).toMatch(/^conv layer 3 .* 33×33 observations/)
  })

  test('Huber loss is linear in large errors, and clipping bounds a step’s gradient norm', async () => {
    const env = new TwoStreamChain()
    const base = { ...chainParams(), optimizer: 'sgd', lr: 1, batch_size: 4 } as unknown as DqnParams
    const batch = ReplayMemory.allocBatch(4, 2)
    batch.states.set([1, 0, 1, 0, 0, 1, 0, 1])
    batch.nextStates.set([0, 1, 0, 1, 0, 1, 0, 1])
    batch.rewards.fill(1000)
    batch.dones.fill(1)
    const lossWith = async (loss: 'mse' | 'huber'): Promise<number> => {
      const q = new QNetwork({ ...base, loss, lr: 1e-9 }, env, 3)
      const v = await q.learn(batch, 0.9, 1)
      q.dispose()
      return v
    }
    // |error| ≈ 1000 (the initial Q is near 0): Huber ≈ |e| − 0.5, squared ≈ e².
    expect(await lossWith('huber')).toBeGreaterThan(990)
    expect(await lossWith('huber')).toBeLessThan(1010)
    expect(await lossWith('mse')).toBeGreaterThan(980_000)
    const clipped = new QNetwork({ ...base, grad_clip_norm: 0.001 }, env, 3)
    const before = clipped.model.getWeights().map((w) => w.dataSync().slice())
    await clipped.learn(batch, 0.9, 1)
    const moved = clipped.model.getWeights().map((w, i) => (w.dataSync() as Float32Array).reduce((s, x, k) => s + (x - before[i][k]) ** 2, 0))
    // SGD at lr 1 moves the weights by exactly the clipped gradient: norm 0.001.
    expect(Math.sqrt(moved.reduce((a, b) => a + b, 0))).toBeCloseTo(0.001, 6)
    clipped.dispose()
  })
})

describe('Split-Q', () => {
  test('presets resolve; steps without rewardParts split by sign', () => {
    expect(splitBiases({ split_preset: 'chronic_pain' })).toEqual({ w_r: 0.5, lambda_r: 0.5, w_p: 1, lambda_p: 1 })
    expect(splitBiases({ split_preset: 'standard' })).toEqual({ w_r: 1, lambda_r: 1, w_p: 1, lambda_p: 1 })
    expect(splitBiases({ split_preset: 'custom', w_r: 2, lambda_r: 0.3, w_p: 4, lambda_p: 0.7 })).toEqual({ w_r: 2, lambda_r: 0.3, w_p: 4, lambda_p: 0.7 })
    expect(rewardStreams(-3, { rewardParts: [7, -10] })).toEqual([7, -10])
    expect(rewardStreams(-3, {})).toEqual([0, -3])
    expect(rewardStreams(5, undefined)).toEqual([5, 0])
    const maze = getWorld('maze-v1')
    expect(getAlgo('split-q').supports(maze)).toBeNull()
    expect(getAlgo('split-q').outputs?.parts?.map((p) => p.short)).toEqual(['Q⁺', 'Q⁻'])
  })

  test('each stream converges to its own fixed point (chronic pain: rewards weighed and remembered at half)', async () => {
    const env = new TwoStreamChain()
    const agent = new SplitQ(env, chainParams({ split_preset: 'chronic_pain' }), 11)
    const episodes = await play(agent, 600)
    // Recorded episodes keep Q⁺ then Q⁻ for each of their steps.
    const [recorded] = await play(agent, 1, true)
    expect(recorded.outputs).toHaveLength(2 * 2 * 2)
    expect(episodes.at(-1)!.metrics.loss_punishment).toBeGreaterThanOrEqual(0)
    // Q(s, a) = (w·r + γ·max Q(s′)) / (2 − λ) before the end, w·r at the end (no forgetting there).
    const [s0, s1] = [Float32Array.of(1, 0), Float32Array.of(0, 1)]
    const end = await agent.outputs(s1)
    const start = await agent.outputs(s0)
    const expected = {
      endPlus: [0.5 * 1, 0.5 * 0.5], endMinus: [-2, 0],
      startPlus: [(0.5 + 0.9 * 0.5) / 1.5, (0.25 + 0.9 * 0.5) / 1.5], startMinus: [-2, 0],
    }
    const near = (got: ArrayLike<number>, want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 1))
    near(end.slice(0, 2), expected.endPlus)
    near(end.slice(2), expected.endMinus)
    near(start.slice(0, 2), expected.startPlus)
    near(start.slice(2), expected.startMinus)
    // It acts on Q⁺ + Q⁻: action 1 (0.47 + 0) beats action 0 (0.63 − 2).
    expect(await agent.greedyAction(s0)).toBe(1)
    agent.dispose()
  })

  test('N episodes, a snapshot, a restore and N more equal 2N straight', async () => {
    const env = new TwoStreamChain()
    const params = chainParams({ split_preset: 'custom', w_r: 2, lambda_r: 0.8, w_p: 1, lambda_p: 0.6, epsilon_end: 0.2, epsilon_decay_episodes: 40, target_network: 'hard', target_update_every: 3, target_update_unit: 'episodes', double_dqn: true, loss: 'huber', grad_clip_norm: 1 })
    const straight = new SplitQ(env, params, 5)
    const all = await play(straight, 20)
    // Training leaks no tensors (the clipped-gradient path included; the optimisers' moments exist by now).
    const tensors = tf.memory().numTensors
    all.push(...(await play(straight, 20)))
    expect(tf.memory().numTensors).toBe(tensors)
    const first = new SplitQ(env, params, 5)
    const half = await play(first, 20)
    const snap = await first.snapshot()
    first.dispose()
    const resumed = (await implementationOf('split-q').restore(env, snap)) as SplitQ
    const rest = await play(resumed, 20)
    const trace = (r: EpisodeResult[]) => r.map((e) => [e.actions, e.metrics.loss_reward, e.metrics.loss_punishment])
    expect(trace([...half, ...rest])).toEqual(trace(all))
    expect(Array.from(await resumed.outputs(Float32Array.of(1, 0)))).toEqual(Array.from(await straight.outputs(Float32Array.of(1, 0))))
    // Play/Export: one model of both streams that loads back into a fresh agent.
    const fresh = new SplitQ(env, params, 99)
    fresh.loadWeights(await straight.artifacts())
    expect(Array.from(await fresh.outputs(Float32Array.of(0, 1)))).toEqual(Array.from(await straight.outputs(Float32Array.of(0, 1))))
    for (const a of [straight, resumed, fresh]) a.dispose()
  })
})

describe('quarkade train --algo split-q', () => {
  const quarkade = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args], { encoding: 'utf8', timeout: 240_000 })
  const small = ['--set', 'learning_starts=8', '--set', 'batch_size=16', '--set', 'memory_size=500', '--episodes', '3', '--seed', '2', '--json']

  test.each([
    ['the maze, split_q reward (rewardParts)', ['--env', 'maze', '--reward', 'split_q', '--env-set', 'preset=small', '--env-set', 'max_steps=40']],
    ['the maze, vanilla reward', ['--env', 'maze', '--reward', 'vanilla', '--env-set', 'preset=small', '--env-set', 'max_steps=40']],
    ['catch, no rewardParts (split by sign)', ['--env', 'catch']],
  ])('trains on %s and records both streams in replays', (_, args) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-splitq-'))
    try {
      const r = quarkade('train', '--algo', 'split-q', ...args, ...small, '--data-dir', dataDir)
      expect(r.status, String(r.stderr)).toBe(0)
      const out = JSON.parse(String(r.stdout).trim().split('\n').pop()!)
      expect(out).toMatchObject({ status: 'completed', algo: 'split-q', episodes: 3 })
      expect(out.grad_steps).toBeGreaterThan(0)
      const store = new RunStore(dataDir)
      try {
        const ep = store.episodes(out.run_id).find((e) => e.hasReplay)!
        const nActions = args[1] === 'maze' ? 9 : 3
        expect(store.replay(out.run_id, ep.episode).outputs).toHaveLength(ep.length * 2 * nActions)
      } finally {
        store.close()
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 300_000)
})

