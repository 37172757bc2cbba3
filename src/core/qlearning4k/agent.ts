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
 *
 * A thin adapter: training is the app's DQN (agents/dqn.ts) on the game seen as
 * an Env, with the model as its Q-function (agents/compiled-q.ts) and this
 * agent's ExperienceReplay (the app's replay memory, sampled without
 * replacement) as its memory.
 */
import type * as tf from '@tensorflow/tfjs'
import { Rng } from '../rng'
import { FrameStack } from '../agents/replay-memory'
import { Dqn, argmax, type DqnLoopParams } from '../agents/dqn'
import { CompiledModelQ } from '../agents/compiled-q'
import { ExperienceReplay } from './memory'
import type { Game } from './game'
import { envFromGame } from './adapters'

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

function requireInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`)
}

export class Agent {
  readonly model: tf.LayersModel
  readonly nbFrames: number
  readonly memory: ExperienceReplay
  readonly nbActions: number
  private readonly q: CompiledModelQ

  constructor({ model, memorySize = 1000, nbFrames = 1 }: AgentOptions) {
    requireInt('nbFrames', nbFrames, 1)
    this.q = new CompiledModelQ(model)
    this.model = model
    this.nbFrames = nbFrames
    this.nbActions = this.q.nActions
    this.memory = new ExperienceReplay(memorySize, this.q.stateSize)
  }

  /**
   * Checks that the game's frames and actions fit the model (qlearning4k's
   * check_game_compatibility) and returns the frame length. Resets the game
   * only if it declares no frameShape.
   */
  private frameLength(game: Game): number {
    if (game.nbActions !== this.nbActions) throw new Error(`the model has ${this.nbActions} outputs; ${game.name} has ${game.nbActions} actions`)
    const n = game.frameShape ? game.frameShape.reduce((a, b) => a * b, 1) : (game.reset(), game.getState().length)
    if (n * this.nbFrames !== this.q.stateSize) {
      throw new Error(
        `the model takes [${this.q.inputShape.join(', ')}] = ${this.q.stateSize} inputs; ${game.name}'s frames have ${n} values × nbFrames ${this.nbFrames} = ${n * this.nbFrames}`,
      )
    }
    return n
  }

  /** Q-values of one stacked state. */
  qValues(state: Float32Array): Promise<Float32Array> {
    return this.q.qValues(state)
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

    // qlearning4k never reseeds a game: its randomness stays the game's.
    const env = envFromGame(game, { shape: [this.frameLength(game)], reseed: false })
    const params: DqnLoopParams = {
      gamma,
      batch_size: batchSize,
      memory_size: this.memory.memorySize,
      nb_frames: this.nbFrames,
      epsilon_start: eStart,
      epsilon_end: eEnd,
      epsilon_decay_episodes: epsilonRate * nbEpoch,
      epsilon_decay_steps: 0,
      random_steps: 0,
      random_episodes: observe,
      // Train at every step once the memory holds a batch (qlearning4k's get_batch).
      learning_starts: batchSize,
      train_every: 1,
    }
    const dqn = new Dqn(env, params, seed, { qFunction: this.q, memory: this.memory })
    const history: TrainHistory = { loss: [], wins: [], winCount: 0 }
    let gradSteps = 0
    for await (const ep of dqn.train(nbEpoch)) {
      const epoch = ep.episode
      const steps = ep.gradSteps - gradSteps
      gradSteps = ep.gradSteps
      // qlearning4k's epoch loss is the sum of its batch losses.
      const loss = steps > 0 ? ep.metrics.loss * steps : 0
      if (ep.won) history.winCount++
      history.wins.push(ep.won)
      history.loss.push(loss)
      if (resetMemory) this.memory.reset()
      const k = epoch - observe
      if (checkpoint && k >= 0 && ((k + 1) % checkpoint.every === 0 || epoch + 1 === nbEpoch)) await checkpoint.save(epoch + 1, this.model)
      options.onEpoch?.({ epoch: epoch + 1, nbEpoch, loss, epsilon: ep.metrics.epsilon, steps: ep.length, won: ep.won, winCount: history.winCount })
    }
    return history
  }

  /** Plays `nbEpoch` games (ε-greedy, greedy by default); returns the fraction won (qlearning4k's "Accuracy"). */
  async play(game: Game, { nbEpoch = 10, epsilon = 0, seed = 0 }: PlayOptions = {}): Promise<number> {
    requireInt('nbEpoch', nbEpoch, 1)
    const rng = new Rng(seed)
    const frames = new FrameStack(this.nbFrames, this.frameLength(game))
    let wins = 0
    for (let epoch = 0; epoch < nbEpoch; epoch++) {
      game.reset()
      let state = frames.reset(game.getState())
      while (!game.isOver()) {
        let a: number
        if (rng.random() < epsilon) a = rng.int(0, this.nbActions)
        else {
          const q = await this.qValues(state)
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
