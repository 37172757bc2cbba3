/**
 * Maze benchmarks: game steps/s of the rules alone (the full maze, four ghosts),
 * agent steps/s of the env with its observation drawn (4 game steps each), and
 * the random policy's mean score — the line any learner must beat.
 */
import { MazeGame, UP, LEFT, DOWN, RIGHT } from '../src/core/maze/game'
import { MazeEnv, MazeVecEnv } from '../src/core/maze/env'
import { FULL_MAZE, type MazePreset } from '../src/core/maze/layouts'
import { Rng } from '../src/core/rng'
import { randomActions, median, rate, round, type BenchResult } from './util'

const REPEATS = 5
const JOYSTICK: readonly (readonly number[])[] = [[], [UP], [RIGHT], [LEFT], [DOWN], [UP, RIGHT], [UP, LEFT], [DOWN, RIGHT], [DOWN, LEFT]]

function envSteps(observation: 'frames' | 'tiles'): BenchResult {
  const actions = randomActions(1 << 16, 9)
  const mask = actions.length - 1
  const env = new MazeEnv(0, { preset: 'full', observation })
  env.reset(0)
  let k = 0
  const chunk = (): void => {
    for (let i = 0; i < 10_000; i++) {
      const r = env.step(actions[k++ & mask])
      if (r.terminated || r.truncated) env.reset(k)
    }
  }
  rate(0.2, 10_000, chunk)
  const runs = Array.from({ length: REPEATS }, () => rate(0.3, 10_000, chunk))
  return { value: round(median(runs)), unit: 'agent-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), game_steps_per_agent_step: env.frameSkip, observation }
}

function randomScore(preset: MazePreset): BenchResult {
  const games = 100
  const rng = new Rng(1)
  const env = new MazeEnv(0, { preset })
  const scores: number[] = []
  for (let g = 0; g < games; g++) {
    env.reset(g)
    for (let done = false; !done; ) {
      const r = env.step(rng.int(0, 9))
      done = r.terminated || r.truncated
    }
    scores.push(env.episodeStats().score)
  }
  const mean = scores.reduce((a, b) => a + b, 0) / games
  return { value: round(mean), unit: 'points', median: median(scores), games, preset }
}

export const mazeBenches: Record<string, () => Promise<BenchResult>> = {
  async maze_game_steps_per_s() {
    const actions = randomActions(1 << 16, 9)
    const mask = actions.length - 1
    const game = new MazeGame(FULL_MAZE, new Rng(0))
    let k = 0
    const chunk = (): void => {
      for (let i = 0; i < 40_000; i++) {
        // The joystick held for 4 steps, as the env's frame skip holds it.
        game.step(JOYSTICK[actions[(k++ >> 2) & mask]])
        if (game.gameOver) game.reset(new Rng(k))
      }
    }
    rate(0.2, 40_000, chunk)
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, 40_000, chunk))
    return { value: round(median(runs)), unit: 'game-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), maze: 'full' }
  },
  async maze_env_steps_per_s() {
    return envSteps('frames')
  },
  async maze_vec_env_steps_per_s() {
    const numEnvs = 16
    const calls = 256
    const actions = randomActions(numEnvs * calls, 9)
    const views = Array.from({ length: calls }, (_, c) => actions.subarray(c * numEnvs, (c + 1) * numEnvs))
    const vec = new MazeVecEnv(numEnvs, { preset: 'full' })
    vec.reset(0)
    const chunk = (): void => {
      for (let c = 0; c < calls; c++) vec.step(views[c])
    }
    rate(0.2, numEnvs * calls, chunk)
    const runs = Array.from({ length: REPEATS }, () => rate(0.3, numEnvs * calls, chunk))
    return { value: round(median(runs)), unit: 'agent-steps/s', median: round(median(runs)), runs: runs.map((r) => round(r)), numEnvs, game_steps_per_agent_step: 4 }
  },
  async maze_tiles_env_steps_per_s() {
    return envSteps('tiles')
  },
  async maze_random_score_small() {
    return randomScore('small')
  },
  async maze_random_score_full() {
    return randomScore('full')
  },
}
