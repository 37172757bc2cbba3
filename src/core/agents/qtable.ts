/**
 * Tabular Q-learning, read top to bottom (after the seed project and Arthur
 * Juliani's "Q-learning with tables"): one row of Q-values per state, the action
 * argmax(Q[s] + noise) with noise ~ N(0, 1) · noise_scale / (episode + 1), and
 *   Q[s, a] ← Q[s, a] + lr · (r + γ · max Q[s'] − Q[s, a]).
 * Terminal next states contribute no bootstrap (their row is never updated, so
 * it stays 0 anyway — the seed's formula gives the same numbers).
 */
import { z } from 'zod'
import type { Env } from '../env'
import type { AgentSnapshot, AlgoImplementation, EpisodeResult, RlAgent } from '../agent'
import type { ParamSpec, ParamValues } from '../params'
import type { AlgoInfo } from '../algorithm'
import { Rng, deriveSeed } from '../rng'

export const QTABLE_PARAMS: readonly ParamSpec[] = [
  { key: 'lr', label: 'Learning rate', type: 'number', default: 0.8, min: 0, exclusiveMin: true, max: 1, help: 'Fraction of the TD error added to Q[s, a] per update.' },
  { key: 'gamma', label: 'Discount γ', type: 'number', default: 0.95, min: 0, max: 1, help: 'Weight of future rewards in the Q target.' },
  { key: 'noise_scale', label: 'Exploration noise', type: 'number', default: 1, min: 0, help: 'Std of the Gaussian noise added to Q[s] before argmax, divided by (episode + 1).' },
  { key: 'q_init', label: 'Initial Q', type: 'number', default: 0, help: 'Starting value of every Q entry. The seed uses 0; 1 (optimistic, the largest return) makes untried moves look worth trying.' },
  { key: 'max_steps', label: 'Max steps per episode', type: 'int', default: 100, min: 1, help: 'The agent ends an episode after this many moves, as the seed does (the env may truncate sooner).' },
]

export const qtableAlgo: AlgoInfo = {
  id: 'qtable',
  label: 'Q-table',
  description:
    "Tabular Q-learning (Pixel Racer's first method): one value per cell and move, exploration by argmax of Q plus decaying noise. Pixel Racer starts it optimistic (Initial Q 1): untried moves then look better than any route found, so it reaches the shortest path from every seed; with the seed's 0 about one seed in four gets there.",
  kind: 'rl',
  impl: 'qtable',
  params: QTABLE_PARAMS,
  supports: (world) =>
    world.spaces?.observation === 'tabular' && world.spaces.action === 'discrete'
      ? null
      : `a Q-table needs a world with a finite set of states and discrete actions; ${world.label} has neither`,
  metrics: [
    { key: 'loss', label: 'Mean squared TD error', group: 'learning' },
    { key: 'noise', label: 'Exploration noise (std)', group: 'learning' },
  ],
  outputs: { label: 'Q-values', short: 'Q' },
  hasModel: false,
  unit: 'episodes',
}

export interface QTableParams {
  lr: number
  gamma: number
  noise_scale: number
  q_init: number
  max_steps: number
}

/** An env whose state is one of `numStates` discrete cells (Pixel Racer's position). */
export interface TabularEnv extends Env {
  readonly numStates: number
  /** The current state's index. */
  stateIndex(): number
  /** The state an observation shows (for greedyAction, which is handed observations). */
  stateOfObs(obs: Float32Array): number
}

/** Standard normal by Box–Muller, from the agent's own seeded stream. */
export function randn(rng: Rng): number {
  const u = 1 - rng.random() // (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.random())
}

export function argmax(values: ArrayLike<number>, offset = 0, n = values.length - offset): number {
  let best = 0
  for (let i = 1; i < n; i++) if (values[offset + i] > values[offset + best]) best = i
  return best
}

const checkpointSchema = z.strictObject({
  kind: z.literal('qtable'),
  version: z.literal(1),
  params: z.strictObject({ lr: z.number(), gamma: z.number(), noise_scale: z.number(), q_init: z.number(), max_steps: z.number().int() }),
  seed: z.number().int(),
  episode: z.number().int().min(0),
  envSteps: z.number().int().min(0),
  numStates: z.number().int().min(1),
  nActions: z.number().int().min(1),
  q: z.array(z.number()),
  rng: z.array(z.number().int()).length(4),
})
export type QTableCheckpoint = z.infer<typeof checkpointSchema>

export class QTable implements RlAgent {
  private readonly q: Float32Array
  private readonly rng: Rng
  private readonly nActions: number
  private readonly numStates: number
  private readonly scratch: Float32Array
  episode = 0
  envSteps = 0

  constructor(
    private readonly env: TabularEnv,
    readonly params: QTableParams,
    readonly seed: number,
  ) {
    this.nActions = env.actionSpace.n
    this.numStates = env.numStates
    this.q = new Float32Array(this.numStates * this.nActions).fill(params.q_init)
    this.scratch = new Float32Array(this.nActions)
    this.rng = new Rng(seed)
  }

  static fromValues(env: TabularEnv, values: ParamValues, seed: number): QTable {
    return new QTable(env, values as unknown as QTableParams, seed)
  }

  /** The live table, [numStates × nActions] row-major (for the heatmap overlay); copy it to keep it. */
  table(): Float32Array {
    return this.q
  }

  /** Q(s, ·) of one state index (a copy). */
  row(state: number): Float32Array {
    return this.q.slice(state * this.nActions, (state + 1) * this.nActions)
  }

  /** Q[s, ·] for the state `obs` shows: the agent's per-step outputs. */
  async outputs(obs: Float32Array): Promise<Float32Array> {
    return this.row(this.env.stateOfObs(obs))
  }

  /** The checkpoint as an agent snapshot (all JSON, no blobs). */
  async snapshot(): Promise<AgentSnapshot> {
    return { meta: this.toJSON() as unknown as Record<string, unknown>, blobs: {} }
  }

  /** argmax Q[s] for the state `obs` shows; `obs` must be in this agent's env's observation mode. */
  async greedyAction(obs: Float32Array): Promise<number> {
    return argmax(this.q, this.env.stateOfObs(obs) * this.nActions, this.nActions)
  }

  /** argmax(Q[s] + noise): the noise shrinks as 1/(episode+1), so early episodes wander and later ones exploit. */
  private explore(state: number, noiseStd: number): number {
    const A = this.nActions
    for (let a = 0; a < A; a++) this.scratch[a] = this.q[state * A + a] + randn(this.rng) * noiseStd
    return argmax(this.scratch)
  }

  async *train(episodes: number, record: (episode: number) => boolean = () => false): AsyncGenerator<EpisodeResult> {
    const p = this.params
    const A = this.nActions
    const q = this.q
    const end = this.episode + episodes
    while (this.episode < end) {
      const episode = this.episode
      const seed = deriveSeed(this.seed, episode)
      const noiseStd = p.noise_scale / (episode + 1)
      const outputs: number[] | null = record(episode) ? [] : null
      this.env.reset(seed)
      let s = this.env.stateIndex()
      const actions: number[] = []
      let ret = 0
      let tdSquares = 0
      for (;;) {
        if (outputs) for (let a = 0; a < A; a++) outputs.push(q[s * A + a])
        const action = this.explore(s, noiseStd)
        const r = this.env.step(action)
        const s1 = this.env.stateIndex()
        let bootstrap = 0
        if (!r.terminated) for (let a = 0; a < A; a++) bootstrap = a === 0 ? q[s1 * A] : Math.max(bootstrap, q[s1 * A + a])
        const td = r.reward + p.gamma * bootstrap - q[s * A + action]
        q[s * A + action] += p.lr * td
        tdSquares += td * td
        actions.push(action)
        ret += r.reward
        this.envSteps++
        s = s1
        if (r.terminated || r.truncated || actions.length >= p.max_steps) break
      }
      this.episode++
      yield {
        episode,
        seed,
        return: ret,
        length: actions.length,
        won: this.env.isWon(),
        envSteps: this.envSteps,
        gradSteps: this.envSteps, // one table update per step
        actions,
        outputs,
        // No ε here: exploration is the noise's std this episode.
        metrics: { noise: noiseStd, loss: tdSquares / actions.length },
      }
    }
  }

  /** Everything needed to resume exactly: params, counters, the table and the RNG state. */
  toJSON(): QTableCheckpoint {
    return {
      kind: 'qtable',
      version: 1,
      params: { ...this.params },
      seed: this.seed,
      episode: this.episode,
      envSteps: this.envSteps,
      numStates: this.numStates,
      nActions: this.nActions,
      q: Array.from(this.q),
      rng: this.rng.getState(),
    }
  }

  static fromJSON(env: TabularEnv, json: unknown): QTable {
    const r = checkpointSchema.safeParse(json)
    if (!r.success) {
      const issue = r.error.issues[0]
      throw new Error(`invalid Q-table checkpoint at ${issue.path.join('.') || '(root)'}: ${issue.message}`)
    }
    const c = r.data
    if (c.numStates !== env.numStates || c.nActions !== env.actionSpace.n)
      throw new Error(`Q-table checkpoint is ${c.numStates} states × ${c.nActions} actions; this env has ${env.numStates} × ${env.actionSpace.n}`)
    if (c.q.length !== c.numStates * c.nActions) throw new Error(`Q-table checkpoint holds ${c.q.length} values, expected ${c.numStates * c.nActions}`)
    const agent = new QTable(env, c.params, c.seed)
    agent.q.set(c.q)
    agent.rng.setState(c.rng)
    agent.episode = c.episode
    agent.envSteps = c.envSteps
    return agent
  }

  dispose(): void {}
}

function tabular(env: Env): TabularEnv {
  if (!('numStates' in env)) throw new Error(`a Q-table needs an env with a finite set of states (Pixel Racer), not ${env.id}`)
  return env as TabularEnv
}

/** How the trainer makes and restores Q-tables (registered in implementations.ts). */
export const qtableImplementation: AlgoImplementation = {
  create: (env, params, seed) => QTable.fromValues(tabular(env), params, seed),
  restore: async (env, snap) => QTable.fromJSON(tabular(env), snap.meta),
}
