/**
 * What a world declares about itself, after Gymnasium's `register()`: a
 * versioned id, its settings, the metrics it reports, how an episode's outcome
 * reads, and how to make it. Each world lives in its own folder (catch/,
 * snake/, racer/, jets/) with a `world.ts` exporting one WorldInfo; the
 * registry in catalog.ts lists them. Nothing here imports tfjs, Node or the DOM,
 * so the renderer uses the same definitions to re-simulate replays.
 */
import type { Env } from './env'
import type { ParamSpec, ParamValues } from './params'
import type { Space } from './spaces'
import type { Track } from './racer/track'
import type { EventSource } from './lartpc/event'

/** How a number a run reports is labelled and charted. */
export interface MetricSpec {
  key: string
  label: string
  /** Shown after values and on axis titles ("s", "steps", "images/s"); omit for plain numbers. */
  unit?: string
  /** Charts draw one panel per group; the Runs table and stat tiles read `outcome` first. */
  group: 'outcome' | 'learning' | 'evaluation' | 'throughput' | 'results'
  /** Values lie in [0, 1] (rates): charted on their own axis, never with returns. */
  fraction?: boolean
  /** Which way is better, where it is clear (Compare marks the best run). */
  better?: 'higher' | 'lower'
  /** A rolling value over the last `window` episodes (the win rate): axis titles state it. */
  window?: number
}

/** What an env needs besides its settings: the racer's track, a data-backed world's event. */
export interface EnvAssets {
  track?: Track
  /** A data-backed world's events (its maps), opened by the trainer through the world's data schema. */
  events?: EventSource
}

/** A data file a world reads (its events are its maps): which schema, in words for messages. */
export interface DataRequirement {
  /** A schema id the main process's data detectors know (src/main/data/schemas.ts). */
  schema: string
  /** "an HDF5 file in the CMS jet schema" */
  description: string
}

/** A greedy policy's progress, measured by the world while an agent trains (Pixel Racer's steps to goal). */
export interface WorldMonitor {
  /** Evaluate every this many episodes (and at the end). */
  every: number
  /** Metrics of the greedy policy now. */
  evaluate(act: (obs: Float32Array) => number | Promise<number>): Promise<Record<string, number>>
  /** The agent's action values over every state, for the policy overlay (worlds with few states). */
  policy?(values: (obs: Float32Array) => ArrayLike<number> | Promise<ArrayLike<number>>): Promise<{ width: number; height: number; nActions: number; q: (number | null)[] }>
}

/** A trained agent's greedy action in the world's action encoding (an id; one id per part for a Tuple); agents answer asynchronously (RlAgent.greedyAction). */
export type GreedyAct = (obs: Float32Array) => number | number[] | Promise<number | number[]>

/** A world's final evaluation of a trained agent: metric values (its `metrics` of group 'results') and results JSON (`runs.results`). */
export interface WorldEvaluation {
  metrics: Record<string, number>
  results: Record<string, unknown>
}

export interface WorldInfo {
  /** Versioned id, `family-vN`: replays are re-simulated from seed + actions, so rules never change under an id. */
  id: string
  family: string
  version: number
  label: string
  description: string
  /** rl: an environment agents act in; dataset: images a generative model learns (progress in epochs). */
  kind: 'rl' | 'dataset'
  /** The algorithm the Train form offers first. */
  defaultAlgo?: string
  /** Episodes (epochs for data sets) a run trains for unless told otherwise. */
  defaultEpisodes: number
  /** The metric that says how well an agent does, and the usual target for it. */
  successMetric: { key: string; label: string; target: number }
  /** Per-algorithm overrides of the algorithm's own defaults (the seed project's settings). */
  paramDefaults: Record<string, ParamValues>
  /** Settings of the world itself (step caps, observation modes, …). */
  params: readonly ParamSpec[]
  /** Per-episode numbers the env reports besides return and length (Snake's length); each also gets a `mean_<key>`. */
  episodeStats: { key: string; label: string; unit?: string }[]
  /** What one episode is called in charts and tables ("game"); "episode" when not given. */
  episodeNoun?: string
  /** Per-episode numbers (episode stat keys, `return`, `episode_length`) Compare draws as box plots over each run's last N episodes; default: return and every episode stat. */
  boxStats?: readonly string[]
  /** Metrics the world's monitor (greedy steps to goal) and final evaluation (group 'results') report. */
  metrics?: readonly MetricSpec[]
  /** The spaces agents see: kinds are what algorithms check their support against. */
  spaces?: {
    observation: 'box' | 'tabular'
    action: Space['kind']
    /** Each step's info carries `label`: the true class of what the action's class part labelled (LArTPC's pixel), for agents that learn a classifier from it. */
    labels?: boolean
  }
  /**
   * A number of the env's renderState() that tells what stage a game is in (the maze's
   * `lives`): a combined policy hands play from one model to another on it
   * (src/core/agents/combined.ts). Plain data, so it crosses to the renderer with the catalog.
   */
  phase?: { key: string; label: string }
  /** Runs carry a track (the Pixel Racer): the track itself, so a run stays reproducible. */
  track?: boolean
  /** Runs read a data file. */
  data?: DataRequirement
  /** How a finished episode reads: "Caught", "Grew to 6", "Reached the goal in 18". */
  outcome(won: boolean, state?: unknown, length?: number): string
  /** The env, for rl worlds. */
  make?(params: ParamValues, seed: number, assets: EnvAssets): Env
  /** Measurements the trainer takes of the greedy policy while training. */
  monitor?(params: ParamValues, assets: EnvAssets): WorldMonitor
  /**
   * Data-backed worlds: the event indices (of `count` in the run's data) an
   * episode with this seed reads, so a renderer can fetch just those through
   * the API and re-simulate the replay with an EventSource that holds them.
   */
  dataNeeds?(params: ParamValues, seed: number, count: number): number[]
  /**
   * The trainer's last act for worlds that grade a trained agent themselves
   * (LArTPC: held-out events): its metrics are recorded as the run's final
   * points and its results as `runs.results`.
   */
  evaluate?(params: ParamValues, assets: EnvAssets, act: GreedyAct): Promise<WorldEvaluation>
}

export function versionedId(family: string, version: number): string {
  return `${family}-v${version}`
}
