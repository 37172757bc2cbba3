/**
 * qlearning4k's Agent: deep Q-learning with a user's compiled tfjs model.
 *
 *   const agent = new Agent({ model })          // model.compile({ optimizer, loss: 'meanSquaredError' })
 *   await agent.train(game, { nbEpoch: 1000 })  // one game per epoch
 *   await agent.play(game)                      // → win fraction ("Accuracy")
 *
 * Per step of training: act ε-greedily on the last `nbFrames` frames, remember
 * (S, a, r, S', game_over), then (once past `observe` epochs and holding a batch)
 * fit the model on a sampled batch with model.trainOnBatch, the targets being
 * Q(S) with the taken action's entry replaced by r + γ·max Q(S') — r alone when
 * the game ended (qlearning4k's get_batch). ε falls linearly from start to end
 * over epsilonRate × nbEpoch epochs. Seeded by `seed` (the model's initial
 * weights and the game's randomness are the model's and the game's business).
 */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../rng'
import { FrameStack } from '../agents/replay-memory'
import { ExperienceReplay } from './memory'
import type { Game } from './game'

export interface AgentOptions {
  /** A compiled tfjs model: input nbFrames frames (oldest first), output one Q-value per action. */
  model: tf.LayersModel
  /** Transitions kept for replay; −1 keeps all. */
  memorySize?: number
  /** How many past frames make a state. */
  nbFrames?: number
}

export type SaveFn = (epoch: number, model: tf.LayersModel) => Promise<void> | void

export interface TrainOptions {
  nbEpoch?: number
  batchSize?: number
  gamma?: number
  /** A constant, or [start, end] for a linear fall. */
  epsilon?: number | readonly [number, number]
  /** Fraction of nbEpoch over which ε falls from start to end. */
  epsilonRate?: number
  /** Empty the memory after every epoch. */
  resetMemory?: boolean
  /** Epochs of random play (filling the memory) before training and ε's fall begin. */
  observe?: number
  /** Save every N epochs (and after the last). Core writes no files: src/main/qlearning4k's Agent also takes a number (save to ./qlearning4k-weights). */
  checkpoint?: { every: number; save: SaveFn }
  onEpoch?: (info: EpochInfo) => void
  seed?: number
}

export interface EpochInfo {
  /** 1-based, as qlearning4k prints it. */
  epoch: number
  nbEpoch: number
  /** Sum of the batch losses of this epoch (qlearning4k's "Loss"); 0 when nothing was trained. */
  loss: number
  epsilon: number
  steps: number
  won: boolean
  winCount: number
}

export interface TrainHistory {
  loss: number[]
  wins: boolean[]
  winCount: number
}

export interface PlayOptions {
  nbEpoch?: number
  epsilon?: number
  seed?: number
}

/** qlearning4k's progress line. */
export function formatEpoch(i: EpochInfo): string {
  const w = String(i.nbEpoch).length
  const pad = (n: number): string => String(n).padStart(Math.max(3, w), '0')
  return `Epoch ${pad(i.epoch)}/${pad(i.nbEpoch)} | Loss ${i.loss.toFixed(4)} | Epsilon ${i.epsilon.toFixed(2)} | Win count ${i.winCount}`
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i
  return best
}

function requireInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`)
}

export class Agent {
  readonly model: tf.LayersModel
  readonly nbFrames: number
  readonly memory: ExperienceReplay
  readonly nbActions: number
  /** The model's input shape without the batch axis. */
  private readonly inputShape: number[]
  private readonly stateSize: number

  constructor({ model, memorySize = 1000, nbFrames = 1 }: AgentOptions) {
    requireInt('nbFrames', nbFrames, 1)
    if (!model.inputs?.length) throw new Error('the model has no input yet: give its first layer an inputShape')
    if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('the model must have one input and one output')
    const input = model.inputs[0].shape.slice(1)
    if (input.some((d) => d === null)) throw new Error(`the model's input shape [${input.join(', ')}] must be fully known`)
    const output = model.outputs[0].shape
    if (output.length !== 2 || output[1] === null) throw new Error(`the model's output shape must be [batch, nbActions], got [${output.join(', ')}]`)
    this.model = model
    this.nbFrames = nbFrames
    this.inputShape = input as number[]
    this.stateSize = this.inputShape.reduce((a, b) => a * b, 1)
    this.nbActions = output[1]
    this.memory = new ExperienceReplay(memorySize, this.stateSize)
  }

  /** Resets the game and checks that its frames and actions fit the model (qlearning4k's check_game_compatibility). */
  private start(game: Game, frames: FrameStack | null): FrameStack {
    if (game.nbActions !== this.nbActions) throw new Error(`the model has ${this.nbActions} outputs; ${game.name} has ${game.nbActions} actions`)
    game.reset()
    const frame = game.getState()
    if (!frames) {
      if (frame.length * this.nbFrames !== this.stateSize) {
        throw new Error(
          `the model takes [${this.inputShape.join(', ')}] = ${this.stateSize} inputs; ${game.name}'s frames have ${frame.length} values × nbFrames ${this.nbFrames} = ${frame.length * this.nbFrames}`,
        )
      }
      frames = new FrameStack(this.nbFrames, frame.length)
    }
    frames.reset(frame)
    return frames
  }

  /** Q-values of one stacked state. */
  qValues(state: Float32Array): Float32Array {
    return tf.tidy(() => (this.model.predict(tf.tensor(state, [1, ...this.inputShape])) as tf.Tensor).dataSync() as Float32Array)
  }

  async train(game: Game, options: TrainOptions = {}): Promise<TrainHistory> {
    const { nbEpoch = 1000, batchSize = 50, gamma = 0.9, epsilon = [1, 0.1], epsilonRate = 0.5, resetMemory = false, observe = 0, seed = 0 } = options
    requireInt('nbEpoch', nbEpoch, 0)
    requireInt('batchSize', batchSize, 1)
    requireInt('observe', observe, 0)
    if (!Number.isFinite(gamma) || gamma < 0) throw new Error(`gamma must be ≥ 0, got ${gamma}`)
    const [eStart, eEnd] = typeof epsilon === 'number' ? [epsilon, epsilon] : epsilon
    for (const e of [eStart, eEnd]) if (!(e >= 0 && e <= 1)) throw new Error(`epsilon must lie in [0, 1], got ${e}`)
    if (!(epsilonRate >= 0)) throw new Error(`epsilonRate must be ≥ 0, got ${epsilonRate}`)
    const checkpoint = options.checkpoint
    if (checkpoint) requireInt('checkpoint', checkpoint.every, 1)

    const rng = new Rng(seed)
    const decayEpochs = epsilonRate * nbEpoch
    const batch = ExperienceReplay.allocBatch(batchSize, this.stateSize)
    const prev = new Float32Array(this.stateSize)
    const history: TrainHistory = { loss: [], wins: [], winCount: 0 }
    let frames: FrameStack | null = null
    for (let epoch = 0; epoch < nbEpoch; epoch++) {
      const observing = epoch < observe
      const k = epoch - observe
      const eps = observing ? 1 : decayEpochs > 0 ? eStart + (eEnd - eStart) * Math.min(1, k / decayEpochs) : eEnd
      frames = this.start(game, frames)
      let state = frames.state
      let loss = 0
      let steps = 0
      while (!game.isOver()) {
        const a = observing || rng.random() < eps ? rng.int(0, this.nbActions) : argmax(this.qValues(state))
        prev.set(state)
        game.play(a)
        const r = game.getScore()
        state = frames.push(game.getState())
        this.memory.remember(prev, a, r, state, game.isOver())
        steps++
        if (!observing) loss += (await this.replay(rng, batch, batchSize, gamma)) ?? 0
      }
      const won = game.isWon()
      if (won) history.winCount++
      history.wins.push(won)
      history.loss.push(loss)
      if (resetMemory) this.memory.reset()
      if (checkpoint && !observing && ((k + 1) % checkpoint.every === 0 || epoch + 1 === nbEpoch)) await checkpoint.save(epoch + 1, this.model)
      options.onEpoch?.({ epoch: epoch + 1, nbEpoch, loss, epsilon: eps, steps, won, winCount: history.winCount })
    }
    return history
  }

  /**
   * One gradient step on `n` remembered transitions (none until the memory holds
   * n, as qlearning4k's default get_batch); returns the batch loss.
   */
  private async replay(rng: Rng, batch: ReturnType<typeof ExperienceReplay.allocBatch>, n: number, gamma: number): Promise<number | null> {
    if (this.memory.size < n) return null
    this.memory.sample(n, rng, batch)
    const A = this.nbActions
    const [x, y] = tf.tidy(() => {
      const both = tf.tensor(batch.states, [2 * n, ...this.inputShape])
      const q = (this.model.predict(both) as tf.Tensor).dataSync() as Float32Array
      const targets = q.slice(0, n * A)
      for (let i = 0; i < n; i++) {
        let best = -Infinity
        for (let j = 0; j < A; j++) best = Math.max(best, q[(n + i) * A + j])
        targets[i * A + batch.actions[i]] = batch.rewards[i] + (batch.gameOvers[i] ? 0 : gamma * best)
      }
      return [both.slice(0, n), tf.tensor2d(targets, [n, A])]
    })
    try {
      const loss = await this.model.trainOnBatch(x, y)
      return Array.isArray(loss) ? loss[0] : loss
    } finally {
      x.dispose()
      y.dispose()
    }
  }

  /** Plays `nbEpoch` games (ε-greedy, greedy by default); returns the fraction won (qlearning4k's "Accuracy"). */
  async play(game: Game, { nbEpoch = 10, epsilon = 0, seed = 0 }: PlayOptions = {}): Promise<number> {
    requireInt('nbEpoch', nbEpoch, 1)
    const rng = new Rng(seed)
    let frames: FrameStack | null = null
    let wins = 0
    for (let epoch = 0; epoch < nbEpoch; epoch++) {
      frames = this.start(game, frames)
      let state = frames.state
      while (!game.isOver()) {
        let a: number
        if (rng.random() < epsilon) a = rng.int(0, this.nbActions)
        else {
          const q = this.qValues(state)
          const possible = game.possibleActions?.() ?? null
          a = possible ? possible[argmax(possible.map((i) => q[i]))] : argmax(q)
        }
        game.play(a)
        state = frames.push(game.getState())
      }
      if (game.isWon()) wins++
    }
    return wins / nbEpoch
  }
}
