/**
 * LArTPC game benchmarks: the env's speed, and what a default run of the
 * two-headed DQN reaches on generated events (held-out pixel and per-class
 * accuracy, the goal being ≥ 0.9 pixel accuracy). bench/run.ts merges
 * these into its table.
 */
import { LartpcEnv, DEFAULT_RULES } from '../src/core/lartpc/env'
import { generateEvents } from '../src/core/lartpc/generate'
import { memoryEvents } from '../src/core/lartpc/event'
import { median, now, randomActions, rate, round, type BenchResult } from './util'

const REPEATS = 5

export const lartpcGameBenches: Record<string, () => Promise<BenchResult>> = {
  /** Steps/s of the game on 256×256 generated events with random (move, class) actions, the default 32 trials × 8 steps per episode. */
  async lartpc_env_steps_per_s() {
    const env = new LartpcEnv(DEFAULT_RULES, memoryEvents(generateEvents(20, 1)))
    const moves = randomActions(1 << 16, 8)
    const classes = randomActions(1 << 16, 3)
    const mask = moves.length - 1
    const action = [0, 0]
    let k = 0
    let episode = 0
    env.reset(episode++)
    const chunk = (): void => {
      for (let i = 0; i < 50_000; i++) {
        action[0] = moves[k & mask]
        action[1] = classes[k++ & mask]
        if (env.step(action).terminated) env.reset(episode++)
      }
    }
    rate(0.2, 50_000, chunk) // warm up the JIT
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, 50_000, chunk))
    return { value: round(median(runs)), unit: 'steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)) }
  },

  /**
   * One default run: 200 generated 256×256 events (seed 1; the last 20 held out), the
   * two-headed DQN with its defaults for the world's default episodes (300), then the
   * world's final evaluation on the held-out events — what `quarkade train --env lartpc`
   * does, without the process and the store.
   */
  async lartpc_default_run_accuracy() {
    const { selectBackend } = await import('../src/main/trainer/backend')
    const { TwoHeadDqn } = await import('../src/core/agents/two-head-dqn')
    const { defaultParams, getWorld, makeEnv } = await import('../src/core/catalog')
    const { defaults } = await import('../src/core/params')
    const backend = await selectBackend('auto')
    const world = getWorld('lartpc')
    const params = defaults(world.params)
    const events = memoryEvents(generateEvents(200, 1))
    const env = makeEnv(world.id, params, 0, { events })
    const agent = TwoHeadDqn.fromValues(env, defaultParams(world.id, 'two-head-dqn'), 1)
    const t0 = now()
    let envSteps = 0
    for await (const ep of agent.train(world.defaultEpisodes)) envSteps = ep.envSteps
    const trainS = (now() - t0) / 1000
    const { metrics, results } = world.evaluate!(params, { events }, (obs) => agent.greedyAction(obs))
    agent.dispose()
    const r = (v: number): number | null => (Number.isFinite(v) ? round(v) : null)
    return {
      value: r(metrics.pixel_accuracy),
      unit: 'pixel accuracy (held-out, visited pixels)',
      goal: 0.9,
      accuracy_blank: r(metrics.accuracy_blank),
      accuracy_shower: r(metrics.accuracy_shower),
      accuracy_track: r(metrics.accuracy_track),
      iou_shower: r(metrics.iou_shower),
      iou_track: r(metrics.iou_track),
      coverage: r(metrics.heldout_coverage),
      reward_per_trial: r(metrics.reward_per_trial),
      confusion: results.confusion,
      episodes: world.defaultEpisodes,
      env_steps: envSteps,
      train_s: round(trainS),
      backend,
    }
  },
}
