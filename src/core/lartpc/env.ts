/**
 * The LArTPC categorisation game (lartpc_game of mmajewsk/gym-lartpc2d, read
 * from its code): a cursor walks over a 2-D detector event with 8 moves, sees a
 * 5×5 window of the source (energies) and of its own canvas (5×5×3, one-hot
 * classes), and writes a class to the pixel under it, painting a segmentation
 * step by step.
 *
 * One episode = one event (map) played for `trials` trials of at most
 * `max_steps` acting steps each. The episode's seed picks the event among the
 * training events (`eventIndexFor`), and each trial's spawn.
 *
 * Rules, as the seed's code has them:
 * - the margin is r_low = 2 (the 5×5 window's half width): a centre (row, col)
 *   is inside when every coordinate is > 2 and < H − 2 (the seed compares both
 *   coordinates with shape[0]; we compare rows with H and columns with W, the
 *   same on the seed's square images), so the 5×5 window always lies inside;
 * - a step first writes the class (one-hot) at the centre pixel of the canvas,
 *   then moves; a move that would leave the margin keeps the cursor where it is
 *   and ends the trial;
 * - the reward is computed after the step, on the window around the (new)
 *   centre: R = count_nonzero(source window) + 0.09 · discovered, where
 *   discovered = 25 − (canvas-window pixels whose argmax is a non-blank class);
 *   R −= 5 when discovered == 0; R −= 15 when the centre source pixel is blank.
 *
 * The seed's three bugs are fixed, not copied (each documented where fixed):
 * 1. spawn: the seed samples ONE non-zero pixel and, when it lies in the margin,
 *    keeps the previous trial's centre (or none at all). We draw uniformly among
 *    the non-blank pixels inside the margin (`spawnCells`).
 * 2. the canvas silently carried over between trials. Here it is the explicit
 *    setting `canvas`: 'keep' (the map gets painted over all its trials, as the
 *    seed effectively did) or 'fresh' (blank at each trial).
 * 3. the seed's step counter ends a trial after max_steps − 1 acting steps
 *    (`can_move = step_number < max − 1` drops the last one). Here a trial has
 *    exactly `max_steps` acting steps unless a move leaves the margin first.
 *
 * Observation: Box [100] = the source window (25, row-major) then the canvas
 * window (75, row-major, 3 channels per pixel). Energies are the event's own.
 * Action: Tuple(Discrete(8) move, Discrete(3) class).
 */
import type { Env, ResetResult, StepResult } from '../env'
import type { BoxSpace, TupleSpace } from '../spaces'
import { Rng } from '../rng'
import { N_CLASSES, type DetectorEvent, type EventSource } from './event'

/** The game's moves, in its order, as (row, col) offsets. */
export const MOVES: readonly (readonly [number, number])[] = [
  [-1, -1],
  [-1, 0],
  [-1, 1],
  [0, -1],
  [0, 1],
  [1, -1],
  [1, 0],
  [1, 1],
]
export const MOVE_LABELS = ['up-left', 'up', 'up-right', 'left', 'right', 'down-left', 'down', 'down-right']

/** The 5×5 window's half width: the seed's r_low, and the margin. */
export const MARGIN = 2
export const WINDOW = 2 * MARGIN + 1
export const WINDOW_PIXELS = WINDOW * WINDOW
export const OBS_SIZE = WINDOW_PIXELS * (1 + N_CLASSES)

export type CanvasMode = 'keep' | 'fresh'
export type RewardMode = 'seed' | 'categorisation'

export interface LartpcRules {
  maxSteps: number
  trials: number
  canvas: CanvasMode
  reward: RewardMode
  /** Categorisation reward: `classReward · classWeights[true class]` for writing the true class. */
  classReward: number
  classWeights: readonly number[]
  /** Fraction of the events held out for the final evaluation (at least one event). */
  heldoutFraction: number
}

/** A step's reward, term by term (the replay shows them); `total` is their sum. */
export interface RewardTerms {
  /** count_nonzero(source window) */
  source: number
  /** 0.09 · (25 − painted non-blank pixels in the canvas window) */
  discovered: number
  /** −5 when every canvas-window pixel is painted non-blank, else 0 */
  painted: number
  /** −15 when the centre source pixel is blank, else 0 */
  blankCentre: number
  /** categorisation reward for writing the true class (0 under the seed's reward) */
  correct: number
  total: number
}

/** What each step reports besides its reward. */
export interface LartpcInfo {
  /** The reward's terms. */
  terms?: RewardTerms
  /** The true class of the pixel written this step (WorldInfo.spaces.labels: the agent's class head learns from it). */
  label?: number
  /** The pixel written this step, its written class and its true class. */
  written?: { row: number; col: number; cls: number; trueClass: number }
  /** This step ended its trial (the next observation is the next trial's spawn, or the episode ended). */
  trialEnd?: boolean
  /** Why the trial ended: the move left the margin, or max_steps were taken. */
  trialEndReason?: 'margin' | 'max_steps'
  /** The trial and step in it this step was (0-based). */
  trial?: number
  step?: number
  /** The event index the episode plays (at reset). */
  event?: number
}

/**
 * What a scene needs to draw the current state. The canvas is not in it: a
 * renderer re-simulates (or replays `written` step by step) and paints it.
 */
export interface LartpcRenderState {
  /** The event index in the run's data (fetch it through the API). */
  event: number
  width: number
  height: number
  /** The cursor's centre. */
  row: number
  col: number
  /** Current trial (0-based) and acting steps taken in it. */
  trial: number
  step: number
  trials: number
  maxSteps: number
  /** The pixel written by the last step and its class, or null right after a reset. */
  written: { row: number; col: number; cls: number } | null
  /** The last step's reward and its terms (null after a reset). */
  terms: RewardTerms | null
  done: boolean
}

const SEED_WEIGHTS = [1, 3.98, 6.79]

export const DEFAULT_RULES: LartpcRules = {
  maxSteps: 8,
  trials: 32,
  canvas: 'keep',
  reward: 'seed',
  classReward: 1,
  classWeights: SEED_WEIGHTS,
  heldoutFraction: 0.1,
}

/** How many of `count` events are held out (the last ones): round(count · fraction), at least 1, leaving at least 1 for training. */
export function heldoutCount(count: number, fraction: number): number {
  if (count < 2) return 0
  return Math.min(count - 1, Math.max(1, Math.round(count * fraction)))
}

/** Training events are the first `count − heldout`; the held-out ones the rest (a fixed split, so runs compare). */
export function trainingCount(count: number, fraction: number): number {
  return count - heldoutCount(count, fraction)
}

/** The event an episode with this seed plays, among the training events (what `dataNeeds` tells the renderer). */
export function eventIndexFor(seed: number, count: number, fraction: number): number {
  const n = trainingCount(count, fraction)
  if (n <= 0) throw new Error('the LArTPC world has no events to play: open a detector file for the run')
  return new Rng(seed).int(0, n)
}

/** The valid spawn cells of an event: non-blank pixels inside the margin, as row · width + col. */
export function spawnCells(ev: DetectorEvent): Int32Array {
  const out: number[] = []
  for (let r = MARGIN + 1; r < ev.height - MARGIN; r++) {
    for (let c = MARGIN + 1; c < ev.width - MARGIN; c++) if (ev.energy[r * ev.width + c] > 0) out.push(r * ev.width + c)
  }
  return Int32Array.from(out)
}

/** Inside the margin: every coordinate > 2 and < size − 2 (the seed's `_outside_marigin`, negated). */
export function insideMargin(row: number, col: number, height: number, width: number): boolean {
  return row > MARGIN && col > MARGIN && row < height - MARGIN && col < width - MARGIN
}

/**
 * The seed's reward on a window after the step: `source` is the 5×5 source
 * window, `canvas` the 5×5×3 canvas window (row-major, channels last).
 */
export function seedRewardTerms(source: ArrayLike<number>, canvas: ArrayLike<number>): RewardTerms {
  let nonzero = 0
  for (let i = 0; i < WINDOW_PIXELS; i++) if (source[i] !== 0) nonzero++
  let painted = 0
  for (let i = 0; i < WINDOW_PIXELS; i++) if (argmaxAt(canvas, i * N_CLASSES, N_CLASSES) !== 0) painted++
  const discovered = WINDOW_PIXELS - painted
  const terms: RewardTerms = {
    source: nonzero,
    discovered: 0.09 * discovered,
    painted: discovered === 0 ? -5 : 0,
    blankCentre: source[MARGIN * WINDOW + MARGIN] === 0 ? -15 : 0,
    correct: 0,
    total: 0,
  }
  terms.total = terms.source + terms.discovered + terms.painted + terms.blankCentre
  return terms
}

/** numpy's argmax over `n` values from `offset`: the first maximum (an all-zero pixel is class 0, blank). */
function argmaxAt(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0
  for (let k = 1; k < n; k++) if (values[offset + k] > values[offset + best]) best = k
  return best
}

export class LartpcEnv implements Env<LartpcRenderState, LartpcInfo, TupleSpace> {
  readonly id = 'lartpc-v1'
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [OBS_SIZE], low: 0, high: Infinity }
  readonly actionSpace: TupleSpace = {
    kind: 'tuple',
    parts: [
      { kind: 'discrete', n: MOVES.length, labels: MOVE_LABELS },
      { kind: 'discrete', n: N_CLASSES, labels: ['blank', 'EM shower', 'track'] },
    ],
    names: ['move', 'class'],
  }
  private readonly obs = new Float32Array(OBS_SIZE)
  private rng = new Rng(0)
  private ev: DetectorEvent | null = null
  private eventIndex = -1
  private spawns: Int32Array = new Int32Array(0)
  private canvas: Float32Array = new Float32Array(0)
  private row = 0
  private col = 0
  private trial = 0
  private stepInTrial = 0
  private done = true
  private lastWritten: LartpcRenderState['written'] = null
  private lastTerms: RewardTerms | null = null
  /** Per-episode tallies for episodeStats. */
  private written = 0
  private correct = 0
  private visited: Uint8Array = new Uint8Array(0)

  constructor(
    readonly rules: LartpcRules,
    private readonly events: EventSource | undefined,
    /** Which events episodes draw from: the training ones, or (final evaluation) the held-out ones by index. */
    private readonly split: 'train' | 'heldout' = 'train',
  ) {}

  /** Events this env's episodes can play. */
  get eventCount(): number {
    if (!this.events) return 0
    const train = trainingCount(this.events.count, this.rules.heldoutFraction)
    return this.split === 'train' ? train : this.events.count - train
  }

  /** Starts an episode on the event its seed picks (training split). */
  reset(seed = 0): ResetResult<LartpcInfo> {
    if (!this.events || this.events.count === 0) throw new Error('the LArTPC world has no events to play: open a detector file (or generate one) for the run')
    if (this.split === 'heldout') return this.resetOn(trainingCount(this.events.count, this.rules.heldoutFraction) + new Rng(seed).int(0, this.eventCount), seed)
    return this.resetOn(eventIndexFor(seed, this.events.count, this.rules.heldoutFraction), seed)
  }

  /** Starts an episode on a given event (the final evaluation plays every held-out event). */
  resetOn(eventIndex: number, seed: number): ResetResult<LartpcInfo> {
    if (!this.events) throw new Error('the LArTPC world has no events to play: open a detector file (or generate one) for the run')
    const ev = this.events.event(eventIndex)
    if (ev.width <= 2 * MARGIN + 1 || ev.height <= 2 * MARGIN + 1) throw new Error(`event ${eventIndex} is ${ev.width}×${ev.height}; the game needs more than 5×5 pixels`)
    this.ev = ev
    this.eventIndex = eventIndex
    // The episode's own stream (the event was picked from a separate one, so dataNeeds needs no spawn logic).
    this.rng = new Rng((seed ^ 0x5bd1e995) >>> 0)
    this.spawns = spawnCells(ev)
    this.canvas = new Float32Array(ev.width * ev.height * N_CLASSES)
    this.visited = new Uint8Array(ev.width * ev.height)
    this.written = 0
    this.correct = 0
    this.trial = 0
    this.done = false
    this.startTrial()
    this.observe()
    return { obs: this.obs, info: { event: eventIndex, trial: 0, step: 0 } }
  }

  /** A trial's start: a fresh canvas if so set, and a spawn drawn uniformly among the valid cells (bug 1 fixed). */
  private startTrial(): void {
    const ev = this.ev!
    if (this.rules.canvas === 'fresh') this.canvas.fill(0)
    this.stepInTrial = 0
    this.lastWritten = null
    this.lastTerms = null
    if (this.spawns.length > 0) {
      const cell = this.spawns[this.rng.int(0, this.spawns.length)]
      this.row = Math.floor(cell / ev.width)
      this.col = cell % ev.width
    } else {
      // An event with nothing inside the margin: start at its centre (every step there is blank, −15).
      this.row = Math.floor(ev.height / 2)
      this.col = Math.floor(ev.width / 2)
    }
  }

  step(action: (number | number[])[]): StepResult<LartpcInfo> {
    if (this.done || !this.ev) throw new Error('step() after the episode ended: call reset()')
    const move = action[0] as number
    const cls = action[1] as number
    if (!(Number.isInteger(move) && move >= 0 && move < MOVES.length)) throw new Error(`move ${move} is outside 0…${MOVES.length - 1}`)
    if (!(Number.isInteger(cls) && cls >= 0 && cls < N_CLASSES)) throw new Error(`class ${cls} is outside 0…${N_CLASSES - 1}`)
    const ev = this.ev
    // Write first (one-hot at the centre), then move: the seed's order.
    const px = this.row * ev.width + this.col
    for (let k = 0; k < N_CLASSES; k++) this.canvas[px * N_CLASSES + k] = k === cls ? 1 : 0
    const trueClass = ev.label[px]
    this.written++
    if (cls === trueClass) this.correct++
    this.visited[px] = 1
    const writtenAt = { row: this.row, col: this.col, cls, trueClass }
    const [dr, dc] = MOVES[move]
    const left = !insideMargin(this.row + dr, this.col + dc, ev.height, ev.width)
    if (!left) {
      this.row += dr
      this.col += dc
    }
    this.stepInTrial++
    // Reward on the window after the step.
    this.observe()
    const terms = seedRewardTerms(this.obs.subarray(0, WINDOW_PIXELS), this.obs.subarray(WINDOW_PIXELS))
    if (this.rules.reward === 'categorisation' && cls === trueClass) {
      terms.correct = this.rules.classReward * (this.rules.classWeights[trueClass] ?? 1)
      terms.total += terms.correct
    }
    const info: LartpcInfo = { terms, label: trueClass, written: writtenAt, trial: this.trial, step: this.stepInTrial - 1 }
    this.lastWritten = { row: writtenAt.row, col: writtenAt.col, cls }
    this.lastTerms = terms
    // Exactly max_steps acting steps per trial (bug 3 fixed), fewer only when a move leaves the margin.
    const trialEnd = left || this.stepInTrial >= this.rules.maxSteps
    let terminated = false
    if (trialEnd) {
      info.trialEnd = true
      info.trialEndReason = left ? 'margin' : 'max_steps'
      if (this.trial + 1 >= this.rules.trials) {
        terminated = true
        this.done = true
      } else {
        this.trial++
        this.startTrial()
        // The next trial's first observation; the finished trial's last window gave the reward above.
        this.observe()
        this.lastWritten = { row: writtenAt.row, col: writtenAt.col, cls }
        this.lastTerms = terms
      }
    }
    return { obs: this.obs, reward: terms.total, terminated, truncated: false, info }
  }

  /** Fills the observation: source window, then canvas window. */
  private observe(): void {
    const ev = this.ev!
    let o = 0
    for (let r = this.row - MARGIN; r <= this.row + MARGIN; r++) {
      for (let c = this.col - MARGIN; c <= this.col + MARGIN; c++) this.obs[o++] = ev.energy[r * ev.width + c]
    }
    for (let r = this.row - MARGIN; r <= this.row + MARGIN; r++) {
      const base = (r * ev.width + this.col - MARGIN) * N_CLASSES
      this.obs.set(this.canvas.subarray(base, base + WINDOW * N_CLASSES), o)
      o += WINDOW * N_CLASSES
    }
  }

  /** The canvas (H × W × 3, one-hot where written), for the final evaluation and tests. */
  get canvasMap(): Float32Array {
    return this.canvas
  }

  /** The event being played. */
  get event(): DetectorEvent | null {
    return this.ev
  }

  renderState(): LartpcRenderState {
    return {
      event: this.eventIndex,
      width: this.ev?.width ?? 0,
      height: this.ev?.height ?? 0,
      row: this.row,
      col: this.col,
      trial: this.trial,
      step: this.stepInTrial,
      trials: this.rules.trials,
      maxSteps: this.rules.maxSteps,
      written: this.lastWritten,
      terms: this.lastTerms,
      done: this.done,
    }
  }

  /** Won: at least 90 % of the episode's writes were the true class (the accuracy goal). */
  isWon(): boolean {
    return this.written > 0 && this.correct / this.written >= 0.9
  }

  /** accuracy: writes of the true class / writes; coverage: non-blank pixels written / non-blank pixels. */
  episodeStats(): Record<string, number> {
    let nonBlank = 0
    let covered = 0
    const ev = this.ev
    if (ev) {
      for (let i = 0; i < ev.label.length; i++) {
        if (ev.label[i] !== 0) {
          nonBlank++
          covered += this.visited[i]
        }
      }
    }
    return { accuracy: this.written ? this.correct / this.written : 0, coverage: nonBlank ? covered / nonBlank : 0 }
  }
}
