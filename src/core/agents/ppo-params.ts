/**
 * PPO's settings and declarations (tfjs-free: the Train form and the renderer read
 * them). One implementation (agents/ppo.ts), two presets: `ppo`, a categorical
 * policy over any world's discrete actions (the better default), and
 * `ppo-joystick`, rl-dash-days' continuous (x, y) joystick mapped to the maze's 9
 * actions by its threshold rule.
 */
import type { AlgoInfo } from '../algorithm'
import { obsSize, type Env } from '../env'
import { MAX_REPLAY_BYTES } from '../replay-budget'
import type { ParamSpec, ParamValues } from '../params'
import type { MetricSpec, WorldInfo } from '../world'
import { DQN_PARAMS, convShrinkProblem, withDefaults } from './dqn-params'

/** The joystick's 9 actions in the order the seed's JOYSTICK_TRANSLATION numbers them (and the maze's). */
export const JOYSTICK_ACTIONS = ['none', 'up', 'right', 'left', 'down', 'up-right', 'up-left', 'down-right', 'down-left'] as const

/** How far the stick must lean on an axis before it counts (the seed's `sensitivity`). */
export const JOYSTICK_THRESHOLD = 0.5

/**
 * The seed's `translate_action`: y above +0.5 is up, below −0.5 down; then x above
 * +0.5 adds right, below −0.5 left (so both make a diagonal); neither is none.
 */
export function joystickAction(x: number, y: number): number {
  const vertical = y > JOYSTICK_THRESHOLD ? 'up' : y < -JOYSTICK_THRESHOLD ? 'down' : ''
  const horizontal = x > JOYSTICK_THRESHOLD ? 'right' : x < -JOYSTICK_THRESHOLD ? 'left' : ''
  const name = vertical && horizontal ? `${vertical}-${horizontal}` : vertical || horizontal || 'none'
  return JOYSTICK_ACTIONS.indexOf(name as (typeof JOYSTICK_ACTIONS)[number])
}

/** The network settings PPO shares with the DQN (same specs, so the same form fields and checks). */
const NETWORK_KEYS = ['network', 'conv_filters', 'conv_kernel', 'conv_kernels', 'conv_strides', 'hidden']

export const PPO_PARAMS: readonly ParamSpec[] = [
  { key: 'policy', label: 'Policy', type: 'select', default: 'categorical', options: ['categorical', 'joystick'], help: 'categorical: a probability for each action; joystick: a Gaussian (x, y) stick mapped to the 9 joystick actions by the seed’s threshold rule (|y| > 0.5 up/down, then |x| > 0.5 right/left).' },
  { key: 'num_envs', label: 'Copies of the world', type: 'int', default: 8, min: 1, max: 64, help: 'Games played at once, stepped together with one batched forward pass per step.' },
  { key: 'num_steps', label: 'Steps per rollout', type: 'int', default: 128, min: 1, max: 100_000, help: 'Steps each copy plays between updates; a rollout is Copies × Steps transitions.' },
  { key: 'update_epochs', label: 'Epochs per update', type: 'int', default: 4, min: 1, max: 100, help: 'Passes over each rollout.' },
  { key: 'num_minibatches', label: 'Minibatches', type: 'int', default: 4, min: 1, max: 4096, help: 'Each epoch splits the shuffled rollout into this many gradient steps.' },
  { key: 'lr', label: 'Learning rate', type: 'number', default: 2.5e-4, min: 0, exclusiveMin: true, max: 10, help: 'Adam step size (the seed’s 2.5e-4).' },
  { key: 'gamma', label: 'Discount γ', type: 'number', default: 0.95, min: 0, max: 1, help: 'Weight of future rewards (the seed’s 0.95).' },
  { key: 'gae_lambda', label: 'GAE λ', type: 'number', default: 0.95, min: 0, max: 1, help: 'Generalised advantage estimation: 0 is the one-step TD error, 1 the Monte-Carlo return minus the value.' },
  { key: 'clip_coef', label: 'Clip ε', type: 'number', default: 0.2, min: 0, exclusiveMin: true, max: 10, help: 'The surrogate objective ignores probability ratios outside [1 − ε, 1 + ε].' },
  { key: 'ent_coef', label: 'Entropy bonus', type: 'number', default: 0.01, min: 0, max: 10, help: 'Weight of the policy’s entropy in the loss: keeps it exploring.' },
  { key: 'vf_coef', label: 'Value loss weight', type: 'number', default: 0.5, min: 0, max: 100, help: 'Weight of the value network’s squared error in the loss.' },
  { key: 'max_grad_norm', label: 'Gradient clip norm', type: 'number', default: 0.5, min: 0, max: 1e6, help: 'Scale each step’s gradients down to at most this global norm; 0 = no clipping.' },
  { key: 'norm_adv', label: 'Normalise advantages', type: 'boolean', default: true, help: 'Scale each minibatch’s advantages to mean 0, std 1.' },
  { key: 'norm_rewards', label: 'Normalise rewards', type: 'boolean', default: true, help: 'Divide rewards by a running std of the discounted return, so values stay near 1 whatever the world’s points (a maze ghost is worth 200).' },
  { key: 'action_std', label: 'Joystick std at start', type: 'number', default: 0.5, min: 0, exclusiveMin: true, max: 10, help: 'Joystick policy: the Gaussian’s starting standard deviation on each axis (the seed’s 0.5); it is learned from there.' },
  ...withDefaults(
    DQN_PARAMS.filter((s) => NETWORK_KEYS.includes(s.key)),
    { hidden: [64, 64] },
  ),
]

/** PPO learns any world with one discrete choice per step (the joystick preset only the joystick's 9). */
export function ppoSupports(world: WorldInfo): string | null {
  if (world.kind !== 'rl') return `${world.label} is a data set, not an environment to act in`
  if (world.spaces?.action !== 'discrete') return `PPO needs one discrete action per step; ${world.label} has a ${world.spaces?.action ?? 'unknown'} action space`
  return null
}

/** Why a rollout cannot be split into the minibatches asked for, or null. */
export function minibatchProblem(p: { num_envs: number; num_steps: number; num_minibatches: number }): string | null {
  const rollout = p.num_envs * p.num_steps
  return p.num_minibatches > rollout ? `num_minibatches ${p.num_minibatches} is more than a rollout's ${rollout} transitions (num_envs × num_steps)` : null
}

/** Why a rollout of these states does not fit the memory budget (the replay memories' 1 GiB), or null. */
export function rolloutBudgetProblem(p: { num_envs: number; num_steps: number }, stateSize: number): string | null {
  const transitions = p.num_envs * p.num_steps
  // The state (float32), the action (one id or x, y), log-probability, value, reward, advantage, return, end flag.
  const bytes = transitions * (4 * stateSize + 8 + 4 * 5 + 1)
  if (bytes <= MAX_REPLAY_BYTES) return null
  return `a rollout of num_envs × num_steps = ${transitions} transitions of ${stateSize} values needs ${(bytes / 1024 ** 3).toFixed(1)} GiB (at most 1 GiB): use fewer num_steps or num_envs`
}

/** The minibatches must fit a rollout and the rollout the memory budget, the conv layers the observations; the joystick needs the joystick's actions. */
export function ppoCheckSettings(params: ParamValues, env: Env): string | null {
  const rollout = params as { num_envs: number; num_steps: number; num_minibatches: number }
  const problem = minibatchProblem(rollout) ?? rolloutBudgetProblem(rollout, obsSize(env.observationSpace))
  if (problem) return problem
  const shape = env.observationSpace.shape
  if (params.network === 'conv') {
    if (shape.length < 2) return `a conv network needs 2-D observations; ${env.id} gives ${shape.join('×')} numbers`
    const shrunk = convShrinkProblem(params as never, shape.at(-2)!, shape.at(-1)!)
    if (shrunk) return shrunk
  }
  if (params.policy === 'joystick') return joystickProblem(env)
  return null
}

/** Why `env` cannot take joystick actions, or null. */
export function joystickProblem(env: Env): string | null {
  const labels = env.actionSpace.labels ?? []
  if (env.actionSpace.n === JOYSTICK_ACTIONS.length && JOYSTICK_ACTIONS.every((a, i) => labels[i] === a)) return null
  return `the joystick policy needs the 9 joystick actions (${JOYSTICK_ACTIONS.join(', ')}); ${env.id} has ${env.actionSpace.n} others`
}

export const PPO_METRICS: readonly MetricSpec[] = [
  { key: 'policy_loss', label: 'Policy loss (clipped surrogate)', group: 'learning' },
  { key: 'value_loss', label: 'Value loss', group: 'learning' },
  { key: 'entropy', label: 'Policy entropy', unit: 'nats', group: 'learning' },
  { key: 'approx_kl', label: 'Approx. KL (old ‖ new)', group: 'learning' },
  { key: 'clip_frac', label: 'Clipped fraction', group: 'learning', fraction: true },
  { key: 'explained_variance', label: 'Explained variance of returns', group: 'learning' },
]

const ppoBase = {
  kind: 'rl',
  impl: 'ppo',
  checkSettings: ppoCheckSettings,
  hasModel: true,
  unit: 'episodes',
} as const

export const ppoAlgo: AlgoInfo = {
  ...ppoBase,
  id: 'ppo',
  label: 'PPO',
  description: 'Proximal policy optimisation (after CleanRL): an actor-critic over several copies of the world, GAE(λ), clipped surrogate, minibatch epochs, entropy bonus.',
  params: PPO_PARAMS,
  supports: ppoSupports,
  metrics: PPO_METRICS,
  outputs: { label: 'Action probabilities', short: 'π' },
}

/** The worlds whose actions are the joystick's 9. */
const JOYSTICK_WORLDS = ['maze']

export const ppoJoystickAlgo: AlgoInfo = {
  ...ppoBase,
  id: 'ppo-joystick',
  label: 'PPO · joystick (seed)',
  description: "rl-dash-days' PPO: a Gaussian (x, y) joystick whose samples become the maze's 9 actions by its threshold rule; clip 0.2, Adam 2.5e-4, γ 0.95.",
  // A conv net sized for a CPU on the maze's tile-scale frames (the maze's own DQN default).
  params: withDefaults(PPO_PARAMS, { policy: 'joystick', network: 'conv', conv_filters: [16, 32], hidden: [128] }),
  worlds: JOYSTICK_WORLDS,
  supports: (world) =>
    JOYSTICK_WORLDS.includes(world.family)
      ? ppoSupports(world)
      : `the joystick policy maps (x, y) to the 9 joystick actions (${JOYSTICK_ACTIONS.join(', ')}); ${world.label} has its own actions`,
  metrics: [...PPO_METRICS, { key: 'action_std', label: 'Joystick std (mean of x, y)', group: 'learning' }],
  outputs: { label: 'Joystick mean (x, y)', short: 'μ', parts: [{ label: 'Joystick mean (x, y)', short: 'μ', n: 2 }] },
}
