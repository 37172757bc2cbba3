/**
 * Pixel Racer benchmarks, on the seed's track1. bench/run.ts merges these into
 * its table; each returns the same {value, unit, …} shape as the others there.
 */
import { QTable, QTABLE_PARAMS, type QTableParams } from '../src/core/agents/qtable'
import { defaults } from '../src/core/params'
import { builtinTrack } from '../src/core/racer/builtin-tracks'
import { RacerEnv, RacerVecEnv } from '../src/core/racer/env'
import { randomActions, median, now, rate, round, type BenchResult } from './util'

const REPEATS = 5

export const racerBenches: Record<string, () => Promise<BenchResult>> = {
  async racer_env_steps_per_s() {
    const actions = randomActions(1 << 16, 4)
    const mask = actions.length - 1
    const env = new RacerEnv(builtinTrack('track1'), { obs: 'onehot' })
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
    return { value: round(median(runs)), unit: 'steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), track: 'track1', obs: 'onehot' }
  },

  async racer_vec_env_steps_per_s() {
    const numEnvs = 64
    const calls = 1024
    const actions = randomActions(numEnvs * calls, 4)
    const views = Array.from({ length: calls }, (_, c) => actions.subarray(c * numEnvs, (c + 1) * numEnvs))
    const vec = new RacerVecEnv(builtinTrack('track1'), numEnvs, { obs: 'onehot' })
    vec.reset(0)
    const chunk = (): void => {
      for (let c = 0; c < calls; c++) vec.step(views[c])
    }
    rate(0.2, numEnvs * calls, chunk)
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, numEnvs * calls, chunk))
    return { value: round(median(runs)), unit: 'env-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), numEnvs, track: 'track1', obs: 'onehot' }
  },

  /**
   * Fresh agents with the seed's settings, each trained for 500 episodes and timed
   * whole (early episodes are long, late ones short); a run trains agents with
   * successive seeds for ≥ 0.3 s, since one agent takes only milliseconds.
   */
  async racer_qtable_episodes_per_s() {
    const episodes = 500
    const track = builtinTrack('track1')
    const params = defaults(QTABLE_PARAMS) as unknown as QTableParams
    let seed = 0
    let steps = 0
    const run = async (seconds: number): Promise<number> => {
      let done = 0
      const t0 = now()
      while (now() - t0 < seconds * 1000) {
        const agent = new QTable(new RacerEnv(track), params, seed++)
        for await (const _ of agent.train(episodes));
        steps += agent.envSteps
        done += episodes
      }
      return done / ((now() - t0) / 1000)
    }
    await run(0.2) // warm up the JIT
    seed = 0
    steps = 0
    const runs: number[] = []
    for (let r = 0; r < REPEATS; r++) runs.push(await run(0.3))
    return {
      value: round(median(runs)),
      unit: 'episodes/s',
      median: round(median(runs)),
      runs: runs.map((r) => round(r)),
      episodes_per_agent: episodes,
      agents: seed,
      mean_steps_per_episode: round(steps / (seed * episodes)),
      track: 'track1',
    }
  },
}
