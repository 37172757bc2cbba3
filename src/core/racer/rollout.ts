/**
 * "greedy_steps": how many moves a fixed policy takes from the start to a goal.
 * The seed's measure of a trained racer; compare with shortestPath(track).steps.
 */
import type { Env } from '../env'

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
export function greedyRollout(env: Env, policy: (obs: Float32Array) => number, maxSteps: number): RolloutResult {
  let obs = env.reset().obs
  const actions: number[] = []
  while (actions.length < maxSteps) {
    const action = policy(obs)
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
