/** DQN hyper-parameters: one spec list, read by the Train form, the CLI and the trainer. */
import type { ParamSpec, ParamValues } from '../params'
import { obsSize, type Env } from '../env'
import { replayBudgetProblem } from '../replay-budget'
import type { AlgoInfo } from '../algorithm'
import type { MetricSpec, WorldInfo } from '../world'

export const DQN_PARAMS: readonly ParamSpec[] = [
  { key: 'network', label: 'Network', type: 'select', default: 'mlp', options: ['mlp', 'conv'], help: 'mlp: Dense layers on the flat state; conv: 3×3 convolutions on the stacked frames, then Dense layers.' },
  { key: 'conv_filters', label: 'Conv filters', type: 'int-list', default: [16, 32], min: 1, max: 512, help: 'Filters of each conv layer (conv network only), comma-separated.' },
  { key: 'conv_kernel', label: 'Conv kernel', type: 'int', default: 3, min: 1, max: 7, help: 'Kernel size of the conv layers (valid padding).' },
  { key: 'conv_kernels', label: 'Conv kernels per layer', type: 'int-list', default: [], min: 1, max: 16, minItems: 0, help: 'Kernel size of each conv layer, comma-separated (the seed: 8, 4, 3); empty = Conv kernel for every layer.' },
  { key: 'conv_strides', label: 'Conv strides', type: 'int-list', default: [], min: 1, max: 8, minItems: 0, help: 'Stride of each conv layer, comma-separated (the seed: 4, 2, 1); empty = 1 for every layer.' },
  { key: 'hidden', label: 'Hidden layers', type: 'int-list', default: [100, 100], min: 1, max: 4096, minItems: 0, help: 'Units in each hidden Dense layer (ReLU), comma-separated; empty for a linear Q-function. For a conv network, the Dense layers after the convolutions.' },
  { key: 'optimizer', label: 'Optimizer', type: 'select', default: 'adam', options: ['adam', 'rmsprop', 'sgd'], help: 'Gradient optimizer.' },
  { key: 'rmsprop_rho', label: 'RMSprop ρ', type: 'number', default: 0.9, min: 0, max: 1, help: 'RMSprop: decay of the squared-gradient average (rmsprop only).' },
  { key: 'rmsprop_epsilon', label: 'RMSprop ε', type: 'number', default: 1e-7, min: 0, exclusiveMin: true, max: 1, help: 'RMSprop: added to the squared-gradient average under the square root (rmsprop only).' },
  { key: 'loss', label: 'TD loss', type: 'select', default: 'mse', options: ['mse', 'huber'], help: 'mse: squared TD error; huber: squared below 1, linear above (PyTorch SmoothL1), so large errors do not swamp a step.' },
  { key: 'grad_clip_norm', label: 'Gradient clip norm', type: 'number', default: 0, min: 0, max: 1e6, help: 'Scale each step’s gradients down to at most this global norm; 0 = no clipping.' },
  { key: 'lr', label: 'Learning rate', type: 'number', default: 1e-3, min: 0, exclusiveMin: true, max: 10, help: 'Optimizer step size.' },
  { key: 'gamma', label: 'Discount γ', type: 'number', default: 0.9, min: 0, max: 1, help: 'Weight of future rewards in the Q target.' },
  { key: 'batch_size', label: 'Batch size', type: 'int', default: 50, min: 1, max: 4096, help: 'Transitions per gradient step.' },
  { key: 'memory_size', label: 'Replay memory', type: 'int', default: 1000, min: -1, max: 10_000_000, help: 'Transitions kept; −1 keeps all (up to 1 GiB of states).' },
  { key: 'nb_frames', label: 'Stacked frames', type: 'int', default: 1, min: 1, max: 16, help: 'How many recent observations make one state.' },
  { key: 'epsilon_start', label: 'ε start', type: 'number', default: 1.0, min: 0, max: 1, help: 'Exploration rate at the first episode.' },
  { key: 'epsilon_end', label: 'ε end', type: 'number', default: 0.1, min: 0, max: 1, help: 'Exploration rate after the decay.' },
  { key: 'epsilon_decay_episodes', label: 'ε decay episodes', type: 'int', default: 300, min: 0, help: 'Episodes over which ε falls linearly from start to end.' },
  { key: 'epsilon_decay_steps', label: 'ε decay steps', type: 'int', default: 0, min: 0, help: 'If > 0, ε falls over this many env steps (after the random steps) instead of over episodes.' },
  { key: 'random_steps', label: 'Random steps first', type: 'int', default: 0, min: 0, help: 'Env steps of purely random actions before ε-greedy starts (fills the replay memory).' },
  { key: 'learning_starts', label: 'Learning starts', type: 'int', default: 50, min: 1, help: 'Transitions in memory before the first gradient step.' },
  { key: 'train_every', label: 'Env steps per gradient step', type: 'int', default: 1, min: 1, help: 'One gradient step every this many env steps.' },
  { key: 'target_network', label: 'Target network', type: 'select', default: 'none', options: ['none', 'hard', 'soft'], help: 'none: bootstrap from the online network; hard: copy every N steps; soft: move by τ each step.' },
  { key: 'target_update_every', label: 'Hard copy every', type: 'int', default: 500, min: 1, help: 'Gradient steps (or episodes, below) between hard target copies.' },
  { key: 'target_update_unit', label: 'Hard copy counts', type: 'select', default: 'steps', options: ['steps', 'episodes'], help: 'steps: gradient steps; episodes: games played (the seed copies every 500 games).' },
  { key: 'tau', label: 'Soft update τ', type: 'number', default: 0.01, min: 0, exclusiveMin: true, max: 1, help: 'Fraction the target moves toward the online network each step.' },
  { key: 'double_dqn', label: 'Double DQN', type: 'boolean', default: false, help: 'Choose the next action with the online network, value it with the target.' },
]

/** DQN learns any world whose actions are one Discrete choice. */
export function dqnSupports(world: WorldInfo): string | null {
  if (world.kind !== 'rl') return `${world.label} is a data set, not an environment to act in`
  if (world.spaces?.action !== 'discrete') return `DQN needs one discrete action per step; ${world.label} has a ${world.spaces?.action ?? 'unknown'} action space`
  return null
}

export const DQN_METRICS: readonly MetricSpec[] = [
  { key: 'loss', label: 'TD loss', group: 'learning' },
  { key: 'epsilon', label: 'Exploration rate', group: 'learning', fraction: true },
]

type ConvSettings = { conv_filters: number[]; conv_kernel: number; conv_kernels?: number[]; conv_strides?: number[] }

/** Each conv layer's kernel size and stride. */
export function convLayers(p: ConvSettings): { filters: number; kernel: number; stride: number }[] {
  return p.conv_filters.map((filters, i) => ({
    filters,
    kernel: p.conv_kernels?.length ? (p.conv_kernels[i] ?? p.conv_kernels.at(-1)!) : p.conv_kernel,
    stride: p.conv_strides?.length ? (p.conv_strides[i] ?? p.conv_strides.at(-1)!) : 1,
  }))
}

/** Why the conv layers leave nothing of h×w observations (valid padding: floor((size − kernel) / stride) + 1 per layer), or null. */
export function convShrinkProblem(p: ConvSettings, h: number, w: number): string | null {
  let [outH, outW] = [h, w]
  for (const [i, { kernel, stride }] of convLayers(p).entries()) {
    outH = Math.floor((outH - kernel) / stride) + 1
    outW = Math.floor((outW - kernel) / stride) + 1
    if (outH < 1 || outW < 1) return `conv layer ${i + 1} (kernel ${kernel}, stride ${stride}) leaves nothing of ${h}×${w} observations: use larger frames or smaller kernels`
  }
  return null
}

/** The settings must fit this env: the conv layers its observations, the replay memory its byte budget (it is also written whole into checkpoints). */
export function dqnCheckSettings(params: ParamValues, env: Env): string | null {
  const shape = env.observationSpace.shape
  if (params.network === 'conv' && shape.length >= 2) {
    const shrunk = convShrinkProblem(params as unknown as ConvSettings, shape.at(-2)!, shape.at(-1)!)
    if (shrunk) return shrunk
  }
  if (typeof params.memory_size !== 'number' || params.memory_size < 0) return null
  return replayBudgetProblem(params.memory_size, obsSize(env.observationSpace) * Number(params.nb_frames ?? 1))
}

const dqnBase = {
  kind: 'rl',
  checkSettings: dqnCheckSettings,
  impl: 'dqn',
  params: DQN_PARAMS,
  supports: dqnSupports,
  metrics: DQN_METRICS,
  outputs: { label: 'Q-values', short: 'Q' },
  hasModel: true,
  unit: 'episodes',
} as const

export const dqnAlgo: AlgoInfo = {
  ...dqnBase,
  id: 'dqn',
  label: 'DQN',
  description: 'Deep Q-network with replay memory, ε-greedy exploration, optional target network and Double-DQN targets.',
}

/** Pixel Racer's second method, a preset of the same DQN. */
export const qnnOnehotAlgo: AlgoInfo = {
  ...dqnBase,
  id: 'qnn-onehot',
  label: 'Q-network · one-hot position',
  description: "A linear Q-network on the racer's one-hot position, updated online on every step (Pixel Racer's second method).",
  worlds: ['racer'],
  envOverrides: { obs: 'onehot' },
}

export const qnnMapAlgo: AlgoInfo = {
  ...dqnBase,
  id: 'qnn-map',
  label: 'Q-network · whole map',
  description:
    "A Q-network on the whole track flattened (wall 1, goal 0.25, racer 0.5), learning from a replay buffer with a target network. The seed trained it online (memory 1, batch 1, SGD 0.01, no hidden layer, no target) and it never reached the goal: the wall inputs, the same in every state, make each step move every state's values together.",
  worlds: ['racer'],
  envOverrides: { obs: 'map' },
}

/** A spec list with some defaults replaced (a preset's own defaults over the same settings). */
export function withDefaults(specs: readonly ParamSpec[], values: ParamValues): ParamSpec[] {
  return specs.map((s) => (s.key in values ? ({ ...s, default: values[s.key] } as ParamSpec) : s))
}

/**
 * The seed's Double DQN (rl-dash-days' DDQ): its CNN (Conv 16 8×8/4, Conv 32 4×4/2,
 * Conv 64 3×3/1, Dense 256) on 84-wide frames, RMSprop 2.5e-4 (ρ 0.95, ε 0.01), Huber
 * loss, gradients clipped to norm 1, γ 0.95, batch 64, ε 1 → 0.05 over 800 k steps,
 * the target copied every 500 games. The seed's replay of 50 000 transitions does not
 * fit here: our memory keeps both states of a transition as float32, 250 kB at the
 * full maze's 84×93×4 frames, so 1 GiB holds 4 295; the preset keeps 4 000.
 */
export const SEED_DDQN_DEFAULTS: ParamValues = {
  network: 'conv',
  conv_filters: [16, 32, 64],
  conv_kernels: [8, 4, 3],
  conv_strides: [4, 2, 1],
  hidden: [256],
  optimizer: 'rmsprop',
  rmsprop_rho: 0.95,
  rmsprop_epsilon: 0.01,
  lr: 2.5e-4,
  loss: 'huber',
  grad_clip_norm: 1,
  gamma: 0.95,
  batch_size: 64,
  memory_size: 4000,
  nb_frames: 1,
  epsilon_start: 1,
  epsilon_end: 0.05,
  epsilon_decay_steps: 800_000,
  learning_starts: 64,
  train_every: 1,
  target_network: 'hard',
  target_update_every: 500,
  target_update_unit: 'episodes',
  double_dqn: true,
}

export const ddqnSeedAlgo: AlgoInfo = {
  ...dqnBase,
  id: 'ddqn-seed',
  label: 'Double DQN · seed settings',
  description: "rl-dash-days' Double DQN: its Atari CNN on 84-wide greyscale frames, RMSprop, Huber loss, gradient clipping, target copied every 500 games.",
  params: withDefaults(DQN_PARAMS, SEED_DDQN_DEFAULTS),
  worlds: ['maze'],
  // The seed's CNN needs 84-wide pictures: 3 pixels per tile of the full maze (84×93).
  envOverrides: { observation: 'frames', frame_scale: 3 },
}
