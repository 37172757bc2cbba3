/**
 * Re-simulates a recorded episode (seed + actions) with the env from src/core,
 * giving one frame per state: frame 0 is the state after reset, frame k the
 * state after k actions. Episodes are short, so we simply simulate them whole.
 */
import { makeEnv } from '../../../core/catalog'
import type { ParamValues } from '../../../core/params'
import { trackFromJSON, type TrackJson } from '../../../core/racer/track'
import { worldView } from '../worlds'

export interface RecordedEpisode {
  seed: number
  actions: readonly number[]
  /** Per-step agent outputs, flattened [steps × nActions], or null. */
  outputs: readonly number[] | null
}

export interface Frame {
  /** 0..N */
  t: number
  /** The env's renderState() at this frame (a small plain object). */
  state: unknown
  /** Reward received on arriving at this frame (0 for frame 0). */
  reward: number
  /** Sum of rewards up to and including this frame. */
  cumReturn: number
  /** The action taken from this state (undefined at the final frame). */
  action: number | undefined
  /** The agent's Q-values in this state, when recorded. */
  q: number[] | null
  terminal: boolean
  /** Scene data the state does not carry, shared by every frame (WorldView.sceneWorld: the racer's track and trail). */
  world?: unknown
}

export interface SimulatedEpisode {
  env: string
  actionLabels: string[]
  frames: Frame[]
  /** Set if the recorded actions could not be replayed (e.g. env rules changed). */
  error: string | null
}

/**
 * `envParams` are the run's env settings (run.config.env_params), e.g. Snake's step cap;
 * `track` the run's track (run.config.track) for the Pixel Racer.
 */
export function simulateEpisode(envId: string, ep: RecordedEpisode, envParams: ParamValues = {}, track: TrackJson | null = null): SimulatedEpisode {
  const env = makeEnv(envId, envParams, 0, track ? { track: trackFromJSON(track, { validate: false }) } : {})
  const nA = env.actionSpace.n
  const qAt = (k: number): number[] | null => {
    if (!ep.outputs || ep.outputs.length < (k + 1) * nA) return null
    return Array.from(ep.outputs.slice(k * nA, (k + 1) * nA))
  }
  env.reset(ep.seed)
  const frames: Frame[] = [
    { t: 0, state: env.renderState(), reward: 0, cumReturn: 0, action: ep.actions[0], q: qAt(0), terminal: ep.actions.length === 0 },
  ]
  let cum = 0
  let error: string | null = null
  for (let k = 0; k < ep.actions.length; k++) {
    let r
    try {
      r = env.step(ep.actions[k])
    } catch (err) {
      error = `Replay stopped at step ${k}: ${(err as Error).message}`
      break
    }
    cum += r.reward
    const last = k === ep.actions.length - 1
    frames.push({
      t: k + 1,
      state: env.renderState(),
      reward: r.reward,
      cumReturn: cum,
      action: last ? undefined : ep.actions[k + 1],
      q: last ? null : qAt(k + 1),
      terminal: r.terminated || r.truncated,
    })
    if ((r.terminated || r.truncated) && !last) {
      error = `The episode ended after ${k + 1} of ${ep.actions.length} recorded actions`
      break
    }
  }
  const world = worldView(envId)?.sceneWorld?.(env, frames.map((f) => f.state))
  if (world) for (const f of frames) f.world = world
  return { env: envId, actionLabels: env.actionSpace.labels, frames, error }
}
