/**
 * The LArTPC categorisation game as a registered, data-backed world: its maps
 * are the events of the run's detector file (schema 'lartpc'); the trainer
 * opens them and passes them as `assets.events`. See env.ts for the rules.
 *
 * What a renderer relies on (documented shapes):
 * - `renderState()` → LartpcRenderState (env.ts): event index, cursor (row,
 *   col), trial, step in trial, the pixel written by the last step and its
 *   class, the last reward's terms.
 * - step `info` → LartpcInfo (env.ts): `terms` (source, discovered, painted,
 *   blankCentre, correct, total), `written` {row, col, cls, trueClass},
 *   `trialEnd`, `trialEndReason`, `trial`, `step`.
 * - `dataNeeds(params, seed, count)` → [the one event index the episode plays]:
 *   fetch it, wrap it as an EventSource `{count, event: () => fetched}`, make
 *   the env with `{events}` and re-simulate seed + actions.
 * - final results (`runs.results`, `evaluate` below): LartpcResults.
 */
import type { Env } from '../env'
import type { ParamValues } from '../params'
import type { EnvAssets, GreedyAct, MetricSpec, WorldEvaluation, WorldInfo } from '../world'
import { LARTPC_CLASSES, N_CLASSES, type EventSource } from './event'
import { DEFAULT_RULES, LartpcEnv, eventIndexFor, heldoutCount, trainingCount, type LartpcRules } from './env'

/** Short keys of the classes in metric names. */
const CLASS_KEYS = ['blank', 'shower', 'track'] as const

/** The most held-out events the final evaluation plays (each one episode of `trials` trials). */
export const MAX_EVAL_EVENTS = 200

export function rulesFrom(params: ParamValues): LartpcRules {
  return {
    maxSteps: params.max_steps as number,
    trials: params.trials as number,
    canvas: params.canvas as LartpcRules['canvas'],
    reward: params.reward as LartpcRules['reward'],
    classReward: params.class_reward as number,
    classWeights: [params.weight_blank as number, params.weight_shower as number, params.weight_track as number],
    heldoutFraction: params.heldout_fraction as number,
  }
}

/** What `runs.results` holds for a LArTPC run: the final evaluation on held-out events. */
export interface LartpcResults {
  kind: 'lartpc'
  classes: string[]
  /** Held-out events played (one episode each) and steps taken. */
  events: number
  eventIndices: number[]
  steps: number
  /** Over visited pixels, the class written last on each. */
  visitedPixels: number
  pixelAccuracy: number
  /** Per true class: visited pixels, accuracy (recall), IoU. */
  perClass: { class: string; pixels: number; accuracy: number; iou: number }[]
  /** Non-blank pixels visited / non-blank pixels. */
  coverage: number
  /** confusion[true][written] in visited pixels. */
  confusion: number[][]
  rewardPerTrial: number
}

export const LARTPC_RESULT_METRICS: readonly MetricSpec[] = [
  { key: 'pixel_accuracy', label: 'Pixel accuracy (held-out)', group: 'results', fraction: true, better: 'higher' },
  ...CLASS_KEYS.map((k, i): MetricSpec => ({ key: `accuracy_${k}`, label: `Accuracy · ${LARTPC_CLASSES[i]}`, group: 'results', fraction: true, better: 'higher' })),
  ...CLASS_KEYS.map((k, i): MetricSpec => ({ key: `iou_${k}`, label: `IoU · ${LARTPC_CLASSES[i]}`, group: 'results', fraction: true, better: 'higher' })),
  { key: 'heldout_coverage', label: 'Coverage of non-blank pixels (held-out)', group: 'results', fraction: true, better: 'higher' },
  { key: 'reward_per_trial', label: 'Reward per trial (held-out)', group: 'results', better: 'higher' },
]

/**
 * Plays every held-out event (up to MAX_EVAL_EVENTS) once with the greedy
 * policy and grades the canvas it paints: over the pixels it visited, the
 * class it wrote last on each against the truth.
 */
export async function evaluateLartpc(params: ParamValues, assets: EnvAssets, act: GreedyAct): Promise<WorldEvaluation> {
  const events = assets.events
  if (!events) throw new Error('the LArTPC evaluation needs the run\'s events')
  const rules = rulesFrom(params)
  const env = new LartpcEnv(rules, events, 'heldout')
  const first = trainingCount(events.count, rules.heldoutFraction)
  const n = Math.min(MAX_EVAL_EVENTS, heldoutCount(events.count, rules.heldoutFraction))
  const confusion = Array.from({ length: N_CLASSES }, () => new Array<number>(N_CLASSES).fill(0))
  let steps = 0
  let reward = 0
  let trials = 0
  let nonBlank = 0
  let covered = 0
  const eventIndices: number[] = []
  for (let k = 0; k < n; k++) {
    const index = first + k
    eventIndices.push(index)
    let obs = env.resetOn(index, k).obs
    const ev = env.event!
    const lastWritten = new Int8Array(ev.width * ev.height).fill(-1)
    for (;;) {
      const a = await act(obs)
      const r = env.step(a as number[])
      steps++
      reward += r.reward
      const w = r.info.written!
      lastWritten[w.row * ev.width + w.col] = w.cls
      if (r.info.trialEnd) trials++
      obs = r.obs
      if (r.terminated || r.truncated) break
    }
    for (let i = 0; i < lastWritten.length; i++) {
      if (ev.label[i] !== 0) {
        nonBlank++
        if (lastWritten[i] >= 0) covered++
      }
      if (lastWritten[i] >= 0) confusion[ev.label[i]][lastWritten[i]]++
    }
  }
  const visited = confusion.flat().reduce((a, b) => a + b, 0)
  const diagonal = confusion.reduce((s, row, i) => s + row[i], 0)
  const perClass = LARTPC_CLASSES.map((name, c) => {
    const truth = confusion[c].reduce((a, b) => a + b, 0)
    const written = confusion.reduce((s, row) => s + row[c], 0)
    const tp = confusion[c][c]
    return { class: name, pixels: truth, accuracy: truth ? tp / truth : NaN, iou: truth + written - tp ? tp / (truth + written - tp) : NaN }
  })
  const results: LartpcResults = {
    kind: 'lartpc',
    classes: [...LARTPC_CLASSES],
    events: n,
    eventIndices,
    steps,
    visitedPixels: visited,
    pixelAccuracy: visited ? diagonal / visited : NaN,
    perClass,
    coverage: nonBlank ? covered / nonBlank : NaN,
    confusion,
    rewardPerTrial: trials ? reward / trials : NaN,
  }
  const metrics: Record<string, number> = { pixel_accuracy: results.pixelAccuracy, heldout_coverage: results.coverage, reward_per_trial: results.rewardPerTrial }
  CLASS_KEYS.forEach((k, i) => {
    metrics[`accuracy_${k}`] = perClass[i].accuracy
    metrics[`iou_${k}`] = perClass[i].iou
  })
  return { metrics, results: results as unknown as Record<string, unknown> }
}

export function makeLartpcEnv(params: ParamValues, events: EventSource | undefined): LartpcEnv {
  return new LartpcEnv(rulesFrom(params), events)
}

const D = DEFAULT_RULES

export const lartpcWorld: WorldInfo = {
  id: 'lartpc-v1',
  family: 'lartpc',
  version: 1,
  kind: 'rl',
  label: 'LArTPC categorisation',
  description:
    'Walk over a 2-D liquid-argon TPC event with 8 moves, seeing 5×5 windows of the energies and of your own canvas, and write a class (blank / EM shower / track) to each pixel you stand on (lartpc_game). One episode = one event played for a number of trials.',
  defaultAlgo: 'two-head-dqn',
  defaultEpisodes: 300,
  successMetric: { key: 'mean_accuracy', label: 'Class accuracy (last 100)', target: 0.9 },
  paramDefaults: {},
  params: [
    { key: 'max_steps', label: 'Steps per trial', type: 'int', default: D.maxSteps, min: 1, max: 10_000, help: 'Acting steps in a trial (exactly this many, unless a move leaves the margin first).' },
    { key: 'trials', label: 'Trials per event', type: 'int', default: D.trials, min: 1, max: 10_000, help: 'Trials played on one event (map) per episode; each spawns on a random non-blank pixel inside the margin.' },
    { key: 'canvas', label: 'Canvas between trials', type: 'select', default: D.canvas, options: ['keep', 'fresh'], help: 'keep: the canvas stays painted for all trials of an event (the seed did this silently); fresh: blank at each trial.' },
    { key: 'reward', label: 'Reward', type: 'select', default: D.reward, options: ['seed', 'categorisation'], help: "seed: the game's reward (non-blank pixels seen, undiscovered pixels, −5 all painted, −15 blank centre; never rewards the class); categorisation: also + class reward × class weight for writing the true class." },
    { key: 'class_reward', label: 'Class reward', type: 'number', default: D.classReward, min: 0, max: 1000, help: 'Categorisation reward: added, times the true class weight, when the written class is the true one.' },
    { key: 'weight_blank', label: 'Weight · blank', type: 'number', default: D.classWeights[0], min: 0, max: 1000, help: 'Categorisation reward weight of the blank class.' },
    { key: 'weight_shower', label: 'Weight · EM shower', type: 'number', default: D.classWeights[1], min: 0, max: 1000, help: 'Categorisation reward weight of the EM shower class.' },
    { key: 'weight_track', label: 'Weight · track', type: 'number', default: D.classWeights[2], min: 0, max: 1000, help: 'Categorisation reward weight of the track class.' },
    { key: 'heldout_fraction', label: 'Held-out events', type: 'number', default: D.heldoutFraction, min: 0, exclusiveMin: true, max: 0.9, help: 'Fraction of the events (the last ones, at least one) kept out of training for the final evaluation.' },
  ],
  episodeStats: [
    { key: 'accuracy', label: 'Class accuracy of writes' },
    { key: 'coverage', label: 'Coverage of non-blank pixels' },
  ],
  metrics: LARTPC_RESULT_METRICS,
  spaces: { observation: 'box', action: 'tuple', labels: true },
  data: { schema: 'lartpc', description: 'a LArTPC detector file (Quarkade 2-D HDF5, PILArNet HDF5, or a folder of lartpc_game npz pairs)' },
  outcome: (won, state) => {
    const s = state as { trial?: number } | undefined
    return won ? 'Categorised ≥ 90 %' : s?.trial !== undefined ? `Below 90 % after ${s.trial + 1} trials` : 'Below 90 %'
  },
  // WorldInfo.make is typed with the Discrete Env most worlds have; agents read the tuple through `spaces` (supports()).
  make: (params, _seed, assets) => makeLartpcEnv(params, assets.events) as unknown as Env,
  dataNeeds: (params, seed, count) => [eventIndexFor(seed, count, params.heldout_fraction as number)],
  evaluate: evaluateLartpc,
}
