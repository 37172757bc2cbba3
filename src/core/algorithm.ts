/**
 * What an algorithm declares about itself: its settings, which worlds it can
 * learn, the metrics it reports (labels, units, chart groups) and what its agent
 * outputs per step. Each algorithm's declaration sits beside its one-file
 * implementation (agents/dqn.ts + agents/dqn-params.ts, agents/qtable.ts, vae/);
 * the registry in catalog.ts lists them. The implementations (tfjs) are looked
 * up by the trainer in agents/implementations.ts.
 */
import type { Env } from './env'
import type { ParamSpec, ParamValues } from './params'
import type { MetricSpec, WorldInfo } from './world'

/** What an algorithm's per-step outputs are (see AlgoInfo.outputs). */
export interface AlgoOutputs {
  label: string
  short: string
  parts?: readonly { label: string; short: string; n: number }[]
  sum?: { label: string; short: string }
}

export interface AlgoInfo {
  id: string
  label: string
  description: string
  /** rl: acts in an env; generative: learns a data set's images. */
  kind: 'rl' | 'generative'
  /** The implementation that trains it (a key of agents/implementations.ts); presets share one. */
  impl: string
  params: readonly ParamSpec[]
  /** Env settings the algorithm fixes (e.g. the Q-network on the one-hot position). */
  envOverrides?: ParamValues
  /** Presets made for particular worlds (families); absent = every world it supports. */
  worlds?: string[]
  /** A problem with these settings for this env that the specs alone cannot see (a replay memory too big for its budget), or null. */
  checkSettings?(params: ParamValues, env: Env): string | null
  /** Why it cannot learn `world`, or null when it can. */
  supports(world: WorldInfo): string | null
  /** Settings the run itself owns (a VAE's `epochs` is the run's episode count, its `seed` the run's seed): hidden in forms. */
  runOwned?: { episodes?: string; seed?: string }
  /** What it reports per episode (or per batch / epoch), besides return and length. */
  metrics: readonly MetricSpec[]
  /**
   * Per-step outputs recorded with replays (Q-values, action probabilities), one number per action.
   * `parts`, when present, splits each step's numbers into consecutive named parts (the two-headed
   * DQN: 8 move Q-values, then 3 class probabilities; Split-Q: the reward stream's Q-values, then the
   * punishment stream's); absent = one part of one number per action. A part's `n` is how many
   * numbers it holds; 0 = one per action of the world. `sum`, when present, names what the agent
   * acts on: the sum of its per-action parts (Split-Q's Q⁺ + Q⁻), shown above the parts.
   */
  outputs?: AlgoOutputs
  /** It saves a policy network (Play, Export, Import). */
  hasModel: boolean
  /** What a unit of training is called in the UI: episodes for agents, epochs for data sets. */
  unit: 'episodes' | 'epochs'
}
