/**
 * Deep Q-learning, read top to bottom (after CleanRL's dqn.py): an MLP Q-network,
 * a replay memory, ε-greedy exploration with a linear schedule, an optional
 * target network (hard copy or soft τ) and optional Double-DQN targets.
 *
 * `train()` is an async generator: it yields after every episode, so the caller
 * can pause (stop pulling), stop (return) or checkpoint between episodes.
 */
import * as tf from '@tensorflow/tfjs'
import type { Env } from '../env'
import { obsSize } from '../env'
import { Rng, deriveSeed } from '../rng'
import type { ParamValues } from '../params'
import { FrameStack, ReplayMemory } from './replay-memory'
import type { EpisodeResult, RlAgent } from '../agent'

export interface DqnParams {
  hidden: number[]
  lr: number
  gamma: number
  batch_size: number
  memory_size: number
  nb_frames: number
  epsilon_start: number
  epsilon_end: number
  epsilon_decay_episodes: number
  learning_starts: number
  train_every: number
  target_network: 'none' | 'hard' | 'soft'
  target_update_every: number
  tau: number
  double_dqn: boolean
}

export function linearEpsilon(p: DqnParams, episode: number): number {
  if (p.epsilon_decay_episodes <= 0) return p.epsilon_end
  const frac = Math.min(1, episode / p.epsilon_decay_episodes)
  return p.epsilon_start + frac * (p.epsilon_end - p.epsilon_start)
}

export function buildQNetwork(inputSize: number, hidden: number[], nActions: number, seed: number): tf.Sequential {
  const model = tf.sequential()
  hidden.forEach((units, i) =>
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        inputShape: i === 0 ? [inputSize] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) }),
      }),
    ),
  )
  model.add(
    tf.layers.dense({
      units: nActions,
      inputShape: hidden.length === 0 ? [inputSize] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, hidden.length) }),
    }),
  )
  return model
}

export class Dqn implements RlAgent {
  readonly model: tf.Sequential
  private readonly target: tf.Sequential | null
  private readonly optimizer: tf.AdamOptimizer
  private readonly memory: ReplayMemory
  private readonly frames: FrameStack
  private readonly rng: Rng
  private readonly stateSize: number
  private readonly nActions: number
  private readonly batch
  private readonly actionMask: Float32Array
  private readonly prevState: Float32Array
  private readonly variables: tf.Variable[]
  episode = 0
  envSteps = 0
  gradSteps = 0

  constructor(
    private readonly env: Env,
    readonly params: DqnParams,
    readonly seed: number,
  ) {
    const p = params
    this.nActions = env.actionSpace.n
    this.stateSize = obsSize(env.observationSpace) * p.nb_frames
    this.rng = new Rng(seed)
    this.model = buildQNetwork(this.stateSize, p.hidden, this.nActions, seed)
    this.target = p.target_network === 'none' ? null : buildQNetwork(this.stateSize, p.hidden, this.nActions, seed)
    this.target?.setWeights(this.model.getWeights())
    this.variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable)
    this.optimizer = tf.train.adam(p.lr)
    this.memory = new ReplayMemory(p.memory_size, this.stateSize)
    this.frames = new FrameStack(p.nb_frames, obsSize(env.observationSpace))
    this.batch = ReplayMemory.allocBatch(p.batch_size, this.stateSize)
    this.actionMask = new Float32Array(p.batch_size * this.nActions)
    this.prevState = new Float32Array(this.stateSize)
  }

  static fromValues(env: Env, values: ParamValues, seed: number): Dqn {
    return new Dqn(env, values as unknown as DqnParams, seed)
  }

  /**
   * Q(s, ·) for a batch of states, computed on the model's own variables: the
   * Layers API adds per-call bookkeeping that costs more than the arithmetic of
   * a network this small.
   */
  private forward(net: tf.Sequential, x: tf.Tensor2D): tf.Tensor2D {
    const w = net.trainableWeights.map((v) => v.read())
    let h = x
    for (let i = 0; i < w.length; i += 2) {
      h = dense(h, w[i] as tf.Tensor2D, w[i + 1] as tf.Tensor1D)
      if (i < w.length - 2) h = tf.relu(h)
    }
    return h
  }

  /** Q-values of one state (a length nActions array). */
  qValues(state: Float32Array): Float32Array {
    return tf.tidy(() => this.forward(this.model, tf.tensor2d(state, [1, this.stateSize])).dataSync() as Float32Array)
  }

  greedyAction(state: Float32Array): number {
    return argmax(this.qValues(state))
  }

  /** One gradient step on a sampled batch; returns the TD loss. */
  private gradientStep(): number {
    const p = this.params
    const B = p.batch_size
    const b = this.batch
    this.memory.sample(B, this.rng, b)
    this.actionMask.fill(0)
    for (let i = 0; i < B; i++) this.actionMask[i * this.nActions + b.actions[i]] = 1
    const loss = tf.tidy(() => {
      const next = tf.tensor2d(b.nextStates, [B, this.stateSize])
      const bootstrap = this.target ?? this.model
      const qNext = this.forward(bootstrap, next)
      let nextValue: tf.Tensor1D
      if (p.double_dqn) {
        const chosen = this.forward(this.model, next).argMax(1)
        nextValue = qNext.mul(tf.oneHot(chosen, this.nActions)).sum(1)
      } else {
        nextValue = qNext.max(1)
      }
      const notDone = tf.scalar(1).sub(tf.tensor1d(b.dones))
      const y = tf.tensor1d(b.rewards).add(nextValue.mul(notDone).mul(p.gamma))
      const states = tf.tensor2d(b.states, [B, this.stateSize])
      const mask = tf.tensor2d(this.actionMask, [B, this.nActions])
      return this.optimizer.minimize(() => {
        const q = this.forward(this.model, states)
        return q.mul(mask).sum(1).sub(y).square().mean() as tf.Scalar
      }, true, this.variables)!
    })
    const value = loss.dataSync()[0]
    loss.dispose()
    this.gradSteps++
    this.updateTarget()
    return value
  }

  private updateTarget(): void {
    const p = this.params
    if (!this.target) return
    if (p.target_network === 'hard') {
      if (this.gradSteps % p.target_update_every === 0) this.target.setWeights(this.model.getWeights())
      return
    }
    tf.tidy(() => {
      const online = this.model.getWeights()
      const mixed = this.target!.getWeights().map((w, i) => w.mul(1 - p.tau).add(online[i].mul(p.tau)))
      this.target!.setWeights(mixed)
    })
  }

  /**
   * Plays and learns `episodes` more episodes. `record(episode)` says which
   * episodes keep their per-step Q-values (for replays).
   */
  async *train(episodes: number, record: (episode: number) => boolean = () => false): AsyncGenerator<EpisodeResult> {
    const p = this.params
    const end = this.episode + episodes
    while (this.episode < end) {
      const episode = this.episode
      const seed = deriveSeed(this.seed, episode)
      const epsilon = linearEpsilon(p, episode)
      const keepQ = record(episode)
      let state = this.frames.reset(this.env.reset(seed).obs)
      const actions: number[] = []
      const qValues: number[] | null = keepQ ? [] : null
      let ret = 0
      let lossSum = 0
      let lossCount = 0
      for (;;) {
        const explore = this.rng.random() < epsilon
        let action: number
        if (explore && !keepQ) {
          action = this.rng.int(0, this.nActions)
        } else {
          const q = this.qValues(state)
          if (qValues) for (let k = 0; k < q.length; k++) qValues.push(q[k])
          action = explore ? this.rng.int(0, this.nActions) : argmax(q)
        }
        this.prevState.set(state)
        const r = this.env.step(action)
        state = this.frames.push(r.obs)
        this.memory.push(this.prevState, action, r.reward, state, r.terminated)
        actions.push(action)
        ret += r.reward
        this.envSteps++
        if (this.memory.size >= p.learning_starts && this.envSteps % p.train_every === 0) {
          lossSum += this.gradientStep()
          lossCount++
        }
        if (r.terminated || r.truncated) break
      }
      this.episode++
      yield {
        episode,
        seed,
        return: ret,
        length: actions.length,
        won: this.env.isWon(),
        epsilon,
        loss: lossCount > 0 ? lossSum / lossCount : NaN,
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        actions,
        qValues,
      }
    }
  }

  /** Weights and topology in tfjs's LayersModel save format. */
  async artifacts(): Promise<tf.io.ModelArtifacts> {
    let saved: tf.io.ModelArtifacts | null = null
    await this.model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      }),
    )
    return saved!
  }

  dispose(): void {
    this.model.dispose()
    this.target?.dispose()
    this.optimizer.dispose()
  }
}

/**
 * x·W + b with a hand-written gradient. tfjs derives dX and dW with transposed
 * matMuls, which the wasm backend runs without XNNPACK (~4× slower here); an
 * explicit transpose followed by a plain matMul halves a DQN gradient step.
 */
const dense = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w])
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[]
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)]
    },
  }
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D

export function argmax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i
  return best
}
