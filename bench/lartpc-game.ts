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
/** Steps in the replay-seek episode: 512 trials × 8 steps, "thousands of steps". */
const SEEK_TRIALS = 512

export const lartpcGameBenches: Record<string, () => Promise<BenchResult>> = {
  /**
   * A replay seek: what the Replay view does to show a random step of a 4 096-step episode on a
   * 256×256 event — rebuild the agent's canvas up to that step from the episode's writes (from
   * scratch, the worst case: a backward seek) in the RGBA buffer the scene uploads. The episode is
   * simulated once when it loads (reported as load_ms); seeking never re-simulates.
   */
  async lartpc_replay_seek_ms() {
    const { lartpcSceneWorld, paintCanvasAt } = await import('../src/renderer/src/worlds/lartpc/episode-world')
    const { paintPixel } = await import('../src/renderer/src/lib/detector')
    const events = memoryEvents(generateEvents(4, 3))
    const env = new LartpcEnv({ ...DEFAULT_RULES, trials: SEEK_TRIALS }, events)
    const moves = randomActions(1 << 14, 8)
    const classes = randomActions(1 << 14, 3, 2)
    const t0 = now()
    env.reset(1)
    const states: unknown[] = [env.renderState()]
    for (let k = 0; ; k++) {
      const r = env.step([moves[k % moves.length], classes[k % classes.length]])
      states.push(env.renderState())
      if (r.terminated) break
    }
    const world = lartpcSceneWorld(env.event!, 'keep', states)
    const loadMs = now() - t0
    const ev = env.event!
    const out = new Uint8ClampedArray(ev.width * ev.height * 4)
    const background = new Uint8ClampedArray(out.length)
    const targets = randomActions(2000, states.length, 3)
    const times: number[] = []
    for (const k of targets) {
      const t = now()
      paintCanvasAt(world, k, states[k] as never, out, background, { from: 1, to: states.length }, paintPixel)
      times.push(now() - t)
    }
    return { value: round(median(times)), unit: 'ms', steps: states.length - 1, p99_ms: round([...times].sort((a, b) => a - b)[Math.floor(times.length * 0.99)]), load_ms: round(loadMs) }
  },

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
    const { metrics, results } = await world.evaluate!(params, { events }, (obs) => agent.greedyAction(obs))
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
