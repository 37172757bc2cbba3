/**
 * The two-headed DQN's settings and declaration (tfjs-free: the Train form and
 * the renderer read it). Two presets over one implementation: our defaults
 * (reach the accuracy goal on CPU in minutes) and the seed's (lartpc2D's
 * agent: γ 0.4, batch 512, memory 4000, τ 0.225, ε ×0.99987 per action down
 * to 0.3).
 */
import type { AlgoInfo } from '../algorithm'
import type { ParamSpec, ParamValues } from '../params'
import { obsSize, type Env } from '../env'
import { replayBudgetProblem } from '../replay-budget'
import type { MetricSpec, WorldInfo } from '../world'

/** The seed's class weights for blank, EM shower, track (lartpc2D). */
export const SEED_CLASS_WEIGHTS = [1, 3.98, 6.79] as const

/** The two-headed DQN's settings, as the trainer hands them to it. */
export interface TwoHeadParams {
  hidden_move: number[]
  hidden_class: number[]
  lr: number
  gamma: number
  batch_size: number
  memory_size: number
  tau: number
  epsilon_start: number
  epsilon_decay: number
  epsilon_min: number
  learning_starts: number
  train_every: number
  class_weight_blank: number
  class_weight_shower: number
  class_weight_track: number
  class_loss_weight: number
  classifier: 'joint' | 'catlt'
  pretrain_windows: number
  pretrain_epochs: number
}

/** What the two presets set differently (the class weights and loss weight are shared). */
type Defaults = Omit<TwoHeadParams, 'class_weight_blank' | 'class_weight_shower' | 'class_weight_track' | 'class_loss_weight' | 'classifier' | 'pretrain_windows' | 'pretrain_epochs'>

function twoHeadParams(d: Defaults): ParamSpec[] {
  return [
    { key: 'hidden_move', label: 'Move head layers', type: 'int-list', default: d.hidden_move, min: 1, max: 4096, minItems: 0, help: 'Units of the movement head’s hidden Dense layers (ReLU) over both windows, comma-separated.' },
    { key: 'hidden_class', label: 'Class head layers', type: 'int-list', default: d.hidden_class, min: 1, max: 4096, minItems: 0, help: 'Units of the class head’s hidden Dense layers (ReLU) over both windows, comma-separated.' },
    { key: 'lr', label: 'Learning rate', type: 'number', default: d.lr, min: 0, exclusiveMin: true, max: 10, help: 'Adam step size (one optimiser for both heads).' },
    { key: 'gamma', label: 'Discount γ', type: 'number', default: d.gamma, min: 0, max: 1, help: 'Weight of future rewards in the movement Q target (a trial’s end is terminal).' },
    { key: 'batch_size', label: 'Batch size', type: 'int', default: d.batch_size, min: 1, max: 4096, help: 'Transitions per gradient step (both heads learn from the same batch).' },
    { key: 'memory_size', label: 'Replay memory', type: 'int', default: d.memory_size, min: 1, max: 10_000_000, help: 'Transitions kept (the oldest are overwritten).' },
    { key: 'tau', label: 'Soft update τ', type: 'number', default: d.tau, min: 0, exclusiveMin: true, max: 1, help: 'Fraction the movement head’s target network moves toward the online one each gradient step.' },
    { key: 'epsilon_start', label: 'ε start', type: 'number', default: d.epsilon_start, min: 0, max: 1, help: 'Probability of a random move at the first step.' },
    { key: 'epsilon_decay', label: 'ε decay per action', type: 'number', default: d.epsilon_decay, min: 0, max: 1, help: 'ε is multiplied by this after every action…' },
    { key: 'epsilon_min', label: 'ε minimum', type: 'number', default: d.epsilon_min, min: 0, max: 1, help: '…down to this.' },
    { key: 'learning_starts', label: 'Learning starts', type: 'int', default: d.learning_starts, min: 1, help: 'Transitions in memory before the first gradient step.' },
    { key: 'train_every', label: 'Env steps per gradient step', type: 'int', default: d.train_every, min: 1, help: 'One gradient step every this many env steps.' },
    { key: 'class_weight_blank', label: 'Class weight · blank', type: 'number', default: SEED_CLASS_WEIGHTS[0], min: 0, max: 1000, help: 'Weight of blank pixels in the class head’s cross-entropy (the seed’s 1).' },
    { key: 'class_weight_shower', label: 'Class weight · EM shower', type: 'number', default: SEED_CLASS_WEIGHTS[1], min: 0, max: 1000, help: 'Weight of EM shower pixels in the class head’s cross-entropy (the seed’s 3.98).' },
    { key: 'class_weight_track', label: 'Class weight · track', type: 'number', default: SEED_CLASS_WEIGHTS[2], min: 0, max: 1000, help: 'Weight of track pixels in the class head’s cross-entropy (the seed’s 6.79).' },
    { key: 'class_loss_weight', label: 'Class loss weight', type: 'number', default: 1, min: 0, max: 1000, help: 'Weight of the class head’s loss against the movement head’s TD loss in the one optimiser’s objective.' },
    { key: 'classifier', label: 'Class head', type: 'select', default: 'joint', options: ['joint', 'catlt'], help: 'joint: the class head (layers above) learns with the moves from every step’s true label; catlt: the seed’s CatLt (4 × [Dense 625, BatchNorm, ReLU, Dropout 0.3] on the source window) pretrained on labelled windows from random play, then frozen.' },
    { key: 'pretrain_windows', label: 'CatLt pretraining windows', type: 'int', default: 20_000, min: 1, max: 1_000_000, help: 'Labelled source windows collected by random play for CatLt (catlt only).' },
    { key: 'pretrain_epochs', label: 'CatLt pretraining epochs', type: 'int', default: 3, min: 1, max: 1000, help: 'Passes over those windows (catlt only).' },
  ]
}

/**
 * Our defaults: a gradient step of 256 transitions every 8 env steps (on wasm a step's cost is
 * mostly per-op overhead, so fewer, larger batches train ~4× faster for the same samples), a
 * longer memory, a slower-moving target.
 */
export const TWO_HEAD_PARAMS = twoHeadParams({
  hidden_move: [64, 64],
  hidden_class: [128, 64],
  lr: 1e-3,
  gamma: 0.4,
  batch_size: 256,
  memory_size: 20_000,
  tau: 0.05,
  epsilon_start: 1,
  epsilon_decay: 0.9998,
  epsilon_min: 0.1,
  learning_starts: 1024,
  train_every: 8,
})

/** The seed's agent (lartpc2D): its replay, target and exploration settings. */
export const TWO_HEAD_SEED_PARAMS = twoHeadParams({
  hidden_move: [64, 64],
  hidden_class: [128, 64],
  lr: 1e-3,
  gamma: 0.4,
  batch_size: 512,
  memory_size: 4000,
  tau: 0.225,
  epsilon_start: 1,
  epsilon_decay: 0.99987,
  epsilon_min: 0.3,
  learning_starts: 512,
  train_every: 1,
})

/** Worlds whose action is a Tuple (move, class) and whose steps report the true class. */
export function twoHeadSupports(world: WorldInfo): string | null {
  if (world.kind !== 'rl') return `${world.label} is a data set, not an environment to act in`
  if (world.spaces?.action !== 'tuple') return `the two-headed DQN needs a tuple action (a move and a class); ${world.label} has a ${world.spaces?.action ?? 'unknown'} action space`
  if (!world.spaces.labels) return `the two-headed DQN learns its class head from true labels; ${world.label} does not report them`
  return null
}

const TWO_HEAD_METRICS: readonly MetricSpec[] = [
  { key: 'move_loss', label: 'Move TD loss', group: 'learning' },
  { key: 'class_loss', label: 'Class cross-entropy', group: 'learning' },
  { key: 'class_accuracy', label: 'Class head accuracy (batches)', group: 'learning', fraction: true, better: 'higher' },
  { key: 'epsilon', label: 'Exploration rate', group: 'learning', fraction: true },
]

function checkSettings(params: ParamValues, env: Env): string | null {
  return replayBudgetProblem(params.memory_size as number, obsSize(env.observationSpace))
}

const base = {
  kind: 'rl',
  impl: 'two-head-dqn',
  supports: twoHeadSupports,
  checkSettings,
  metrics: TWO_HEAD_METRICS,
  outputs: {
    label: 'Move Q-values · class probabilities',
    short: 'Q',
    parts: [
      { label: 'Move Q-values', short: 'Q', n: 8 },
      { label: 'Class probabilities', short: 'p', n: 3 },
    ],
  },
  hasModel: true,
  unit: 'episodes',
} as const

export const twoHeadDqnAlgo: AlgoInfo = {
  ...base,
  id: 'two-head-dqn',
  label: 'Two-headed DQN',
  description:
    'One network, two heads over the source and canvas windows: 8 movement Q-values learned by DQN (replay, soft target, ε per action) and 3 class scores learned from the true labels with class-weighted cross-entropy.',
  params: TWO_HEAD_PARAMS,
}

export const twoHeadDqnSeedAlgo: AlgoInfo = {
  ...base,
  id: 'two-head-dqn-seed',
  label: 'Two-headed DQN · seed settings',
  description: "The same two-headed DQN with the seed's settings (lartpc2D): γ 0.4, batch 512, memory 4000, τ 0.225, ε ×0.99987 per action down to 0.3.",
  params: TWO_HEAD_SEED_PARAMS,
}
