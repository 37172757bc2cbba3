/**
 * What can be trained: environments, algorithms and their default settings.
 * Imports no tfjs, so the renderer can use it to re-simulate replays.
 */
import type { Env } from './env'
import { CatchEnv } from './envs/catch'
import { SnakeEnv } from './envs/snake'
import { DQN_PARAMS } from './agents/dqn-params'
import { defaults, paramsSchema, type ParamSpec, type ParamValues } from './params'

export interface AlgoInfo {
  id: string
  label: string
  description: string
  params: readonly ParamSpec[]
}

export interface EnvInfo {
  id: string
  label: string
  description: string
  algos: string[]
  /** Episodes a run trains for unless told otherwise. */
  defaultEpisodes: number
  /** The metric that says how well an agent does, and the usual target for it. */
  successMetric: { key: string; label: string; target: number }
  /** Per-algorithm overrides of the algorithm's own defaults. */
  paramDefaults: Record<string, ParamValues>
  /** Settings of the environment itself (step caps, tracks, …). */
  params: readonly ParamSpec[]
  /** Per-episode numbers the env reports besides return and length, e.g. Snake's length. */
  episodeStats: { key: string; label: string }[]
}

export const ALGOS: Record<string, AlgoInfo> = {
  dqn: {
    id: 'dqn',
    label: 'DQN',
    description: 'Deep Q-network with replay memory, ε-greedy exploration, optional target network and Double-DQN targets.',
    params: DQN_PARAMS,
  },
}

export const ENVS: Record<string, EnvInfo> = {
  catch: {
    id: 'catch',
    label: 'Catch',
    description: 'Catch the falling fruit with a 3-wide basket (qlearning4k). 10×10 grid; actions left, stay, right; +1 caught, −1 missed.',
    algos: ['dqn'],
    defaultEpisodes: 1000,
    successMetric: { key: 'win_rate', label: 'Win rate (last 100)', target: 0.9 },
    paramDefaults: { dqn: {} },
    params: [],
    episodeStats: [],
  },
  snake: {
    id: 'snake',
    label: 'Snake',
    description:
      'Eat the fruit, grow, and never touch the border or yourself (qlearning4k). 10×10 grid; actions left, right, up, down, idle; reward = new length on eating, −1 on death. Won when the snake grew.',
    algos: ['dqn'],
    defaultEpisodes: 3000,
    successMetric: { key: 'win_rate', label: 'Games that ate a fruit (last 100)', target: 0.9 },
    paramDefaults: {
      // qlearning4k's examples/test_snake.py: conv net, RMSprop, γ 0.8, batch 64, unbounded memory, 4 frames.
      dqn: {
        network: 'conv',
        conv_filters: [16, 32],
        hidden: [256],
        optimizer: 'rmsprop',
        lr: 1e-3,
        gamma: 0.8,
        batch_size: 64,
        memory_size: -1,
        nb_frames: 4,
        epsilon_decay_episodes: 1500,
        learning_starts: 64,
      },
    },
    params: [{ key: 'max_steps', label: 'Step cap', type: 'int', default: 200, min: 1, max: 100000, help: 'Episodes are truncated after this many steps.' }],
    episodeStats: [{ key: 'length', label: 'Snake length' }],
  },
}

export function makeEnv(id: string, envParams: ParamValues = {}, seed = 0): Env {
  const info = ENVS[id]
  const p = info ? (paramsSchema(info.params).parse(envParams) as Record<string, number>) : {}
  switch (id) {
    case 'catch':
      return new CatchEnv(seed)
    case 'snake':
      return new SnakeEnv(seed, { maxSteps: p.max_steps })
    default:
      throw new Error(`unknown environment "${id}" (known: ${Object.keys(ENVS).join(', ')})`)
  }
}

export function defaultParams(envId: string, algoId: string): ParamValues {
  const algo = ALGOS[algoId]
  if (!algo) throw new Error(`unknown algorithm "${algoId}" (known: ${Object.keys(ALGOS).join(', ')})`)
  return { ...defaults(algo.params), ...(ENVS[envId]?.paramDefaults[algoId] ?? {}) }
}
