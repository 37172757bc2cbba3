/**
 * What can be trained: environments, algorithms and their default settings.
 * Imports no tfjs, so the renderer can use it to re-simulate replays.
 */
import type { Env } from './env'
import { CatchEnv } from './envs/catch'
import { DQN_PARAMS } from './agents/dqn-params'
import { defaults, type ParamSpec, type ParamValues } from './params'

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
  },
}

export function makeEnv(id: string, seed = 0): Env {
  switch (id) {
    case 'catch':
      return new CatchEnv(seed)
    default:
      throw new Error(`unknown environment "${id}" (known: ${Object.keys(ENVS).join(', ')})`)
  }
}

export function defaultParams(envId: string, algoId: string): ParamValues {
  const algo = ALGOS[algoId]
  if (!algo) throw new Error(`unknown algorithm "${algoId}" (known: ${Object.keys(ALGOS).join(', ')})`)
  return { ...defaults(algo.params), ...(ENVS[envId]?.paramDefaults[algoId] ?? {}) }
}
