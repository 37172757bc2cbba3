/**
 * Does each algorithm learn the small maze on this CPU? With the world's default
 * settings for it, an agent trains for a fixed wall-clock budget (10 minutes;
 * QUARKADE_BENCH_MAZE_MINUTES changes it), then plays 100 games greedily; the
 * random policy plays the same 100 games (same seeds). The value is the agent's
 * mean score; `random_mean_score` is the line it must clear.
 *
 * QUARKADE_BENCH_MAZE_SET='{"lr":1e-3}' (JSON) overrides settings, for experiments;
 * a bench line with overrides says so in `overrides`. QUARKADE_BENCH_MAZE_STEPS=N
 * stops after N agent steps instead (learning per step, whatever else runs on the machine).
 */
import type { RlAgent } from '../src/core/agent'
import { defaultParams, effectiveEnvParams, getAlgo, makeEnv, findWorld } from '../src/core/catalog'
import { defaults } from '../src/core/params'
import { deriveSeed, Rng } from '../src/core/rng'
import { median, now, round, type BenchResult } from './util'

const EVAL_GAMES = 100
const EVAL_SEED = 424242
const minutes = (): number => Number(process.env.QUARKADE_BENCH_MAZE_MINUTES ?? 10)
/** For experiments on a busy machine: a budget of agent steps instead of minutes. */
const stepBudget = (): number => Number(process.env.QUARKADE_BENCH_MAZE_STEPS ?? Infinity)
const overrides = (): Record<string, unknown> => JSON.parse(process.env.QUARKADE_BENCH_MAZE_SET ?? '{}') as Record<string, unknown>

async function learnSmallMaze(algoId: string, seed = 1): Promise<BenchResult> {
  const { selectBackend } = await import('../src/main/trainer/backend')
  const { implementationOf } = await import('../src/core/agents/implementations')
  const { playGreedy } = await import('../src/core/agents/play')
  const backend = await selectBackend('auto')
  const world = findWorld('maze-v1')!
  const extra = overrides()
  const envKeys = new Set(world.params.map((p) => p.key))
  const envValues = { preset: 'small', ...Object.fromEntries(Object.entries(extra).filter(([k]) => envKeys.has(k))) }
  const envParams = effectiveEnvParams('maze-v1', algoId, envValues as never)
  const params = { ...defaults(getAlgo(algoId).params), ...defaultParams('maze-v1', algoId), ...Object.fromEntries(Object.entries(extra).filter(([k]) => !envKeys.has(k))) }
  const env = makeEnv('maze-v1', envParams)
  const agent: RlAgent = implementationOf(algoId).create(env, params as never, seed, () => makeEnv('maze-v1', envParams))

  const budgetMs = minutes() * 60_000
  const t0 = now()
  const scores: number[] = []
  let envSteps = 0
  let gradSteps = 0
  // Train in short chunks so the clock is checked between games.
  while (now() - t0 < budgetMs && envSteps < stepBudget()) {
    for await (const ep of agent.train(1)) {
      scores.push((ep.stats ?? env.episodeStats!()).score)
      envSteps = ep.envSteps
      gradSteps = ep.gradSteps
    }
  }
  const trainedS = (now() - t0) / 1000

  const nbFrames = Number(params.nb_frames ?? 1)
  const evalEnv = makeEnv('maze-v1', envParams)
  const greedy = (await playGreedy(agent, evalEnv, nbFrames, EVAL_GAMES, EVAL_SEED)).episodes.map((e) => e.stats.score)
  const rng = new Rng(EVAL_SEED)
  const random: number[] = []
  for (let g = 0; g < EVAL_GAMES; g++) {
    evalEnv.reset(deriveSeed(EVAL_SEED, g))
    for (let done = false; !done; ) {
      const r = evalEnv.step(rng.int(0, evalEnv.actionSpace.n) as never)
      done = r.terminated || r.truncated
    }
    random.push(evalEnv.episodeStats!().score)
  }
  agent.dispose()
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  const last100 = scores.slice(-100)
  return {
    value: round(mean(greedy)),
    unit: 'points',
    median: median(greedy),
    random_mean_score: round(mean(random)),
    random_median: median(random),
    eval_games: EVAL_GAMES,
    train_minutes: round(trainedS / 60, 3),
    games_trained: scores.length,
    env_steps: envSteps,
    grad_steps: gradSteps,
    agent_steps_per_s: round(envSteps / trainedS),
    train_last100_mean_score: round(mean(last100)),
    algo: algoId,
    seed,
    backend,
    ...(Object.keys(extra).length ? { overrides: extra } : {}),
  }
}

export const mazeLearningBenches: Record<string, () => Promise<BenchResult>> = {
  maze_small_10min_dqn_score: () => learnSmallMaze('dqn'),
  maze_small_10min_split_q_score: () => learnSmallMaze('split-q'),
  maze_small_10min_ppo_score: () => learnSmallMaze('ppo'),
}
