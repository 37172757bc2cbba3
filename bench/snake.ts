/**
 * Snake benchmarks. bench/run.ts merges these into its table; each returns the
 * same {value, unit, …} shape as the others there.
 */
import { SnakeEnv, SnakeVecEnv } from '../src/core/snake/env'
import { Rng, deriveSeed } from '../src/core/rng'
import { randomActions, median, now, rate, round, type BenchResult } from './util'
import type { BackendChoice } from '../src/shared/api'

const REPEATS = 5

/** Gradient steps/s of qlearning4k's Snake conv Q-network (batch 64) on the given backend (bench/gpu.ts asks for webgpu). */
export async function snakeConvGradSteps(choice: BackendChoice): Promise<BenchResult> {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { Dqn } = await import('../src/core/agents/dqn')
  const { defaultParams } = await import('../src/core/catalog')
  const backend = await selectBackend(choice)
  // ε = 1: random actions skip the policy's forward passes, so the time is the gradient steps'.
  const dqn = Dqn.fromValues(new SnakeEnv(0), { ...defaultParams('snake', 'dqn'), epsilon_start: 1, epsilon_end: 1 }, 0)
  const measure = async (n: number): Promise<{ steps: number; seconds: number }> => {
    const g0 = dqn.gradSteps
    const t0 = now()
    for await (const ep of dqn.train(Number.MAX_SAFE_INTEGER)) if (ep.gradSteps - g0 >= n) break
    return { steps: dqn.gradSteps - g0, seconds: (now() - t0) / 1000 }
  }
  await measure(30)
  const runs: number[] = []
  for (let i = 0; i < 3; i++) {
    const m = await measure(60)
    runs.push(m.steps / m.seconds)
  }
  dqn.dispose()
  return { value: round(median(runs)), unit: 'grad-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), backend, batch_size: 64 }
}

export const snakeBenches: Record<string, () => Promise<BenchResult>> = {
  async snake_env_steps_per_s() {
    const actions = randomActions(1 << 16, 5)
    const mask = actions.length - 1
    const env = new SnakeEnv(0)
    env.reset()
    let k = 0
    const chunk = (): void => {
      for (let i = 0; i < 100_000; i++) {
        const r = env.step(actions[k++ & mask])
        if (r.terminated || r.truncated) env.reset()
      }
    }
    rate(0.2, 100_000, chunk) // warm up the JIT
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, 100_000, chunk))
    return { value: round(median(runs)), unit: 'steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)) }
  },

  async snake_vec_env_steps_per_s() {
    const numEnvs = 64
    const calls = 1024
    const actions = randomActions(numEnvs * calls, 5)
    const views = Array.from({ length: calls }, (_, c) => actions.subarray(c * numEnvs, (c + 1) * numEnvs))
    const vec = new SnakeVecEnv(numEnvs)
    vec.reset(0)
    const chunk = (): void => {
      for (let c = 0; c < calls; c++) vec.step(views[c])
    }
    rate(0.2, numEnvs * calls, chunk)
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, numEnvs * calls, chunk))
    return { value: round(median(runs)), unit: 'env-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), numEnvs }
  },

  snake_conv_dqn_grad_steps_per_s: () => snakeConvGradSteps('auto'),

  /** Greedy mean length over 200 games after 200 training episodes (seed 1), against a random policy. */
  async snake_mean_length() {
    const { selectBackend } = await import('../src/main/trainer/backend')
    const { Dqn } = await import('../src/core/agents/dqn')
    const { defaultParams } = await import('../src/core/catalog')
    const { playGreedy } = await import('../src/core/agents/play')
    const backend = await selectBackend('auto')
    const episodes = 200
    const dqn = Dqn.fromValues(new SnakeEnv(0, { maxSteps: 100 }), { ...defaultParams('snake', 'dqn'), epsilon_decay_episodes: 400 }, 1)
    const t0 = now()
    for await (const _ of dqn.train(episodes)) void _
    const seconds = (now() - t0) / 1000
    const played = playGreedy(dqn, new SnakeEnv(0, { maxSteps: 100 }), 4, 200, 77)
    dqn.dispose()
    const mean = played.episodes.reduce((s, e) => s + e.stats.length, 0) / played.episodes.length
    const env = new SnakeEnv(0, { maxSteps: 100 })
    const rng = new Rng(5)
    let randomTotal = 0
    for (let g = 0; g < 200; g++) {
      env.reset(deriveSeed(77, g))
      for (;;) {
        const r = env.step(rng.int(0, 5))
        if (r.terminated || r.truncated) break
      }
      randomTotal += env.episodeStats().length
    }
    return { value: round(mean), unit: 'cells', train_episodes: episodes, train_seconds: round(seconds), win_fraction: played.winFraction, random_policy_mean_length: round(randomTotal / 200), backend }
  },
}
