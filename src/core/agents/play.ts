/**
 * Greedy play: what a trained (or imported) agent does when it stops exploring,
 * whatever its algorithm. qlearning4k's `agent.play` reports the win fraction
 * as its "Accuracy"; so does this.
 */
import * as tf from '@tensorflow/tfjs'
import type { Env } from '../env'
import { take } from '../nn/read'
import { playPolicies, type GreedyPolicy, type PlayedEpisode } from './combined'

export type { GreedyPolicy, PlayedEpisode } from './combined'

export interface PlayResult {
  episodes: PlayedEpisode[]
  winFraction: number
  meanReturn: number
}

/** A tfjs model taking the flat stacked state and giving one value per action (qlearning4k's models, exported ones). */
export function modelPolicy(model: tf.LayersModel): GreedyPolicy {
  const outputs = (state: Float32Array): Promise<Float32Array> => take(tf.tidy(() => model.predict(tf.tensor2d(state, [1, state.length])) as tf.Tensor))
  return {
    outputs,
    async greedyAction(state) {
      const q = await outputs(state)
      let best = 0
      for (let i = 1; i < q.length; i++) if (q[i] > q[best]) best = i
      return best
    },
  }
}

/** Plays `episodes` games greedily; `nbFrames` recent observations make the agent's state. */
export async function playGreedy(agent: GreedyPolicy, env: Env, nbFrames: number, episodes: number, seed: number): Promise<PlayResult> {
  const played: PlayedEpisode[] = (await playPolicies([{ policy: agent, nbFrames }], () => 0, env, episodes, seed)).map(({ actors: _actors, ...episode }) => episode)
  const wins = played.filter((p) => p.won).length
  return { episodes: played, winFraction: wins / Math.max(1, episodes), meanReturn: played.reduce((s, p) => s + p.return, 0) / Math.max(1, episodes) }
}
