/**
 * Deep Q-learning, read top to bottom (after CleanRL's dqn.py): an MLP or conv
 * Q-network, a replay memory, ε-greedy exploration with a linear schedule, an
 * optional target network (hard copy or soft τ) and optional Double-DQN targets.
 *
 * The Q-function is pluggable: the built-in `QNetwork` (the app's, fast on wasm)
 * or any other `QFunction` — qlearning4k's Agent hands in a user's compiled
 * model (agents/compiled-q.ts) and is otherwise this same loop.
 *
 * `train()` is an async generator: it yields after every episode, so the caller
 * can pause (stop pulling), stop (return) or checkpoint between episodes.
 * `snapshot()` / `Dqn.restore()` capture everything training depends on —
 * weights, optimizer moments, replay memory, RNG state and counters — so a
 * resumed run continues exactly where it stopped.
 */
import * as tf from '@tensorflow/tfjs'
import type { Env } from '../env'
import { obsSize } from '../env'
import { Rng, deriveSeed } from '../rng'
import type { ParamValues } from '../params'
import { FrameStack, ReplayMemory, type Batch } from './replay-memory'
import { dense, denseGrads } from '../nn/dense'
import { WasmAdam, WasmRmsProp } from '../nn/wasm-optimizers'
import { reluGrad } from '../nn/relu-grad'
import { convLayers, convShrinkProblem } from './dqn-params'
import { concatBytes, restoreOptimizer, saveOptimizer, type OptimizerStateMeta } from '../nn/optimizer-state'
import { take } from '../nn/read'
import type { AgentSnapshot, AlgoImplementation, EpisodeResult, RlAgent } from '../agent'

/** The learning loop's settings, whatever the Q-function. */
export interface DqnLoopParams {
  gamma: number
  batch_size: number
  memory_size: number
  nb_frames: number
  epsilon_start: number
  epsilon_end: number
  epsilon_decay_episodes: number
  epsilon_decay_steps: number
  random_steps: number
  /** Whole episodes of random play, without learning, before ε-greedy starts (qlearning4k's `observe`; not in the app's form, absent = 0). */
  random_episodes?: number
  learning_starts: number
  train_every: number
}

/** The built-in Q-network's settings. */
export interface QNetworkParams {
  network: 'mlp' | 'conv'
  conv_filters: number[]
  conv_kernel: number
  /** Per-layer kernel sizes; absent or empty = conv_kernel for every layer. */
  conv_kernels?: number[]
  /** Per-layer strides; absent or empty = 1 for every layer. */
  conv_strides?: number[]
  optimizer: 'adam' | 'rmsprop' | 'sgd'
  hidden: number[]
  lr: number
  /** RMSprop's decay ρ and ε (absent: Keras' 0.9 and 1e-7). */
  rmsprop_rho?: number
  rmsprop_epsilon?: number
  /** The TD error's loss: squared (absent) or Huber with δ 1. */
  loss?: 'mse' | 'huber'
  /** Scale the gradients down to at most this global norm; absent or 0 = no clipping. */
  grad_clip_norm?: number
  target_network: 'none' | 'hard' | 'soft'
  target_update_every: number
  /** What target_update_every counts for a hard copy: gradient steps (absent) or episodes (games). */
  target_update_unit?: 'steps' | 'episodes'
  tau: number
  double_dqn: boolean
  /**
   * Split-Q's memory λ (agents/split-q.ts): the TD target loses (1 − λ)·Q_target(s, a)
   * on non-terminal steps. Absent = 1, the ordinary target. Not a DQN setting.
   */
  td_memory?: number
}

/** The app's DQN settings (DQN_PARAMS): the loop's and the built-in network's. */
export type DqnParams = DqnLoopParams & QNetworkParams

/** ε for the next step: 1 during the random episodes and steps, then linear by steps or by episodes. */
export function epsilonAt(p: DqnLoopParams, episode: number, envSteps: number): number {
  const randomEpisodes = p.random_episodes ?? 0
  if (episode < randomEpisodes || envSteps < p.random_steps) return 1
  if (p.epsilon_decay_steps > 0) {
    const frac = Math.min(1, (envSteps - p.random_steps) / p.epsilon_decay_steps)
    return p.epsilon_start + frac * (p.epsilon_end - p.epsilon_start)
  }
  return linearEpsilon(p, episode - randomEpisodes)
}

export function linearEpsilon(p: DqnLoopParams, episode: number): number {
  if (p.epsilon_decay_episodes <= 0) return p.epsilon_end
  const frac = Math.min(1, episode / p.epsilon_decay_episodes)
  return p.epsilon_start + frac * (p.epsilon_end - p.epsilon_start)
}

/**
 * The Q-network as a tfjs LayersModel (so it saves and exports in the standard
 * format). Its input is the flat stacked state, [nbFrames × frame]; the conv
 * network reshapes it to [H, W, nbFrames] itself, so exported models take the
 * same input as the agent.
 */
/** What shapes a network: its conv and Dense layers and how many observations it stacks (PPO's networks are built from the same settings). */
export type NetworkShape = Pick<QNetworkParams, 'network' | 'conv_filters' | 'conv_kernel' | 'conv_kernels' | 'conv_strides' | 'hidden'> & Pick<DqnLoopParams, 'nb_frames'>

export function buildQNetwork(p: NetworkShape, frameShape: number[], nActions: number, seed: number): tf.Sequential {
  const inputSize = p.nb_frames * frameShape.reduce((a, b) => a * b, 1)
  const init = (i: number): tf.serialization.Serializable => tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) })
  const model = tf.sequential()
  let layer = 0
  if (p.network === 'conv') {
    const [planes, h, w] = convPlanes(frameShape, p.nb_frames)
    model.add(tf.layers.reshape({ targetShape: [planes, h, w], inputShape: [inputSize] }))
    model.add(tf.layers.permute({ dims: [2, 3, 1] }))
    const shrunk = convShrinkProblem(p, h, w)
    if (shrunk) throw new Error(shrunk)
    convLayers(p).forEach(({ filters, kernel, stride }) => {
      model.add(tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, activation: 'relu', kernelInitializer: init(layer++) as never }))
    })
    model.add(tf.layers.flatten())
  }
  const first = model.layers.length === 0
  p.hidden.forEach((units, i) =>
    model.add(
      tf.layers.dense({ units, activation: 'relu', inputShape: first && i === 0 ? [inputSize] : undefined, kernelInitializer: init(layer++) as never }),
    ),
  )
  model.add(
    tf.layers.dense({ units: nActions, inputShape: model.layers.length === 0 ? [inputSize] : undefined, kernelInitializer: init(layer++) as never }),
  )
  return model
}

/**
 * The conv network's input planes: 2-D frames stacked nb_frames deep, or 3-D
 * observations [channels, H, W] (an env's own stacked frames or tile planes)
 * with their channels stacked nb_frames deep.
 */
function convPlanes(frameShape: readonly number[], nbFrames: number): [number, number, number] {
  if (frameShape.length === 2) return [nbFrames, frameShape[0], frameShape[1]]
  if (frameShape.length === 3) return [nbFrames * frameShape[0], frameShape[1], frameShape[2]]
  throw new Error(`a conv Q-network needs 2-D frames or [channels, H, W] observations, got shape [${frameShape.join(', ')}]`)
}

/**
 * A network built by buildQNetwork applied to a batch of flat states with raw ops
 * on its own variables: the Layers API adds per-call bookkeeping that costs more
 * than the arithmetic of networks this small, and its Dense gradient takes the
 * slow transposed-matMul path on wasm (see `dense`). `pass`: 'taped' (the default) is
 * differentiable by tfjs's tape; 'untaped' skips the custom-gradient wrapper (≈ 50 µs a layer)
 * where nothing differentiates; an array records each layer's input and output into it for
 * backwardNetwork.
 */
export function forwardNetwork(
  net: tf.LayersModel,
  x: tf.Tensor2D,
  p: NetworkShape,
  frameShape: readonly number[],
  convs: readonly { stride: number }[] = p.network === 'conv' ? convLayers(p) : [],
  pass: 'taped' | 'untaped' | LayerTrace[] = 'taped',
): tf.Tensor2D {
  const trace = Array.isArray(pass) ? pass : undefined
  // Taped: ops tfjs can differentiate; otherwise one fused kernel a layer.
  const conv = pass === 'taped' ? tapedConv : fusedConv
  const affine = pass === 'taped' ? tapedDense : fusedDense
  const w = net.trainableWeights.map((v) => v.read())
  let h: tf.Tensor = x
  let i = 0
  if (p.network === 'conv') {
    const [planes, height, width] = convPlanes(frameShape, p.nb_frames)
    h = x.reshape([-1, planes, height, width]).transpose([0, 2, 3, 1])
    for (; i < convs.length * 2; i += 2) {
      const input = h as tf.Tensor4D
      const stride = convs[i / 2].stride
      h = conv(input, w[i] as tf.Tensor4D, w[i + 1] as tf.Tensor1D, stride)
      trace?.push({ x: input, y: h, relu: true, stride })
    }
    h = h.reshape([x.shape[0], -1])
  }
  for (; i < w.length; i += 2) {
    const input = h as tf.Tensor2D
    const relu = i < w.length - 2
    h = affine(input, w[i] as tf.Tensor2D, w[i + 1] as tf.Tensor1D, relu)
    trace?.push({ x: input, y: h, relu })
  }
  return h as tf.Tensor2D
}

/**
 * x·W + b (then ReLU) as one _FusedMatMul kernel call, where nothing differentiates: tf.fused.matMul
 * would wrap it in a custom gradient and reshape to rank 3 (≈ 50 µs a layer, more than the product
 * for Catch's layers); the kernel takes rank 2 on every backend (wasm's through wasm-kernels.ts).
 */
function fusedDense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, relu: boolean): tf.Tensor2D {
  return tf.engine().runKernel('_FusedMatMul', { a: x, b: kernel, bias }, { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear' } as never) as tf.Tensor2D
}

/** relu(conv(x, W) + b), valid padding, as one FusedConv2D kernel call (the same reasons). */
function fusedConv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number): tf.Tensor4D {
  return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, { strides: stride, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'relu' } as never) as tf.Tensor4D
}

const tapedDense = (x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, relu: boolean): tf.Tensor2D => {
  const y = dense(x, kernel, bias)
  return relu ? tf.relu(y) : y
}
const tapedConv = (x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number): tf.Tensor4D => tf.relu(tf.add(tf.conv2d(x, filter, stride, 'valid'), bias)) as tf.Tensor4D

/** A layer of a traced forward pass: its input, its output (after the ReLU if it has one), and a conv layer's stride. */
export interface LayerTrace {
  x: tf.Tensor
  y: tf.Tensor
  relu: boolean
  stride?: number
}

/**
 * The gradients of a traced forward pass's weights (in trainableWeights order) for dQ, the
 * gradient of the loss at its output — the chain rule written out, as tfjs's tape would apply it,
 * without the tape: a DQN step's loss is a function of Q(S, ·) alone, and for networks this
 * small the tape's bookkeeping (a saved copy per op, a gradient function per op) cost more than
 * the arithmetic (Catch: ~75 kernel calls a step with it, ~35 without).
 */
export function backwardNetwork(net: tf.LayersModel, trace: readonly LayerTrace[], dQ: tf.Tensor2D): tf.Tensor[] {
  const w = net.trainableWeights.map((v) => v.read())
  const grads: tf.Tensor[] = new Array(w.length)
  let dy: tf.Tensor = dQ
  for (let l = trace.length - 1; l >= 0; l--) {
    const { x, y, relu, stride } = trace[l]
    if (dy.shape.length !== y.shape.length) dy = dy.reshape(y.shape) // the flatten between convs and Dense layers
    const dz = relu ? reluGrad(dy, y) : dy
    if (stride === undefined) {
      const [dx, dw, db] = denseGrads(x as tf.Tensor2D, w[2 * l] as tf.Tensor2D, dz as tf.Tensor2D, l > 0)
      grads[2 * l] = dw
      grads[2 * l + 1] = db
      if (dx) dy = dx
    } else {
      const filter = w[2 * l] as tf.Tensor4D
      grads[2 * l] = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { strides: stride, pad: 'valid', dataFormat: 'NHWC', filterShape: filter.shape } as never) as tf.Tensor
      grads[2 * l + 1] = tf.sum(dz, [0, 1, 2])
      if (l > 0) dy = tf.conv2dTranspose(dz as tf.Tensor4D, filter, x.shape as [number, number, number, number], stride, 'valid')
    }
  }
  return grads
}

function makeOptimizer(p: QNetworkParams): tf.Optimizer {
  switch (p.optimizer) {
    case 'adam':
      return new WasmAdam(p.lr, 0.9, 0.999)
    case 'rmsprop':
      // Keras' RMSprop defaults (qlearning4k's Snake example uses RMSprop()); the seed's DQN sets ρ 0.95, ε 0.01.
      // tfjs adds ε inside the square root (as DeepMind's DQN did); PyTorch adds it outside.
      return new WasmRmsProp(p.lr, p.rmsprop_rho ?? 0.9, 0, p.rmsprop_epsilon ?? 1e-7)
    case 'sgd':
      return tf.train.sgd(p.lr)
  }
}

/** What the DQN learns: Q(s, ·), and one step towards the TD targets of a sampled batch. */
export interface QFunction {
  /** Q-values of one stacked state (a length nActions array). */
  qValues(state: Float32Array): Promise<Float32Array>
  /**
   * One learning step on `batch` towards r + γ·max Q(S′) (r alone where the
   * episode terminated); `step` counts the gradient steps, this one included.
   * Returns the loss.
   */
  learn(batch: Batch, gamma: number, step: number): Promise<number>
}

/**
 * The built-in Q-network: a LayersModel (so it saves and exports in the
 * standard format) trained with raw ops on its own variables, plus the optional
 * target network and Double-DQN targets.
 */
export class QNetwork implements QFunction {
  readonly model: tf.Sequential
  readonly target: tf.Sequential | null
  readonly optimizer: tf.Optimizer
  private readonly variables: tf.Variable[]
  private readonly stateSize: number
  private readonly nActions: number
  private readonly frameShape: readonly number[]
  private readonly actionMask: Float32Array
  private readonly notDone: Float32Array
  private readonly stacked: Float32Array
  private readonly discount: Float32Array
  private readonly convs: { kernel: number; stride: number }[]

  constructor(
    private readonly params: QNetworkParams & Pick<DqnLoopParams, 'nb_frames' | 'batch_size'>,
    env: Env,
    seed: number,
  ) {
    const p = params
    this.nActions = env.actionSpace.n
    this.stateSize = obsSize(env.observationSpace) * p.nb_frames
    this.frameShape = env.observationSpace.shape
    this.model = buildQNetwork(p, [...this.frameShape], this.nActions, seed)
    this.target = p.target_network === 'none' ? null : buildQNetwork(p, [...this.frameShape], this.nActions, seed)
    this.target?.setWeights(this.model.getWeights())
    this.variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable)
    this.optimizer = makeOptimizer(p)
    this.actionMask = new Float32Array(p.batch_size * this.nActions)
    this.notDone = new Float32Array(p.batch_size)
    this.stacked = new Float32Array(2 * p.batch_size * this.stateSize)
    this.discount = new Float32Array(p.batch_size)
    this.convs = p.network === 'conv' ? convLayers(p) : []
  }

  /** Q(s, ·) for a batch of states (raw ops on the model's own variables: forwardNetwork), where nothing differentiates. */
  private forward(net: tf.Sequential, x: tf.Tensor2D): tf.Tensor2D {
    return forwardNetwork(net, x, this.params, this.frameShape, this.convs, 'untaped')
  }

  qValues(state: Float32Array): Promise<Float32Array> {
    return take(tf.tidy(() => this.forward(this.model, tf.tensor2d(state, [1, this.stateSize]))))
  }

  /** One gradient step on the masked TD error; returns the loss. */
  learn(b: Batch, gamma: number, step: number): Promise<number> {
    return this.learnFrom(b, b.rewards, gamma, step)
  }

  /**
   * One gradient step towards rewards + γ·Q_target(S′, ·) − (1 − td_memory)·Q_target(S, A),
   * the last term on non-terminal steps only (Split-Q's memory; 0 for a plain DQN).
   * `rewards` is the batch's reward column to learn (Split-Q passes each stream's).
   */
  async learnFrom(b: Batch, rewards: Float32Array, gamma: number, step: number): Promise<number> {
    return (await take(this.learnStep(b, rewards, gamma, step)))[0]
  }

  /** learnFrom's step with its loss left as a tensor (the caller reads and disposes it): every kernel is queued before it returns. */
  learnStep(b: Batch, rewards: Float32Array, gamma: number, step: number): tf.Scalar {
    const p = this.params
    const B = p.batch_size
    this.actionMask.fill(0)
    for (let i = 0; i < B; i++) this.actionMask[i * this.nActions + b.actions[i]] = 1
    const loss = tf.tidy(() => {
      // The online network's Q(S, ·) — traced for the backward pass — and, where the target needs
      // it (no target network, or Double DQN's choice), its Q(S′, ·) in the same forward pass over
      // S and S′ stacked: one call per layer instead of two, and larger GEMMs.
      const trace: LayerTrace[] = []
      const onlineNext = !this.target || p.double_dqn
      let qS: tf.Tensor2D
      let qNextOnline: tf.Tensor2D | null = null
      if (onlineNext) {
        this.stacked.set(b.states.subarray(0, B * this.stateSize), 0)
        this.stacked.set(b.nextStates.subarray(0, B * this.stateSize), B * this.stateSize)
        const full: LayerTrace[] = []
        const qAll = forwardNetwork(this.model, tf.tensor2d(this.stacked, [2 * B, this.stateSize]), this.params, this.frameShape, this.convs, full)
        qS = qAll.slice(0, B)
        qNextOnline = qAll.slice(B, B)
        // The backward pass needs S's rows only: each layer's input, and its output where a ReLU
        // masks the gradient (a layer's output is the next one's input: sliced once).
        const rows = new Map<tf.Tensor, tf.Tensor>()
        const firstRows = (t: tf.Tensor): tf.Tensor => rows.get(t) ?? rows.set(t, t.slice(0, B)).get(t)!
        for (const t of full) trace.push({ ...t, x: firstRows(t.x), y: t.relu ? firstRows(t.y) : t.y })
      } else {
        qS = forwardNetwork(this.model, tf.tensor2d(b.states, [B, this.stateSize]), this.params, this.frameShape, this.convs, trace)
      }
      const qNext = this.target ? this.forward(this.target, tf.tensor2d(b.nextStates, [B, this.stateSize])) : qNextOnline!
      const nextValue = p.double_dqn ? qNext.mul(tf.oneHot(qNextOnline!.argMax(1), this.nActions)).sum(1) : qNext.max(1)
      // γ·(1 − done) and (1 − done) from the batch in JavaScript: exact, and fewer kernels than on tensors.
      for (let i = 0; i < B; i++) {
        this.notDone[i] = 1 - b.dones[i]
        this.discount[i] = this.notDone[i] * gamma
      }
      let y = nextValue.mul(tf.tensor1d(this.discount)).add(tf.tensor1d(rewards))
      const mask = tf.tensor2d(this.actionMask, [B, this.nActions])
      const forget = 1 - (p.td_memory ?? 1)
      if (forget !== 0) {
        const qBootS = this.target ? this.forward(this.target, tf.tensor2d(b.states, [B, this.stateSize])) : qS
        y = y.sub(qBootS.mul(mask).sum(1).mul(tf.tensor1d(this.notDone)).mul(forget))
      }
      // The loss and its gradient at Q(S, ·), then the network's gradients by backwardNetwork.
      const qTaken = qS.mul(mask).sum(1)
      const diff = qTaken.sub(y)
      // d mean(diff²)/dq = 2·diff/B; Huber (δ = 1): clip(diff, −1, 1)/B; only the taken action's Q gets it.
      const dq = p.loss === 'huber' ? diff.clipByValue(-1, 1).div(B) : diff.mul(2 / B)
      const grads = backwardNetwork(this.model, trace, mask.mul(dq.reshape([B, 1])) as tf.Tensor2D)
      const named: tf.NamedTensorMap = {}
      this.variables.forEach((v, i) => (named[v.name] = grads[i]))
      this.optimizer.applyGradients(p.grad_clip_norm ? clipByGlobalNorm(named, p.grad_clip_norm) : named)
      return (p.loss === 'huber' ? tf.losses.huberLoss(y, qTaken, undefined, 1, tf.Reduction.MEAN) : diff.square().mean()) as tf.Scalar
    })
    this.updateTarget(step)
    return loss
  }

  private updateTarget(step: number): void {
    const p = this.params
    if (!this.target) return
    if (p.target_network === 'hard') {
      if (p.target_update_unit !== 'episodes' && step % p.target_update_every === 0) this.target.setWeights(this.model.getWeights())
      return
    }
    tf.tidy(() => {
      const online = this.model.getWeights()
      const mixed = this.target!.getWeights().map((w, i) => w.mul(1 - p.tau).add(online[i].mul(p.tau)))
      this.target!.setWeights(mixed)
    })
  }

  /** After `episodesDone` episodes: the hard copy when it counts episodes (games), as the seed's DQN does. */
  endEpisode(episodesDone: number): void {
    const p = this.params
    if (this.target && p.target_network === 'hard' && p.target_update_unit === 'episodes' && episodesDone % p.target_update_every === 0) {
      this.target.setWeights(this.model.getWeights())
    }
  }

  /** Starts from another model's weights (an imported or exported model of the same shape). */
  loadWeights(artifacts: tf.io.ModelArtifacts): void {
    const bytes = fittingWeightBytes(this.model, artifacts)
    setWeightsFromBytes(this.model, bytes)
    if (this.target) setWeightsFromBytes(this.target, bytes)
  }

  /** Weights and topology in tfjs's LayersModel save format. */
  artifacts(): Promise<tf.io.ModelArtifacts> {
    return modelArtifacts(this.model)
  }

  dispose(): void {
    this.model.dispose()
    this.target?.dispose()
    this.optimizer.dispose()
  }
}

/** What a DQN may be given instead of building its own parts. */
export interface DqnParts {
  /** The Q-function to learn (default: a QNetwork built from the params). */
  qFunction: QFunction
  /** The replay memory (default: a new one of memory_size, sampled with replacement); the caller may keep it across runs. */
  memory?: ReplayMemory
}

export class Dqn implements RlAgent {
  /** The built-in network, when this DQN built one (snapshots, export and import need it). */
  private readonly net: QNetwork | null
  private readonly q: QFunction
  private readonly memory: ReplayMemory
  private readonly frames: FrameStack
  private readonly rng: Rng
  private readonly stateSize: number
  private readonly nActions: number
  private readonly batch: Batch
  private readonly prevState: Float32Array
  episode = 0
  envSteps = 0
  gradSteps = 0

  constructor(env: Env, params: DqnParams, seed: number)
  constructor(env: Env, params: DqnLoopParams, seed: number, parts: DqnParts)
  constructor(
    private readonly env: Env,
    readonly params: DqnLoopParams,
    readonly seed: number,
    parts?: DqnParts,
  ) {
    const p = params
    this.nActions = env.actionSpace.n
    this.stateSize = obsSize(env.observationSpace) * p.nb_frames
    this.rng = new Rng(seed)
    this.net = parts ? null : new QNetwork(p as DqnParams, env, seed)
    this.q = parts?.qFunction ?? this.net!
    this.memory = parts?.memory ?? new ReplayMemory(p.memory_size, this.stateSize)
    if (this.memory.stateSize !== this.stateSize) {
      throw new Error(`the replay memory holds states of ${this.memory.stateSize} values; ${env.id} stacked ${p.nb_frames}× gives ${this.stateSize}`)
    }
    this.frames = new FrameStack(p.nb_frames, obsSize(env.observationSpace))
    this.batch = ReplayMemory.allocBatch(p.batch_size, this.stateSize)
    this.prevState = new Float32Array(this.stateSize)
  }

  static fromValues(env: Env, values: ParamValues, seed: number): Dqn {
    return new Dqn(env, values as unknown as DqnParams, seed)
  }

  private network(what: string): QNetwork {
    if (!this.net) throw new Error(`${what} needs the built-in Q-network; this DQN learns a Q-function it was handed`)
    return this.net
  }

  /** The built-in Q-network's model. */
  get model(): tf.Sequential {
    return this.network('the model').model
  }

  /** Q-values of one state (a length nActions array). */
  qValues(state: Float32Array): Promise<Float32Array> {
    return this.q.qValues(state)
  }

  /** The agent's per-step outputs are its Q-values. */
  outputs(state: Float32Array): Promise<Float32Array> {
    return this.qValues(state)
  }

  async greedyAction(state: Float32Array): Promise<number> {
    return argmax(await this.qValues(state))
  }

  /**
   * One learning step on a sampled batch. The built-in network's TD loss stays a tensor, read with
   * the episode's others at its end (one read, not one per step: on a GPU each read waits for the
   * queue to drain; on wasm a read per step cost a few per cent of a Catch step); a Q-function handed
   * in finishes its step here and gives a number.
   */
  private gradientStep(): tf.Scalar | Promise<number> {
    this.memory.sample(this.params.batch_size, this.rng, this.batch)
    this.gradSteps++
    if (this.net) return this.net.learnStep(this.batch, this.batch.rewards, this.params.gamma, this.gradSteps)
    return this.q.learn(this.batch, this.params.gamma, this.gradSteps)
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
      const observing = episode < (p.random_episodes ?? 0)
      const byStep = p.random_steps > 0 || p.epsilon_decay_steps > 0
      let epsilon = epsilonAt(p, episode, this.envSteps)
      const keepQ = record(episode)
      let state = this.frames.reset(this.env.reset(seed).obs)
      const actions: number[] = []
      const outputs: number[] | null = keepQ ? [] : null
      let ret = 0
      const losses: (tf.Scalar | number)[] = []
      for (;;) {
        if (byStep) epsilon = epsilonAt(p, episode, this.envSteps)
        const explore = observing || this.rng.random() < epsilon
        let action: number
        if (explore && !keepQ) {
          action = this.rng.int(0, this.nActions)
        } else {
          const q = await this.qValues(state)
          if (outputs) for (let k = 0; k < q.length; k++) outputs.push(q[k])
          action = explore ? this.rng.int(0, this.nActions) : argmax(q)
        }
        this.prevState.set(state)
        const r = this.env.step(action)
        state = this.frames.push(r.obs)
        this.memory.push(this.prevState, action, r.reward, state, r.terminated)
        actions.push(action)
        ret += r.reward
        this.envSteps++
        if (!observing && this.memory.size >= p.learning_starts && this.envSteps % p.train_every === 0) {
          const loss = this.gradientStep()
          losses.push(loss instanceof Promise ? await loss : loss)
        }
        if (r.terminated || r.truncated) break
      }
      let lossSum = 0
      for (const loss of await lossValues(losses)) lossSum += loss
      this.episode++
      this.net?.endEpisode(this.episode)
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
        metrics: { epsilon, loss: losses.length > 0 ? lossSum / losses.length : NaN },
      }
    }
  }

  /** Everything training depends on, for an exact resume. */
  async snapshot(): Promise<AgentSnapshot> {
    const net = this.network('a snapshot')
    const model = await net.artifacts()
    const optimizer = await saveOptimizer(net.optimizer)
    const memory = this.memory.toBytes()
    return {
      meta: {
        kind: 'dqn',
        params: this.params,
        seed: this.seed,
        episode: this.episode,
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        rng: this.rng.getState(),
        modelTopology: model.modelTopology,
        weightSpecs: model.weightSpecs,
        optimizer: optimizer.meta,
        memory: memory.meta,
      },
      blobs: {
        'model.bin': new Uint8Array(model.weightData as ArrayBuffer),
        ...(net.target ? { 'target.bin': await weightsBytes(net.target) } : {}),
        'optimizer.bin': optimizer.bytes,
        'memory.bin': memory.bytes,
      },
    }
  }

  /** A DQN that continues exactly where `snap` was taken. */
  static async restore(env: Env, snap: AgentSnapshot): Promise<Dqn> {
    const m = snap.meta as {
      params: DqnParams
      seed: number
      episode: number
      envSteps: number
      gradSteps: number
      rng: number[]
      optimizer: OptimizerStateMeta
      memory: Record<string, unknown>
    }
    const agent = new Dqn(env, m.params, m.seed)
    const net = agent.network('restore')
    setWeightsFromBytes(net.model, snap.blobs['model.bin'])
    if (net.target) setWeightsFromBytes(net.target, snap.blobs['target.bin'] ?? snap.blobs['model.bin'])
    await restoreOptimizer(net.optimizer, m.optimizer, snap.blobs['optimizer.bin'])
    agent.memory.loadBytes(m.memory, snap.blobs['memory.bin'])
    agent.rng.setState(m.rng)
    agent.episode = m.episode
    agent.envSteps = m.envSteps
    agent.gradSteps = m.gradSteps
    return agent
  }

  /** Starts from another model's weights (an imported or exported model of the same shape). */
  loadWeights(artifacts: tf.io.ModelArtifacts): void {
    this.network('loading weights').loadWeights(artifacts)
  }

  /** Weights and topology in tfjs's LayersModel save format. */
  async artifacts(): Promise<tf.io.ModelArtifacts> {
    return this.network('export').artifacts()
  }

  /** Frees what this DQN built (a Q-function it was handed stays its owner's). */
  dispose(): void {
    this.net?.dispose()
  }
}

/** A saved model's weight bytes, after checking they fit `model` layer by layer (an imported or exported model of the same shape). */
export function fittingWeightBytes(model: tf.LayersModel, artifacts: tf.io.ModelArtifacts): Uint8Array {
  const specs = artifacts.weightSpecs ?? []
  const mine = model.getWeights()
  const shapes = (list: { shape: number[] }[]): string => list.map((w) => `[${w.shape.join('×')}]`).join(' ')
  if (specs.length !== mine.length || specs.some((w, i) => w.shape.join() !== mine[i].shape.join())) {
    throw new Error(`the model's weights ${shapes(specs)} do not fit this network ${shapes(mine)}`)
  }
  return new Uint8Array(artifacts.weightData as ArrayBuffer)
}

/** A model's weights and topology in tfjs's LayersModel save format (Export, checkpoints). */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  return saved!
}

/** The gradients scaled by min(1, maxNorm / their global L2 norm) (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  // Chained adds rather than addN: tfjs-backend-webgpu's AddN takes at most 7 inputs (one storage
  // buffer each, 8 a shader); the same float32 sums in the same order as addN's.
  const norm = tf.sqrt(Object.values(grads).map((g) => g.square().sum()).reduce((a, b) => a.add(b)))
  const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)))
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.mul(scale)]))
}

/** An episode's losses as numbers: the tensors among them read back in one go, then disposed. */
async function lossValues(losses: readonly (tf.Scalar | number)[]): Promise<number[]> {
  const tensors = losses.filter((l): l is tf.Scalar => typeof l !== 'number')
  if (tensors.length === 0) return losses as number[]
  const read = await take(tf.stack(tensors))
  tf.dispose(tensors)
  let k = 0
  return losses.map((l) => (typeof l === 'number' ? l : read[k++]))
}

export async function weightsBytes(model: tf.LayersModel): Promise<Uint8Array> {
  const values = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>))
  return concatBytes(values.map((v) => new Uint8Array(v.slice().buffer)))
}

export function setWeightsFromBytes(model: tf.LayersModel, bytes: Uint8Array): void {
  const floats = new Float32Array(bytes.slice().buffer)
  let offset = 0
  const tensors = model.getWeights().map((w) => {
    const n = w.size
    const t = tf.tensor(floats.subarray(offset, offset + n), w.shape)
    offset += n
    return t
  })
  if (offset !== floats.length) throw new Error(`checkpoint weights hold ${floats.length} values; the network needs ${offset}`)
  model.setWeights(tensors)
  tensors.forEach((t) => t.dispose())
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i
  return best
}

interface LayerJson {
  class_name: string
  config: { units?: number; filters?: number; kernel_size?: number[]; strides?: number[]; batch_input_shape?: (number | null)[] }
}

/**
 * The DQN settings a LayersModel was built with, read from its topology, so an
 * imported model can be played and trained further with the same network.
 * `where` names the model in messages.
 */
export function inferDqnParams(topology: unknown, env: Env, where: string): Partial<DqnParams> {
  const cfg = (topology as { config?: { layers?: LayerJson[] } | LayerJson[] } | undefined)?.config
  const list: unknown = (Array.isArray(cfg) ? cfg : cfg?.layers) ?? []
  const layers = (Array.isArray(list) ? list : []) as LayerJson[]
  if (!layers.length) throw new Error(`${where} has no Sequential layers to read`)
  if (!layers.every((l) => l && typeof l === 'object' && typeof l.class_name === 'string' && l.config && typeof l.config === 'object')) {
    throw new Error(`${where} has a layer without class_name and config`)
  }
  const inputSize = layers[0].config.batch_input_shape?.[1]
  if (typeof inputSize !== 'number') throw new Error(`${where} does not say its input size (first layer has no batch_input_shape)`)
  const supported = new Set(['Dense', 'Conv2D', 'Reshape', 'Permute', 'Flatten'])
  const odd = layers.find((l) => !supported.has(l.class_name))
  if (odd) throw new Error(`${where} has a ${odd.class_name.slice(0, 40)} layer; Quarkade imports Q-networks of Dense and Conv2D layers`)
  const dense = layers.filter((l) => l.class_name === 'Dense').map((l) => l.config.units!)
  const conv = layers.filter((l) => l.class_name === 'Conv2D')
  const frame = obsSize(env.observationSpace)
  if (inputSize % frame !== 0) throw new Error(`the model takes ${inputSize} inputs, not a whole number of ${env.id} frames (${frame} values each)`)
  if (dense.at(-1) !== env.actionSpace.n) throw new Error(`the model has ${dense.at(-1)} outputs; ${env.id} has ${env.actionSpace.n} actions`)
  return {
    network: conv.length ? 'conv' : 'mlp',
    ...(conv.length
      ? {
          conv_filters: conv.map((l) => l.config.filters!),
          conv_kernel: conv[0].config.kernel_size?.[0] ?? 3,
          conv_kernels: conv.map((l) => l.config.kernel_size?.[0] ?? 3),
          conv_strides: conv.map((l) => l.config.strides?.[0] ?? 1),
        }
      : {}),
    hidden: dense.slice(0, -1),
    nb_frames: inputSize / frame,
  }
}

/** How the trainer makes, restores and imports DQN agents (registered in implementations.ts). */
export const dqnImplementation: AlgoImplementation = {
  create: (env, params, seed) => Dqn.fromValues(env, params, seed),
  restore: (env, snap) => Dqn.restore(env, snap),
  inferParams: (topology, env, where) => inferDqnParams(topology, env, where) as ParamValues,
}
