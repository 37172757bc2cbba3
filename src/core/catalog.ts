/**
 * What can be trained: environments, algorithms and their default settings.
 * Imports no tfjs, so the renderer can use it to re-simulate replays.
 */
import type { Env } from './env'
import { CatchEnv } from './envs/catch'
import { SnakeEnv } from './envs/snake'
import { DQN_PARAMS } from './agents/dqn-params'
import { QTABLE_PARAMS } from './agents/qtable'
import { VAE_PARAMS } from './vae/params'
import { RacerEnv } from './racer/env'
import { RACER_ENV_PARAMS } from './racer/settings'
import { builtinTrack, type BuiltinTrackName } from './racer/builtin-tracks'
import type { Track } from './racer/track'
import { defaults, paramsSchema, type ParamSpec, type ParamValues } from './params'

export interface AlgoInfo {
  id: string
  label: string
  description: string
  /** Which implementation trains it. */
  agent: 'dqn' | 'qtable' | 'vae'
  params: readonly ParamSpec[]
  /** Env settings the algorithm fixes (e.g. the Q-network on the one-hot position). */
  envOverrides?: ParamValues
}

export interface EnvInfo {
  id: string
  label: string
  description: string
  /** rl: an environment agents act in; dataset: images a generative model learns (progress in epochs). */
  kind: 'rl' | 'dataset'
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
  /** Whether the env runs on a track (the Pixel Racer): runs then carry the track itself. */
  usesTrack?: boolean
  /** Whether runs read a data file (jet images): runs then carry its path. */
  usesData?: boolean
}

/** What an env needs besides its settings: the racer's track. */
export interface EnvAssets {
  track?: Track
}

export const ALGOS: Record<string, AlgoInfo> = {
  dqn: {
    id: 'dqn',
    label: 'DQN',
    description: 'Deep Q-network with replay memory, ε-greedy exploration, optional target network and Double-DQN targets.',
    agent: 'dqn',
    params: DQN_PARAMS,
  },
  qtable: {
    id: 'qtable',
    label: 'Q-table',
    description: "Tabular Q-learning (Pixel Racer's first method): one value per cell and move, exploration by argmax of Q plus decaying noise.",
    agent: 'qtable',
    params: QTABLE_PARAMS,
  },
  'qnn-onehot': {
    id: 'qnn-onehot',
    label: 'Q-network · one-hot position',
    description: "A linear Q-network on the racer's one-hot position, updated online on every step (Pixel Racer's second method).",
    agent: 'dqn',
    params: DQN_PARAMS,
    envOverrides: { obs: 'onehot' },
  },
  'qnn-map': {
    id: 'qnn-map',
    label: 'Q-network · whole map',
    description: 'The same linear Q-network on the whole track flattened (wall 1, goal 0.25, racer 0.5): more to see, harder to learn.',
    agent: 'dqn',
    params: DQN_PARAMS,
    envOverrides: { obs: 'map' },
  },
  vae: {
    id: 'vae',
    label: 'VAE',
    description: 'A variational autoencoder on jet images (DeepFalcon): convolutional encoder to a Gaussian latent, decoder back to 125×125×3; loss = reconstruction + β·KL.',
    agent: 'vae',
    params: VAE_PARAMS,
  },
}

/** Pixel Racer's online Q-network: linear, SGD, one update per step on the newest transition. */
const ONLINE_QNN = {
  hidden: [],
  optimizer: 'sgd',
  gamma: 0.99,
  memory_size: 1,
  batch_size: 1,
  learning_starts: 1,
  // The seed's ε = 1/(i/50 + 10) after i successes: 0.1 falling to ~0.03 over its 1000 episodes.
  epsilon_start: 0.1,
  epsilon_end: 0.03,
  epsilon_decay_episodes: 1000,
}

export const ENVS: Record<string, EnvInfo> = {
  catch: {
    id: 'catch',
    kind: 'rl',
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
    kind: 'rl',
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
  racer: {
    id: 'racer',
    kind: 'rl',
    label: 'Pixel Racer',
    description:
      'Reach the goal in the fewest moves on a track of walls and road (Pixel Racer). Actions down, left, up, right; moving into a wall stays put; +1 on reaching a goal.',
    algos: ['qtable', 'qnn-onehot', 'qnn-map', 'dqn'],
    defaultEpisodes: 500,
    successMetric: { key: 'win_rate', label: 'Episodes reaching the goal (last 100)', target: 0.9 },
    paramDefaults: {
      qtable: {},
      'qnn-onehot': { ...ONLINE_QNN, lr: 0.1 },
      'qnn-map': { ...ONLINE_QNN, lr: 0.01 },
      // The seed's final method: 10 000 random steps, buffer 5 000, ε 1 → 0.1 over 10 000 steps, soft target τ 0.1.
      dqn: {
        hidden: [64],
        optimizer: 'adam',
        lr: 1e-3,
        gamma: 0.99,
        memory_size: 5000,
        batch_size: 32,
        random_steps: 10000,
        learning_starts: 1000,
        epsilon_start: 1,
        epsilon_end: 0.1,
        epsilon_decay_steps: 10000,
        target_network: 'soft',
        tau: 0.1,
      },
    },
    params: RACER_ENV_PARAMS.filter((p) => p.key !== 'track'),
    episodeStats: [],
    usesTrack: true,
  },
  jets: {
    id: 'jets',
    kind: 'dataset',
    label: 'Quark/gluon jets',
    description:
      'Jet images (125×125, channels Track / ECAL / HCAL) from an HDF5 file in the CMS schema (X_jets, m0, pt, y). A VAE learns to reconstruct them; results include physics metrics and the latent space by class.',
    algos: ['vae'],
    defaultEpisodes: 10,
    successMetric: { key: 'val_loss', label: 'Validation loss', target: 0 },
    paramDefaults: { vae: {} },
    params: [],
    episodeStats: [],
    usesData: true,
  },
}

export function makeEnv(id: string, envParams: ParamValues = {}, seed = 0, assets: EnvAssets = {}): Env {
  const info = ENVS[id]
  const p = info ? (paramsSchema(info.params).parse(envParams) as Record<string, number>) : {}
  if (info?.kind === 'dataset') throw new Error(`${id} is a data set for generative models, not an environment`)
  switch (id) {
    case 'racer':
      return new RacerEnv(assets.track ?? builtinTrack('track1' as BuiltinTrackName), {
        obs: p.obs as unknown as 'onehot',
        stepCost: p.step_cost,
        maxSteps: p.max_steps,
      })
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

/** The env settings a run uses: the env's defaults, the user's values, then what the algorithm fixes. */
export function effectiveEnvParams(envId: string, algoId: string, values: ParamValues): ParamValues {
  return { ...defaults(ENVS[envId]?.params ?? []), ...values, ...(ALGOS[algoId]?.envOverrides ?? {}) }
}
