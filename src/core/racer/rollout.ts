/**
 * "greedy_steps": how many moves a fixed policy takes from the start to a goal.
 * The seed's measure of a trained racer; compare with shortestPath(track).steps.
 */
import type { Env } from '../env'
import type { RlAgent } from '../agent'

export interface RolloutResult {
  /** Moves to the goal, or null when the policy never got there. */
  steps: number | null
  reachedGoal: boolean
  actions: number[]
}

/**
 * Plays `policy` from env.reset() for at most `maxSteps` moves (the env's own
 * truncation may end it sooner). A deterministic policy that circles never
 * arrives, hence the cap.
 */
export async function greedyRollout(env: Env, policy: (obs: Float32Array) => number | Promise<number>, maxSteps: number): Promise<RolloutResult> {
  let obs = env.reset().obs
  const actions: number[] = []
  while (actions.length < maxSteps) {
    const action = await policy(obs)
    const r = env.step(action)
    actions.push(action)
    obs = r.obs
    if (r.terminated || r.truncated) {
      const reachedGoal = r.terminated && env.isWon()
      return { steps: reachedGoal ? actions.length : null, reachedGoal, actions }
    }
  }
  return { steps: null, reachedGoal: false, actions }
}

/** What learning a track looked like: when the greedy policy first took the shortest path, and where it ended. */
export interface ShortestPathProgress {
  /** Episodes trained when the greedy policy first took `best` moves (null: never). */
  first: number | null
  /** The greedy policy's moves to the goal after the last episode (null: it does not arrive). */
  final: number | null
}

/**
 * Trains `agent` for `episodes` more episodes, playing its greedy policy on
 * `evalEnv` (at most `maxSteps` moves) after every `every`-th one. `best` is
 * shortestPath(track).steps.
 */
export async function trainToShortest(
  agent: RlAgent,
  evalEnv: Env,
  best: number,
  opts: { episodes: number; maxSteps: number; every?: number },
): Promise<ShortestPathProgress> {
  const every = opts.every ?? 1
  const greedy = async (): Promise<number | null> => (await greedyRollout(evalEnv, async (o) => (await agent.greedyAction(o)) as number, opts.maxSteps)).steps
  let first: number | null = null
  for await (const ep of agent.train(opts.episodes)) if (first === null && (ep.episode + 1) % every === 0 && (await greedy()) === best) first = ep.episode + 1
  return { first, final: await greedy() }
}
