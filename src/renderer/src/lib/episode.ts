/**
 * Re-simulates a recorded episode (seed + actions) with the env from src/core,
 * giving one frame per state: frame 0 is the state after reset, frame k the
 * state after k actions. Episodes are at most a few thousand steps, so we
 * simply simulate them whole.
 *
 * Actions arrive in their space's flat encoding (spaces.ts): one number per
 * step for a Discrete space, one per part for a Tuple (a LArTPC move × class).
 * Frames name the first part's choice `action` (the move: what colours the
 * step strip and marks the Q-value bar) and keep the whole decoded action.
 */
import { makeEnv, type EnvAssets } from '../../../core/catalog'
import type { ParamValues } from '../../../core/params'
import { actionLabel, actionWidth, decodeAction, type DiscreteSpace, type Space } from '../../../core/spaces'
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
  /** The action taken from this state (undefined at the final frame): its id, or the first part's for a tuple. */
  action: number | undefined
  /** The whole action as a person reads it ("up-left", "(up-left, track)"); '—' at the final frame. */
  actionText: string
  /** The whole action decoded (spaces.ts: an id, numbers, or one value per tuple part); undefined at the final frame. */
  actionValue: unknown
  /** The agent's outputs for the first action part in this state (Q-values), when recorded. */
  q: number[] | null
  /** Every per-step output recorded for this state (a two-headed agent's Q-values then class probabilities). */
  outputs: number[] | null
  /** The env's step info on arriving at this frame (reward terms, …); null at frame 0. */
  info: unknown
  terminal: boolean
  /** Scene data the state does not carry, shared by every frame (WorldView.sceneWorld: the racer's track and trail). */
  world?: unknown
}

export interface SimulatedEpisode {
  env: string
  /** Labels of the first action part's choices (the whole action space for a Discrete one). */
  actionLabels: string[]
  frames: Frame[]
  /** Set if the recorded actions could not be replayed (e.g. env rules changed). */
  error: string | null
}

/** What an episode's env needs besides its seed: the run's env settings, its track, a data-backed world's events. */
export interface EpisodeContext {
  /** run.config.env_params (e.g. Snake's step cap). */
  envParams?: ParamValues
  /** run.config.track (Pixel Racer). */
  track?: TrackJson | null
  /** The events a data-backed world reads (see useEpisodeAssets). */
  assets?: EnvAssets
}

/** The part whose choices label and colour steps: the space itself, or a tuple's first discrete part. */
function primaryPart(space: Space): DiscreteSpace | null {
  if (space.kind === 'discrete') return space
  if (space.kind === 'tuple' && space.parts[0]?.kind === 'discrete') return space.parts[0]
  return null
}

export function simulateEpisode(envId: string, ep: RecordedEpisode, ctx: EpisodeContext = {}): SimulatedEpisode {
  const assets: EnvAssets = { ...(ctx.track ? { track: trackFromJSON(ctx.track, { validate: false }) } : {}), ...ctx.assets }
  const env = makeEnv(envId, ctx.envParams ?? {}, 0, assets)
  const space = env.actionSpace as Space
  const width = actionWidth(space)
  const steps = Math.floor(ep.actions.length / width)
  const primary = primaryPart(space)
  const nPrimary = primary?.n ?? 0
  // Outputs are recorded as one equal-width row per step; the first nPrimary numbers belong to the first part.
  const outWidth = ep.outputs && steps > 0 ? Math.floor(ep.outputs.length / steps) : 0
  const outputsAt = (k: number): number[] | null => {
    if (!ep.outputs || outWidth === 0 || k >= steps || ep.outputs.length < (k + 1) * outWidth) return null
    return Array.from(ep.outputs.slice(k * outWidth, (k + 1) * outWidth))
  }
  const qOf = (row: number[] | null): number[] | null => (row && nPrimary && row.length >= nPrimary ? row.slice(0, nPrimary) : null)
  const actionAt = (k: number): unknown => (k < steps ? decodeAction(space, ep.actions, k) : undefined)
  const idOf = (a: unknown): number | undefined => (a === undefined ? undefined : space.kind === 'tuple' ? ((a as unknown[])[0] as number) : (a as number))
  const textOf = (a: unknown): string => (a === undefined ? '—' : actionLabel(space, a))
  const frameFields = (k: number): Pick<Frame, 'action' | 'actionText' | 'actionValue' | 'q' | 'outputs'> => {
    const a = actionAt(k)
    const row = outputsAt(k)
    return { action: idOf(a), actionText: textOf(a), actionValue: a, q: qOf(row), outputs: row }
  }
  env.reset(ep.seed)
  const frames: Frame[] = [{ t: 0, state: env.renderState(), reward: 0, cumReturn: 0, ...frameFields(0), info: null, terminal: steps === 0 }]
  let cum = 0
  let error: string | null = null
  for (let k = 0; k < steps; k++) {
    let r
    try {
      r = env.step(actionAt(k) as never)
    } catch (err) {
      error = `Replay stopped at step ${k}: ${(err as Error).message}`
      break
    }
    cum += r.reward
    const last = k === steps - 1
    frames.push({
      t: k + 1,
      state: env.renderState(),
      reward: r.reward,
      cumReturn: cum,
      ...(last ? { action: undefined, actionText: '—', actionValue: undefined, q: null, outputs: null } : frameFields(k + 1)),
      info: r.info ?? null,
      terminal: r.terminated || r.truncated,
    })
    if ((r.terminated || r.truncated) && !last) {
      error = `The episode ended after ${k + 1} of ${steps} recorded actions`
      break
    }
  }
  const world = worldView(envId)?.sceneWorld?.(env, frames.map((f) => f.state))
  if (world) for (const f of frames) f.world = world
  return { env: envId, actionLabels: primary?.labels ?? [], frames, error }
}
