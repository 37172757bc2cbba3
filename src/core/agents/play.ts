/**
 * Greedy play: what a trained (or imported) agent does when it stops exploring,
 * whatever its algorithm. qlearning4k's `agent.play` reports the win fraction
 * as its "Accuracy"; so does this.
 */
import * as tf from '@tensorflow/tfjs'
import type { RlAgent } from '../agent'
import type { Env } from '../env'
import { deriveSeed } from '../rng'
import { FrameStack } from './replay-memory'
import { obsSize } from '../env'
import { encodeAction } from '../spaces'

export interface PlayedEpisode {
  episode: number
  seed: number
  /** The actions in the action space's flat encoding (spaces.ts). */
  actions: number[]
  /** Per-step agent outputs, flattened [length × outputs per step]. */
  outputs: number[]
  return: number
  length: number
  won: boolean
  stats: Record<string, number>
}

export interface PlayResult {
  episodes: PlayedEpisode[]
  winFraction: number
  meanReturn: number
}

/** What greedy play needs of an agent. */
export type GreedyPolicy = Pick<RlAgent, 'greedyAction' | 'outputs'>

/** A tfjs model taking the flat stacked state and giving one value per action (qlearning4k's models, exported ones). */
export function modelPolicy(model: tf.LayersModel): GreedyPolicy {
  const outputs = (state: Float32Array): Float32Array =>
    tf.tidy(() => (model.predict(tf.tensor2d(state, [1, state.length])) as tf.Tensor).dataSync() as Float32Array)
  return {
    outputs,
    greedyAction(state) {
      const q = outputs(state)
      let best = 0
      for (let i = 1; i < q.length; i++) if (q[i] > q[best]) best = i
      return best
    },
  }
}

/** Plays `episodes` games greedily; `nbFrames` recent observations make the agent's state. */
export function playGreedy(agent: GreedyPolicy, env: Env, nbFrames: number, episodes: number, seed: number): PlayResult {
  const frames = new FrameStack(nbFrames, obsSize(env.observationSpace))
  const played: PlayedEpisode[] = []
  for (let e = 0; e < episodes; e++) {
    const episodeSeed = deriveSeed(seed, e)
    let state = frames.reset(env.reset(episodeSeed).obs)
    const actions: number[] = []
    const outputs: number[] = []
    let ret = 0
    let length = 0
    for (;;) {
      if (agent.outputs) for (const v of Array.from(agent.outputs(state))) outputs.push(v)
      const a = agent.greedyAction(state)
      encodeAction(env.actionSpace, a, actions)
      const r = env.step(a as never)
      ret += r.reward
      length++
      state = frames.push(r.obs)
      if (r.terminated || r.truncated) break
    }
    played.push({ episode: e, seed: episodeSeed, actions, outputs, return: ret, length, won: env.isWon(), stats: env.episodeStats?.() ?? {} })
  }
  const wins = played.filter((p) => p.won).length
  return { episodes: played, winFraction: wins / Math.max(1, episodes), meanReturn: played.reduce((s, p) => s + p.return, 0) / Math.max(1, episodes) }
}
