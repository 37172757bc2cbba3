/**
 * Sweeps: many runs of one env + algorithm over a grid or a random range per
 * setting, each configuration trained with N seeds. Which settings exist and
 * which values they take is the ParamSpec registry's to say (the world's and
 * the algorithm's lists, as `quarkade train --set` reads them); this file only
 * checks a request against it and expands it. Expansion is pure and
 * deterministic from the sweep's seed, so a stored sweep can be expanded again.
 */
import { z } from 'zod'
import { AGENT_RUN_METRICS } from './agent'
import { algosFor, findAlgo, findWorld, listWorlds, resolveWorldId } from './catalog'
import { paramsSchema, parseParamText, type ParamSpec, type ParamValues } from './params'
import { deriveSeed, Rng } from './rng'
import type { MetricSpec } from './world'

/** More runs than this is a typo (a grid of 100 × 100), not a sweep this app should queue. */
export const MAX_SWEEP_RUNS = 1000
/** Random configurations drawn when a sweep has random settings and no runs budget. */
export const DEFAULT_SAMPLES = 10
/** Episodes a run may take under a minutes budget: it runs until its time is up. */
export const UNTIL_TIME_IS_UP = 10_000_000

export type SweepValue = number | boolean | string | number[]
// Bounded so a hostile request stays small: a value, a grid, the settings of one sweep.
const sweepValue = z.union([z.number(), z.boolean(), z.string().max(200), z.array(z.number()).max(64)])
const MAX_SETTINGS = 32
const fewSettings = (r: Record<string, unknown>): boolean => Object.keys(r).length <= MAX_SETTINGS

/** What the Sweeps form and `quarkade sweep` send, before defaults. */
export const sweepRequestSchema = z.strictObject({
  env: z.string().min(1, 'choose an env').max(60),
  /** Absent: the world's default algorithm. */
  algo: z.string().max(60).optional(),
  /** Per setting (the algorithm's or the world's, by key): a list of values, or a range to draw from. */
  settings: z
    .record(
      z.string().max(60),
      z
        .strictObject({
          grid: z.array(sweepValue).max(MAX_SWEEP_RUNS, `a grid has at most ${MAX_SWEEP_RUNS} values`).optional(),
          random: z
            .strictObject({
              min: z.number({ error: 'a random range needs numbers' }),
              max: z.number({ error: 'a random range needs numbers' }),
              /** uniform in [min, max], or log-uniform (uniform in log space: learning rates). */
              scale: z.enum(['uniform', 'log'], { error: 'scale must be uniform or log' }).optional(),
            })
            .optional(),
        })
        .refine((a) => (a.grid === undefined) !== (a.random === undefined), 'each setting takes {grid: [values]} or {random: {min, max, scale}}'),
    )
    .refine(fewSettings, `at most ${MAX_SETTINGS} settings are swept at once`),
  /** Settings every run of the sweep takes (not swept). */
  fixed: z.record(z.string().max(60), sweepValue).refine(fewSettings, `at most ${MAX_SETTINGS} fixed settings`).optional(),
  seeds: z.number().int('seeds must be a whole number').min(1, 'seeds must be at least 1').max(100, 'seeds must be at most 100').optional(),
  budget: z
    .strictObject({
      /** Random search: configurations drawn from the random ranges. */
      runs: z.number().int('the runs budget must be a whole number').min(1, 'the runs budget must be at least 1').optional(),
      /** Episodes (epochs for data sets) per run; default: the world's. */
      episodes: z.number().int('the episodes budget must be a whole number').min(1, 'the episodes budget must be at least 1').max(UNTIL_TIME_IS_UP).optional(),
      /** Wall-clock minutes per run, counted from when its trainer starts; the run then stops and counts as landed. */
      minutes: z.number().positive('the minutes budget must be greater than 0').max(7 * 24 * 60, 'the minutes budget must be at most a week').optional(),
    })
    .optional(),
  metric: z.strictObject({ key: z.string().min(1).max(60), direction: z.enum(['max', 'min']).optional() }).optional(),
  seed: z.number().int('the sweep seed must be a whole number').min(0, 'the sweep seed must be ≥ 0').max(2 ** 32 - 1).optional(),
  /** Runs training at once (local). */
  parallel: z.number().int('parallel must be a whole number').min(1, 'parallel must be at least 1').max(64, 'parallel must be at most 64').optional(),
  on: z.enum(['local', 'slurm'], { error: 'on must be local or slurm' }).optional(),
  /** With `on: 'slurm'`: the array job's options (src/main/slurm checks them). */
  slurm: z
    .strictObject({
      partition: z.string().max(200).optional(),
      time: z.string().max(40).optional(),
      cpusPerTask: z.number().int().min(1).max(1024).optional(),
      gpusPerTask: z.number().int().min(0).max(64).optional(),
      account: z.string().max(200).optional(),
      extraLines: z.array(z.string().max(500)).max(32).optional(),
      /** The submission folder, on a filesystem the compute nodes share; default: under the data folder. */
      dir: z.string().min(1).max(1000).optional(),
    })
    .optional(),
  name: z.string().max(200).optional(),
})
export type SweepRequest = z.infer<typeof sweepRequestSchema>

export type SweepAxis =
  | { key: string; kind: 'grid'; target: 'params' | 'env_params'; values: SweepValue[] }
  | { key: string; kind: 'random'; target: 'params' | 'env_params'; type: 'number' | 'int'; min: number; max: number; scale: 'uniform' | 'log' }

/** A checked sweep with every default filled in: what the store keeps. */
export interface SweepSpec {
  env: string
  algo: string
  axes: SweepAxis[]
  fixed: { params: ParamValues; env_params: ParamValues }
  seeds: number
  /** Random configurations drawn (1 when no setting is random). */
  samples: number
  budget: { episodes: number; minutes: number | null }
  metric: { key: string; label: string; direction: 'max' | 'min' }
  seed: number
  parallel: number
  on: 'local' | 'slurm'
  /** The Slurm options asked for (`on: 'slurm'`), and once submitted where the submission lives. */
  slurm: (NonNullable<SweepRequest['slurm']> & { dir?: string; jobId?: string }) | null
  name: string
}

export interface SweepConfig {
  index: number
  /** The swept settings' values, by key. */
  values: Record<string, SweepValue>
}

export class SweepError extends Error {
  override name = 'SweepError'
}

/** The metrics a run of this world + algorithm records, by key (what a sweep may optimise). */
export function sweepMetrics(envId: string, algoId: string): MetricSpec[] {
  const world = findWorld(envId)
  const algo = findAlgo(algoId)
  if (!world || !algo) return []
  const stats = world.episodeStats.flatMap((s) => [
    { key: s.key, label: s.label, group: 'outcome' as const },
    { key: `mean_${s.key}`, label: `${s.label} (mean of last 100)`, group: 'outcome' as const },
  ])
  const all: MetricSpec[] = [...(world.kind === 'rl' ? AGENT_RUN_METRICS : []), ...algo.metrics, ...(world.metrics ?? []), ...stats]
  return all.filter((m, i) => all.findIndex((x) => x.key === m.key) === i)
}

const fmt = (v: SweepValue): string => (Array.isArray(v) ? v.join(',') : String(v))

/** The first problem of `value` for `spec`, in the spec's own words, or null. */
function valueProblem(spec: ParamSpec, value: unknown): string | null {
  const r = paramsSchema([spec]).safeParse({ [spec.key]: value })
  return r.success ? null : r.error.issues[0].message
}

/**
 * Checks a request against the registry and fills in defaults. Throws a
 * SweepError naming the first problem: an unknown env, algorithm, setting or
 * metric; a value its setting does not take; an empty grid; a bad range; too many runs.
 */
export function resolveSweep(input: unknown, defaults: { parallel: number; seed?: number }): SweepSpec {
  const parsed = sweepRequestSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new SweepError(`${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}`)
  }
  const req = parsed.data
  const worldId = resolveWorldId(req.env)
  const world = worldId ? findWorld(worldId) : undefined
  if (!world) throw new SweepError(`unknown env "${req.env}" (known: ${listWorlds().map((w) => w.family).join(', ')})`)
  const fitting = algosFor(world).map((a) => a.id)
  const algoId = req.algo ?? fitting[0]
  const algo = findAlgo(algoId ?? '')
  if (!algo || !fitting.includes(algo.id)) throw new SweepError(`unknown algo "${algoId}" for ${world.family} (known: ${fitting.join(', ')})`)
  const owned = new Set(Object.values(algo.runOwned ?? {}))
  const settingOf = (key: string): { spec: ParamSpec; target: 'params' | 'env_params' } => {
    if (owned.has(key)) throw new SweepError(`${key} is the run's own (its length or seed); set the sweep's budget or seeds instead`)
    const a = algo.params.find((s) => s.key === key)
    if (a) return { spec: a, target: 'params' }
    const w = world.params.find((s) => s.key === key)
    if (w) return { spec: w, target: 'env_params' }
    const known = [...algo.params, ...world.params].map((s) => s.key).filter((k) => !owned.has(k))
    throw new SweepError(`unknown setting "${key}" for ${world.family} + ${algo.id} (known: ${known.join(', ')})`)
  }

  const axes: SweepAxis[] = []
  for (const [key, axis] of Object.entries(req.settings)) {
    const { spec, target } = settingOf(key)
    if (axis.grid !== undefined) {
      if (axis.grid.length === 0) throw new SweepError(`the grid for ${key} is empty; give at least one value`)
      const seen = new Set<string>()
      for (const v of axis.grid) {
        const problem = valueProblem(spec, v)
        if (problem) throw new SweepError(`grid value ${fmt(v)} for ${key}: ${problem}`)
        if (seen.has(fmt(v))) throw new SweepError(`the grid for ${key} lists ${fmt(v)} twice`)
        seen.add(fmt(v))
      }
      axes.push({ key, kind: 'grid', target, values: axis.grid })
    } else if (axis.random !== undefined) {
      if (spec.type !== 'number' && spec.type !== 'int') throw new SweepError(`${key} is a ${spec.type} setting; a random range needs a number — give it a grid`)
      const { min, max } = axis.random
      const scale = axis.random.scale ?? 'uniform'
      if (!(min < max)) throw new SweepError(`the range for ${key} must have min < max, got ${min}:${max}`)
      if (scale === 'log' && min <= 0) throw new SweepError(`a log-uniform range for ${key} needs min > 0, got ${min}`)
      for (const end of [min, max]) {
        const problem = valueProblem(spec, spec.type === 'int' ? Math.round(end) : end)
        if (problem) throw new SweepError(`range end ${end} for ${key}: ${problem}`)
      }
      if (spec.type === 'int' && Math.ceil(min) > Math.floor(max)) throw new SweepError(`the range for ${key} holds no whole number`)
      axes.push({ key, kind: 'random', target, type: spec.type, min, max, scale })
    }
  }

  const fixed: SweepSpec['fixed'] = { params: {}, env_params: {} }
  for (const [key, value] of Object.entries(req.fixed ?? {})) {
    if (key in req.settings) throw new SweepError(`${key} is both swept and fixed; give it one or the other`)
    const { spec, target } = settingOf(key)
    const problem = valueProblem(spec, value)
    if (problem) throw new SweepError(`fixed ${key}: ${problem}`)
    fixed[target][key] = value
  }

  const random = axes.some((a) => a.kind === 'random')
  if (req.budget?.runs !== undefined && !random) throw new SweepError('a runs budget sets how many random configurations to draw; this sweep has no random setting')
  const samples = random ? (req.budget?.runs ?? DEFAULT_SAMPLES) : 1
  const seeds = req.seeds ?? 1
  const gridSize = axes.reduce((n, a) => (a.kind === 'grid' ? n * a.values.length : n), 1)
  const runs = gridSize * samples * seeds
  if (runs > MAX_SWEEP_RUNS) {
    throw new SweepError(`this sweep makes ${runs} runs (${gridSize} grid points × ${samples} random draws × ${seeds} seeds); at most ${MAX_SWEEP_RUNS} — narrow it`)
  }

  const metrics = sweepMetrics(world.id, algo.id)
  const metricKey = req.metric?.key ?? world.successMetric.key
  const metricSpec = metrics.find((m) => m.key === metricKey)
  if (!metricSpec) throw new SweepError(`unknown metric "${metricKey}" for ${world.family} + ${algo.id} (known: ${metrics.map((m) => m.key).join(', ')})`)
  const direction = req.metric?.direction ?? (metricSpec.better === 'lower' ? 'min' : 'max')
  if (req.slurm && req.on !== 'slurm') throw new SweepError('Slurm options go with on: slurm')
  if (req.on === 'slurm' && req.budget?.minutes !== undefined) throw new SweepError("a minutes budget is not kept on Slurm; give the array job a time limit (Slurm's --time) and an episodes budget")
  const minutes = req.budget?.minutes ?? null
  const episodes = req.budget?.episodes ?? (minutes !== null ? UNTIL_TIME_IS_UP : world.defaultEpisodes)
  const seed = req.seed ?? defaults.seed ?? Math.floor(Math.random() * 2 ** 31)
  return {
    env: world.id,
    algo: algo.id,
    axes,
    fixed,
    seeds,
    samples,
    budget: { episodes, minutes },
    metric: { key: metricKey, label: metricKey === world.successMetric.key ? world.successMetric.label : metricSpec.label, direction },
    seed,
    parallel: req.parallel ?? defaults.parallel,
    on: req.on ?? 'local',
    slurm: req.on === 'slurm' ? (req.slurm ?? {}) : null,
    name: req.name ?? `${world.label} · ${algo.label} sweep`,
  }
}

/** Significant digits kept of a random draw: enough to tell values apart, short enough to read. */
const DIGITS = 4

function draw(rng: Rng, axis: Extract<SweepAxis, { kind: 'random' }>): number {
  const u = rng.random()
  const v = axis.scale === 'log' ? Math.exp(Math.log(axis.min) + u * (Math.log(axis.max) - Math.log(axis.min))) : axis.min + u * (axis.max - axis.min)
  if (axis.type === 'int') return Math.min(Math.floor(axis.max), Math.max(Math.ceil(axis.min), Math.round(v)))
  return Math.min(axis.max, Math.max(axis.min, Number(v.toPrecision(DIGITS))))
}

/**
 * Every configuration: the grid's points (the last setting varies fastest),
 * each crossed with the random draws (draw s uses its own stream of the
 * sweep's seed, so adding draws keeps the earlier ones).
 */
export function sweepConfigs(spec: SweepSpec): SweepConfig[] {
  let points: Record<string, SweepValue>[] = [{}]
  for (const axis of spec.axes) {
    if (axis.kind !== 'grid') continue
    points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.key]: v })))
  }
  const randomAxes = spec.axes.filter((a): a is Extract<SweepAxis, { kind: 'random' }> => a.kind === 'random')
  const draws = Array.from({ length: spec.samples }, (_, s) => {
    const rng = new Rng(deriveSeed(spec.seed, 2 * s))
    return Object.fromEntries(randomAxes.map((a) => [a.key, draw(rng, a)]))
  })
  const configs: SweepConfig[] = []
  for (const p of points) for (const d of draws) configs.push({ index: configs.length, values: { ...p, ...d } })
  return configs
}

/** The seeds each configuration trains with: the same for every configuration, so seeds are paired across them. */
export function sweepSeeds(spec: SweepSpec): number[] {
  return Array.from({ length: spec.seeds }, (_, i) => deriveSeed(spec.seed, 2 * i + 1))
}

export function sweepRunCount(spec: SweepSpec): number {
  return sweepConfigs(spec).length * spec.seeds
}

/** The train request (src/shared/api.ts) of one run of the sweep. */
export function sweepTrainRequest(spec: SweepSpec, config: SweepConfig, seed: number, name: string): Record<string, unknown> {
  const params: ParamValues = { ...spec.fixed.params }
  const envParams: ParamValues = { ...spec.fixed.env_params }
  for (const axis of spec.axes) (axis.target === 'params' ? params : envParams)[axis.key] = config.values[axis.key]
  return { env: spec.env, algo: spec.algo, seed, episodes: spec.budget.episodes, params, env_params: envParams, name }
}

/**
 * A grid typed as text ("1e-3, 5e-4"), each value read as its setting reads it;
 * a list setting's values are separated by ';' ("64,64; 128,128"). What cannot
 * be read stays text, so the setting's own check names the problem.
 */
export function parseGridText(spec: ParamSpec | undefined, text: string): SweepValue[] {
  if (text.trim() === '') return []
  return text.split(spec?.type === 'int-list' ? ';' : ',').map((part) => parseParamText(spec, part.trim()) as SweepValue)
}

/** "lr=0.001 gamma=0.93": a configuration in one line. */
export function describeConfig(values: Record<string, SweepValue>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(' ')
}
