/**
 * Pixel Racer helpers for the renderer (also the track editor's): what the racer scene needs besides the
 * env's renderState() (the track and the path driven so far), reading a run's
 * track, the policy overlay, and the editor's friendly validation messages.
 */
import { findStart, GOAL, trackFromJSON, transitionTable, type Point, type Track, type TrackProblem } from '../../../../core/racer/track'
import type { Policy, RunSummary } from '../../../../shared/api'

/** Static per-episode data for the racer scene (SceneFrame.world). */
export interface RacerWorld {
  track: Track
  /** The racer's cell at every frame of the episode (trail[k] = after k moves). */
  trail: Point[]
}

/** Optional overlays on the racer scene (GameCanvas `overlay`). */
export interface RacerOverlay {
  policy: Policy | null
  /** Greedy-policy arrows per road cell (argmax of the policy's q row). */
  arrows: boolean
  /** Max Q per cell as a colour map. */
  heatmap: boolean
  /** The BFS shortest path, drawn as a dashed line. */
  path: readonly Point[] | null
}

export function isRacerWorld(w: unknown): w is RacerWorld {
  return !!w && typeof w === 'object' && !!(w as RacerWorld).track && Array.isArray((w as RacerWorld).trail)
}

export function isRacerOverlay(o: unknown): o is RacerOverlay {
  return !!o && typeof o === 'object' && 'arrows' in o && 'heatmap' in o
}

/**
 * The world for a racer episode (WorldView.sceneWorld): the env's track and
 * the racer's cell at each frame.
 */
export function racerWorld(env: unknown, states: readonly unknown[]): RacerWorld | undefined {
  const track = (env as { track?: Track }).track
  if (!track) return undefined
  const trail = states.map((s) => {
    const p = s as { x: number; y: number }
    return { x: p.x, y: p.y }
  })
  return { track, trail }
}

const runTracks = new WeakMap<object, Track | null>()

/** The track a racer run trained on (parsed once per config object); null if it has none. */
export function trackOfRun(run: Pick<RunSummary, 'config'> | null | undefined): Track | null {
  const json = run?.config?.track
  if (!json) return null
  let t = runTracks.get(json)
  if (t === undefined) {
    try {
      t = trackFromJSON(json, { validate: false })
    } catch {
      t = null
    }
    runTracks.set(json, t)
  }
  return t
}

/** Index of the largest of the cell's q values, or -1 when the row is empty or all equal (untrained). */
export function greedyAction(policy: Policy, cell: number): number {
  const A = policy.nActions
  let best = -1
  let bestV = -Infinity
  let lo = Infinity
  for (let a = 0; a < A; a++) {
    const v = policy.q[cell * A + a]
    if (v == null || !Number.isFinite(v)) return -1
    if (v > bestV) {
      bestV = v
      best = a
    }
    if (v < lo) lo = v
  }
  return bestV - lo > 1e-9 ? best : -1
}

/** Max Q of a cell, or null on walls / missing rows. */
export function maxQ(policy: Policy, cell: number): number | null {
  const A = policy.nActions
  let m = -Infinity
  for (let a = 0; a < A; a++) {
    const v = policy.q[cell * A + a]
    if (v == null || !Number.isFinite(v)) return null
    if (v > m) m = v
  }
  return m
}

/** Range of max-Q over the cells the heatmap colours (not walls, not goals). */
export function maxQRange(policy: Policy, track: Track | null): { lo: number; hi: number } | null {
  let lo = Infinity
  let hi = -Infinity
  const n = policy.width * policy.height
  for (let c = 0; c < n; c++) {
    if (track && (track.cells[c] === 1 || track.cells[c] === 3)) continue
    const v = maxQ(policy, c)
    if (v === null) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return lo <= hi ? { lo, hi } : null
}

/** validateTrack's problems in the editor's words. */
export function friendlyProblem(p: TrackProblem): string {
  if (/^no start/.test(p.message)) return 'No start — place one with S'
  if (/^no goal/.test(p.message)) return 'No goal — place one with G'
  const m = /^goal \((\d+),(\d+)\) cannot be reached/.exec(p.message)
  if (m) return `Goal (${m[1]},${m[2]}) cannot be reached from the start`
  return p.message.charAt(0).toUpperCase() + p.message.slice(1)
}

/** Cells of goals validateTrack says are unreachable. */
export function unreachableGoals(problems: readonly TrackProblem[]): Point[] {
  const out: Point[] = []
  for (const p of problems) {
    const m = /^goal \((\d+),(\d+)\) cannot be reached/.exec(p.message)
    if (m) out.push({ x: Number(m[1]), y: Number(m[2]) })
  }
  return out
}

/**
 * Where the greedy policy drives from the start: argmax of each cell's q row,
 * until a goal, a loop (a cell visited twice) or `maxSteps`. Ties mean "no
 * preference yet" and stop the route.
 */
export function greedyRoute(policy: Policy, track: Track, maxSteps = track.width * track.height): { cells: Point[]; reached: boolean } {
  const start = findStart(track)
  if (!start || policy.width !== track.width || policy.height !== track.height) return { cells: [], reached: false }
  const W = track.width
  const next = transitionTable(track)
  let c = start.y * W + start.x
  const cells: Point[] = [start]
  const seen = new Set([c])
  for (let k = 0; k < maxSteps; k++) {
    const a = greedyAction(policy, c)
    if (a < 0) break
    c = next[c * 4 + a]
    cells.push({ x: c % W, y: Math.floor(c / W) })
    if (track.cells[c] === GOAL) return { cells, reached: true }
    if (seen.has(c)) break
    seen.add(c)
  }
  return { cells, reached: false }
}
