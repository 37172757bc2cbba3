/**
 * Snake benchmarks. bench/run.ts merges these into its table; each returns the
 * same {value, unit, …} shape as the others there.
 */
import { loadavg } from 'node:os'
import { SnakeEnv, SnakeVecEnv } from '../src/core/snake/env'
import { Rng } from '../src/core/rng'
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
  // snake-v1's DQN defaults are qlearning4k's network (bench/baselines/torch_snake_conv.py is the same).
  const dqn = Dqn.fromValues(new SnakeEnv(0), { ...defaultParams('snake-v1', 'dqn'), epsilon_start: 1, epsilon_end: 1 }, 0)
  const measure = async (n: number): Promise<{ steps: number; seconds: number }> => {
    const g0 = dqn.gradSteps
    const t0 = now()
    for await (const ep of dqn.train(Number.MAX_SAFE_INTEGER)) if (ep.gradSteps - g0 >= n) break
    return { steps: dqn.gradSteps - g0, seconds: (now() - t0) / 1000 }
  }
  await measure(30)
  // Five windows of 60 steps, as the PyTorch script measures (the median of three moved ±15 % with the machine's load).
  const runs: number[] = []
  for (let i = 0; i < 5; i++) {
    const m = await measure(60)
    runs.push(m.steps / m.seconds)
  }
  dqn.dispose()
  return { value: round(median(runs)), unit: 'grad-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), backend, batch_size: dqn.params.batch_size }
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

  /**
   * Does Snake visibly learn with the defaults? Fresh default DQNs (snake-v2: the small conv net on
   * the shaped reward, seeds 1–3) train for a budget of env steps, then play 200 greedy games.
   */
  snake_mean_length: () => snakeLearning('dqn', 15_000, [1, 2, 3]),

  /** The issue's own measure: the defaults, seed 1, five minutes of training on this machine (wall time, so quote the load). */
  snake_mean_length_5min: () => snakeLearning('dqn', { seconds: 300 }, [1]),

  /** The same for qlearning4k's settings (the `dqn-qlearning4k` preset: conv net, the seed's reward), on a smaller budget: its gradient steps are 3–5× slower. */
  snake_qlearning4k_mean_length: () => snakeLearning('dqn-qlearning4k', 10_000, [1]),
}

/**
 * Trains `algo` with Snake's defaults for `budget` env steps per seed — steps, not seconds,
 * since the machine is shared — then plays 200 greedy games; a random policy plays the same
 * 200 starts. `minutes_for_budget` divides the budget by the gradient steps/s measured in the
 * same run: re-run on a quiet machine for the 5-minute figure.
 */
async function snakeLearning(algo: string, budget: number | { seconds: number }, seeds: number[]): Promise<BenchResult> {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { Dqn } = await import('../src/core/agents/dqn')
  const { defaultParams, effectiveEnvParams, makeEnv } = await import('../src/core/catalog')
  const { playGreedy } = await import('../src/core/agents/play')
  const backend = await selectBackend('auto')
  const games = 200
  const envParams = effectiveEnvParams('snake-v2', algo, {})
  const params = defaultParams('snake-v2', algo)
  const lengths = (played: { stats: Record<string, number> }[]): number => played.reduce((s, e) => s + e.stats.length, 0) / played.length
  const rng = new Rng(5)
  const random = lengths((await playGreedy({ greedyAction: async () => rng.int(0, 5) }, makeEnv('snake-v2', envParams), 1, games, 77)).episodes)
  const runs: { seed: number; mean_length: number; win_fraction: number; grad_steps_per_s: number; train_seconds: number; episodes: number; env_steps: number }[] = []
  for (const seed of seeds) {
    const dqn = Dqn.fromValues(makeEnv('snake-v2', envParams, seed), params, seed)
    const t0 = now()
    let episodes = 0
    let envSteps = 0
    for await (const ep of dqn.train(Number.MAX_SAFE_INTEGER)) {
      episodes = ep.episode + 1
      envSteps = ep.envSteps
      if (typeof budget === 'number' ? ep.envSteps >= budget : now() - t0 >= budget.seconds * 1000) break
    }
    const seconds = (now() - t0) / 1000
    const played = await playGreedy(dqn, makeEnv('snake-v2', envParams), Number(params.nb_frames), games, 77)
    runs.push({ seed, mean_length: round(lengths(played.episodes)), win_fraction: played.winFraction, grad_steps_per_s: round(dqn.gradSteps / seconds), train_seconds: round(seconds), episodes, env_steps: envSteps })
    dqn.dispose()
  }
  const gps = median(runs.map((r) => r.grad_steps_per_s))
  return {
    value: median(runs.map((r) => r.mean_length)),
    unit: 'cells',
    algo,
    random_policy_mean_length: round(random),
    env_steps: typeof budget === 'number' ? budget : median(runs.map((r) => r.env_steps)),
    ...(typeof budget === 'number' ? { minutes_for_budget: round(budget / gps / 60) } : { train_seconds_budget: budget.seconds, load_average: loadavg()[0] }),
    grad_steps_per_s: gps,
    runs,
    games,
    backend,
  }
}
