/**
 * Pixel Racer, with the seed project's rules: the racer starts on the track's
 * start cell; actions 0 → y+1 (down as drawn), 1 → x−1, 2 → y−1, 3 → x+1;
 * moving into a wall or off the grid leaves it in place; entering a goal cell
 * gives +1 and ends the episode, every other step gives 0 − step_cost; after
 * max_steps the episode is truncated.
 *
 * Observations ('onehot', 'map', 'image') are drawn once from the track and then
 * updated by erasing and redrawing the racer's one cell, so a step is O(1).
 */
import type { BoxSpace, DiscreteSpace, Env, ResetResult, StepResult, VectorEnv } from '../env'
import { assertValidTrack, findStart, GOAL, transitionTable, WALL, type Track } from './track'

export const RACER_ACTIONS = ['down', 'left', 'up', 'right'] as const
export const RACER_OBS_MODES = ['onehot', 'map', 'image'] as const
export type RacerObsMode = (typeof RACER_OBS_MODES)[number]

/** The seed's "array" observation values. */
export const MAP_WALL = 1
export const MAP_GOAL = 0.25
export const MAP_RACER = 0.5

/** The seed caps its Q-table episodes at 100 moves (its networks at 99). */
export const DEFAULT_RACER_MAX_STEPS = 100

export interface RacerOptions {
  /** 'onehot': position one-hot [H·W]; 'map': the seed's flattened array [H·W]; 'image': [H, W, 3] walls / goals / racer. */
  obs?: RacerObsMode
  /** Subtracted from the reward of every step that does not reach a goal. */
  stepCost?: number
  /** Steps after which the episode is truncated (Infinity for none). */
  maxSteps?: number
}

export interface RacerState {
  x: number
  y: number
  width: number
  height: number
  steps: number
  won: boolean
}

/**
 * Everything about a track the step loop needs, computed once and shared by the
 * single and vector envs. Takes its own copy of the track, so later edits to the
 * caller's track (the editor) cannot desynchronise a running env.
 */
export class RacerRules {
  readonly track: Track
  readonly width: number
  readonly height: number
  readonly numStates: number
  readonly start: number
  /** next[cell * 4 + action]: where the racer ends up (itself when blocked). */
  readonly next: Int32Array
  readonly isGoal: Uint8Array
  readonly obsMode: RacerObsMode
  readonly stepCost: number
  /** 0 − stepCost, written so that no cost gives +0, not −0. */
  readonly stepReward: number
  readonly maxSteps: number
  readonly observationSpace: BoxSpace
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 4, labels: [...RACER_ACTIONS] }
  /** The observation without the racer; erasing the racer restores its cell from here. */
  readonly background: Float32Array
  private readonly stride: number
  private readonly channel: number
  private readonly racerValue: number

  constructor(track: Track, opts: RacerOptions = {}) {
    assertValidTrack(track)
    this.track = { width: track.width, height: track.height, cells: track.cells.slice(), name: track.name }
    const { width: W, height: H } = track
    this.width = W
    this.height = H
    this.numStates = W * H
    const s = findStart(track)!
    this.start = s.y * W + s.x
    this.next = transitionTable(track)
    this.isGoal = track.cells.map((c) => (c === GOAL ? 1 : 0))
    this.obsMode = opts.obs ?? 'onehot'
    if (!RACER_OBS_MODES.includes(this.obsMode)) throw new Error(`racer: obs must be one of ${RACER_OBS_MODES.join(', ')}, got "${this.obsMode}"`)
    this.stepCost = opts.stepCost ?? 0
    if (!Number.isFinite(this.stepCost)) throw new Error(`racer: stepCost must be a finite number, got ${this.stepCost}`)
    this.stepReward = 0 - this.stepCost
    this.maxSteps = opts.maxSteps ?? DEFAULT_RACER_MAX_STEPS
    if (!(this.maxSteps >= 1) || (Number.isFinite(this.maxSteps) && !Number.isInteger(this.maxSteps)))
      throw new Error(`racer: maxSteps must be a whole number ≥ 1 (or Infinity), got ${this.maxSteps}`)

    const image = this.obsMode === 'image'
    this.observationSpace = { kind: 'box', shape: image ? [H, W, 3] : [H * W], low: 0, high: 1 }
    this.stride = image ? 3 : 1
    this.channel = image ? 2 : 0
    this.racerValue = this.obsMode === 'map' ? MAP_RACER : 1
    this.background = new Float32Array(W * H * this.stride)
    if (this.obsMode !== 'onehot')
      track.cells.forEach((c, i) => {
        if (image) {
          this.background[i * 3] = c === WALL ? 1 : 0
          this.background[i * 3 + 1] = c === GOAL ? 1 : 0
        } else this.background[i] = c === WALL ? MAP_WALL : c === GOAL ? MAP_GOAL : 0
      })
  }

  get obsSize(): number {
    return this.background.length
  }

  drawRacer(obs: Float32Array, offset: number, cell: number): void {
    obs[offset + cell * this.stride + this.channel] = this.racerValue
  }

  eraseRacer(obs: Float32Array, offset: number, cell: number): void {
    const k = cell * this.stride + this.channel
    obs[offset + k] = this.background[k]
  }

  /** The cell an observation shows the racer in (−1 if none): lets table agents read states from observations. */
  cellOfObs(obs: ArrayLike<number>, offset = 0): number {
    for (let c = 0; c < this.numStates; c++) if (obs[offset + c * this.stride + this.channel] === this.racerValue) return c
    return -1
  }

  checkAction(action: number): void {
    if (!(action >= 0 && action < 4 && Number.isInteger(action))) throw new Error(`racer: action must be 0, 1, 2 or 3, got ${action}`)
  }
}

export class RacerEnv implements Env<RacerState> {
  readonly id = 'racer'
  readonly rules: RacerRules
  readonly observationSpace: BoxSpace
  readonly actionSpace: DiscreteSpace
  readonly numStates: number
  private readonly obs: Float32Array
  private cell: number
  private steps = 0
  private done = false
  private readonly result: StepResult<Record<string, never>>

  readonly track: Track

  constructor(track: Track, opts: RacerOptions = {}) {
    this.rules = new RacerRules(track, opts)
    this.track = this.rules.track
    this.observationSpace = this.rules.observationSpace
    this.actionSpace = this.rules.actionSpace
    this.numStates = this.rules.numStates
    this.obs = this.rules.background.slice()
    this.cell = this.rules.start
    this.rules.drawRacer(this.obs, 0, this.cell)
    this.result = { obs: this.obs, reward: 0, terminated: false, truncated: false, info: {} }
  }

  /** The start is fixed, so the seed changes nothing; it is accepted for the Env contract. */
  reset(_seed?: number): ResetResult<Record<string, never>> {
    this.rules.eraseRacer(this.obs, 0, this.cell)
    this.cell = this.rules.start
    this.rules.drawRacer(this.obs, 0, this.cell)
    this.steps = 0
    this.done = false
    return { obs: this.obs, info: {} }
  }

  step(action: number): StepResult<Record<string, never>> {
    const R = this.rules
    if (this.done) throw new Error('racer: step() called after the episode ended; call reset()')
    R.checkAction(action)
    R.eraseRacer(this.obs, 0, this.cell)
    this.cell = R.next[this.cell * 4 + action]
    R.drawRacer(this.obs, 0, this.cell)
    this.steps++
    const r = this.result
    r.terminated = R.isGoal[this.cell] === 1
    r.truncated = !r.terminated && this.steps >= R.maxSteps
    r.reward = r.terminated ? 1 : R.stepReward
    this.done = r.terminated || r.truncated
    return r
  }

  /** Index of the racer's cell, y·W + x: the Q-table's state. */
  stateIndex(): number {
    return this.cell
  }

  stateOfObs(obs: Float32Array): number {
    const cell = this.rules.cellOfObs(obs)
    if (cell < 0) throw new Error(`racer: no racer in this observation (expected the '${this.rules.obsMode}' mode)`)
    return cell
  }

  renderState(): RacerState {
    const W = this.rules.width
    return { x: this.cell % W, y: Math.floor(this.cell / W), width: W, height: this.rules.height, steps: this.steps, won: this.isWon() }
  }

  isWon(): boolean {
    return this.rules.isGoal[this.cell] === 1
  }
}

/** N racers on one track in flat typed arrays; a racer that finishes restarts at once (auto-reset). */
export class RacerVecEnv implements VectorEnv {
  readonly rules: RacerRules
  readonly observationSpace: BoxSpace
  readonly actionSpace: DiscreteSpace
  readonly obs: Float32Array
  readonly rewards: Float32Array
  readonly terminated: Uint8Array
  readonly truncated: Uint8Array
  /** Each racer's cell (y·W + x). */
  readonly cells: Int32Array
  readonly steps: Int32Array

  constructor(track: Track, readonly numEnvs: number, opts: RacerOptions = {}) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new Error(`RacerVecEnv: numEnvs must be a positive integer, got ${numEnvs}`)
    this.rules = new RacerRules(track, opts)
    this.observationSpace = this.rules.observationSpace
    this.actionSpace = this.rules.actionSpace
    this.obs = new Float32Array(numEnvs * this.rules.obsSize)
    this.rewards = new Float32Array(numEnvs)
    this.terminated = new Uint8Array(numEnvs)
    this.truncated = new Uint8Array(numEnvs)
    this.cells = new Int32Array(numEnvs)
    this.steps = new Int32Array(numEnvs)
    this.reset(0)
  }

  /** Every racer back to the start; the seed is only for the VectorEnv contract (the world is deterministic). */
  reset(_seed: number): Float32Array {
    const R = this.rules
    for (let i = 0; i < this.numEnvs; i++) {
      this.obs.set(R.background, i * R.obsSize)
      this.cells[i] = R.start
      R.drawRacer(this.obs, i * R.obsSize, R.start)
    }
    this.steps.fill(0)
    this.rewards.fill(0)
    this.terminated.fill(0)
    this.truncated.fill(0)
    return this.obs
  }

  step(actions: ArrayLike<number>): void {
    const R = this.rules
    const { next, isGoal, start, maxSteps, stepReward, obsSize: size } = R
    const { obs, cells, steps, rewards, terminated, truncated } = this
    for (let i = 0; i < this.numEnvs; i++) {
      const a = actions[i]
      if (a >>> 0 !== a || a > 3) R.checkAction(a) // throws; the cheap test keeps the loop fast
      const off = i * size
      R.eraseRacer(obs, off, cells[i])
      const cell = next[cells[i] * 4 + a]
      const n = steps[i] + 1
      const term = isGoal[cell] === 1
      const trunc = !term && n >= maxSteps
      rewards[i] = term ? 1 : stepReward
      terminated[i] = term ? 1 : 0
      truncated[i] = trunc ? 1 : 0
      const restart = term || trunc
      cells[i] = restart ? start : cell
      steps[i] = restart ? 0 : n
      R.drawRacer(obs, off, cells[i])
    }
  }
}
