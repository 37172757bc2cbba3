/**
 * Deep split Q-learning, read top to bottom (Lin, Bouneffouf & Cecchi 2019,
 * arXiv 1906.11286; the deep form of rl-dash-days' DSQ).
 *
 * Each step's reward comes in two streams, r⁺ ≥ 0 (what it earned) and r⁻ ≤ 0
 * (what it cost): the env's `info.rewardParts = [r⁺, r⁻]` (the maze's reward
 * functions); a world whose steps carry no rewardParts is split by sign,
 * (max(r, 0), min(r, 0)). Two Q-functions learn them apart. The paper's tabular
 * update, with reward weights w and memories λ:
 *
 *   Q⁺(s,a) ← λ_r·Q⁺(s,a) + α·(w_r·r⁺ + γ·max_a′ Q⁺(s′,a′) − Q⁺(s,a))
 *   Q⁻(s,a) ← λ_p·Q⁻(s,a) + α·(w_p·r⁻ + γ·max_a′ Q⁻(s′,a′) − Q⁻(s,a))
 *
 * i.e. each stream moves towards its TD target and also forgets (1 − λ) of its
 * value. As a network's regression target (with a target network Q̄ and, by
 * default, Double-DQN's choice of a′ by the online network):
 *
 *   y⁺ = w_r·r⁺ + γ·Q̄⁺(s′, a′) − (1 − λ_r)·Q̄⁺(s, a)      (no bootstrap and no forgetting at a terminal step)
 *
 * and the same for y⁻. With λ = 1 and w = 1 both streams are ordinary Q-learning
 * and Q⁺ + Q⁻ is the Q-value of r⁺ + r⁻. It acts ε-greedily on argmax_a (Q⁺ + Q⁻)
 * (the weights enter through the rewards, as in the paper and the seed).
 *
 * Two networks, not two heads on one: like the seed, each stream has its own
 * network and RMSprop/Adam statistics — the streams differ in scale by orders of
 * magnitude (pellets of 10 against death taxes of 500), and one optimiser's shared
 * statistics would let the larger stream set the step size of both. Each is the
 * DQN's QNetwork (dqn.ts: same layers, loss, clipping, target copies), handed its
 * stream's rewards and memory λ. One replay memory holds both reward columns.
 */
import * as tf from '@tensorflow/tfjs'
import type { Env } from '../env'
import { obsSize } from '../env'
import { Rng, deriveSeed } from '../rng'
import type { ParamValues } from '../params'
import { FrameStack, ReplayMemory, type Batch } from './replay-memory'
import { QNetwork, argmax, epsilonAt, setWeightsFromBytes, weightsBytes, type DqnParams } from './dqn'
import { restoreOptimizer, saveOptimizer, type OptimizerStateMeta } from '../nn/optimizer-state'
import type { AgentSnapshot, AlgoImplementation, EpisodeResult, RlAgent } from '../agent'
import { splitBiases, type SplitBiases } from './split-q-params'

export type SplitQParams = DqnParams & { split_preset: string; w_r: number; lambda_r: number; w_p: number; lambda_p: number }

/** A step's (r⁺, r⁻): the env's rewardParts, or the scalar reward split by sign. */
export function rewardStreams(reward: number, info: unknown): [number, number] {
  const parts = (info as { rewardParts?: unknown } | null | undefined)?.rewardParts
  if (Array.isArray(parts) && parts.length === 2 && typeof parts[0] === 'number' && typeof parts[1] === 'number') return [parts[0], parts[1]]
  return [Math.max(reward, 0), Math.min(reward, 0)]
}

export class SplitQ implements RlAgent {
  readonly biases: SplitBiases
  /** Q⁺, the reward stream, and Q⁻, the punishment stream. */
  readonly plus: QNetwork
  readonly minus: QNetwork
  private readonly memory: ReplayMemory
  private readonly frames: FrameStack
  private readonly rng: Rng
  private readonly stateSize: number
  private readonly nActions: number
  private readonly batch: Batch
  private readonly weighted: { plus: Float32Array; minus: Float32Array }
  private readonly prevState: Float32Array
  episode = 0
  envSteps = 0
  gradSteps = 0

  constructor(
    private readonly env: Env,
    readonly params: SplitQParams,
    readonly seed: number,
  ) {
    const p = params
    this.biases = splitBiases(p as unknown as ParamValues)
    this.nActions = env.actionSpace.n
    this.stateSize = obsSize(env.observationSpace) * p.nb_frames
    this.rng = new Rng(seed)
    this.plus = new QNetwork({ ...p, td_memory: this.biases.lambda_r }, env, deriveSeed(seed, 1))
    this.minus = new QNetwork({ ...p, td_memory: this.biases.lambda_p }, env, deriveSeed(seed, 2))
    this.memory = new ReplayMemory(p.memory_size, this.stateSize, 'with-replacement', 2)
    this.frames = new FrameStack(p.nb_frames, obsSize(env.observationSpace))
    this.batch = ReplayMemory.allocBatch(p.batch_size, this.stateSize)
    this.weighted = { plus: new Float32Array(p.batch_size), minus: new Float32Array(p.batch_size) }
    this.prevState = new Float32Array(this.stateSize)
  }

  /** [Q⁺(s, ·), Q⁻(s, ·)] of one state, 2·nActions numbers. */
  async outputs(state: Float32Array): Promise<Float32Array> {
    const out = new Float32Array(2 * this.nActions)
    out.set(await this.plus.qValues(state), 0)
    out.set(await this.minus.qValues(state), this.nActions)
    return out
  }

  /** argmax_a Q⁺(s, a) + Q⁻(s, a). */
  async greedyAction(state: Float32Array): Promise<number> {
    return argmax(sumHalves(await this.outputs(state)))
  }

  /** One gradient step of each stream on the same sampled batch; returns both TD losses. */
  private async gradientStep(): Promise<[number, number]> {
    const { w_r, w_p } = this.biases
    this.memory.sample(this.params.batch_size, this.rng, this.batch)
    for (let i = 0; i < this.params.batch_size; i++) {
      this.weighted.plus[i] = w_r * this.batch.rewards[i]
      this.weighted.minus[i] = w_p * this.batch.rewards2[i]
    }
    this.gradSteps++
    const plus = await this.plus.learnFrom(this.batch, this.weighted.plus, this.params.gamma, this.gradSteps)
    const minus = await this.minus.learnFrom(this.batch, this.weighted.minus, this.params.gamma, this.gradSteps)
    return [plus, minus]
  }

  /** Plays and learns `episodes` more episodes; recorded ones keep [Q⁺, Q⁻] per step. */
  async *train(episodes: number, record: (episode: number) => boolean = () => false): AsyncGenerator<EpisodeResult> {
    const p = this.params
    const end = this.episode + episodes
    while (this.episode < end) {
      const episode = this.episode
      const seed = deriveSeed(this.seed, episode)
      const keepQ = record(episode)
      let state = this.frames.reset(this.env.reset(seed).obs)
      const actions: number[] = []
      const outputs: number[] | null = keepQ ? [] : null
      let epsilon = 0
      let ret = 0
      const losses = { plus: 0, minus: 0, n: 0 }
      for (;;) {
        epsilon = epsilonAt(p, episode, this.envSteps)
        const explore = this.rng.random() < epsilon
        let action: number
        if (explore && !keepQ) {
          action = this.rng.int(0, this.nActions)
        } else {
          const q = await this.outputs(state)
          if (outputs) for (let k = 0; k < q.length; k++) outputs.push(q[k])
          action = explore ? this.rng.int(0, this.nActions) : argmax(sumHalves(q))
        }
        this.prevState.set(state)
        const r = this.env.step(action)
        const [pos, neg] = rewardStreams(r.reward, r.info)
        state = this.frames.push(r.obs)
        this.memory.push(this.prevState, action, pos, state, r.terminated, neg)
        actions.push(action)
        ret += r.reward
        this.envSteps++
        if (this.memory.size >= p.learning_starts && this.envSteps % p.train_every === 0) {
          const [lp, lm] = await this.gradientStep()
          losses.plus += lp
          losses.minus += lm
          losses.n++
        }
        if (r.terminated || r.truncated) break
      }
      this.episode++
      this.plus.endEpisode(this.episode)
      this.minus.endEpisode(this.episode)
      yield {
        episode,
        seed,
        return: ret,
        length: actions.length,
        won: this.env.isWon(),
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        actions,
        outputs,
        metrics: {
          epsilon,
          loss_reward: losses.n ? losses.plus / losses.n : NaN,
          loss_punishment: losses.n ? losses.minus / losses.n : NaN,
        },
      }
    }
  }

  /** Everything training depends on, for an exact resume: both streams' networks, targets and optimisers, the memory, RNG, counters. */
  async snapshot(): Promise<AgentSnapshot> {
    const blobs: Record<string, Uint8Array> = {}
    const optimizers: Record<string, OptimizerStateMeta> = {}
    for (const [name, net] of this.streams()) {
      blobs[`${name}.bin`] = await weightsBytes(net.model)
      if (net.target) blobs[`${name}-target.bin`] = await weightsBytes(net.target)
      const opt = await saveOptimizer(net.optimizer)
      blobs[`${name}-optimizer.bin`] = opt.bytes
      optimizers[name] = opt.meta
    }
    const memory = this.memory.toBytes()
    blobs['memory.bin'] = memory.bytes
    return {
      meta: {
        kind: 'split-q',
        params: this.params,
        seed: this.seed,
        episode: this.episode,
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        rng: this.rng.getState(),
        optimizers,
        memory: memory.meta,
      },
      blobs,
    }
  }

  static async restore(env: Env, snap: AgentSnapshot): Promise<SplitQ> {
    const m = snap.meta as {
      params: SplitQParams
      seed: number
      episode: number
      envSteps: number
      gradSteps: number
      rng: number[]
      optimizers: Record<string, OptimizerStateMeta>
      memory: Record<string, unknown>
    }
    const agent = new SplitQ(env, m.params, m.seed)
    for (const [name, net] of agent.streams()) {
      const weights = snap.blobs[`${name}.bin`]
      if (!weights) throw new Error(`the Split-Q checkpoint has no ${name} stream weights`)
      setWeightsFromBytes(net.model, weights)
      if (net.target) setWeightsFromBytes(net.target, snap.blobs[`${name}-target.bin`] ?? weights)
      await restoreOptimizer(net.optimizer, m.optimizers[name], snap.blobs[`${name}-optimizer.bin`])
    }
    agent.memory.loadBytes(m.memory, snap.blobs['memory.bin'])
    agent.rng.setState(m.rng)
    agent.episode = m.episode
    agent.envSteps = m.envSteps
    agent.gradSteps = m.gradSteps
    return agent
  }

  private streams(): [string, QNetwork][] {
    return [
      ['reward', this.plus],
      ['punishment', this.minus],
    ]
  }

  /**
   * Both streams as one LayersModel (Play, Export): the state goes to Q⁺'s and
   * Q⁻'s networks side by side and comes out as [Q⁺ | Q⁻], 2·nActions numbers;
   * its weights are Q⁺'s, then Q⁻'s.
   */
  private combined(): tf.LayersModel {
    const input = tf.input({ shape: [this.stateSize] })
    const both = tf.layers.concatenate().apply([this.plus.model.apply(input), this.minus.model.apply(input)] as tf.SymbolicTensor[])
    return tf.model({ inputs: input, outputs: both as tf.SymbolicTensor, name: 'split_q' })
  }

  async artifacts(): Promise<tf.io.ModelArtifacts> {
    let saved: tf.io.ModelArtifacts | null = null
    await this.combined().save(
      tf.io.withSaveHandler(async (a) => {
        saved = a
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      }),
    )
    return saved!
  }

  /** Starts both streams from a saved Split-Q model of the same shape (Q⁺'s weights, then Q⁻'s). */
  loadWeights(artifacts: tf.io.ModelArtifacts): void {
    const specs = artifacts.weightSpecs ?? []
    const mine = [...this.plus.model.getWeights(), ...this.minus.model.getWeights()]
    if (specs.length !== mine.length || specs.some((w, i) => w.shape.join() !== mine[i].shape.join())) {
      throw new Error(`the model's ${specs.length} weights do not fit this Split-Q network's ${mine.length} (two streams of the same shape)`)
    }
    const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer)
    const plusBytes = this.plus.model.getWeights().reduce((n, w) => n + 4 * w.size, 0)
    for (const [net, part] of [
      [this.plus, bytes.subarray(0, plusBytes)],
      [this.minus, bytes.subarray(plusBytes)],
    ] as const) {
      setWeightsFromBytes(net.model, part)
      if (net.target) setWeightsFromBytes(net.target, part)
    }
  }

  dispose(): void {
    this.plus.dispose()
    this.minus.dispose()
  }
}

/** Q⁺ + Q⁻ from [Q⁺ | Q⁻]. */
function sumHalves(q: Float32Array): Float32Array {
  const n = q.length / 2
  const sum = new Float32Array(n)
  for (let a = 0; a < n; a++) sum[a] = q[a] + q[n + a]
  return sum
}

/** How the trainer makes and restores Split-Q agents (registered in implementations.ts); a Split-Q model folder cannot be imported. */
export const splitQImplementation: AlgoImplementation = {
  create: (env, params, seed) => new SplitQ(env, params as unknown as SplitQParams, seed),
  restore: (env, snap) => SplitQ.restore(env, snap),
}
