/**
 * The maze as an Env: each agent action is held for `frameSkip` game steps
 * (default 4) and the rewards of those steps are summed; the observation is
 * the last `stack` pictures (default 4), greyscale frames or tile planes,
 * oldest first: shape [stack × channels, height, width].
 *
 * Nine actions, as the Atari joystick: none, up, right, left, down, up-right,
 * up-left, down-right, down-left. None keeps Ms. Pac-Man going; a diagonal
 * turns onto its direction across her motion where that is open, otherwise
 * takes its other direction (see `preferredTurns`).
 */
import { Rng, deriveSeed } from '../rng'
import type { BoxSpace, DiscreteSpace, Env, ResetResult, StepResult, VectorEnv } from '../env'
import { DOWN, LEFT, MazeGame, RIGHT, UP, noEvents, type GhostState, type MazeEvents } from './game'
import { MAZE_LAYOUTS, type MazePreset } from './layouts'
import { FrameRasteriser, TILE_CHANNELS, drawTiles } from './raster'
import { DEFAULT_WEIGHTS, reward, type RewardParts, type RewardSettings } from './rewards'

export const MAZE_ACTIONS = ['none', 'up', 'right', 'left', 'down', 'up-right', 'up-left', 'down-right', 'down-left'] as const
const WANTED: readonly (readonly number[])[] = [[], [UP], [RIGHT], [LEFT], [DOWN], [UP, RIGHT], [UP, LEFT], [DOWN, RIGHT], [DOWN, LEFT]]

export interface MazeOptions {
  preset?: MazePreset
  observation?: 'frames' | 'tiles'
  /** Pixels per tile of the greyscale frames. */
  scale?: number
  stack?: number
  frameSkip?: number
  /** Agent steps before the episode is truncated. */
  maxSteps?: number
  reward?: Partial<RewardSettings>
}

export type MazeStepInfo = {
  /** The reward's (positive, negative) streams; `reward` is their sum. */
  rewardParts: RewardParts
  /** The game events of this step (points is the score change r). */
  events: MazeEvents
}

/** What a scene needs to draw one moment of the game. */
export interface MazeState {
  preset: MazePreset
  /** Pellets left: 0 none, 1 pellet, 2 power pellet, one per tile. */
  pellets: Uint8Array
  player: { x: number; y: number; dir: number; moving: boolean }
  ghosts: { personality: string; x: number; y: number; state: GhostState; frightened: boolean }[]
  /** Game steps of fright left (the scene flashes the ghosts near the end). */
  frightLeft: number
  fruit: { x: number; y: number; points: number } | null
  score: number
  lives: number
  level: number
  gameOver: boolean
  /** Episode stats so far. */
  stats: Record<string, number>
}

const actionSpace: DiscreteSpace = { kind: 'discrete', n: MAZE_ACTIONS.length, labels: [...MAZE_ACTIONS] }

export class MazeEnv implements Env<MazeState, MazeStepInfo> {
  readonly id = 'maze'
  readonly observationSpace: BoxSpace
  readonly actionSpace = actionSpace
  readonly game: MazeGame
  readonly preset: MazePreset
  readonly frameSkip: number
  readonly maxSteps: number
  readonly rewardSettings: RewardSettings
  private readonly stack: number
  private readonly frameSize: number
  private readonly raster: FrameRasteriser | null
  private readonly obs: Float32Array
  private agentSteps = 0
  private readonly result: StepResult<MazeStepInfo>

  constructor(seed = 0, options: MazeOptions = {}) {
    this.preset = options.preset ?? 'full'
    this.game = new MazeGame(MAZE_LAYOUTS[this.preset], new Rng(seed))
    this.stack = options.stack ?? 4
    this.frameSkip = options.frameSkip ?? 4
    this.maxSteps = options.maxSteps ?? 10_000
    this.rewardSettings = { fn: 'vanilla', deathPen: 500, ghostMul: 2, weights: DEFAULT_WEIGHTS, ...options.reward }
    const g = this.game
    if ((options.observation ?? 'frames') === 'frames') {
      this.raster = new FrameRasteriser(g, options.scale ?? 1)
      this.frameSize = this.raster.width * this.raster.height
      this.observationSpace = { kind: 'box', shape: [this.stack, this.raster.height, this.raster.width], low: 0, high: 1 }
    } else {
      this.raster = null
      this.frameSize = TILE_CHANNELS.length * g.width * g.height
      this.observationSpace = { kind: 'box', shape: [this.stack * TILE_CHANNELS.length, g.height, g.width], low: 0, high: 1 }
    }
    this.obs = new Float32Array(this.stack * this.frameSize)
    this.result = { obs: this.obs, reward: 0, terminated: false, truncated: false, info: { rewardParts: [0, 0], events: noEvents() } }
  }

  private draw(offset: number): void {
    if (this.raster) this.raster.draw(this.obs, offset)
    else drawTiles(this.game, this.obs, offset)
  }

  reset(seed?: number): ResetResult<MazeStepInfo> {
    if (seed !== undefined) this.game.reset(new Rng(seed))
    else this.game.reset()
    this.agentSteps = 0
    this.draw(0)
    for (let k = 1; k < this.stack; k++) this.obs.copyWithin(k * this.frameSize, 0, this.frameSize)
    this.game.takeEvents()
    return { obs: this.obs, info: { rewardParts: [0, 0], events: noEvents() } }
  }

  step(action: number): StepResult<MazeStepInfo> {
    const g = this.game
    if (g.gameOver || this.agentSteps >= this.maxSteps) throw new Error('Maze: step() called after the episode ended; call reset()')
    if (!Number.isInteger(action) || action < 0 || action >= MAZE_ACTIONS.length) throw new Error(`Maze: invalid action ${action} (0–${MAZE_ACTIONS.length - 1})`)
    const wanted = WANTED[action]
    for (let k = 0; k < this.frameSkip && !g.gameOver; k++) g.step(wanted)
    this.agentSteps++
    this.obs.copyWithin(0, this.frameSize)
    this.draw((this.stack - 1) * this.frameSize)
    const events = g.takeEvents()
    const parts = reward(this.rewardSettings, events)
    const r = this.result
    r.reward = parts[0] + parts[1]
    r.info = { rewardParts: parts, events }
    r.terminated = g.gameOver
    r.truncated = !r.terminated && this.agentSteps >= this.maxSteps
    return r
  }

  renderState(): MazeState {
    const g = this.game
    const f = g.layout.fruit
    return {
      preset: this.preset,
      pellets: g.pellets.slice(),
      player: { x: g.playerX, y: g.playerY, dir: g.playerDir, moving: g.playerMoving },
      ghosts: g.ghosts.map((o) => ({ personality: o.spec.personality, x: o.x, y: o.y, state: o.state, frightened: o.frightened })),
      frightLeft: g.frightLeft,
      fruit: g.fruitLeft > 0 ? { x: f.x, y: f.y, points: g.fruitPoints } : null,
      score: g.score,
      lives: g.lives,
      level: g.level,
      gameOver: g.gameOver,
      stats: this.episodeStats(),
    }
  }

  /** Cleared at least one level. */
  isWon(): boolean {
    return this.game.totals.levels > 0
  }

  episodeStats(): Record<string, number> {
    const g = this.game
    const actions = this.agentSteps
    return {
      score: g.score,
      level: g.level,
      lives_lost: g.totals.deaths,
      pellets_eaten: g.totals.pellets + g.totals.powerPellets,
      ghosts_eaten: g.totals.ghosts,
      // The seed dashboard's score/actions: its "actions" are the agent steps the game lasted (the episode's length).
      score_per_action: actions ? g.score / actions : 0,
    }
  }
}

/**
 * N maze games stepped together (for agents that act in several copies at
 * once). Games take the seeds deriveSeed(seed, 0), deriveSeed(seed, 1), … in the
 * order they start (`seeds[i]`: copy i's game now); a copy whose game ends is
 * reset at once with the next one, so every game is one a single MazeEnv
 * replays exactly. `rewardParts` holds each copy's (positive, negative) pair, as
 * single envs put it in `info`.
 */
export class MazeVecEnv implements VectorEnv {
  readonly observationSpace: BoxSpace
  readonly actionSpace = actionSpace
  readonly obs: Float32Array
  readonly rewards: Float32Array
  readonly rewardParts: Float32Array
  readonly terminated: Uint8Array
  readonly truncated: Uint8Array
  /** The seed of the game each copy is playing now. */
  readonly seeds: number[]
  private readonly envs: MazeEnv[]
  private readonly size: number
  private base = 0
  private gamesStarted = 0

  constructor(
    readonly numEnvs: number,
    options: MazeOptions = {},
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new Error(`MazeVecEnv: numEnvs must be a positive integer, got ${numEnvs}`)
    this.envs = Array.from({ length: numEnvs }, () => new MazeEnv(0, options))
    this.observationSpace = this.envs[0].observationSpace
    this.size = this.observationSpace.shape.reduce((a, b) => a * b, 1)
    this.obs = new Float32Array(numEnvs * this.size)
    this.rewards = new Float32Array(numEnvs)
    this.rewardParts = new Float32Array(2 * numEnvs)
    this.terminated = new Uint8Array(numEnvs)
    this.truncated = new Uint8Array(numEnvs)
    this.seeds = new Array<number>(numEnvs).fill(0)
  }

  private startGame(i: number): void {
    this.seeds[i] = deriveSeed(this.base, this.gamesStarted++)
    this.obs.set(this.envs[i].reset(this.seeds[i]).obs, i * this.size)
  }

  reset(seed: number): Float32Array {
    this.base = seed
    this.gamesStarted = 0
    for (let i = 0; i < this.numEnvs; i++) this.startGame(i)
    return this.obs
  }

  step(actions: ArrayLike<number>): void {
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i].step(actions[i])
      this.rewards[i] = r.reward
      this.rewardParts[2 * i] = r.info.rewardParts[0]
      this.rewardParts[2 * i + 1] = r.info.rewardParts[1]
      this.terminated[i] = r.terminated ? 1 : 0
      this.truncated[i] = r.truncated ? 1 : 0
      if (r.terminated || r.truncated) this.startGame(i)
      else this.obs.set(r.obs, i * this.size)
    }
  }
}
