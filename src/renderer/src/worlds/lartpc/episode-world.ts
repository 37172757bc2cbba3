/**
 * What the LArTPC scene and panels need besides each frame's state: the
 * event itself and every pixel the agent wrote, in step order, so the canvas
 * at any frame is rebuilt from the writes before it (a seek is at most a few
 * thousand pixel writes, well under a millisecond).
 */
import type { DetectorEvent } from '../../../../core/lartpc/event'
import type { LartpcRenderState } from '../../../../core/lartpc/env'
import { energyBounds, energyRange } from '../../lib/detector'

export interface LartpcSceneWorld {
  kind: 'lartpc'
  event: DetectorEvent
  /** 'keep': the canvas carries over between a map's trials; 'fresh': each trial starts blank. */
  canvas: 'keep' | 'fresh'
  /** Step j (1-based, frame j) wrote class classes[j] at pixel writes[j] during trial trialOf[j]; index 0 unused. */
  writes: Int32Array
  classes: Uint8Array
  trialOf: Int32Array
  /** The frame index of a state object (scenes get states, not frame numbers). */
  frameOf: Map<unknown, number>
  /** The event's log energy scale (lib/detector.ts energyRange), found once for every frame. */
  energyRange: { lo: number; hi: number } | null
}

export function isLartpcState(s: unknown): s is LartpcRenderState {
  const o = s as Partial<LartpcRenderState> | null
  return !!o && typeof o.row === 'number' && typeof o.col === 'number' && typeof o.trial === 'number' && typeof o.width === 'number'
}

export function isLartpcWorld(w: unknown): w is LartpcSceneWorld {
  return !!w && (w as Partial<LartpcSceneWorld>).kind === 'lartpc'
}

export function lartpcSceneWorld(event: DetectorEvent, canvas: 'keep' | 'fresh', states: readonly unknown[]): LartpcSceneWorld {
  const n = states.length
  const writes = new Int32Array(n).fill(-1)
  const classes = new Uint8Array(n)
  const trialOf = new Int32Array(n)
  for (let k = 1; k < n; k++) {
    const s = states[k]
    const before = states[k - 1]
    if (!isLartpcState(s) || !isLartpcState(before) || !s.written) continue
    writes[k] = s.written.row * event.width + s.written.col
    classes[k] = s.written.cls
    // The step from frame k−1 was taken in the trial frame k−1 shows.
    trialOf[k] = before.trial
  }
  return { kind: 'lartpc', event, canvas, writes, classes, trialOf, frameOf: new Map(states.map((s, k) => [s, k])), energyRange: energyRange(energyBounds(event.energy)) }
}

/** The writes that make up the canvas at frame k: steps start..k (a fresh canvas keeps only the current trial's). */
export function canvasStart(world: LartpcSceneWorld, k: number, state: LartpcRenderState): number {
  if (world.canvas === 'keep') return 1
  let j = k
  while (j >= 1 && world.trialOf[j] === state.trial) j--
  return j + 1
}

/**
 * Paints the canvas of frame k into `out` (RGBA, the event's size), which holds
 * the canvas of frame `painted.to` (writes painted.from..painted.to) over
 * `background`: forward it paints only the new writes, backward (or across a
 * fresh trial) it starts again from the background. Returns what `out` now holds.
 */
export function paintCanvasAt(
  world: LartpcSceneWorld,
  k: number,
  state: LartpcRenderState,
  out: Uint8ClampedArray,
  background: Uint8ClampedArray,
  painted: { from: number; to: number },
  paint: (out: Uint8ClampedArray, pixel: number, cls: number) => void,
): { from: number; to: number } {
  const from = canvasStart(world, k, state)
  let to = painted.to
  if (from !== painted.from || k < painted.to) {
    out.set(background)
    to = from - 1
  }
  for (let j = to + 1; j <= k; j++) if (world.writes[j] >= 0) paint(out, world.writes[j], world.classes[j])
  return { from, to: Math.max(to, k) }
}
