/**
 * The environment contract, after Gymnasium: reset(seed) → {obs, info};
 * step(action) → {obs, reward, terminated, truncated, info}; declared spaces;
 * deterministic under a seed.
 *
 * For speed, `obs` is a buffer the env owns and overwrites on the next step or
 * reset — copy it if you keep it (replay memories do).
 */
import type { ActionOf, BoxSpace, DiscreteSpace, Space } from './spaces'
import { spaceSize } from './spaces'

export type { ActionOf, BoxSpace, DiscreteSpace, Space, TupleSpace } from './spaces'

export interface ResetResult<Info> {
  obs: Float32Array
  info: Info
}
export interface StepResult<Info> {
  obs: Float32Array
  reward: number
  terminated: boolean
  truncated: boolean
  info: Info
}

export interface Env<RenderState = unknown, Info = Record<string, unknown>, A extends Space = DiscreteSpace> {
  readonly id: string
  readonly observationSpace: BoxSpace
  readonly actionSpace: A
  reset(seed?: number): ResetResult<Info>
  step(action: ActionOf<A>): StepResult<Info>
  /** A small plain object that a scene needs to draw the current state. */
  renderState(): RenderState
  /** True when the finished episode counts as won (for win rates). */
  isWon(): boolean
  /** Numbers that describe the finished episode besides its return (e.g. Snake's length). */
  episodeStats?(): Record<string, number>
}

/**
 * Many copies of one env stepped together. Observations land in one preallocated
 * Float32Array of shape [numEnvs, ...observationSpace.shape]. A copy whose episode
 * ends is reset at once (auto-reset) with the next seed of its own stream; the
 * flags say which copies ended on this step.
 */
export interface VectorEnv {
  readonly numEnvs: number
  readonly observationSpace: BoxSpace
  readonly actionSpace: DiscreteSpace
  readonly obs: Float32Array
  readonly rewards: Float32Array
  readonly terminated: Uint8Array
  readonly truncated: Uint8Array
  reset(seed: number): Float32Array
  step(actions: ArrayLike<number>): void
}

export function obsSize(space: BoxSpace): number {
  return spaceSize(space)
}
