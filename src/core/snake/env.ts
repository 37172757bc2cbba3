/**
 * Snake, with qlearning4k's rules. Cells are (a, b) as in qlearning4k's code, and
 * the observation is its canvas: obs[a·10 + b]; border cells and the body are 1,
 * the fruit 0.5, the rest 0. Scenes draw a as the screen column and b as the row,
 * so "left" (a − 1) moves left on screen.
 *
 * The snake starts with length 3 at a = 3..5, b = 5, heading left (head at a = 3)
 * or right (head at a = 5) at random. Actions: left, right, up, down, idle; idle or
 * a reversing move continues the previous direction. Eating the fruit gives the new
 * length as reward; touching the border or biting itself ends the game with −1.
 * A game counts as won when the snake grew (length > 3). `maxSteps` truncates.
 *
 * One deliberate difference: on eating, the snake grows by keeping the tail cell
 * it just left. qlearning4k extrapolates a new segment past the tail, which can put
 * it on the border or outside the grid.
 *
 * Reward 'shaped' (snake-v2's default) adds to every move that neither eats nor kills
 * +SHAPING when the head ends closer to the fruit (Manhattan distance) and −2·SHAPING
 * when farther, so a loop that comes back where it started costs. The seed's reward
 * alone is sparse — a random snake eats about one fruit in seven games — and a learner
 * first finds that circling avoids the −1 and settles there.
 */
import { Rng } from '../rng'
import type { BoxSpace, DiscreteSpace, Env, ResetResult, StepResult, VectorEnv } from '../env'

export const SNAKE_SIZE = 10
export const SNAKE_START_LENGTH = 3
export const SNAKE_ACTIONS = ['left', 'right', 'up', 'down', 'idle'] as const
const DA = [-1, 1, 0, 0]
const DB = [0, 0, -1, 1]
const REVERSE = [1, 0, 3, 2]

export interface SnakeState {
  /** Body cells, head first, as [a, b] pairs. */
  body: [number, number][]
  fruit: [number, number] | null
  direction: number
  length: number
  dead: boolean
}

export const SNAKE_REWARDS = ['qlearning4k', 'shaped'] as const
export type SnakeReward = (typeof SNAKE_REWARDS)[number]
/** What the shaped reward adds for a move toward the fruit (a tenth of the −1 for dying); a move away costs twice this. */
export const SHAPING = 0.1

export interface SnakeOptions {
  maxSteps?: number
  /** 'qlearning4k' (default): the new length on eating, −1 on dying, else 0; 'shaped': that plus SHAPING toward the fruit, −2·SHAPING away. */
  reward?: SnakeReward
}

const observationSpace: BoxSpace = { kind: 'box', shape: [SNAKE_SIZE, SNAKE_SIZE], low: 0, high: 1 }
const actionSpace: DiscreteSpace = { kind: 'discrete', n: 5, labels: [...SNAKE_ACTIONS] }

/**
 * One Snake game in flat arrays: the body is a ring buffer of cell indices
 * (a·10 + b). It draws into its slice of an observation buffer: in full on
 * reset, then only the cells a step changes.
 */
class SnakeCore {
  readonly ring = new Int32Array(SNAKE_SIZE * SNAKE_SIZE + 1)
  readonly occupied = new Uint8Array(SNAKE_SIZE * SNAKE_SIZE)
  head = 0
  length = 0
  direction = 0
  fruit = -1
  dead = false
  won = false
  steps = 0

  constructor(
    public rng: Rng,
    private readonly obs: Float32Array,
    private readonly offset: number,
    private readonly shaping = 0,
  ) {}

  reset(): void {
    this.occupied.fill(0)
    const a0 = (SNAKE_SIZE - SNAKE_START_LENGTH) >> 1
    const b = SNAKE_SIZE >> 1
    // qlearning4k drops the fruit before choosing the direction; keep its RNG order.
    for (let i = 0; i < SNAKE_START_LENGTH; i++) this.occupied[(a0 + i) * SNAKE_SIZE + b] = 1
    this.fruit = this.freeInteriorCell()
    this.direction = this.rng.int(0, 2)
    // Head first: the leftmost cell when heading left, the rightmost when heading right.
    for (let i = 0; i < SNAKE_START_LENGTH; i++) {
      const a = this.direction === 1 ? a0 + SNAKE_START_LENGTH - 1 - i : a0 + i
      this.ring[i] = a * SNAKE_SIZE + b
    }
    this.length = SNAKE_START_LENGTH
    this.head = 0
    this.dead = false
    this.won = false
    this.steps = 0
    this.draw()
  }

  /** A uniformly random free interior cell, or −1 when none is left. */
  freeInteriorCell(): number {
    const inner = SNAKE_SIZE - 2
    for (let tries = 0; tries < 64; tries++) {
      const c = this.rng.int(1, SNAKE_SIZE - 1) * SNAKE_SIZE + this.rng.int(1, SNAKE_SIZE - 1)
      if (!this.occupied[c]) return c
    }
    const free: number[] = []
    for (let a = 1; a <= inner; a++) for (let b = 1; b <= inner; b++) if (!this.occupied[a * SNAKE_SIZE + b]) free.push(a * SNAKE_SIZE + b)
    return free.length ? free[this.rng.int(0, free.length)] : -1
  }

  bodyCell(i: number): number {
    const cap = this.ring.length
    return this.ring[(this.head + i) % cap]
  }

  /** Advances one step and redraws the cells it changed; returns the reward. */
  step(action: number): number {
    const obs = this.obs
    const off = this.offset
    if (action !== 4 && action !== REVERSE[this.direction]) this.direction = action
    const cap = this.ring.length
    const h = this.ring[this.head]
    const a = Math.floor(h / SNAKE_SIZE) + DA[this.direction]
    const b = (h % SNAKE_SIZE) + DB[this.direction]
    const next = a * SNAKE_SIZE + b
    this.steps++
    if (next === this.fruit) {
      this.head = (this.head - 1 + cap) % cap
      this.ring[this.head] = next
      this.occupied[next] = 1
      obs[off + next] = 1
      this.length++
      this.fruit = this.freeInteriorCell()
      if (this.fruit === -1) this.won = true
      else obs[off + this.fruit] = 0.5
      return this.length
    }
    // Move: the tail leaves first, so following it is not a bite.
    const tail = this.bodyCell(this.length - 1)
    this.occupied[tail] = 0
    obs[off + tail] = 0 // body cells of a live snake are all interior
    this.head = (this.head - 1 + cap) % cap
    this.ring[this.head] = next
    const border = a <= 0 || a >= SNAKE_SIZE - 1 || b <= 0 || b >= SNAKE_SIZE - 1
    const bite = !border && this.occupied[next] === 1
    if (!border) this.occupied[next] = 1
    // A head that hit the border shows there (already 1); one that bit itself, on its body.
    obs[off + next] = 1
    if (border || bite) {
      this.dead = true
      return -1
    }
    if (this.shaping === 0 || this.fruit < 0) return 0
    const fa = Math.floor(this.fruit / SNAKE_SIZE)
    const fb = this.fruit % SNAKE_SIZE
    const closer = Math.abs(Math.floor(h / SNAKE_SIZE) - fa) + Math.abs((h % SNAKE_SIZE) - fb) > Math.abs(a - fa) + Math.abs(b - fb)
    return closer ? this.shaping : -2 * this.shaping
  }

  /** Draws the whole canvas. */
  draw(): void {
    const { obs, offset } = this
    obs.set(BORDER, offset)
    for (let i = 0; i < this.length; i++) obs[offset + this.bodyCell(i)] = 1
    if (this.fruit >= 0) obs[offset + this.fruit] = 0.5
  }
}

function shapingOf(reward: SnakeReward = 'qlearning4k'): number {
  if (!SNAKE_REWARDS.includes(reward)) throw new Error(`Snake: reward must be one of ${SNAKE_REWARDS.join(', ')}, got "${reward}"`)
  return reward === 'shaped' ? SHAPING : 0
}

const BORDER = Float32Array.from({ length: SNAKE_SIZE * SNAKE_SIZE }, (_, i) => {
  const a = Math.floor(i / SNAKE_SIZE)
  const b = i % SNAKE_SIZE
  return a === 0 || b === 0 || a === SNAKE_SIZE - 1 || b === SNAKE_SIZE - 1 ? 1 : 0
})

export class SnakeEnv implements Env<SnakeState> {
  readonly id = 'snake'
  readonly observationSpace = observationSpace
  readonly actionSpace = actionSpace
  readonly maxSteps: number
  private core: SnakeCore
  private readonly obs = new Float32Array(SNAKE_SIZE * SNAKE_SIZE)
  private readonly result: StepResult<Record<string, never>> = { obs: this.obs, reward: 0, terminated: false, truncated: false, info: {} }

  constructor(seed = 0, options: SnakeOptions = {}) {
    this.core = new SnakeCore(new Rng(seed), this.obs, 0, shapingOf(options.reward))
    this.maxSteps = options.maxSteps ?? 200
  }

  reset(seed?: number): ResetResult<Record<string, never>> {
    if (seed !== undefined) this.core.rng = new Rng(seed)
    this.core.reset()
    return { obs: this.obs, info: {} }
  }

  step(action: number): StepResult<Record<string, never>> {
    const c = this.core
    if (c.dead || c.won || c.steps >= this.maxSteps) throw new Error('Snake: step() called after the episode ended; call reset()')
    if (!Number.isInteger(action) || action < 0 || action > 4) throw new Error(`Snake: invalid action ${action} (0–4)`)
    const r = this.result
    r.reward = c.step(action)
    r.terminated = c.dead || c.won
    r.truncated = !r.terminated && c.steps >= this.maxSteps
    return r
  }

  renderState(): SnakeState {
    const c = this.core
    const cell = (i: number): [number, number] => [Math.floor(i / SNAKE_SIZE), i % SNAKE_SIZE]
    return {
      body: Array.from({ length: c.length }, (_, i) => cell(c.bodyCell(i))),
      fruit: c.fruit >= 0 ? cell(c.fruit) : null,
      direction: c.direction,
      length: c.length,
      dead: c.dead,
    }
  }

  isWon(): boolean {
    return this.core.length > SNAKE_START_LENGTH
  }

  episodeStats(): Record<string, number> {
    return { length: this.core.length }
  }
}

/** N Snake games stepped together; finished games reset at once with the shared RNG stream. */
export class SnakeVecEnv implements VectorEnv {
  readonly observationSpace = observationSpace
  readonly actionSpace = actionSpace
  readonly obs: Float32Array
  readonly rewards: Float32Array
  readonly terminated: Uint8Array
  readonly truncated: Uint8Array
  private cores: SnakeCore[] = []
  private readonly shaping: number

  constructor(
    readonly numEnvs: number,
    readonly maxSteps = 200,
    reward: SnakeReward = 'qlearning4k',
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new Error(`SnakeVecEnv: numEnvs must be a positive integer, got ${numEnvs}`)
    this.shaping = shapingOf(reward)
    this.obs = new Float32Array(numEnvs * SNAKE_SIZE * SNAKE_SIZE)
    this.rewards = new Float32Array(numEnvs)
    this.terminated = new Uint8Array(numEnvs)
    this.truncated = new Uint8Array(numEnvs)
  }

  reset(seed: number): Float32Array {
    const rng = new Rng(seed)
    this.cores = Array.from({ length: this.numEnvs }, (_, i) => new SnakeCore(rng, this.obs, i * SNAKE_SIZE * SNAKE_SIZE, this.shaping))
    for (const c of this.cores) c.reset()
    return this.obs
  }

  step(actions: ArrayLike<number>): void {
    for (let i = 0; i < this.numEnvs; i++) {
      const c = this.cores[i]
      this.rewards[i] = c.step(actions[i])
      const term = c.dead || c.won
      const trunc = !term && c.steps >= this.maxSteps
      this.terminated[i] = term ? 1 : 0
      this.truncated[i] = trunc ? 1 : 0
      if (term || trunc) c.reset()
    }
  }
}
