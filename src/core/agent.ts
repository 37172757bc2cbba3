/**
 * What the trainer needs from a reinforcement-learning agent, whatever its
 * algorithm (DQN, Q-table, …): train episode by episode as an async generator,
 * so the caller can pause, stop and checkpoint between episodes.
 */
import type { MetricSpec } from './world'

export interface EpisodeResult {
  episode: number
  /** The env seed of this episode: with `actions` it re-simulates the episode exactly. */
  seed: number
  return: number
  length: number
  won: boolean
  envSteps: number
  gradSteps: number
  /** The actions taken, flat in the action space's encoding (spaces.ts). */
  actions: number[]
  /** Per-step agent outputs (Q-values, action probabilities), flattened [length × nActions]; only for recorded episodes. */
  outputs: number[] | null
  /** What the algorithm reports for this episode (its AlgoInfo.metrics); NaN = nothing to report yet. */
  metrics: Record<string, number>
  /**
   * The env's episodeStats() of this game, from an agent that plays its games in envs of its own
   * (several copies at once); absent = the stats are those of the env the agent was given.
   */
  stats?: Record<string, number>
}

/** Episodes behind the trainer's rolling numbers (win rate, mean length and stats: rl-job.ts); charts state it. */
export const ROLLING_WINDOW = 100

/**
 * What the trainer records for every agent's run, whatever its algorithm and world
 * (src/main/trainer/rl-job.ts), besides the algorithm's own metrics and the world's.
 */
export const AGENT_RUN_METRICS: readonly MetricSpec[] = [
  { key: 'return', label: 'Return', group: 'outcome', better: 'higher' },
  { key: 'win_rate', label: 'Win rate', group: 'outcome', fraction: true, better: 'higher', window: ROLLING_WINDOW },
  { key: 'episode_length', label: 'Episode length', unit: 'steps', group: 'outcome' },
  { key: 'env_steps_per_s', label: 'Env steps/s', unit: 'steps/s', group: 'throughput' },
  { key: 'grad_steps_per_s', label: 'Grad steps/s', unit: 'steps/s', group: 'throughput' },
]

/** Everything an agent needs to continue training: JSON metadata plus named binary blobs. */
export interface AgentSnapshot {
  meta: Record<string, unknown>
  blobs: Record<string, Uint8Array>
}

export interface RlAgent {
  /** Episodes completed so far (a resumed agent continues from here). */
  readonly episode: number
  /** Plays and learns `episodes` more episodes; `record(episode)` says which keep their Q-values. */
  train(episodes: number, record?: (episode: number) => boolean): AsyncGenerator<EpisodeResult>
  /**
   * The agent's greedy action in a state (for Play and policy overlays): an id in a Discrete world, one id per part in a Tuple world (move, class).
   * Asynchronous because a GPU backend reads its network's outputs back only asynchronously (core/nn/read.ts).
   */
  greedyAction(state: Float32Array): Promise<number | number[]>
  /** The agent's per-action outputs in a state (Q-values, probabilities), for value overlays. */
  outputs?(state: Float32Array): Promise<ArrayLike<number>>
  /** Training state for an exact resume (agents that support checkpoints). */
  snapshot?(): Promise<AgentSnapshot>
  /** The policy network in tfjs LayersModel save format, for agents that have one. */
  artifacts?(): Promise<import('@tensorflow/tfjs').io.ModelArtifacts>
  /** Starts from a saved policy network's weights (Play, an imported model). */
  loadWeights?(artifacts: import('@tensorflow/tfjs').io.ModelArtifacts): void
  dispose(): void
}

/** What the trainer needs to run an algorithm: its one-file implementation's entry points. */
export interface AlgoImplementation {
  /** `makeEnv` makes more copies of the run's env, for agents that play several at once (PPO); others ignore it. */
  create(env: import('./env').Env, params: import('./params').ParamValues, seed: number, makeEnv?: () => import('./env').Env): RlAgent
  restore(env: import('./env').Env, snap: AgentSnapshot, makeEnv?: () => import('./env').Env): Promise<RlAgent>
  /** Settings a saved policy network was built with (model import); algorithms without models omit it. */
  inferParams?(topology: unknown, env: import('./env').Env, where: string): import('./params').ParamValues
}
