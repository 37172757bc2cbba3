/**
 * Reward functions: pure functions of what happened during one agent step (the
 * frame-skipped game steps). The six are rl-dash-days' (envs/mspacman_rewards.py),
 * with r = the score change over the step; `custom` weighs each game event.
 *
 * Every function returns a (positive, negative) pair, the streams a Split-Q
 * agent learns separately; the env's scalar reward is their sum, so
 * single-stream agents work with every function and Split-Q with every one.
 *
 * Fixed from the seed: its `-d`/`-g` flags were parsed and then ignored (here
 * `deathPen` and `ghostMul` act in every function that names them);
 * `death_tax` returned None when no life was lost (here it returns r); the
 * reward of the final step was forced to 0 (here it is what happened).
 */
import type { MazeEvents } from './game'

export const REWARD_FUNCTIONS = ['vanilla', 'life_penalty', 'death_tax', 'ghostbusters', 'split_q', 'parameterized', 'custom'] as const
export type RewardFunction = (typeof REWARD_FUNCTIONS)[number]

/** The game events a custom reward weighs, with the weights it starts from. */
export const REWARD_EVENTS = [
  { key: 'w_pellet', event: 'pellets', label: 'Pellet', default: 10 },
  { key: 'w_power', event: 'powerPellets', label: 'Power pellet', default: 50 },
  { key: 'w_ghost', event: 'ghosts', label: 'Ghost eaten', default: 200 },
  { key: 'w_fruit', event: 'fruits', label: 'Fruit', default: 100 },
  { key: 'w_death', event: 'deaths', label: 'Life lost', default: -500 },
  { key: 'w_level', event: 'levels', label: 'Level cleared', default: 1000 },
  { key: 'w_step', event: 'step', label: 'Each step', default: 0 },
] as const
export type RewardWeightKey = (typeof REWARD_EVENTS)[number]['key']
export type RewardWeights = Record<RewardWeightKey, number>

export const DEFAULT_WEIGHTS = Object.fromEntries(REWARD_EVENTS.map((e) => [e.key, e.default])) as RewardWeights

export interface RewardSettings {
  fn: RewardFunction
  /** Points taken per life lost (the seed's -d, default 500). */
  deathPen: number
  /** Multiplier of steps worth more than 200 points, i.e. with a ghost eaten (the seed's -g). */
  ghostMul: number
  weights: RewardWeights
}

/** (positive, negative): what the step earned and what it cost. */
export type RewardParts = [number, number]

/** The seed's ghost rule: a step worth more than 200 points (a ghost, a high fruit) counts ghostMul times. */
const ghostRule = (r: number, ghostMul: number): number => (r > 200 ? r * ghostMul : r)

export function reward(s: RewardSettings, e: MazeEvents): RewardParts {
  const r = e.points
  const tax = e.deaths > 0 ? -s.deathPen * e.deaths : 0
  switch (s.fn) {
    case 'vanilla':
      return [r, 0]
    case 'life_penalty':
      return [r, -1]
    case 'death_tax':
      return [r, tax]
    case 'ghostbusters':
      return [ghostRule(r, s.ghostMul), 0]
    case 'split_q':
      return [ghostRule(r, s.ghostMul) + 1, tax]
    case 'parameterized':
      return [ghostRule(r, s.ghostMul), tax]
    case 'custom': {
      let pos = 0
      let neg = 0
      for (const { key, event } of REWARD_EVENTS) {
        const v = s.weights[key] * (event === 'step' ? 1 : e[event])
        if (v >= 0) pos += v
        else neg += v
      }
      return [pos, neg]
    }
  }
}

/** A saved reward's name: also its file name, so no dots or slashes. */
export const REWARD_NAME = /^[A-Za-z0-9][\w -]{0,59}$/

/** A user's reward function: per-event weights under a name, as saved in a reward file. */
export interface RewardDefinition {
  name: string
  weights: RewardWeights
}

/**
 * Reads a saved reward function (`{"name": "careful", "weights": {"w_death": -1000, …}}`);
 * weights left out keep their defaults. Throws one line naming the problem.
 */
export function parseRewardDefinition(text: string): RewardDefinition {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw new Error('the reward file is not JSON')
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('a reward file holds one object with "name" and "weights"')
  const { name, weights, ...rest } = data as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length) throw new Error(`unknown key "${extra[0].slice(0, 40)}" in the reward file (expected name, weights)`)
  if (typeof name !== 'string' || !REWARD_NAME.test(name)) throw new Error('the reward needs a name of 1–60 letters, digits, spaces, "-" or "_", starting with a letter or digit')
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) throw new Error('"weights" must be an object of event weights')
  const out = { ...DEFAULT_WEIGHTS }
  for (const [k, v] of Object.entries(weights)) {
    if (!(k in out)) throw new Error(`unknown weight "${k.slice(0, 40)}" (known: ${REWARD_EVENTS.map((e) => e.key).join(', ')})`)
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 1e6) throw new Error(`weight ${k} must be a number from −1e6 to 1e6`)
    out[k as RewardWeightKey] = v
  }
  return { name, weights: out }
}

export function rewardDefinitionText(def: RewardDefinition): string {
  return JSON.stringify(def, null, 2) + '\n'
}

/** The world settings that make a run use this reward function. */
export function rewardEnvSettings(def: RewardDefinition): Record<string, string | number> {
  return { reward: 'custom', ...def.weights }
}
