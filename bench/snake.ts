/**
 * Snake benchmarks. bench/run.ts merges these into its table; each returns the
 * same {value, unit, …} shape as the others there.
 */
import { SnakeEnv, SnakeVecEnv } from '../src/core/envs/snake'
import { Rng } from '../src/core/rng'
import { median, rate, round, type BenchResult } from './util'

const REPEATS = 5

/** Precomputed random actions (0–4), so the RNG is not what gets measured. */
function randomActions(n: number, seed = 1): Int32Array {
  const rng = new Rng(seed)
  return Int32Array.from({ length: n }, () => rng.int(0, 5))
}

export const snakeBenches: Record<string, () => Promise<BenchResult>> = {
  async snake_env_steps_per_s() {
    const actions = randomActions(1 << 16)
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
    const actions = randomActions(numEnvs * calls)
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
}
