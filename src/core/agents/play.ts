/**
 * Greedy play with a Q-network: what a trained (or imported) model does when it
 * stops exploring. qlearning4k's `agent.play` reports the win fraction as its
 * "Accuracy"; so does this.
 */
import * as tf from '@tensorflow/tfjs'
import type { Env } from '../env'
import { obsSize } from '../env'
import { deriveSeed } from '../rng'
import { FrameStack } from './replay-memory'
import { argmax } from './dqn'

export interface PlayedEpisode {
  episode: number
  seed: number
  actions: number[]
  qValues: number[]
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

export function playGreedy(model: tf.LayersModel, env: Env, nbFrames: number, episodes: number, seed: number): PlayResult {
  const frameSize = obsSize(env.observationSpace)
  const inputSize = (model.inputs[0].shape[1] ?? 0) as number
  if (inputSize !== frameSize * nbFrames) {
    throw new Error(`the model takes ${inputSize} inputs; ${env.id} with ${nbFrames} stacked frame(s) gives ${frameSize * nbFrames}`)
  }
  const outputs = model.outputs[0].shape[1]
  if (outputs !== env.actionSpace.n) throw new Error(`the model has ${outputs} outputs; ${env.id} has ${env.actionSpace.n} actions`)
  const frames = new FrameStack(nbFrames, frameSize)
  const played: PlayedEpisode[] = []
  for (let e = 0; e < episodes; e++) {
    const episodeSeed = deriveSeed(seed, e)
    let state = frames.reset(env.reset(episodeSeed).obs)
    const actions: number[] = []
    const qValues: number[] = []
    let ret = 0
    for (;;) {
      const q = tf.tidy(() => (model.predict(tf.tensor2d(state, [1, state.length])) as tf.Tensor).dataSync())
      const a = argmax(q)
      qValues.push(...q)
      actions.push(a)
      const r = env.step(a)
      ret += r.reward
      state = frames.push(r.obs)
      if (r.terminated || r.truncated) break
    }
    played.push({ episode: e, seed: episodeSeed, actions, qValues, return: ret, length: actions.length, won: env.isWon(), stats: env.episodeStats?.() ?? {} })
  }
  const wins = played.filter((p) => p.won).length
  return { episodes: played, winFraction: wins / Math.max(1, episodes), meanReturn: played.reduce((s, p) => s + p.return, 0) / Math.max(1, episodes) }
}
