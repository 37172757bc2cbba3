/**
 * Split-Q's settings and declaration (tfjs-free: the Train form and the renderer
 * read it). Lin, Bouneffouf & Cecchi 2019 (arXiv 1906.11286): two Q streams, one
 * for rewards and one for punishments, each with a reward weight w and a memory λ.
 * The named presets model reward-processing biases; `custom` uses the numbers below.
 */
import type { AlgoInfo } from '../algorithm'
import type { ParamSpec, ParamValues } from '../params'
import { DQN_METRICS, DQN_PARAMS, dqnCheckSettings, dqnSupports, withDefaults } from './dqn-params'

export interface SplitBiases {
  w_r: number
  lambda_r: number
  w_p: number
  lambda_p: number
}

/**
 * The paper's named settings: standard (plain two-stream Q-learning) and chronic
 * pain (rewards weighed and remembered at half strength, punishments in full), the
 * setting rl-dash-days trained as its "cp" model.
 */
export const SPLIT_Q_PRESETS: Record<string, SplitBiases> = {
  standard: { w_r: 1, lambda_r: 1, w_p: 1, lambda_p: 1 },
  chronic_pain: { w_r: 0.5, lambda_r: 0.5, w_p: 1, lambda_p: 1 },
}

/** The weights and memories a run uses: its preset's, or the four numbers for `custom`. */
export function splitBiases(p: ParamValues): SplitBiases {
  const preset = SPLIT_Q_PRESETS[String(p.split_preset)]
  if (preset) return preset
  return { w_r: Number(p.w_r), lambda_r: Number(p.lambda_r), w_p: Number(p.w_p), lambda_p: Number(p.lambda_p) }
}

/** The four numbers act only under the custom preset (a named preset sets them). */
const CUSTOM_ONLY = { split_preset: ['custom'] } as const

/** The maze's DQN defaults (the seed trains DSQ with DDQ's network and optimiser) plus the biases. */
export const SPLIT_Q_PARAMS: readonly ParamSpec[] = [
  {
    key: 'split_preset',
    label: 'Bias preset',
    type: 'select',
    default: 'standard',
    options: [...Object.keys(SPLIT_Q_PRESETS), 'custom'],
    help: 'standard: w = λ = 1 for both streams; chronic_pain: w_r = λ_r = 0.5, w_p = λ_p = 1; custom: the four numbers below.',
  },
  { key: 'w_r', label: 'Reward weight w_r', type: 'number', default: 1, min: 0, max: 1000, help: 'Scales each step’s positive reward in the reward stream’s target (custom preset).', shownWhen: CUSTOM_ONLY },
  { key: 'lambda_r', label: 'Reward memory λ_r', type: 'number', default: 1, min: 0, max: 1, help: 'How much of Q⁺ is kept each update: 1 remembers fully, lower forgets (custom preset).', shownWhen: CUSTOM_ONLY },
  { key: 'w_p', label: 'Punishment weight w_p', type: 'number', default: 1, min: 0, max: 1000, help: 'Scales each step’s negative reward in the punishment stream’s target (custom preset).', shownWhen: CUSTOM_ONLY },
  { key: 'lambda_p', label: 'Punishment memory λ_p', type: 'number', default: 1, min: 0, max: 1, help: 'How much of Q⁻ is kept each update (custom preset).', shownWhen: CUSTOM_ONLY },
  ...withDefaults(DQN_PARAMS, { double_dqn: true, target_network: 'hard', loss: 'huber' }),
]

export const splitQAlgo: AlgoInfo = {
  id: 'split-q',
  label: 'Split-Q',
  description: 'Deep split Q-learning (Lin et al. 2019): one Q-network learns the rewards, another the punishments, each with its weight and memory; it acts on their sum.',
  kind: 'rl',
  impl: 'split-q',
  params: SPLIT_Q_PARAMS,
  checkSettings: dqnCheckSettings,
  supports: dqnSupports,
  metrics: [
    ...DQN_METRICS.filter((m) => m.key !== 'loss'),
    { key: 'loss_reward', label: 'TD loss · rewards', group: 'learning' },
    { key: 'loss_punishment', label: 'TD loss · punishments', group: 'learning' },
  ],
  outputs: {
    label: 'Q-values (rewards, punishments)',
    short: 'Q',
    parts: [
      { label: 'Reward stream Q⁺', short: 'Q⁺', n: 0 },
      { label: 'Punishment stream Q⁻', short: 'Q⁻', n: 0 },
    ],
    sum: { label: 'Q⁺ + Q⁻ (what it acts on)', short: 'Q' },
  },
  hasModel: true,
  unit: 'episodes',
}
