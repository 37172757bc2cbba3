import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/main/trainer/backend'
import { Dqn, linearEpsilon, type DqnParams } from '../../src/core/agents/dqn'
import type { EpisodeResult } from '../../src/core/agent'
import { defaultParams } from '../../src/core/catalog'
import { CatchEnv } from '../../src/core/catch/env'
import type { ParamValues } from '../../src/core/params'

const catchDqn = (seed: number, overrides: ParamValues = {}): Dqn =>
  Dqn.fromValues(new CatchEnv(), { ...defaultParams('catch', 'dqn'), ...overrides }, seed)

async function run(dqn: Dqn, episodes: number): Promise<EpisodeResult[]> {
  const out: EpisodeResult[] = []
  for await (const ep of dqn.train(episodes)) out.push(ep)
  return out
}

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm')
})

describe('Dqn', () => {
  it('is deterministic: same seed → identical returns, actions and losses', async () => {
    const a = catchDqn(7)
    const b = catchDqn(7)
    const ra = await run(a, 30)
    const rb = await run(b, 30)
    const trace = (r: EpisodeResult[]) => r.map((e) => ({ seed: e.seed, ret: e.return, won: e.won, actions: e.actions, loss: e.metrics.loss }))
    expect(trace(rb)).toEqual(trace(ra))
    // Learning did start (finite losses), so the losses compared are real numbers.
    expect(ra.filter((e) => Number.isFinite(e.metrics.loss)).length).toBeGreaterThan(20)
    // A different seed plays differently.
    const c = catchDqn(8)
    const rc = await run(c, 30)
    expect(rc.map((e) => e.actions)).not.toEqual(ra.map((e) => e.actions))
    for (const d of [a, b, c]) d.dispose()
  })

  it('reports consistent episode bookkeeping', async () => {
    const dqn = catchDqn(3)
    const eps = await run(dqn, 12)
    const p = dqn.params as DqnParams
    eps.forEach((e, k) => {
      expect(e.episode).toBe(k)
      expect(e.length).toBe(9)
      expect(e.actions).toHaveLength(9)
      expect(e.return === 1 || e.return === -1).toBe(true)
      expect(e.won).toBe(e.return === 1)
      expect(e.metrics.epsilon).toBeCloseTo(linearEpsilon(p, k))
      expect(e.envSteps).toBe(9 * (k + 1))
      // One gradient step per env step once the memory holds learning_starts transitions.
      expect(e.gradSteps).toBe(Math.max(0, 9 * (k + 1) - p.learning_starts + 1))
      expect(e.outputs).toBeNull()
    })
    // Before learning starts the loss is NaN; afterwards finite.
    expect(eps[0].metrics.loss).toBeNaN()
    expect(Number.isFinite(eps[11].metrics.loss)).toBe(true)
    dqn.dispose()
  })

  it('the seeded learning test: default Catch config reaches win_rate ≥ 0.9 within 600 episodes', async () => {
    const dqn = catchDqn(0)
    const wins: number[] = []
    let reachedAt = -1
    for await (const ep of dqn.train(600)) {
      wins.push(ep.won ? 1 : 0)
      const last = wins.slice(-100)
      if (last.length === 100 && last.reduce((s, w) => s + w, 0) >= 90) {
        reachedAt = ep.episode + 1
        break
      }
    }
    expect(reachedAt, 'episodes until win_rate(last 100) ≥ 0.9').toBeGreaterThan(0)
    expect(reachedAt).toBeLessThanOrEqual(600)

    // The greedy policy it learned catches fruit on fresh episodes too.
    const env = new CatchEnv()
    let greedyWins = 0
    for (let k = 0; k < 100; k++) {
      let s = env.reset(1_000_000 + k).obs
      for (;;) {
        const r = env.step(await dqn.greedyAction(s))
        s = r.obs
        if (r.terminated) break
      }
      if (env.isWon()) greedyWins++
    }
    expect(greedyWins).toBeGreaterThanOrEqual(90)
    dqn.dispose()
  })

  it.each([
    ['hard target network', { target_network: 'hard', target_update_every: 20 }],
    ['soft target network', { target_network: 'soft', tau: 0.05 }],
    ['double DQN (hard target)', { target_network: 'hard', target_update_every: 20, double_dqn: true }],
    ['double DQN (soft target)', { target_network: 'soft', double_dqn: true }],
    ['double DQN (no target)', { double_dqn: true }],
    ['stacked frames, unbounded memory', { nb_frames: 2, memory_size: -1, hidden: [32] }],
  ] as [string, ParamValues][])('%s trains with finite losses and no tensor leak', async (_name, overrides) => {
    const dqn = catchDqn(11, { learning_starts: 20, ...overrides })
    const first = await run(dqn, 15)
    const tensors = tf.memory().numTensors
    const more = await run(dqn, 15)
    expect(tf.memory().numTensors).toBe(tensors)
    const losses = [...first, ...more].map((e) => e.metrics.loss).filter((l) => !Number.isNaN(l))
    expect(losses.length).toBeGreaterThan(25)
    for (const l of losses) expect(Number.isFinite(l)).toBe(true)
    expect(more[more.length - 1].gradSteps).toBeGreaterThan(200)
    const q = await dqn.qValues(new Float32Array(100 * (dqn.params.nb_frames as number)))
    expect(q).toHaveLength(3)
    for (const v of q) expect(Number.isFinite(v)).toBe(true)
    dqn.dispose()
  })

  it('a target network changes the learning signal (the option is honoured)', async () => {
    const runOnce = async (overrides: ParamValues): Promise<EpisodeResult[]> => {
      const dqn = catchDqn(5, { learning_starts: 20, ...overrides })
      const r = await run(dqn, 12)
      dqn.dispose()
      return r
    }
    const none = await runOnce({})
    const hard = await runOnce({ target_network: 'hard', target_update_every: 1000 })
    const soft = await runOnce({ target_network: 'soft' })
    const losses = (r: EpisodeResult[]) => r.map((e) => e.metrics.loss)
    expect(losses(hard)).not.toEqual(losses(none))
    expect(losses(soft)).not.toEqual(losses(none))
    expect(losses(soft)).not.toEqual(losses(hard))
  })

  it('records Q-values only for the episodes asked for', async () => {
    const dqn = catchDqn(2)
    const eps: EpisodeResult[] = []
    for await (const ep of dqn.train(4, (e) => e === 2)) eps.push(ep)
    expect(eps.map((e) => e.outputs === null)).toEqual([true, true, false, true])
    expect(eps[2].outputs).toHaveLength(9 * 3)
    dqn.dispose()
  })

  it('artifacts() are LayersModel artifacts that load back with the same predictions', async () => {
    const dqn = catchDqn(4)
    await run(dqn, 10) // move the weights away from their initial values
    const artifacts = await dqn.artifacts()
    expect(artifacts.modelTopology).toBeTruthy()
    expect(artifacts.weightSpecs?.length).toBe(6) // 3 Dense layers × (kernel, bias)
    expect(artifacts.weightData).toBeTruthy()
    expect((artifacts.modelTopology as { class_name?: string }).class_name).toBe('Sequential')

    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts))
    const env = new CatchEnv()
    const states: Float32Array[] = []
    for (let k = 0; k < 8; k++) states.push(Float32Array.from(env.reset(k).obs))
    const x = tf.tensor2d(states.map((s) => Array.from(s)))
    const pred = loaded.predict(x) as tf.Tensor2D
    const rows = pred.arraySync()
    for (const [k, s] of states.entries()) {
      const q = await dqn.qValues(s)
      for (let a = 0; a < 3; a++) expect(rows[k][a]).toBeCloseTo(q[a], 5)
    }
    // And not merely by chance: a fresh network predicts something else.
    const fresh = catchDqn(999)
    expect(Array.from(await fresh.qValues(states[0]))).not.toEqual(Array.from(await dqn.qValues(states[0])))
    tf.dispose([x, pred])
    loaded.dispose()
    fresh.dispose()
    dqn.dispose()
  })
})
