/**
 * Both ways between qlearning4k's Game and the app's Env: `gameFromEnv` lets the
 * Agent play any Env (Catch, Snake, …); `envFromGame` lets the app train, play
 * and replay a user's Game.
 */
import type { BoxSpace, DiscreteSpace, Env, ResetResult, StepResult } from '../env'
import { checkAction, type Game } from './game'

/**
 * An Env seen as a Game. The first reset uses `seed` (if given); later resets
 * continue the env's stream. The game is over when the episode terminates or is
 * truncated (a Game has only isOver()).
 */
export class EnvGame<E extends Env = Env> implements Game {
  readonly name: string
  readonly nbActions: number
  readonly frameShape: readonly number[]
  private nextSeed: number | undefined
  private frame: Float32Array | null = null
  private score = 0
  private over = false

  constructor(
    readonly env: E,
    seed?: number,
    name?: string,
  ) {
    this.name = name ?? env.id
    this.nbActions = env.actionSpace.n
    this.frameShape = [...env.observationSpace.shape]
    this.nextSeed = seed
  }

  seed(seed: number): void {
    this.nextSeed = seed
  }

  reset(): void {
    this.frame = this.env.reset(this.nextSeed).obs
    this.nextSeed = undefined
    this.score = 0
    this.over = false
  }

  play(action: number): void {
    if (!this.frame) throw new Error(`${this.name}: call reset() before play()`)
    if (this.over) throw new Error(`${this.name}: the game is over; call reset()`)
    checkAction(this, action)
    const r = this.env.step(action)
    this.frame = r.obs
    this.score = r.reward
    this.over = r.terminated || r.truncated
  }

  getState(): Float32Array {
    if (!this.frame) throw new Error(`${this.name}: call reset() before getState()`)
    return this.frame
  }

  getScore(): number {
    return this.score
  }

  isOver(): boolean {
    return this.over
  }

  isWon(): boolean {
    return this.env.isWon()
  }
}

export function gameFromEnv<E extends Env>(env: E, seed?: number): EnvGame<E> {
  return new EnvGame(env, seed)
}

export interface GameEnvOptions {
  /** Env id (default: the game's name). */
  id?: string
  /** Observation shape (default: game.frameShape, else [frame length]). */
  shape?: number[]
  low?: number
  high?: number
  /** Action names (default: "0", "1", …). */
  labels?: string[]
  /** Truncates an episode after this many steps (default: never). */
  maxSteps?: number
  /** false: reset(seed) ignores the seed, leaving the game's randomness to the game (default true). */
  reseed?: boolean
}

export interface GameRenderState {
  frame: number[]
  score: number
  over: boolean
}

/**
 * A Game seen as an Env. reset(seed) calls game.seed(seed) when the game has one
 * (unless options.reseed is false).
 * isOver() is `terminated`; `truncated` comes only from options.maxSteps.
 */
class GameEnv implements Env<GameRenderState> {
  readonly id: string
  readonly observationSpace: BoxSpace
  readonly actionSpace: DiscreteSpace
  readonly maxSteps: number
  private readonly reseed: boolean
  private readonly obs: Float32Array
  private steps = 0
  private ended = true
  private readonly result: StepResult<Record<string, never>>

  constructor(
    readonly game: Game,
    o: GameEnvOptions,
  ) {
    let shape = o.shape ?? (game.frameShape ? [...game.frameShape] : undefined)
    if (!shape) {
      // The frame length is only known once the game is set up.
      game.reset()
      shape = [game.getState().length]
    }
    const size = shape.reduce((a, b) => a * b, 1)
    this.id = o.id ?? game.name
    this.observationSpace = { kind: 'box', shape, low: o.low ?? 0, high: o.high ?? 1 }
    const labels = o.labels ?? Array.from({ length: game.nbActions }, (_, i) => String(i))
    if (labels.length !== game.nbActions) throw new Error(`${this.id}: ${labels.length} action labels for ${game.nbActions} actions`)
    this.actionSpace = { kind: 'discrete', n: game.nbActions, labels }
    this.maxSteps = o.maxSteps ?? Infinity
    this.reseed = o.reseed ?? true
    this.obs = new Float32Array(size)
    this.result = { obs: this.obs, reward: 0, terminated: false, truncated: false, info: {} }
  }

  private readFrame(): void {
    const frame = this.game.getState()
    if (frame.length !== this.obs.length) throw new Error(`${this.id}: the frame has ${frame.length} values; the observation space holds ${this.obs.length}`)
    this.obs.set(frame)
  }

  reset(seed?: number): ResetResult<Record<string, never>> {
    if (seed !== undefined && this.reseed) this.game.seed?.(seed)
    this.game.reset()
    this.readFrame()
    this.steps = 0
    this.ended = false
    return { obs: this.obs, info: {} }
  }

  step(action: number): StepResult<Record<string, never>> {
    if (this.ended) throw new Error(`${this.id}: step() called after the episode ended; call reset()`)
    checkAction(this.game, action)
    this.game.play(action)
    this.readFrame()
    this.steps++
    const r = this.result
    r.reward = this.game.getScore()
    r.terminated = this.game.isOver()
    r.truncated = !r.terminated && this.steps >= this.maxSteps
    this.ended = r.terminated || r.truncated
    return r
  }

  renderState(): GameRenderState {
    return { frame: Array.from(this.obs), score: this.game.getScore(), over: this.game.isOver() }
  }

  isWon(): boolean {
    return this.game.isWon()
  }
}

export function envFromGame(game: Game, options: GameEnvOptions = {}): Env<GameRenderState> {
  return new GameEnv(game, options)
}
