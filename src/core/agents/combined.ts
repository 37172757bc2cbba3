/**
 * Two trained models combined into a state machine, after rl-dash-days'
 * `combine.py`: model A plays while the game's phase (the number the world
 * declares as `WorldInfo.phase`, the maze's lives) is at least k, model B
 * below. The rule is read before every step, as the seed's combiner was, so a
 * phase that rises again (an extra life) hands play back to A.
 *
 * No tfjs here: a policy is anything with `greedyAction` (and maybe `outputs`),
 * so the same loop plays one model alone (playGreedy) or two together.
 */
import type { RlAgent } from '../agent'
import { getWorld, makeEnv, resolveWorldId } from '../catalog'
import { obsSize, type Env } from '../env'
import type { ParamValues } from '../params'
import { deriveSeed } from '../rng'
import { encodeAction } from '../spaces'
import { FrameStack } from './replay-memory'

/** What greedy play needs of an agent. */
export interface GreedyPolicy {
  greedyAction(state: Float32Array): number | number[] | Promise<number | number[]>
  outputs?(state: Float32Array): ArrayLike<number> | Promise<ArrayLike<number>>
}

/** A policy and how many recent observations make its state (the algorithm's `nb_frames`). */
export interface StackedPolicy {
  policy: GreedyPolicy
  nbFrames: number
}

export interface PlayedEpisode {
  episode: number
  seed: number
  /** The actions in the action space's flat encoding (spaces.ts). */
  actions: number[]
  /** Per-step outputs of the policy that acted, flattened [length × outputs per step]; empty when the policies' widths differ. */
  outputs: number[]
  return: number
  length: number
  won: boolean
  stats: Record<string, number>
}

export interface CombinedEpisode extends PlayedEpisode {
  /** Which policy acted at each step (0 = A, 1 = B). */
  actors: number[]
}

/** Picks the acting policy's index before each step, from the env as it is. */
export type Chooser = (env: Env) => number

/**
 * Plays `episodes` games with seeds deriveSeed(seed, e); before each step
 * `choose` says which policy acts. Every policy sees every observation (its
 * frame stack stays current while another plays).
 */
export async function playPolicies(policies: readonly StackedPolicy[], choose: Chooser, env: Env, episodes: number, seed: number): Promise<CombinedEpisode[]> {
  const size = obsSize(env.observationSpace)
  const stacks = policies.map((p) => new FrameStack(p.nbFrames, size))
  const played: CombinedEpisode[] = []
  for (let e = 0; e < episodes; e++) {
    const episodeSeed = deriveSeed(seed, e)
    const first = env.reset(episodeSeed).obs
    let states = stacks.map((s) => s.reset(first))
    const actions: number[] = []
    let outputs: number[] = []
    // -1: not known yet; -2: outputs not recorded (a policy without them, or widths that differ).
    let width = policies.every((p) => p.policy.outputs) ? -1 : -2
    const actors: number[] = []
    let ret = 0
    let length = 0
    for (;;) {
      const who = choose(env)
      const { policy } = policies[who]
      if (policy.outputs && width !== -2) {
        const out = await policy.outputs(states[who])
        if (width === -1) width = out.length
        // Outputs of different widths (a two-stream agent beside a plain one) do not make one per-step table.
        if (out.length === width) for (let i = 0; i < out.length; i++) outputs.push(out[i])
        else ((width = -2), (outputs = []))
      }
      const a = await policy.greedyAction(states[who])
      encodeAction(env.actionSpace, a, actions)
      actors.push(who)
      const r = env.step(a as never)
      ret += r.reward
      length++
      states = stacks.map((s) => s.push(r.obs))
      if (r.terminated || r.truncated) break
    }
    played.push({ episode: e, seed: episodeSeed, actions, outputs, actors, return: ret, length, won: env.isWon(), stats: env.episodeStats?.() ?? {} })
  }
  return played
}

/** The switch rule: A while the phase is at least `atLeast`, else B. */
export interface SwitchRule {
  atLeast: number
}

/** The world's phase (WorldInfo.phase) read from the env's render state. */
export function phaseOf(worldId: string): (env: Env) => number {
  const world = getWorld(worldId)
  const phase = world.phase
  if (!phase) throw new Error(`${world.label} declares no phase to switch models on; combining models needs one (e.g. the maze's lives)`)
  return (env) => {
    const v = (env.renderState() as Record<string, unknown>)[phase.key]
    if (typeof v !== 'number') throw new Error(`${world.label}: the render state has no number "${phase.key}"`)
    return v
  }
}

/** The chooser of a combined policy: 0 (A) while phase ≥ k, 1 (B) below. */
export function switchOnPhase(phase: (env: Env) => number, rule: SwitchRule): Chooser {
  return (env) => (phase(env) >= rule.atLeast ? 0 : 1)
}

/** A run's world and settings, as much as combining needs. */
export interface CombinedSide {
  label: string
  env: string
  envParams: ParamValues
}

/** Steps the compatibility check takes in both settings to see that the models see the same game. */
const PROBE_STEPS = 12

/**
 * Why two runs' models cannot play one game together, or null: they must be of
 * the same world, which declares a phase, and see the same observations of it
 * (the check makes both envs, resets them with one seed and steps them alike).
 * The reward may differ: it changes returns, not what a model sees.
 */
export function combinationProblem(a: CombinedSide, b: CombinedSide): string | null {
  const worldA = resolveWorldId(a.env)
  const worldB = resolveWorldId(b.env)
  if (!worldA) return `${a.label}: unknown world "${a.env}"`
  if (!worldB) return `${b.label}: unknown world "${b.env}"`
  if (worldA !== worldB) return `${a.label} plays ${getWorld(worldA).label} (${worldA}) and ${b.label} plays ${getWorld(worldB).label} (${worldB}); both models must be for the same world`
  const world = getWorld(worldA)
  if (!world.phase) return `${world.label} declares no phase to switch models on; combining models needs one (e.g. the maze's lives)`
  const envA = makeEnv(worldA, a.envParams)
  const envB = makeEnv(worldB, b.envParams)
  const differing = world.params
    .filter((s) => JSON.stringify(a.envParams[s.key] ?? s.default) !== JSON.stringify(b.envParams[s.key] ?? s.default))
    .map((s) => `${s.key} ${JSON.stringify(a.envParams[s.key] ?? s.default)} vs ${JSON.stringify(b.envParams[s.key] ?? s.default)}`)
  const unlike = `${a.label} and ${b.label} see the game differently (settings that differ: ${differing.join(', ') || 'none named'}); both models must have the same observation settings`
  if (JSON.stringify(envA.observationSpace.shape) !== JSON.stringify(envB.observationSpace.shape)) return unlike
  if (JSON.stringify(envA.actionSpace) !== JSON.stringify(envB.actionSpace)) return `${a.label} and ${b.label} have different actions; both models must be for the same world settings`
  const same = (x: Float32Array, y: Float32Array): boolean => x.length === y.length && x.every((v, i) => v === y[i])
  if (!same(envA.reset(1).obs, envB.reset(1).obs)) return unlike
  if (envA.actionSpace.kind === 'discrete') {
    for (let t = 0; t < PROBE_STEPS; t++) {
      const action = t % envA.actionSpace.n
      const ra = envA.step(action as never)
      const rb = envB.step(action as never)
      if (!same(ra.obs, rb.obs) || ra.terminated !== rb.terminated) return unlike
      if (ra.terminated || ra.truncated || rb.truncated) break
    }
  }
  return null
}

export interface CombinedPlay {
  /** Each game with A while phase ≥ k, then B. */
  combined: CombinedEpisode[]
  /** The same games (same seeds) played by A alone and by B alone. */
  alone: [CombinedEpisode[], CombinedEpisode[]]
}

/** Plays the combination and each model alone over the same seeded games. */
export async function playCombined(a: StackedPolicy, b: StackedPolicy, env: Env, phase: (env: Env) => number, rule: SwitchRule, episodes: number, seed: number): Promise<CombinedPlay> {
  // One after another: the three plays share `env`.
  const combined = await playPolicies([a, b], switchOnPhase(phase, rule), env, episodes, seed)
  const aloneA = await playPolicies([a], () => 0, env, episodes, seed)
  const aloneB = await playPolicies([b], () => 0, env, episodes, seed)
  return { combined, alone: [aloneA, aloneB] }
}

/** Mean and sample standard deviation of one number over games. */
export interface Spread {
  mean: number
  sd: number
}

/** Return, length and each episode stat over games, as mean ± sd (what the CLI prints and Play shows). */
export function summarizeGames(games: readonly { return: number; length: number; stats: Record<string, number> }[]): Record<string, Spread> {
  const columns: Record<string, number[]> = { return: [], length: [] }
  for (const g of games) {
    columns.return.push(g.return)
    columns.length.push(g.length)
    for (const [k, v] of Object.entries(g.stats)) (columns[k] ??= []).push(v)
  }
  const out: Record<string, Spread> = {}
  for (const [k, xs] of Object.entries(columns)) {
    const mean = xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0
    out[k] = { mean, sd }
  }
  return out
}
