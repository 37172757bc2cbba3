/**
 * Catch, with qlearning4k's rules. A fruit falls one row per step from row 0
 * (column 0–8); a 3-wide basket on the bottom row (centre 1–7 at the start)
 * moves left, stays or moves right, clamped to the board. When the fruit reaches
 * the bottom row the episode ends: +1 if the basket's centre is within one column
 * of the fruit, −1 otherwise. Observation: the 10×10 canvas, 1 where the fruit or
 * the basket is, 0 elsewhere.
 */
import { Rng } from '../rng'
import type { BoxSpace, DiscreteSpace, Env, ResetResult, StepResult, VectorEnv } from '../env'

export const CATCH_SIZE = 10
export const CATCH_ACTIONS = ['left', 'stay', 'right'] as const

export interface CatchState {
  fruitRow: number
  fruitCol: number
  basket: number
}

const observationSpace: BoxSpace = { kind: 'box', shape: [CATCH_SIZE, CATCH_SIZE], low: 0, high: 1 }
const actionSpace: DiscreteSpace = { kind: 'discrete', n: 3, labels: [...CATCH_ACTIONS] }

/** The pure rule: the state after `action`, written into `out`. */
export function catchStep(s: CatchState, action: number, out: CatchState): void {
  const move = action === 0 ? -1 : action === 2 ? 1 : 0
  out.basket = Math.min(Math.max(1, s.basket + move), CATCH_SIZE - 2)
  out.fruitCol = s.fruitCol
  out.fruitRow = s.fruitRow + 1
}

export function catchReward(s: CatchState): number {
  if (s.fruitRow !== CATCH_SIZE - 1) return 0
  return Math.abs(s.fruitCol - s.basket) <= 1 ? 1 : -1
}

function drawCatch(s: CatchState, obs: Float32Array, offset: number, value: number): void {
  obs[offset + s.fruitRow * CATCH_SIZE + s.fruitCol] = value
  const bottom = offset + (CATCH_SIZE - 1) * CATCH_SIZE + s.basket
  obs[bottom - 1] = value
  obs[bottom] = value
  obs[bottom + 1] = value
}

export class CatchEnv implements Env<CatchState> {
  readonly id = 'catch'
  readonly observationSpace = observationSpace
  readonly actionSpace = actionSpace
  private rng: Rng
  private readonly state: CatchState = { fruitRow: 0, fruitCol: 0, basket: 1 }
  private readonly obs = new Float32Array(CATCH_SIZE * CATCH_SIZE)
  private readonly result: StepResult<Record<string, never>> = {
    obs: this.obs,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  }

  constructor(seed = 0) {
    this.rng = new Rng(seed)
  }

  reset(seed?: number): ResetResult<Record<string, never>> {
    if (seed !== undefined) this.rng = new Rng(seed)
    drawCatch(this.state, this.obs, 0, 0)
    this.state.fruitRow = 0
    this.state.fruitCol = this.rng.int(0, CATCH_SIZE - 1)
    this.state.basket = this.rng.int(1, CATCH_SIZE - 2)
    drawCatch(this.state, this.obs, 0, 1)
    return { obs: this.obs, info: {} }
  }

  step(action: number): StepResult<Record<string, never>> {
    if (this.state.fruitRow >= CATCH_SIZE - 1) throw new Error('Catch: step() called after the episode ended; call reset()')
    drawCatch(this.state, this.obs, 0, 0)
    catchStep(this.state, action, this.state)
    drawCatch(this.state, this.obs, 0, 1)
    const r = this.result
    r.reward = catchReward(this.state)
    r.terminated = this.state.fruitRow === CATCH_SIZE - 1
    return r
  }

  renderState(): CatchState {
    return { ...this.state }
  }

  isWon(): boolean {
    return catchReward(this.state) === 1
  }
}

/** N copies of Catch in flat typed arrays; auto-resets finished copies. */
export class CatchVecEnv implements VectorEnv {
  readonly observationSpace = observationSpace
  readonly actionSpace = actionSpace
  readonly obs: Float32Array
  readonly rewards: Float32Array
  readonly terminated: Uint8Array
  readonly truncated: Uint8Array
  private readonly fruitRow: Int32Array
  private readonly fruitCol: Int32Array
  private readonly basket: Int32Array
  private rng = new Rng(0)
  private readonly s: CatchState = { fruitRow: 0, fruitCol: 0, basket: 1 }

  constructor(readonly numEnvs: number) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new Error(`CatchVecEnv: numEnvs must be a positive integer, got ${numEnvs}`)
    this.obs = new Float32Array(numEnvs * CATCH_SIZE * CATCH_SIZE)
    this.rewards = new Float32Array(numEnvs)
    this.terminated = new Uint8Array(numEnvs)
    this.truncated = new Uint8Array(numEnvs)
    this.fruitRow = new Int32Array(numEnvs)
    this.fruitCol = new Int32Array(numEnvs)
    this.basket = new Int32Array(numEnvs)
  }

  reset(seed: number): Float32Array {
    this.rng = new Rng(seed)
    this.obs.fill(0)
    for (let i = 0; i < this.numEnvs; i++) this.resetOne(i)
    return this.obs
  }

  private load(i: number): CatchState {
    const s = this.s
    s.fruitRow = this.fruitRow[i]
    s.fruitCol = this.fruitCol[i]
    s.basket = this.basket[i]
    return s
  }

  private resetOne(i: number): void {
    const off = i * CATCH_SIZE * CATCH_SIZE
    drawCatch(this.load(i), this.obs, off, 0)
    this.fruitRow[i] = 0
    this.fruitCol[i] = this.rng.int(0, CATCH_SIZE - 1)
    this.basket[i] = this.rng.int(1, CATCH_SIZE - 2)
    drawCatch(this.load(i), this.obs, off, 1)
  }

  step(actions: ArrayLike<number>): void {
    const cells = CATCH_SIZE * CATCH_SIZE
    for (let i = 0; i < this.numEnvs; i++) {
      const off = i * cells
      const s = this.load(i)
      drawCatch(s, this.obs, off, 0)
      catchStep(s, actions[i], s)
      this.fruitRow[i] = s.fruitRow
      this.basket[i] = s.basket
      this.rewards[i] = catchReward(s)
      const done = s.fruitRow === CATCH_SIZE - 1
      this.terminated[i] = done ? 1 : 0
      if (done) this.resetOne(i)
      else drawCatch(s, this.obs, off, 1)
    }
  }
}
