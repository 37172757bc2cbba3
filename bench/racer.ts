/**
 * Pixel Racer benchmarks, on the seed's track1. bench/run.ts merges these into
 * its table; each returns the same {value, unit, …} shape as the others there.
 */
import { QTable, QTABLE_PARAMS, type QTableParams } from '../src/core/agents/qtable'
import { defaults } from '../src/core/params'
import { defaultParams, effectiveEnvParams, getWorld, makeEnv } from '../src/core/catalog'
import { builtinTrack } from '../src/core/racer/builtin-tracks'
import { RacerEnv, RacerVecEnv } from '../src/core/racer/env'
import { trainToShortest } from '../src/core/racer/rollout'
import { shortestPath } from '../src/core/racer/track'
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

  /**
   * Does the Q-table reach the shortest path with the default settings from any seed?
   * Seeds 0–19 on track1 and track2, a default run's 500 episodes each, the greedy policy
   * played after every episode; the seed's settings (Q starting at 0) measured alongside.
   */
  async racer_qtable_shortest_path_seeds() {
    const episodes = getWorld('racer').defaultEpisodes
    const seeds = Array.from({ length: 20 }, (_, i) => i)
    const measure = async (params: QTableParams): Promise<{ fraction: number; median_episodes: number | null; final_fraction: number }> => {
      const firsts: number[] = []
      let reached = 0
      let stayed = 0
      for (const name of ['track1', 'track2'] as const) {
        const track = builtinTrack(name)
        for (const seed of seeds) {
          const agent = new QTable(new RacerEnv(track), params, seed)
          const r = await trainToShortest(agent, new RacerEnv(track), shortestPath(track)!.steps, { episodes, maxSteps: 200 })
          if (r.first !== null) {
            reached++
            firsts.push(r.first)
          }
          if (r.final === shortestPath(track)!.steps) stayed++
        }
      }
      const runs = 2 * seeds.length
      return { fraction: round(reached / runs), median_episodes: firsts.length ? median(firsts) : null, final_fraction: round(stayed / runs) }
    }
    const ours = await measure(defaultParams('racer', 'qtable') as unknown as QTableParams)
    const seed = await measure(defaults(QTABLE_PARAMS) as unknown as QTableParams)
    return {
      value: ours.fraction,
      unit: 'fraction of seeds',
      median_episodes_to_shortest: ours.median_episodes,
      final_fraction: ours.final_fraction,
      seed_settings_fraction: seed.fraction,
      seed_settings_median_episodes: seed.median_episodes,
      seeds: '0-19',
      tracks: 'track1,track2',
      episodes,
    }
  },

  /** The map-input Q-network with its defaults: greedy moves to the goal on track1 after 300 episodes, seeds 0–2 (shortest 18). */
  async racer_qnn_map_greedy_steps() {
    const { selectBackend } = await import('../src/main/trainer/backend')
    const { Dqn } = await import('../src/core/agents/dqn')
    const backend = await selectBackend('auto')
    const track = builtinTrack('track1')
    const envParams = effectiveEnvParams('racer', 'qnn-map', {})
    const best = shortestPath(track)!.steps
    const results: { seed: number; first: number | null; final: number | null; seconds: number; grad_steps: number }[] = []
    for (const seed of [0, 1, 2]) {
      const dqn = Dqn.fromValues(makeEnv('racer', envParams, seed, { track }), defaultParams('racer', 'qnn-map'), seed)
      const t0 = now()
      const r = await trainToShortest(dqn, makeEnv('racer', envParams, seed, { track }), best, { episodes: 300, maxSteps: 200, every: 25 })
      results.push({ seed, ...r, seconds: round((now() - t0) / 1000), grad_steps: dqn.gradSteps })
      dqn.dispose()
    }
    const finals = results.map((r) => r.final ?? Infinity)
    return {
      value: median(finals),
      unit: 'moves',
      shortest: best,
      reached_shortest: results.filter((r) => r.final === best).length / results.length,
      runs: results,
      episodes: 300,
      backend,
    }
  },
}
