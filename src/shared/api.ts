/**
 * The contract between the renderer and the services: every request, response
 * and event as a zod schema. Both hosts (Electron IPC and the web WebSocket)
 * validate against these, so a payload is checked the same way everywhere.
 */
import { z } from 'zod'
import { algosFor, defaultParams, describeAlgo, describeWorld, effectiveEnvParams, findAlgo, findWorld, listWorlds, makeEnv, resolveWorldId } from '../core/catalog'
import { trackFromJSON, type TrackJson } from '../core/racer/track'
import { paramsSchema, type ParamValues } from '../core/params'
import { LARTPC_CLASSES, N_CLASSES, PILARNET_TYPES, type Projection } from '../core/lartpc/event'
import { sweepRequestSchema } from '../core/sweep'
import { sweepDetailSchema, sweepSummarySchema } from './sweeps'

export const BACKENDS = ['auto', 'node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const
export type BackendChoice = (typeof BACKENDS)[number]

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'stopped', 'failed'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'stopped', 'failed']
/** A tfjs LayersModel's files, as an export holds them. */
export const MODEL_FILE_NAMES = ['model.json', 'weights.bin'] as const

/** How a 3-D detector file (PILArNet) is shown and played as 2-D events. */
export const projectionSchema = z.strictObject({
  plane: z.enum(['xy', 'yz', 'xz'], { error: 'projection plane must be xy, yz or xz' }),
  resolution: z.number().int('resolution must be a whole number').min(16, 'resolution must be at least 16 pixels').max(2048, 'resolution must be at most 2048 pixels'),
  classMap: z
    .array(z.number().int().min(0).max(N_CLASSES - 1, `a class must be 0…${N_CLASSES - 1} (${LARTPC_CLASSES.join(', ')})`))
    .length(PILARNET_TYPES.length, `classMap needs one class for each of ${PILARNET_TYPES.join(', ')}`),
})

/** A detector file (any of the three LArTPC formats) as the data browser and runs see it. */
export const detectorOverviewSchema = z.object({
  path: z.string(),
  name: z.string(),
  /** npz: lartpc_game's image/label .npz folder; pilarnet: PILArNet-M 3-D HDF5; quarkade: Quarkade's 2-D HDF5 schema. */
  format: z.enum(['npz', 'pilarnet', 'quarkade']),
  /** "lartpc_game npz folder (image/label pairs)", in words for headers and `inspect`. */
  formatLabel: z.string(),
  count: z.number(),
  width: z.number(),
  height: z.number(),
  /** The projection used (3-D formats only). */
  projection: projectionSchema.nullable(),
})
export type DetectorOverview = z.infer<typeof detectorOverviewSchema>

const paramValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.number())])

/** What the Train form and the CLI send to start a run, before defaults. */
export const trainRequestSchema = z.strictObject({
  env: z.string(),
  /** Absent: the world's default algorithm (WorldInfo.defaultAlgo, else the first that fits). */
  algo: z.string().optional(),
  seed: z.number().int('seed must be a whole number').min(0, 'seed must be ≥ 0').max(2 ** 32 - 1, 'seed must fit in 32 bits').optional(),
  episodes: z.number().int('episodes must be a whole number').min(1, 'episodes must be at least 1').max(10_000_000).optional(),
  backend: z.enum(BACKENDS, { error: `backend must be one of ${BACKENDS.join(', ')}` }).optional(),
  target: z
    .strictObject({ metric: z.string(), value: z.number() })
    .nullable()
    .optional(),
  checkpoint_every: z.number().int().min(0, 'checkpoint_every must be ≥ 0 (0 = only at the end)').optional(),
  replay_every: z.number().int().min(1, 'replay_every must be at least 1').optional(),
  params: z.record(z.string(), paramValue).optional(),
  env_params: z.record(z.string(), paramValue).optional(),
  /** Data-set runs (jets): the HDF5 file to learn from, and its channel names if not the default. */
  data: z
    .strictObject({ path: z.string().min(1, 'choose a data file'), channels: z.array(z.string()).optional(), projection: projectionSchema.optional() })
    .optional(),
  /** Pixel Racer: a track name (built-in or from the library), or a track in JSON form. */
  track: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  name: z.string().max(200).optional(),
})
export type TrainRequest = z.infer<typeof trainRequestSchema>

/** A fully resolved run configuration: every default filled in, every value checked. */
export interface RunConfig {
  env: string
  algo: string
  seed: number
  episodes: number
  backend: BackendChoice
  target: { metric: string; value: number } | null
  checkpoint_every: number
  replay_every: number
  params: ParamValues
  env_params: ParamValues
  /** The track itself (Pixel Racer), so a run stays reproducible when the library changes. */
  track: TrackJson | null
  /** The data file of a data-set run (jets). */
  data: { path: string; channels: string[] | null; projection?: Projection } | null
  name: string
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue.path.length ? `${issue.path.join('.')}: ` : ''
  // Messages written for a key already name it; don't say it twice.
  const message = issue.message
  return where && message.startsWith(String(issue.path[issue.path.length - 1])) ? message : where + message
}

/**
 * Resolves a train request into a RunConfig, or throws ConfigError naming the
 * first problem. `resolveTrack` turns a track name or JSON into a validated
 * track (the main process passes one that also knows the track library).
 */
export function resolveRunConfig(input: unknown, resolveTrack?: (track: string | Record<string, unknown>) => TrackJson): RunConfig {
  const parsed = trainRequestSchema.safeParse(input)
  if (!parsed.success) throw new ConfigError(firstIssue(parsed.error))
  const req = parsed.data
  const worldId = resolveWorldId(req.env)
  const env = worldId ? findWorld(worldId) : undefined
  if (!env) throw new ConfigError(`unknown env "${req.env}" (known: ${listWorlds().map((w) => w.family).join(', ')})`)
  const fitting = algosFor(env).map((a) => a.id)
  req.algo ??= fitting[0] ?? ''
  const algo = findAlgo(req.algo)
  if (!algo || !fitting.includes(req.algo)) {
    const why = algo ? (algo.supports(env) ?? `${algo.label} is not offered for ${env.label}`) : `unknown algo "${req.algo}" for ${req.env}`
    throw new ConfigError(`${why} (known: ${fitting.join(', ')})`)
  }
  const specs = algo.params
  const unknown = Object.keys(req.params ?? {}).find((k) => !specs.some((s) => s.key === k))
  if (unknown !== undefined) {
    throw new ConfigError(`unknown parameter "${unknown}" for ${req.algo} (known: ${specs.map((s) => s.key).join(', ')})`)
  }
  const params = paramsSchema(specs).safeParse({ ...defaultParams(env.id, req.algo), ...(req.params ?? {}) })
  if (!params.success) throw new ConfigError(firstIssue(params.error))
  const envUnknown = Object.keys(req.env_params ?? {}).find((k) => !env.params.some((s) => s.key === k))
  if (envUnknown !== undefined) {
    const known = env.params.map((s) => s.key).join(', ')
    throw new ConfigError(`unknown setting "${envUnknown}" for ${req.env}${known ? ` (known: ${known})` : ' (it has none)'}`)
  }
  const envParams = paramsSchema(env.params).safeParse(effectiveEnvParams(env.id, req.algo, req.env_params ?? {}))
  if (!envParams.success) throw new ConfigError(firstIssue(envParams.error))
  let track: TrackJson | null = null
  if (env.track) {
    if (!resolveTrack) throw new ConfigError(`${req.env} needs a track, and this host cannot resolve one`)
    try {
      track = resolveTrack(req.track ?? 'track1')
    } catch (e) {
      throw new ConfigError((e as Error).message)
    }
  } else if (req.track !== undefined) {
    throw new ConfigError(`${req.env} does not use a track`)
  }
  if (env.data && !req.data) throw new ConfigError(`${req.env} needs a data file (${env.data.description})`)
  if (!env.data && req.data) throw new ConfigError(`${req.env} does not read a data file`)
  const data = req.data ? { path: req.data.path, channels: req.data.channels ?? null, ...(req.data.projection ? { projection: req.data.projection } : {}) } : null
  const seed = req.seed ?? Math.floor(Math.random() * 2 ** 31)
  let episodes = req.episodes ?? env.defaultEpisodes
  const values = params.data as ParamValues
  // Settings the run owns (a VAE's epochs and seed) follow the run's own values.
  const owned = algo.runOwned
  if (owned?.episodes) {
    episodes = req.episodes ?? (req.params?.[owned.episodes] as number | undefined) ?? (values[owned.episodes] as number)
    values[owned.episodes] = episodes
  }
  if (owned?.seed) values[owned.seed] = seed
  // What the algorithm checks of the whole configuration (a DQN's replay memory must fit its budget).
  if (algo.checkSettings && env.make) {
    const problem = algo.checkSettings(values, makeEnv(env.id, envParams.data, 0, track ? { track: trackFromJSON(track, { validate: false }) } : {}))
    if (problem) throw new ConfigError(problem)
  }
  const target = req.target ?? null
  if (target && target.metric !== env.successMetric.key) {
    throw new ConfigError(`unknown target metric "${target.metric}" for ${req.env} (use ${env.successMetric.key})`)
  }
  if (target && !(target.value > 0 && target.value <= 1)) {
    throw new ConfigError(`target ${target.metric} must be in (0, 1], got ${target.value}`)
  }
  return {
    env: env.id,
    algo: req.algo,
    seed,
    episodes,
    backend: req.backend ?? 'auto',
    target,
    checkpoint_every: req.checkpoint_every ?? 100,
    replay_every: req.replay_every ?? 10,
    params: values,
    env_params: envParams.data,
    track,
    data,
    name: req.name ?? defaultRunName([env.label, algo.label, ...(track?.name ? [track.name] : [])], [...changedSettings(algo.params, values, defaultParams(env.id, req.algo), Object.values(owned ?? {})), ...changedSettings(env.params, envParams.data as ParamValues, effectiveEnvParams(env.id, req.algo, {}), [])], seed),
  }
}

/** The settings whose values differ from their defaults, as [key, value], in the specs' order (those the run owns left out). */
function changedSettings(specs: readonly { key: string }[], values: ParamValues, defaults: ParamValues, skip: readonly string[]): [string, ParamValues[string]][] {
  return specs.filter((s) => !skip.includes(s.key) && JSON.stringify(values[s.key]) !== JSON.stringify(defaults[s.key])).map((s) => [s.key, values[s.key]])
}

/** Changed settings a default name lists before it says "+N more". */
const NAME_SETTINGS = 3

/**
 * A run's name when the user gives none, made to tell runs apart in tables and legends:
 * "Catch · DQN · lr 0.01 · seed 4" — what it is, the settings changed from the defaults, its seed.
 */
export function defaultRunName(what: readonly string[], changed: readonly [string, ParamValues[string]][], seed: number): string {
  const shown = changed.slice(0, NAME_SETTINGS).map(([k, v]) => `${k} ${Array.isArray(v) ? (v.length ? v.join(',') : '[]') : String(v)}`)
  if (changed.length > NAME_SETTINGS) shown.push(`+${changed.length - NAME_SETTINGS} more`)
  return [...what, ...shown, `seed ${seed}`].join(' · ')
}

export const runSummarySchema = z.object({
  id: z.number(),
  name: z.string(),
  env: z.string(),
  algo: z.string(),
  seed: z.number(),
  backend: z.string().nullable(),
  /** Why each faster backend was skipped when the run started, one line each ("webgpu: no adapter (…)"). */
  backendSkipped: z.array(z.string()),
  status: z.enum(RUN_STATUSES),
  statusReason: z.string().nullable(),
  config: z.custom<RunConfig>(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  episodesDone: z.number(),
  envSteps: z.number(),
  gradSteps: z.number(),
  /** Latest value of each metric. */
  latest: z.record(z.string(), z.number()),
  /** Episode of the newest saved policy network (for Play and Export); null if there is none. */
  modelEpisode: z.number().nullable(),
})
export type RunSummary = z.infer<typeof runSummarySchema>

export const metricPointSchema = z.object({ key: z.string(), step: z.number(), value: z.number(), time: z.number() })
export type MetricPoint = z.infer<typeof metricPointSchema>

export const episodeRowSchema = z.object({
  episode: z.number(),
  seed: z.number(),
  return: z.number(),
  length: z.number(),
  won: z.boolean(),
  hasReplay: z.boolean(),
})
export type EpisodeRow = z.infer<typeof episodeRowSchema>

export const replaySchema = z.object({
  runId: z.number(),
  env: z.string(),
  episode: z.number(),
  seed: z.number(),
  /** Actions flat in the world's action-space encoding (spaces.ts). */
  actions: z.array(z.number()),
  /** Per-step agent outputs (Q-values, probabilities), flattened [steps × nActions]; null where not recorded. */
  outputs: z.array(z.number()).nullable(),
  return: z.number(),
  won: z.boolean(),
})
export type Replay = z.infer<typeof replaySchema>

export const systemInfoSchema = z.object({
  version: z.string(),
  host: z.enum(['electron', 'web', 'cli']),
  dataDir: z.string(),
  /** Whether system.pickFolder shows a native dialog (desktop app) or the UI must ask for a path. */
  nativeDialogs: z.boolean(),
})
export type SystemInfo = z.infer<typeof systemInfoSchema>

export const catalogSchema = z.object({
  envs: z.array(z.custom<ReturnType<typeof describeWorld>>()),
  algos: z.array(z.custom<ReturnType<typeof describeAlgo>>()),
  backends: z.array(z.string()),
})
export type Catalog = z.infer<typeof catalogSchema>

const runId = z.strictObject({ id: z.number().int().positive() })

export const histogramSchema = z.object({
  edges: z.array(z.number()),
  counts: z.array(z.number()),
  min: z.number(),
  max: z.number(),
  count: z.number(),
  /** Values read when the dataset is too long to read whole (an evenly spaced sample). */
  sampled: z.number().optional(),
})

/** An opened HDF5 file: its tree and whether it holds jet images (and if not, why). */
export interface H5TreeNode {
  name: string
  path: string
  kind: 'group' | 'dataset' | 'link' | 'datatype'
  shape?: number[]
  dtype?: string
  chunks?: number[] | null
  compression?: unknown
  attributes: Record<string, unknown>
  children?: H5TreeNode[]
}
export interface FileOverview {
  path: string
  name: string
  bytes: number
  tree: H5TreeNode
  jets: { ok: true; events: number; imageShape: number[]; channels: string[]; warnings: string[] } | { ok: false; problem: string }
  /** Every known data schema's verdict on the file (src/main/data/schemas.ts): what data-backed worlds can read it. */
  schemas: Record<string, { ok: true } | { ok: false; problem: string }>
}

/** The agent's action values over every cell of a track (Q-table heatmap, policy arrows). */
export const policySchema = z.object({
  runId: z.number(),
  episode: z.number(),
  width: z.number(),
  height: z.number(),
  nActions: z.number(),
  /** [width·height × nActions], row-major by cell y·width + x; NaN (null in JSON) on walls. */
  q: z.array(z.number().nullable()),
})
export type Policy = z.infer<typeof policySchema>

export const trackInfoSchema = z.object({
  name: z.string(),
  builtin: z.boolean(),
  width: z.number(),
  height: z.number(),
  /** BFS moves from the start to the nearest goal; null if unreachable. */
  shortest: z.number().nullable(),
  updatedAt: z.number().nullable(),
})
export type TrackInfo = z.infer<typeof trackInfoSchema>

const playedGameSchema = z.object({
  seed: z.number(),
  return: z.number(),
  length: z.number(),
  won: z.boolean(),
  stats: z.record(z.string(), z.number()),
})
const playedEpisodeSchema = playedGameSchema.extend({
  episode: z.number(),
  actions: z.array(z.number()),
  outputs: z.array(z.number()),
})

export const playResultSchema = z.object({
  backend: z.string(),
  winFraction: z.number(),
  meanReturn: z.number(),
  episodes: z.array(playedEpisodeSchema),
})
export type PlayResult = z.infer<typeof playResultSchema>

/** Two runs' models as one (src/core/agents/combined.ts): A while the world's phase ≥ atLeast, then B; and each alone on the same games. */
export const combinedPlayResultSchema = z.object({
  backend: z.string(),
  runs: z.tuple([z.number(), z.number()]),
  /** What the switch reads (WorldInfo.phase: the maze's lives). */
  phase: z.object({ key: z.string(), label: z.string() }),
  atLeast: z.number(),
  seed: z.number(),
  /** The combined games, re-simulatable from seed + actions; `actors[t]` is 0 when A chose step t, 1 when B did. */
  games: z.array(playedEpisodeSchema.extend({ actors: z.array(z.number()) })),
  /** The same games played by A alone and by B alone. */
  alone: z.tuple([z.array(playedGameSchema), z.array(playedGameSchema)]),
})
export type CombinedPlayResult = z.infer<typeof combinedPlayResultSchema>

/** A saved reward function as listed: its weights, or why its file cannot be read. */
export const savedRewardSchema = z.object({
  name: z.string(),
  weights: z.record(z.string(), z.number()).optional(),
  problem: z.string().optional(),
  updatedAt: z.number(),
})
export type SavedRewardInfo = z.infer<typeof savedRewardSchema>

/** Every request the renderer may make: name → input and output schemas. */
export const apiMethods = {
  'catalog.get': { input: z.strictObject({}), output: catalogSchema },
  'system.info': { input: z.strictObject({}), output: systemInfoSchema },
  /** A native file dialog (desktop app only); null when the user cancels. */
  'system.pickFile': {
    input: z.strictObject({ title: z.string().max(200), extensions: z.array(z.string().max(10)).max(20) }),
    output: z.object({ path: z.string().nullable() }),
  },
  /** A native folder dialog (desktop app only); null when the user cancels. */
  'system.pickFolder': {
    input: z.strictObject({ title: z.string().max(200), purpose: z.enum(['open', 'save']) }),
    output: z.object({ path: z.string().nullable() }),
  },
  'runs.list': { input: z.strictObject({}), output: z.array(runSummarySchema) },
  'runs.get': { input: runId, output: runSummarySchema },
  'runs.start': { input: trainRequestSchema, output: runSummarySchema },
  'runs.pause': { input: runId, output: runSummarySchema },
  'runs.resume': {
    input: z.strictObject({ id: z.number().int().positive(), episodes: z.number().int().min(1, 'episodes must be at least 1').optional() }),
    output: runSummarySchema,
  },
  'runs.play': {
    input: z.strictObject({
      id: z.number().int().positive(),
      episodes: z.number().int().min(1, 'episodes must be at least 1').max(1000, 'play at most 1000 episodes at once'),
      seed: z.number().int().min(0).optional(),
    }),
    output: playResultSchema,
  },
  'runs.playCombined': {
    input: z.strictObject({
      a: z.number().int().positive(),
      b: z.number().int().positive(),
      atLeast: z.number().int('the switch level must be a whole number').min(0, 'the switch level must be at least 0').max(1000, 'the switch level must be at most 1000'),
      episodes: z.number().int().min(1, 'episodes must be at least 1').max(1000, 'play at most 1000 episodes at once'),
      seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    }),
    output: combinedPlayResultSchema,
  },
  'runs.export': {
    input: z.strictObject({ id: z.number().int().positive(), dir: z.string().min(1, 'choose a folder') }),
    output: z.object({ files: z.array(z.string()) }),
  },
  /** The newest saved model's files, for a download (web mode): which checkpoint, each file's size. */
  'runs.modelFiles': {
    input: runId,
    output: z.object({ checkpoint: z.number().int(), files: z.array(z.object({ name: z.enum(MODEL_FILE_NAMES), bytes: z.number().int() })) }),
  },
  /** One piece (≤ 4 MiB, base64) of a checkpoint's model file from `offset`; `next` is where the next piece starts, null at the end. */
  'runs.modelChunk': {
    input: z.strictObject({ id: z.number().int().positive(), checkpoint: z.number().int().min(0), file: z.enum(MODEL_FILE_NAMES), offset: z.number().int().min(0) }),
    output: z.object({ data: z.string(), next: z.number().int().nullable() }),
  },
  'models.import': {
    input: z.strictObject({ dir: z.string().min(1, 'choose a folder'), env: z.string(), name: z.string().max(200).optional() }),
    output: runSummarySchema,
  },
  'runs.stop': { input: runId, output: runSummarySchema },
  'runs.delete': { input: runId, output: z.strictObject({ deleted: z.number() }) },
  /** Each series thinned to at most `maxPoints` points (min/max per step bucket; default 8000), optionally only steps in [fromStep, toStep]. */
  'runs.metrics': {
    input: z.strictObject({
      id: z.number().int().positive(),
      keys: z.array(z.string()).optional(),
      maxPoints: z.number().int().min(4).max(100_000).optional(),
      fromStep: z.number().optional(),
      toStep: z.number().optional(),
    }),
    output: z.array(metricPointSchema),
  },
  'runs.episodes': { input: runId, output: z.array(episodeRowSchema) },
  'runs.policy': {
    input: runId,
    output: policySchema.nullable(),
  },
  /** Episodes after which the run kept its policy (Pixel Racer's training days); empty for runs from before v10. */
  'runs.policyEpisodes': { input: runId, output: z.array(z.number()) },
  /** The policy as it was after `episode` episodes; null where none was kept then. */
  'runs.policyAt': {
    input: z.strictObject({ id: z.number().int().positive(), episode: z.number().int().min(0) }),
    output: policySchema.nullable(),
  },
  /**
   * A VAE run's results: {n, pixelMse, baselinePixelMse, pixelMseByChannel[], baselinePixelMseByChannel[], energyRatio[], channels, imageShape,
   * w1Reco {mass, pt}, w1Prior {mass, pt}, latentAuc, latent {pca, pcaExplained, umap, labels},
   * examples {count, original, reconstructed}, samples {count, images}}; arrays of floats
   * (images count×H×W×C, 2-D points n×2) travel as base64 little-endian float32. Null until ready.
   */
  'runs.results': { input: runId, output: z.record(z.string(), z.unknown()).nullable() },
  'tracks.list': { input: z.strictObject({}), output: z.array(trackInfoSchema) },
  'tracks.get': { input: z.strictObject({ name: z.string().min(1) }), output: z.custom<TrackJson>() },
  'tracks.save': {
    input: z.strictObject({ track: z.record(z.string(), z.unknown()), overwrite: z.boolean().optional() }),
    output: trackInfoSchema,
  },
  'tracks.delete': { input: z.strictObject({ name: z.string().min(1) }), output: z.strictObject({ deleted: z.string() }) },
  /** Saved reward functions (src/main/services/rewards.ts): `<data dir>/rewards/NAME.json`. */
  'rewards.list': { input: z.strictObject({}), output: z.array(savedRewardSchema) },
  'rewards.save': {
    input: z.strictObject({
      name: z.string().max(60, 'a reward name has at most 60 characters'),
      weights: z.record(z.string().max(40), z.number()).refine((w) => Object.keys(w).length <= 32, 'at most 32 weights'),
      overwrite: z.boolean().optional(),
    }),
    output: z.object({ name: z.string(), weights: z.record(z.string(), z.number()), path: z.string() }),
  },
  'rewards.delete': {
    input: z.strictObject({ name: z.string().max(60, 'a reward name has at most 60 characters') }),
    output: z.object({ deleted: z.string(), reward: z.object({ name: z.string(), weights: z.record(z.string(), z.number()) }).nullable() }),
  },
  'files.open': { input: z.strictObject({ path: z.string().min(1, 'choose a file') }), output: z.custom<FileOverview>() },
  'files.recent': {
    input: z.strictObject({}),
    output: z.array(z.object({ path: z.string(), name: z.string(), openedAt: z.number(), exists: z.boolean(), jets: z.boolean() })),
  },
  'files.forget': { input: z.strictObject({ path: z.string() }), output: z.strictObject({}) },
  'files.slice': {
    input: z.strictObject({ path: z.string(), dataset: z.string(), index: z.array(z.number().int().min(0).nullable()) }),
    output: z.object({ shape: z.array(z.number()), data: z.array(z.number()), min: z.number(), max: z.number(), dtype: z.string() }),
  },
  'files.histogram': {
    input: z.strictObject({ path: z.string(), dataset: z.string(), bins: z.number().int().min(1).max(1000), log: z.boolean().optional() }),
    output: histogramSchema,
  },
  'files.setChannels': {
    input: z.strictObject({ path: z.string(), channels: z.array(z.string().min(1).max(40)).min(1) }),
    output: z.strictObject({}),
  },
  'jets.event': {
    input: z.strictObject({ path: z.string(), index: z.number().int().min(0) }),
    output: z.object({
      index: z.number(),
      image: z.array(z.number()),
      shape: z.array(z.number()),
      m0: z.number(),
      pt: z.number(),
      y: z.number(),
      channels: z.array(z.string()),
    }),
  },
  'jets.summary': {
    input: z.strictObject({ path: z.string(), bins: z.number().int().min(2).max(500).optional() }),
    output: z.object({
      events: z.number(),
      quarks: z.number(),
      gluons: z.number(),
      /** Events read when the file is too long to summarise whole (an evenly spaced sample). */
      sampled: z.number().optional(),
      m0: z.object({ edges: z.array(z.number()), quark: z.array(z.number()), gluon: z.array(z.number()) }),
      pt: z.object({ edges: z.array(z.number()), quark: z.array(z.number()), gluon: z.array(z.number()) }),
    }),
  },
  /** The generated quark/gluon sample offered on first run (made once in the data folder). */
  'jets.sample': { input: z.strictObject({ events: z.number().int().min(10).max(100000).optional() }), output: z.object({ path: z.string() }) },
  /** Generated LArTPC events (Quarkade's 2-D schema, 256 × 256) offered when no detector file is at hand (made once in the data folder). */
  'detector.sample': { input: z.strictObject({ events: z.number().int().min(10).max(5000).optional() }), output: z.object({ path: z.string() }) },
  /** A LArTPC detector file or npz folder: its format and event count (one line naming the problem if it is not one). */
  'detector.open': { input: z.strictObject({ path: z.string().min(1, 'choose a detector file or folder'), projection: projectionSchema.optional() }), output: detectorOverviewSchema },
  /** One event: energies (base64 little-endian float32) and truth classes (base64 uint8), row-major height × width. */
  'detector.event': {
    input: z.strictObject({ path: z.string().min(1), index: z.number().int().min(0), projection: projectionSchema.optional() }),
    output: z.object({
      index: z.number(),
      width: z.number(),
      height: z.number(),
      energy: z.string(),
      label: z.string(),
      /** Pixels of each class (LARTPC_CLASSES order). */
      classCounts: z.array(z.number()),
      /** Largest energy and smallest non-zero energy, for the log colour scale. */
      energyMax: z.number(),
      energyMinPositive: z.number(),
    }),
  },
  'replays.get': {
    input: z.strictObject({ runId: z.number().int().positive(), episode: z.number().int().min(0) }),
    output: replaySchema,
  },
  /** Sweeps (src/main/services/sweeps.ts): many runs over settings × seeds, run as a local queue. */
  'sweeps.create': { input: sweepRequestSchema, output: sweepSummarySchema },
  /** A Slurm sweep's batch script and submission folder, to show before submitting; writes nothing. */
  'sweeps.slurmScript': { input: sweepRequestSchema, output: z.object({ dir: z.string(), script: z.string(), tasks: z.number() }) },
  'sweeps.list': { input: z.strictObject({}), output: z.array(sweepSummarySchema) },
  'sweeps.get': { input: runId, output: sweepDetailSchema },
  'sweeps.pause': { input: runId, output: sweepSummarySchema },
  'sweeps.resume': { input: runId, output: sweepSummarySchema },
  'sweeps.cancel': { input: runId, output: sweepSummarySchema },
  'sweeps.resubmit': { input: runId, output: sweepSummarySchema },
} as const

export type ApiMethod = keyof typeof apiMethods
export type ApiInput<M extends ApiMethod> = z.input<(typeof apiMethods)[M]['input']>
export type ApiOutput<M extends ApiMethod> = z.infer<(typeof apiMethods)[M]['output']>

/** Live episode record for the live view: enough to re-simulate and draw it. */
export const liveEpisodeSchema = z.object({
  episode: z.number(),
  seed: z.number(),
  actions: z.array(z.number()),
  outputs: z.array(z.number()).nullable(),
  return: z.number(),
  won: z.boolean(),
})
export type LiveEpisode = z.infer<typeof liveEpisodeSchema>

/** Events pushed from services to the renderer. */
export const apiEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run.updated'), run: runSummarySchema }),
  z.object({ type: z.literal('run.deleted'), runId: z.number() }),
  z.object({ type: z.literal('run.metrics'), runId: z.number(), points: z.array(metricPointSchema) }),
  z.object({ type: z.literal('run.live'), runId: z.number(), episode: liveEpisodeSchema }),
  z.object({ type: z.literal('run.policy'), policy: policySchema }),
  z.object({ type: z.literal('tracks.changed') }),
  z.object({ type: z.literal('run.results'), runId: z.number() }),
  /** A sweep changed: its status, or one of its runs started or landed. */
  z.object({ type: z.literal('sweep.updated'), sweep: sweepSummarySchema }),
  /** The desktop app's File › Open chose a data file: the Data view opens it. */
  z.object({ type: z.literal('ui.openFile'), path: z.string() }),
])
export type ApiEvent = z.infer<typeof apiEventSchema>

/** The one interface the renderer uses to reach the services, whatever the host. */
export interface QuarkadeApi {
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>
  subscribe(listener: (event: ApiEvent) => void): () => void
}

/** Error text sent across a host boundary: the message only, never a stack. */
export class ApiError extends Error {
  override name = 'ApiError'
}
