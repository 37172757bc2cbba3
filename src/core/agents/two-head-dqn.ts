/**
 * The two-headed DQN for the LArTPC game (after lartpc2D's agent), read top to
 * bottom, CleanRL style.
 *
 * One network with two inputs — the source window (25 energies, fed as
 * log(1 + E): energies span orders of magnitude) and the canvas window (75,
 * one-hot) — and two heads over both:
 * - the movement head: 8 Q-values learned by DQN — replay memory, a soft target
 *   network (τ), ε-greedy moves with ε multiplied per action down to a floor;
 *   the TD loss is on Q(s, a taken) (the seed trained every move's output);
 * - the class head: 3 scores learned from the TRUE class of the pixel written
 *   (step info `label`), with class-weighted softmax cross-entropy (the seed
 *   trained it on its own argmax). The class written is the head's argmax.
 * One persistent Adam optimiser minimises TD loss + class_loss_weight · CE
 * (the seed made a new optimiser per fit).
 *
 * A trial's end (step info `trialEnd`) is terminal for the TD target: the
 * next observation is the next trial's spawn, which the move did not cause.
 *
 * The replay memory is the project's ReplayMemory; each transition's integer
 * action packs the move and the true class: move + nMoves · label.
 *
 * Per-step outputs (replays): nMoves Q-values, then nClasses class
 * probabilities. Greedy action: [argmax Q, argmax class].
 */
import * as tf from '@tensorflow/tfjs'
import type { Env } from '../env'
import { obsSize } from '../env'
import type { TupleSpace } from '../spaces'
import type { ParamValues } from '../params'
import { Rng, deriveSeed } from '../rng'
import { ReplayMemory, type Batch } from './replay-memory'
import { dense } from '../nn/dense'
import { WasmAdam } from '../nn/wasm-optimizers'
import { restoreOptimizer, saveOptimizer, type OptimizerStateMeta } from '../nn/optimizer-state'
import { argmax, fittingWeightBytes, modelArtifacts, setWeightsFromBytes } from './dqn'
import type { AgentSnapshot, AlgoImplementation, EpisodeResult, RlAgent } from '../agent'
import type { TwoHeadParams } from './two-head-dqn-params'
import { take } from '../nn/read'

export type { TwoHeadParams } from './two-head-dqn-params'

/** What a step's info carries for this agent (WorldInfo.spaces.labels). */
interface LabelledInfo {
  label?: number
  trialEnd?: boolean
}

/** A Dense layer's variables, as raw ops use them. */
type DenseVars = [tf.Variable, tf.Variable]

/** One Dense layer's weights on the host: w is [nIn × nOut], row-major. */
interface HostLayer {
  w: Float32Array
  b: Float32Array
  nIn: number
  nOut: number
}

/** The network as a tfjs LayersModel (saves and exports in the standard format): inputs `source` and `canvas`, outputs `move_q` and `class_logits`. */
export function buildTwoHeadModel(p: TwoHeadParams, sourceSize: number, canvasSize: number, nMoves: number, nClasses: number, seed: number): tf.LayersModel {
  const init = (i: number): tf.serialization.Serializable => tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) })
  const source = tf.input({ shape: [sourceSize], name: 'source' })
  const canvas = tf.input({ shape: [canvasSize], name: 'canvas' })
  const both = tf.layers.concatenate({ name: 'windows' }).apply([source, canvas]) as tf.SymbolicTensor
  let layer = 0
  const tower = (name: string, hidden: number[], units: number): tf.SymbolicTensor => {
    let h = both
    hidden.forEach((u, i) => {
      h = tf.layers.dense({ units: u, activation: 'relu', name: `${name}_${i}`, kernelInitializer: init(layer++) as never }).apply(h) as tf.SymbolicTensor
    })
    return tf.layers.dense({ units, name: name === 'move' ? 'move_q' : 'class_logits', kernelInitializer: init(layer++) as never }).apply(h) as tf.SymbolicTensor
  }
  const q = tower('move', p.hidden_move, nMoves)
  const logits = p.classifier === 'catlt' ? catLt(source, nClasses, (i) => init(layer + i)) : tower('class', p.hidden_class, nClasses)
  return tf.model({ inputs: [source, canvas], outputs: [q, logits], name: 'two_head_dqn' })
}

/** The seed's CatLt on the source window: 4 × [Dense 625, BatchNorm, ReLU, Dropout 0.3], then the class logits. */
export const CATLT_LAYERS = 4
export const CATLT_UNITS = 625
export const CATLT_DROPOUT = 0.3
const BN_EPSILON = 1e-3
const BN_MOMENTUM = 0.99

function catLt(source: tf.SymbolicTensor, nClasses: number, init: (i: number) => tf.serialization.Serializable): tf.SymbolicTensor {
  let h = source
  for (let i = 0; i < CATLT_LAYERS; i++) {
    h = tf.layers.dense({ units: CATLT_UNITS, name: `catlt_${i}`, kernelInitializer: init(i) as never }).apply(h) as tf.SymbolicTensor
    h = tf.layers.batchNormalization({ name: `catlt_bn_${i}`, epsilon: BN_EPSILON, momentum: BN_MOMENTUM }).apply(h) as tf.SymbolicTensor
    h = tf.layers.activation({ activation: 'relu', name: `catlt_relu_${i}` }).apply(h) as tf.SymbolicTensor
    h = tf.layers.dropout({ rate: CATLT_DROPOUT, name: `catlt_dropout_${i}` }).apply(h) as tf.SymbolicTensor
  }
  return tf.layers.dense({ units: nClasses, name: 'class_logits', kernelInitializer: init(CATLT_LAYERS) as never }).apply(h) as tf.SymbolicTensor
}

export class TwoHeadDqn implements RlAgent {
  readonly model: tf.LayersModel
  private readonly moveVars: DenseVars[]
  private readonly classVars: DenseVars[]
  /** The movement head's target network: plain variables, moved by τ towards the online ones. */
  private readonly targetVars: DenseVars[]
  private readonly optimizer: tf.Optimizer
  private readonly memory: ReplayMemory
  private readonly rng: Rng
  private readonly batch: Batch
  private readonly stateSize: number
  private readonly sourceSize: number
  private readonly nMoves: number
  private readonly nClasses: number
  private readonly classWeights: Float32Array
  private readonly moveMask: Float32Array
  private readonly labels: Int32Array
  private readonly prevState: Float32Array
  private readonly state: Float32Array
  private readonly scratch: Float32Array
  /** The weights as arrays for acting (forwardOne); null after they change. */
  private weightCache: HostLayer[][] | null = null
  /** CatLt mode: the class head is pretrained on labelled windows before the first episode, then frozen. */
  private readonly frozenClassifier: boolean
  private pretrained = false
  episode = 0
  envSteps = 0
  gradSteps = 0
  epsilon: number

  constructor(
    private readonly env: Env,
    readonly params: TwoHeadParams,
    readonly seed: number,
  ) {
    const space = env.actionSpace as unknown as TupleSpace
    const [move, cls] = space.parts ?? []
    if (space.kind !== 'tuple' || move?.kind !== 'discrete' || cls?.kind !== 'discrete') {
      throw new Error(`the two-headed DQN needs a (move, class) tuple of two Discrete parts; ${env.id} has another action space`)
    }
    this.nMoves = move.n
    this.nClasses = cls.n
    this.stateSize = obsSize(env.observationSpace)
    // The source window is the first 1/(1 + classes) of the observation; the one-hot canvas window the rest.
    this.sourceSize = this.stateSize / (1 + this.nClasses)
    if (!Number.isInteger(this.sourceSize)) throw new Error(`${env.id}'s observation of ${this.stateSize} values is not a source window plus a ${this.nClasses}-class canvas window`)
    const p = params
    this.model = buildTwoHeadModel(p, this.sourceSize, this.stateSize - this.sourceSize, this.nMoves, this.nClasses, seed)
    const pairs = (prefix: string, n: number, last: string): DenseVars[] =>
      [...Array.from({ length: n }, (_, i) => `${prefix}_${i}`), last].map((name) => this.model.getLayer(name).trainableWeights.map((w) => w.read() as tf.Variable) as DenseVars)
    this.moveVars = pairs('move', p.hidden_move.length, 'move_q')
    this.frozenClassifier = p.classifier === 'catlt'
    this.classVars = this.frozenClassifier ? pairs('catlt', CATLT_LAYERS, 'class_logits') : pairs('class', p.hidden_class.length, 'class_logits')
    this.targetVars = this.moveVars.map(([w, b]) => [tf.variable(w.clone(), false), tf.variable(b.clone(), false)])
    this.optimizer = new WasmAdam(p.lr, 0.9, 0.999)
    this.memory = new ReplayMemory(p.memory_size, this.stateSize)
    this.rng = new Rng(seed)
    this.batch = ReplayMemory.allocBatch(p.batch_size, this.stateSize)
    this.classWeights = Float32Array.from([p.class_weight_blank, p.class_weight_shower, p.class_weight_track].slice(0, this.nClasses))
    this.moveMask = new Float32Array(p.batch_size * this.nMoves)
    this.labels = new Int32Array(p.batch_size)
    this.prevState = new Float32Array(this.stateSize)
    this.state = new Float32Array(this.stateSize)
    this.scratch = new Float32Array(this.stateSize)
    this.epsilon = p.epsilon_start
  }

  static fromValues(env: Env, values: ParamValues, seed: number): TwoHeadDqn {
    return new TwoHeadDqn(env, values as unknown as TwoHeadParams, seed)
  }

  /** The network's input from an observation: log(1 + E) of the source window, the canvas window as it is. */
  private prepare(obs: Float32Array, out: Float32Array): Float32Array {
    for (let i = 0; i < this.sourceSize; i++) out[i] = Math.log1p(Math.max(0, obs[i]))
    out.set(obs.subarray(this.sourceSize, this.stateSize), this.sourceSize)
    return out
  }

  /** The towers' weights read back for forwardOne (batch norm folded in, CatLt mode). */
  private async hostLayers(): Promise<HostLayer[][]> {
    const read = (t: tf.Tensor): Promise<Float32Array> => t.data() as Promise<Float32Array>
    const towers: HostLayer[][] = []
    for (const [t, vars] of [this.moveVars, this.classVars].entries()) {
      const tower: HostLayer[] = []
      for (const [i, [w, b]] of vars.entries()) {
        const layer = { w: await read(w), b: (await read(b)).slice(), nIn: w.shape[0], nOut: w.shape[1] as number }
        if (t === 1 && this.frozenClassifier && i < CATLT_LAYERS) {
          // Batch norm in inference, folded into the layer: (xW + b − mean)·γ/√(var + ε) + β.
          const [gamma, beta, mean, variance] = await Promise.all(this.model.getLayer(`catlt_bn_${i}`).getWeights().map(read))
          const w2 = layer.w.slice()
          for (let j = 0; j < layer.nOut; j++) {
            const scale = gamma[j] / Math.sqrt(variance[j] + BN_EPSILON)
            for (let k = 0; k < layer.nIn; k++) w2[k * layer.nOut + j] *= scale
            layer.b[j] = (layer.b[j] - mean[j]) * scale + beta[j]
          }
          layer.w = w2
        }
        tower.push(layer)
      }
      towers.push(tower)
    }
    return towers
  }

  /**
   * The heads' outputs for one prepared state, in plain JavaScript on a copy of
   * the weights (refreshed after each gradient step): acting calls it every
   * step, and a dozen tfjs ops cost far more than the arithmetic of these
   * small layers.
   */
  private async forwardOne(x: Float32Array): Promise<Float32Array> {
    const layers = (this.weightCache ??= await this.hostLayers())
    const out = new Float32Array(this.nMoves + this.nClasses)
    layers.forEach((tower, t) => {
      let h = t === 1 && this.frozenClassifier ? x.subarray(0, this.sourceSize) : x
      tower.forEach(({ w, b, nIn, nOut }, i) => {
        const next = b.slice()
        for (let k = 0; k < nIn; k++) {
          const v = h[k]
          if (v === 0) continue
          const row = k * nOut
          for (let j = 0; j < nOut; j++) next[j] += v * w[row + j]
        }
        if (i < tower.length - 1) for (let j = 0; j < nOut; j++) if (next[j] < 0) next[j] = 0
        h = next
      })
      out.set(h, t === 0 ? 0 : this.nMoves)
    })
    // Class scores → probabilities.
    const logits = out.subarray(this.nMoves)
    let max = -Infinity
    for (const v of logits) max = Math.max(max, v)
    let sum = 0
    for (let j = 0; j < logits.length; j++) sum += logits[j] = Math.exp(logits[j] - max)
    for (let j = 0; j < logits.length; j++) logits[j] /= sum
    return out
  }

  /** A tower of Dense layers with raw ops (ReLU between, linear last). */
  private tower(x: tf.Tensor2D, vars: readonly DenseVars[]): tf.Tensor2D {
    let h = x
    vars.forEach(([w, b], i) => {
      h = dense(h, w as tf.Tensor2D, b as tf.Tensor1D)
      if (i < vars.length - 1) h = tf.relu(h)
    })
    return h
  }

  /** Q-values then class probabilities of one observation. */
  outputs(obs: Float32Array): Promise<Float32Array> {
    return this.forwardOne(this.prepare(obs, this.scratch))
  }

  /** [greedy move, most likely class]. */
  async greedyAction(state: Float32Array): Promise<number[]> {
    const out = await this.outputs(state)
    return [argmax(out.subarray(0, this.nMoves)), argmax(out.subarray(this.nMoves))]
  }

  /** One gradient step on a sampled batch: TD loss on the moves taken + weighted CE on the true classes. */
  private async learn(): Promise<{ move: number; cls: number; accuracy: number }> {
    const p = this.params
    const B = p.batch_size
    const b = this.batch
    this.memory.sample(B, this.rng, b)
    this.gradSteps++
    this.moveMask.fill(0)
    for (let i = 0; i < B; i++) {
      const move = b.actions[i] % this.nMoves
      this.labels[i] = (b.actions[i] - move) / this.nMoves
      this.moveMask[i * this.nMoves + move] = 1
    }
    const [moveLoss, classLoss, correct] = tf.tidy(() => {
      const next = tf.tensor2d(b.nextStates, [B, this.stateSize])
      const notDone = tf.scalar(1).sub(tf.tensor1d(b.dones))
      const y = tf.tensor1d(b.rewards).add(this.tower(next, this.targetVars).max(1).mul(notDone).mul(p.gamma))
      const x = tf.tensor2d(b.states, [B, this.stateSize])
      const mask = tf.tensor2d(this.moveMask, [B, this.nMoves])
      const labels = tf.tensor1d(this.labels, 'int32')
      const oneHot = tf.oneHot(labels, this.nClasses)
      const w = tf.gather(tf.tensor1d(this.classWeights), labels)
      const wSum = tf.maximum(w.sum(), 1e-12)
      let parts: tf.Scalar[] = []
      this.optimizer.minimize(
        () => {
          const td = this.tower(x, this.moveVars).mul(mask).sum(1).sub(y).square().mean() as tf.Scalar
          if (this.frozenClassifier) {
            // minimize() disposes the cost it is handed: report a copy.
            parts = [tf.keep(td.clone()), tf.keep(tf.scalar(NaN)), tf.keep(tf.scalar(NaN))]
            return td
          }
          const logits = this.tower(x, this.classVars)
          // Weighted mean of the per-sample cross-entropy (PyTorch's CrossEntropyLoss(weight=…)).
          const ce = tf.neg(oneHot.mul(tf.logSoftmax(logits)).sum(1)).mul(w).sum().div(wSum) as tf.Scalar
          parts = [tf.keep(td), tf.keep(ce), tf.keep(logits.argMax(1).equal(labels).sum() as tf.Scalar)]
          return td.add(ce.mul(p.class_loss_weight)) as tf.Scalar
        },
        false,
        this.frozenClassifier ? this.moveVars.flat() : [...this.moveVars.flat(), ...this.classVars.flat()],
      )
      return parts
    })
    this.softUpdate()
    const values = [(await take(moveLoss))[0], (await take(classLoss))[0], (await take(correct))[0]]
    this.weightCache = null
    return { move: values[0], cls: values[1], accuracy: values[2] / B }
  }

  /**
   * CatLt mode: collects `pretrain_windows` labelled source windows by random
   * play on the training events (episode seeds of their own; mostly windows
   * whose centre holds energy, see below), then trains
   * CatLt on them for `pretrain_epochs` with class-weighted cross-entropy —
   * raw ops, batch-norm statistics and dropout masks from the agent's RNG, so a
   * seed gives the same classifier. Returns its final training accuracy.
   */
  private async pretrainCatLt(): Promise<number> {
    const p = this.params
    const n = p.pretrain_windows
    const S = this.sourceSize
    const windows = new Float32Array(n * S)
    const labels = new Int32Array(n)
    const centre = (S - 1) / 2
    let k = 0
    for (let e = 0; k < n; e++) {
      let obs = this.env.reset(deriveSeed(this.seed ^ 0x7f4a7c15, e)).obs
      while (k < n) {
        // Windows on energy (the pixels the game is about), and a tenth of those on a blank centre,
        // which random walks would otherwise flood the set with.
        const keep = obs[centre] > 0 || this.rng.random() < 0.1
        if (keep) for (let i = 0; i < S; i++) windows[k * S + i] = Math.log1p(Math.max(0, obs[i]))
        const r = this.env.step([this.rng.int(0, this.nMoves), 0] as never)
        if (keep) labels[k++] = (r.info as LabelledInfo).label ?? 0
        obs = r.obs
        if (r.terminated || r.truncated) break
      }
    }
    const layers = Array.from({ length: CATLT_LAYERS }, (_, i) => {
      const [gamma, beta, mean, variance] = this.model.getLayer(`catlt_bn_${i}`).weights.map((w) => w.read() as tf.Variable)
      return { w: this.classVars[i][0], b: this.classVars[i][1], gamma, beta, mean, variance }
    })
    const [wOut, bOut] = this.classVars[CATLT_LAYERS]
    const optimizer = new WasmAdam(p.lr, 0.9, 0.999)
    const B = Math.min(256, n)
    const order = Int32Array.from({ length: n }, (_, i) => i)
    const xb = new Float32Array(B * S)
    const yb = new Int32Array(B)
    const masks = new Float32Array(CATLT_LAYERS * B * CATLT_UNITS)
    let correct = 0
    let seen = 0
    for (let epoch = 0; epoch < p.pretrain_epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = this.rng.int(0, i + 1)
        const t = order[i]
        order[i] = order[j]
        order[j] = t
      }
      correct = 0
      seen = 0
      for (let start = 0; start + B <= n; start += B) {
        for (let r = 0; r < B; r++) {
          xb.set(windows.subarray(order[start + r] * S, (order[start + r] + 1) * S), r * S)
          yb[r] = labels[order[start + r]]
        }
        for (let i = 0; i < masks.length; i++) masks[i] = this.rng.random() < CATLT_DROPOUT ? 0 : 1 / (1 - CATLT_DROPOUT)
        const hit = tf.tidy(() => {
          const x = tf.tensor2d(xb, [B, S])
          const y = tf.tensor1d(yb, 'int32')
          const w = tf.gather(tf.tensor1d(this.classWeights), y)
          const batchStats: [tf.Tensor, tf.Tensor][] = []
          let hits: tf.Scalar | null = null
          optimizer.minimize(
            () => {
              let h: tf.Tensor2D = x
              layers.forEach((l, i) => {
                h = dense(h, l.w as tf.Tensor2D, l.b as tf.Tensor1D)
                const { mean, variance } = tf.moments(h, 0)
                batchStats.push([tf.keep(mean), tf.keep(variance)])
                h = h.sub(mean).div(variance.add(BN_EPSILON).sqrt()).mul(l.gamma).add(l.beta) as tf.Tensor2D
                h = tf.relu(h).mul(tf.tensor2d(masks.subarray(i * B * CATLT_UNITS, (i + 1) * B * CATLT_UNITS), [B, CATLT_UNITS]))
              })
              const logits = dense(h, wOut as tf.Tensor2D, bOut as tf.Tensor1D)
              hits = tf.keep(logits.argMax(1).equal(y).sum() as tf.Scalar)
              return tf.neg(tf.oneHot(y, this.nClasses).mul(tf.logSoftmax(logits)).sum(1)).mul(w).sum().div(tf.maximum(w.sum(), 1e-12)) as tf.Scalar
            },
            false,
            layers.flatMap((l) => [l.w, l.b, l.gamma, l.beta]).concat([wOut, bOut]),
          )
          // Keras' moving averages of the batch statistics, for inference.
          layers.forEach((l, i) => {
            l.mean.assign(l.mean.mul(BN_MOMENTUM).add(batchStats[i][0].mul(1 - BN_MOMENTUM)))
            l.variance.assign(l.variance.mul(BN_MOMENTUM).add(batchStats[i][1].mul(1 - BN_MOMENTUM)))
          })
          batchStats.flat().forEach((t) => t.dispose())
          return hits!
        })
        correct += (await take(hit))[0]
        seen += B
      }
    }
    optimizer.dispose()
    this.pretrained = true
    this.weightCache = null
    return seen ? correct / seen : NaN
  }

  /** θ′ ← τ·θ + (1 − τ)·θ′ for the movement head's target. */
  private softUpdate(): void {
    const tau = this.params.tau
    tf.tidy(() => {
      this.targetVars.forEach((pair, i) => pair.forEach((t, k) => t.assign(t.mul(1 - tau).add(this.moveVars[i][k].mul(tau)))))
    })
  }

  /** Plays and learns `episodes` more episodes; `record(episode)` says which keep their per-step outputs. */
  async *train(episodes: number, record: (episode: number) => boolean = () => false): AsyncGenerator<EpisodeResult> {
    const p = this.params
    const end = this.episode + episodes
    let pretrainAccuracy = NaN
    if (this.frozenClassifier && !this.pretrained) pretrainAccuracy = await this.pretrainCatLt()
    while (this.episode < end) {
      const episode = this.episode
      const seed = deriveSeed(this.seed, episode)
      const keep = record(episode)
      // The memory keeps prepared states (log energies), so learning needs no preprocessing ops.
      let state = this.prepare(this.env.reset(seed).obs, this.state)
      const actions: number[] = []
      const outputs: number[] | null = keep ? [] : null
      let ret = 0
      const sums = { move: 0, cls: 0, accuracy: 0, n: 0 }
      const epsilonAtStart = this.epsilon
      for (;;) {
        const out = await this.forwardOne(state)
        if (outputs) for (let k = 0; k < out.length; k++) outputs.push(out[k])
        const explore = this.rng.random() < this.epsilon
        const move = explore ? this.rng.int(0, this.nMoves) : argmax(out.subarray(0, this.nMoves))
        const cls = argmax(out.subarray(this.nMoves))
        this.prevState.set(state)
        const r = this.env.step([move, cls] as never)
        const info = r.info as LabelledInfo
        if (info.label === undefined) throw new Error(`${this.env.id} did not report the true class of the step (info.label)`)
        state = this.prepare(r.obs, this.state)
        this.memory.push(this.prevState, move + this.nMoves * info.label, r.reward, state, r.terminated || !!info.trialEnd)
        actions.push(move, cls)
        ret += r.reward
        this.envSteps++
        this.epsilon = Math.max(p.epsilon_min, this.epsilon * p.epsilon_decay)
        if (this.memory.size >= Math.max(p.learning_starts, 1) && this.envSteps % p.train_every === 0) {
          const l = await this.learn()
          sums.move += l.move
          sums.cls += l.cls
          sums.accuracy += l.accuracy
          sums.n++
        }
        if (r.terminated || r.truncated) break
      }
      this.episode++
      const mean = (v: number): number => (sums.n ? v / sums.n : NaN)
      yield {
        episode,
        seed,
        return: ret,
        length: actions.length / 2,
        won: this.env.isWon(),
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        actions,
        outputs,
        metrics: {
          epsilon: epsilonAtStart,
          move_loss: mean(sums.move),
          class_loss: mean(sums.cls),
          // CatLt mode: its accuracy on the pretraining windows, reported with the first episode.
          class_accuracy: this.frozenClassifier ? pretrainAccuracy : mean(sums.accuracy),
        },
      }
      pretrainAccuracy = NaN
    }
  }

  /** Everything training depends on, for an exact resume. */
  async snapshot(): Promise<AgentSnapshot> {
    const model = await this.artifacts()
    const optimizer = await saveOptimizer(this.optimizer)
    const memory = this.memory.toBytes()
    const target = new Float32Array(this.targetVars.flat().reduce((n, v) => n + v.size, 0))
    let o = 0
    for (const v of this.targetVars.flat()) {
      target.set((await v.data()) as Float32Array, o)
      o += v.size
    }
    return {
      meta: {
        kind: 'two-head-dqn',
        params: this.params,
        seed: this.seed,
        episode: this.episode,
        envSteps: this.envSteps,
        gradSteps: this.gradSteps,
        epsilon: this.epsilon,
        pretrained: this.pretrained,
        rng: this.rng.getState(),
        modelTopology: model.modelTopology,
        weightSpecs: model.weightSpecs,
        optimizer: optimizer.meta,
        memory: memory.meta,
      },
      blobs: {
        'model.bin': new Uint8Array(model.weightData as ArrayBuffer),
        'target.bin': new Uint8Array(target.buffer),
        'optimizer.bin': optimizer.bytes,
        'memory.bin': memory.bytes,
      },
    }
  }

  /** An agent that continues exactly where `snap` was taken. */
  static async restore(env: Env, snap: AgentSnapshot): Promise<TwoHeadDqn> {
    const m = snap.meta as {
      params: TwoHeadParams
      seed: number
      episode: number
      envSteps: number
      gradSteps: number
      epsilon: number
      pretrained?: boolean
      rng: number[]
      optimizer: OptimizerStateMeta
      memory: Record<string, unknown>
    }
    const agent = new TwoHeadDqn(env, m.params, m.seed)
    setWeightsFromBytes(agent.model, snap.blobs['model.bin'])
    agent.weightCache = null
    const target = new Float32Array(snap.blobs['target.bin'].slice().buffer)
    let o = 0
    for (const v of agent.targetVars.flat()) {
      v.assign(tf.tensor(target.subarray(o, o + v.size), v.shape))
      o += v.size
    }
    // Adam's slots are created lazily by the first minimize(); restoring them needs them to exist with the variables' names.
    await restoreOptimizer(agent.optimizer, m.optimizer, snap.blobs['optimizer.bin'])
    agent.memory.loadBytes(m.memory, snap.blobs['memory.bin'])
    agent.rng.setState(m.rng)
    agent.episode = m.episode
    agent.envSteps = m.envSteps
    agent.gradSteps = m.gradSteps
    agent.epsilon = m.epsilon
    agent.pretrained = m.pretrained ?? false
    return agent
  }

  /** Starts from a saved network's weights (Play, an imported model); the target copies the movement head. */
  loadWeights(artifacts: tf.io.ModelArtifacts): void {
    setWeightsFromBytes(this.model, fittingWeightBytes(this.model, artifacts))
    this.weightCache = null
    this.pretrained = true
    this.targetVars.forEach((pair, i) => pair.forEach((t, k) => t.assign(this.moveVars[i][k])))
  }

  /** Weights and topology in tfjs's LayersModel save format (two inputs, two outputs). */
  artifacts(): Promise<tf.io.ModelArtifacts> {
    return modelArtifacts(this.model)
  }

  dispose(): void {
    this.model.dispose()
    this.targetVars.flat().forEach((v) => v.dispose())
    this.optimizer.dispose()
  }
}

/** How the trainer makes and restores two-headed DQN agents (registered in implementations.ts). */
export const twoHeadDqnImplementation: AlgoImplementation = {
  create: (env, params, seed) => TwoHeadDqn.fromValues(env, params, seed),
  restore: (env, snap) => TwoHeadDqn.restore(env, snap),
}
