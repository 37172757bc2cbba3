/**
 * The command-line host: the same services as the app, no UI. Trainer jobs run
 * as child processes and land in the same run store.
 *
 *   quarkade train --env catch --algo dqn [--seed N] [--episodes N] [--target win_rate=0.9]
 *                  [--set key=value ...] [--env-set key=value ...] [--backend auto|node-gpu|node|wasm|cpu] [--data-dir DIR] [--json]
 *   quarkade train --env maze [--algo dqn] --reward life_penalty|FILE.json --set death_pen=100 [...]
 *   quarkade train --resume RUN_ID [--episodes N] [--data-dir DIR] [--json]
 *   quarkade play --run RUN_ID [--episodes N] [--seed S] [--json]
 *   quarkade play --combine A,B --switch-at K [--episodes N] [--seed S] [--json]
 *   quarkade export --run RUN_ID --out DIR
 *   quarkade import --model DIR --env ENV [--name TEXT] [--json]
 *   quarkade runs [--data-dir DIR] [--json]
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseCliArgs } from './cli-args'
import { userMessage } from '../../shared/user-message'
import { defaultDataDir } from '../services/data-dir'
import { openRunStore } from '../services/open-store'
import type * as BackendProbeModule from '../trainer/backend-probe'
import type * as H5FileModule from '../h5/file'
import type * as SchemasModule from '../data/schemas'
import type * as BuiltinTracksModule from '../../core/racer/builtin-tracks'
import type * as TrackModule from '../../core/racer/track'
import type { TrackJson } from '../../core/racer/track'
import type * as CatalogModule from '../../core/catalog'
import type * as ParamsModule from '../../core/params'
import type * as ApiModule from '../../shared/api'
import type { RunConfig, RunSummary, TrainRequest } from '../../shared/api'
import type * as ServicesModule from '../services'
import type * as LauncherModule from '../services/launcher'
import type * as ModelsModule from '../services/models'
import type * as TracksModule from '../services/tracks'
import type * as CliDataModule from './cli-data'
import type * as CliRewardsModule from './cli-rewards'
import type * as CliCombineModule from './cli-combine'
import type * as CliSlurmModule from './cli-slurm'

// `runs` needs only the run store. Everything else (the worlds' catalog and zod, the job and
// model services with tfjs, HDF5 with h5wasm) loads in loadCommandModules, from main, before
// any other command runs: the CLI answers `runs` without compiling or loading them.
let backendProblem: typeof BackendProbeModule.backendProblem
let openH5: typeof H5FileModule.openH5
let dataSchema: typeof SchemasModule.dataSchema
let opensAsHdf5: typeof SchemasModule.opensAsHdf5
let BUILTIN_TRACK_NAMES: typeof BuiltinTracksModule.BUILTIN_TRACK_NAMES
let MAX_TRACK_FILE_CHARS: typeof TrackModule.MAX_TRACK_FILE_CHARS
let parseTrackFile: typeof TrackModule.parseTrackFile
let shortestPath: typeof TrackModule.shortestPath
let trackFromJSON: typeof TrackModule.trackFromJSON
let trackToJSON: typeof TrackModule.trackToJSON
let algosFor: typeof CatalogModule.algosFor
let findAlgo: typeof CatalogModule.findAlgo
let findWorld: typeof CatalogModule.findWorld
let parseParamText: typeof ParamsModule.parseParamText
let ConfigError: typeof ApiModule.ConfigError | undefined
let resolveRunConfig: typeof ApiModule.resolveRunConfig
let createServices: typeof ServicesModule.createServices
let childProcessLauncher: typeof LauncherModule.childProcessLauncher
let exportModel: typeof ModelsModule.exportModel
let importModel: typeof ModelsModule.importModel
let TrackLibrary: typeof TracksModule.TrackLibrary
let cliData: typeof CliDataModule
let cliRewards: typeof CliRewardsModule
let cliCombine: typeof CliCombineModule
let cliSlurm: typeof CliSlurmModule

async function loadCommandModules(): Promise<void> {
  const [probe, h5, schemas, builtinTracks, track, catalog, params, api, services, launcher, models, tracks, data, rewards, combine, slurm] = await Promise.all([
    import('../trainer/backend-probe'),
    import('../h5/file'),
    import('../data/schemas'),
    import('../../core/racer/builtin-tracks'),
    import('../../core/racer/track'),
    import('../../core/catalog'),
    import('../../core/params'),
    import('../../shared/api'),
    import('../services'),
    import('../services/launcher'),
    import('../services/models'),
    import('../services/tracks'),
    import('./cli-data'),
    import('./cli-rewards'),
    import('./cli-combine'),
    import('./cli-slurm'),
  ])
  ;({ backendProblem } = probe)
  ;({ openH5 } = h5)
  ;({ dataSchema, opensAsHdf5 } = schemas)
  ;({ BUILTIN_TRACK_NAMES } = builtinTracks)
  ;({ MAX_TRACK_FILE_CHARS, parseTrackFile, shortestPath, trackFromJSON, trackToJSON } = track)
  ;({ algosFor, findAlgo, findWorld } = catalog)
  ;({ parseParamText } = params)
  ;({ ConfigError, resolveRunConfig } = api)
  ;({ createServices } = services)
  ;({ childProcessLauncher } = launcher)
  ;({ exportModel, importModel } = models)
  ;({ TrackLibrary } = tracks)
  ;[cliData, cliRewards, cliCombine, cliSlurm] = [data, rewards, combine, slurm]
}

const usage = (): string => `usage:
  quarkade train --env catch --algo dqn [--seed N] [--episodes N] [--target win_rate=0.9]
                 [--set key=value ...] [--env-set key=value ...] [--backend auto|node-gpu|node|wasm|cpu]
                 [--checkpoint-every N] [--replay-every N] [--name TEXT] [--data-dir DIR] [--json]
  quarkade train --resume RUN_ID [--episodes N]     continue a stopped/failed run from its last checkpoint
  quarkade play --run RUN_ID [--episodes N] [--seed S] [--json]   greedy play; prints the win fraction
  ${cliCombine.COMBINE_USAGE}
  quarkade export --run RUN_ID --out DIR           the run's model as tfjs LayersModel (model.json + weights.bin)
  quarkade import --model DIR --env ENV [--name TEXT] [--json]    a model to play or keep training
  quarkade train --env racer --track track1|track2|NAME|FILE --algo qtable|qnn-onehot|qnn-map|dqn [...]
  quarkade train --env maze [--algo dqn] --reward vanilla|life_penalty|death_tax|ghostbusters|split_q|parameterized|custom|SAVED|FILE.json
                 [--set death_pen=500 --set ghost_mul=2 ...]   (--set also takes the world's settings; --algo defaults to the world's)
  quarkade train --env jets --algo vae --data FILE.h5 [--epochs N] [--channels Track,ECAL,HCAL] [--set key=value ...]
  quarkade train --env lartpc --data FILE_OR_FOLDER [--algo two-head-dqn|two-head-dqn-seed] [--env-set reward=categorisation ...]
                 (--algo may be left out: each world has a default algorithm)
  quarkade tracks [--data-dir DIR] [--json]           the track library (built-in and saved tracks)
  quarkade runs [--data-dir DIR] [--json]
  ${cliSlurm.SLURM_USAGE}
  quarkade sweep --env catch --algo dqn --grid lr=1e-3,5e-4 --random gamma=0.8:0.99 --seeds 3 --budget-episodes 500 [--json]   (quarkade sweep --help for more)
  ${cliRewards.REWARD_USAGE}
  ${cliData.INSPECT_USAGE}
  ${cliData.GEN_USAGE}

Runs are stored in the same place as the desktop app's (override with --data-dir or QUARKADE_DATA_DIR).`

class UsageError extends Error {}

function integer(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const v = Number(text)
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} expects a number, got "${text}"`)
  return v
}

/** --track takes a built-in or library name, or a track file (the seed's format, or .json). */
function trackArgument(value: string): string | Record<string, unknown> {
  if (!fs.existsSync(value) || !fs.statSync(value).isFile()) return value
  const bytes = fs.statSync(value).size
  if (bytes > MAX_TRACK_FILE_CHARS) throw new UsageError(`${value}: the file is ${bytes} bytes; a track file has at most ${MAX_TRACK_FILE_CHARS}`)
  const text = fs.readFileSync(value, 'utf8')
  const name = path.basename(value).replace(/\.[^.]*$/, '')
  try {
    if (value.toLowerCase().endsWith('.json')) return { ...(JSON.parse(text) as Record<string, unknown>), name }
    return { ...trackToJSON(parseTrackFile(text, { name })), name }
  } catch (e) {
    throw new UsageError(`${value}: ${userMessage(e)}`)
  }
}

/** Turns `train` flags into a resolved RunConfig; throws before anything is written. */
export function trainConfigFromArgs(args: string[]): {
  config: RunConfig | null
  resume?: { runId: number; episodes: number | undefined }
  dataDir: string
  json: boolean
} {
  const { values, positionals } = parseCliArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      algo: { type: 'string' },
      seed: { type: 'string' },
      episodes: { type: 'string' },
      target: { type: 'string' },
      set: { type: 'string', multiple: true },
      backend: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      'replay-every': { type: 'string' },
      name: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      resume: { type: 'string' },
      'env-set': { type: 'string', multiple: true },
      track: { type: 'string' },
      data: { type: 'string' },
      channels: { type: 'string' },
      epochs: { type: 'string' },
      reward: { type: 'string' },
    },
  })
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  if (values.resume !== undefined) {
    const extra = Object.keys(values).filter((k) => !['resume', 'episodes', 'data-dir', 'json'].includes(k))
    if (extra.length) throw new UsageError(`--resume continues a run with its own settings; drop --${extra[0]}`)
    const runId = integer('resume', values.resume)!
    return { resume: { runId, episodes: integer('episodes', values.episodes) }, config: null, dataDir: values['data-dir'] ?? defaultDataDir(), json: values.json ?? false }
  }
  if (!values.env) throw new UsageError('--env is required (e.g. --env catch)')
  // Without --algo the world's default algorithm trains (resolveRunConfig picks it the same way).
  const world = findWorld(values.env)
  const algo = values.algo ?? (world ? algosFor(world)[0]?.id : undefined)
  const specs = findAlgo(algo ?? '')?.params ?? []
  const envSpecs = world?.params ?? []
  const params: Record<string, unknown> = {}
  const envParams: Record<string, unknown> = {}
  for (const item of values.set ?? []) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new UsageError(`malformed --set "${item}": expected key=value`)
    const key = item.slice(0, eq)
    // A key the algorithm does not have but the world does is a world setting (--set death_pen=100).
    const envSpec = specs.some((s) => s.key === key) ? undefined : envSpecs.find((s) => s.key === key)
    if (envSpec) envParams[key] = parseParamText(envSpec, item.slice(eq + 1))
    else params[key] = parseParamText(specs.find((s) => s.key === key), item.slice(eq + 1))
  }
  const dataDir = values['data-dir'] ?? defaultDataDir()
  if (values.reward !== undefined) Object.assign(envParams, cliRewards.rewardSettings(values.reward, envSpecs, dataDir))
  let target: TrainRequest['target']
  if (values.target !== undefined) {
    const m = /^([a-z_]+)=(.+)$/.exec(values.target)
    const value = m ? Number(m[2]) : NaN
    if (!m || !Number.isFinite(value)) throw new UsageError(`malformed --target "${values.target}": expected metric=value, e.g. win_rate=0.9`)
    target = { metric: m[1], value }
  }
  for (const item of values['env-set'] ?? []) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new UsageError(`malformed --env-set "${item}": expected key=value`)
    envParams[item.slice(0, eq)] = parseParamText(
      envSpecs.find((s) => s.key === item.slice(0, eq)),
      item.slice(eq + 1),
    )
  }
  if (values.epochs !== undefined && values.episodes !== undefined) throw new UsageError('give --epochs or --episodes, not both')
  const request = {
    env: values.env,
    env_params: envParams,
    data: values.data === undefined ? undefined : { path: path.resolve(values.data), ...(values.channels ? { channels: values.channels.split(',').map((c) => c.trim()) } : {}) },
    track: values.track === undefined ? undefined : trackArgument(values.track),
    algo,
    seed: integer('seed', values.seed),
    episodes: integer('episodes', values.episodes ?? values.epochs),
    backend: values.backend,
    target,
    checkpoint_every: integer('checkpoint-every', values['checkpoint-every']),
    replay_every: integer('replay-every', values['replay-every']),
    params,
    name: values.name,
  }
  const clean = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined))
  const config = resolveRunConfig(clean, (t) => resolveTrackReadOnly(t, dataDir))
  return { config, dataDir, json: values.json ?? false }
}

/**
 * Resolves a track while validating arguments, before anything is written: built-ins
 * and track JSON need nothing; a library name is looked up only if the library exists.
 */
function resolveTrackReadOnly(track: string | Record<string, unknown>, dataDir: string): TrackJson {
  if (typeof track !== 'string' || (BUILTIN_TRACK_NAMES as string[]).includes(track) || !fs.existsSync(dataDir)) {
    return new TrackLibrary(null).resolve(track)
  }
  const services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
  try {
    return services.tracks.resolve(track)
  } finally {
    services.store.close()
  }
}

function resultJson(run: RunSummary, wallS: number): Record<string, unknown> {
  const racer = run.config.track !== null
  const vae = findAlgo(run.algo)?.kind === 'generative'
  const num = (v: number | undefined): number | null => (v === undefined ? null : v)
  return {
    run_id: run.id,
    status: run.status,
    status_reason: run.statusReason,
    env: run.env,
    algo: run.algo,
    backend: run.backend,
    seed: run.seed,
    episodes: run.episodesDone,
    env_steps: run.envSteps,
    grad_steps: run.gradSteps,
    wall_s: Math.round(wallS * 1000) / 1000,
    ...run.latest,
    ...(racer
      ? {
          greedy_steps: run.latest.greedy_reached === 1 ? run.latest.greedy_steps : null,
          shortest_steps: shortestPath(trackFromJSON(run.config.track, { validate: false }))?.steps ?? null,
          track: run.config.track?.name ?? null,
        }
      : {}),
    ...(vae
      ? {
          data: run.config.data?.path,
          epochs: run.episodesDone,
          val_loss: num(run.latest.val_loss),
          mse: num(run.latest.mse),
          w1_mass: num(run.latest.w1_mass),
          w1_pt: num(run.latest.w1_pt),
          latent_auc: num(run.latest.latent_auc),
          latent_auc_95: run.latest.latent_auc_lo === undefined ? null : [num(run.latest.latent_auc_lo), num(run.latest.latent_auc_hi)],
          images_per_s: num(run.latest.images_per_s),
        }
      : {}),
    metrics: run.latest,
  }
}

/**
 * Means over all of an agent run's episodes (the metrics' `mean_*` are of the last 100):
 * `mean_return`, and `run_means` of the return and each episode stat (a maze's score).
 */
function runMeans(services: ServicesModule.Services, run: RunSummary): Record<string, unknown> {
  const world = findWorld(run.env)
  if (world?.kind !== 'rl') return {}
  const keys = ['return', ...world.episodeStats.map((s) => s.key)]
  const sums = new Map<string, { sum: number; n: number }>()
  for (const p of services.store.metrics(run.id, keys)) {
    const m = sums.get(p.key) ?? { sum: 0, n: 0 }
    m.sum += p.value
    m.n++
    sums.set(p.key, m)
  }
  const means = Object.fromEntries([...sums].map(([k, m]) => [k, m.sum / m.n]))
  return { mean_return: means.return ?? null, run_means: means }
}

function progressLine(run: RunSummary): string {
  const l = run.latest
  if (findAlgo(run.algo)?.kind === 'generative') {
    const g = (v: number | undefined, d = 4): string => (v === undefined ? '—' : v.toFixed(d))
    return `run ${run.id} ${run.status} · epoch ${run.episodesDone}/${run.config.episodes} · train_loss ${g(l.train_loss, 1)} · val_loss ${g(l.val_loss, 1)} · ${g(l.images_per_s, 0)} images/s`
  }
  const f = (v: number | undefined, d = 3): string => (v === undefined ? '—' : v.toFixed(d))
  return (
    `run ${run.id} ${run.status} · episode ${run.episodesDone}/${run.config.episodes}` +
    ` · win_rate ${f(l.win_rate, 2)} · loss ${f(l.loss, 4)} · ε ${f(l.epsilon, 2)} · ${f(l.env_steps_per_s, 0)} steps/s`
  )
}

/** Checks what the trainer would find out too late — after the run and the database are written. */
async function preflight(config: RunConfig): Promise<void> {
  const backend = await backendProblem(config.backend)
  if (backend) throw new UsageError(backend)
  if (config.data) {
    const target = path.resolve(config.data.path)
    const file = opensAsHdf5(target)
      ? await openH5(target).catch((e: unknown) => {
          throw new UsageError(userMessage(e))
        })
      : null
    try {
      const schema = findWorld(config.env)?.data?.schema
      const found = schema ? dataSchema(schema).detect(target, file, config.data.channels) : null
      if (found && !found.ok) throw new UsageError(found.problem)
    } finally {
      file?.close()
    }
  }
}

async function train(args: string[]): Promise<number> {
  if (cliSlurm.wantsSlurm(args)) return cliSlurm.trainOnSlurm(args, { trainConfigFromArgs, resultJson })
  const { config, resume, dataDir, json } = trainConfigFromArgs(args)
  if (resume && !fs.existsSync(dataDir)) throw new UsageError(`no runs in ${dataDir}`)
  if (config) await preflight(config)
  const services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
  const started = performance.now()
  const tty = process.stderr.isTTY
  let lastPrint = 0
  let run: RunSummary
  try {
    if (config) await services.files.prepareRunData(config)
    run = resume ? services.jobs.resume(resume.runId, resume.episodes) : services.jobs.start(config!)
  } catch (e) {
    await services.close()
    throw new UsageError(userMessage(e))
  }
  services.api.subscribe((e) => {
    if (e.type !== 'run.updated' || e.run.id !== run.id) return
    const now = performance.now()
    if (now - lastPrint < (tty ? 200 : 2000) && !services.jobs.isFinal(e.run)) return
    lastPrint = now
    process.stderr.write(tty ? `\r\x1b[2K${progressLine(e.run)}` : `${progressLine(e.run)}\n`)
  })
  let interrupts = 0
  // Ctrl-C, `kill` (SIGTERM) and a closed terminal (SIGHUP) all stop the run cleanly: status
  // `stopped` with a final checkpoint. A second signal kills the trainer.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++interrupts === 1) {
      process.stderr.write(signal === 'SIGINT' ? '\nstopping (Ctrl-C again to kill the trainer)…\n' : `\n${signal}: stopping the run…\n`)
      if (services.jobs.active.includes(run.id)) services.jobs.stop(run.id)
    } else {
      void services.jobs.shutdown(0)
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
  // A closed terminal makes writes to it fail; the run must still end cleanly.
  process.stderr.on('error', () => {})
  const final = await services.jobs.waitForEnd(run.id)
  if (tty) process.stderr.write('\n')
  process.stderr.write(`run ${final.id} ${final.status}: ${final.statusReason ?? ''}\n`)
  const means = runMeans(services, final)
  await services.close()
  if (json) process.stdout.write(JSON.stringify({ ...resultJson(final, (performance.now() - started) / 1000), ...means }) + '\n')
  return final.status === 'failed' ? 1 : 0
}

function openExisting(dataDir: string | undefined): ServicesModule.Services {
  const dir = dataDir ?? defaultDataDir()
  if (!fs.existsSync(dir)) throw new UsageError(`no runs in ${dir}`)
  return createServices({ dataDir: dir, launcher: childProcessLauncher(), host: 'cli' })
}

async function play(args: string[]): Promise<number> {
  const { values } = parseCliArgs({
    args,
    strict: true,
    options: {
      run: { type: 'string' },
      combine: { type: 'string' },
      'switch-at': { type: 'string' },
      episodes: { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
    },
  })
  if (values.combine !== undefined) return cliCombine.playCombinedCommand(values, openExisting)
  if (values['switch-at'] !== undefined) throw new UsageError('--switch-at goes with --combine A,B')
  if (values.run === undefined) throw new UsageError('--run RUN_ID (or --combine A,B) is required')
  const runId = integer('run', values.run)!
  const episodes = integer('episodes', values.episodes) ?? 100
  if (!Number.isInteger(episodes) || episodes < 1 || episodes > 1000) throw new UsageError('--episodes must be a whole number from 1 to 1000')
  const seed = integer('seed', values.seed) ?? 0
  const services = openExisting(values['data-dir'])
  try {
    const result = await services.jobs.play(runId, episodes, seed).catch((e: Error) => {
      throw new UsageError(e.message)
    })
    const run = services.store.getRun(runId)
    const meanStats: Record<string, number> = {}
    for (const e of result.episodes) for (const [k, v] of Object.entries(e.stats)) meanStats[`mean_${k}`] = (meanStats[`mean_${k}`] ?? 0) + v / episodes
    if (values.json) {
      process.stdout.write(
        JSON.stringify({ run_id: runId, env: run.env, backend: result.backend, seed, episodes, win_fraction: result.winFraction, mean_return: result.meanReturn, ...meanStats }) + '\n',
      )
    } else {
      process.stdout.write(`run ${runId} (${run.env}) played ${episodes} games greedily: accuracy (win fraction) ${(result.winFraction * 100).toFixed(1)}%, mean return ${result.meanReturn.toFixed(3)}\n`)
    }
    return 0
  } finally {
    await services.close()
  }
}

async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseCliArgs({ args, strict: true, options: { run: { type: 'string' }, out: { type: 'string' }, 'data-dir': { type: 'string' } } })
  if (values.run === undefined) throw new UsageError('--run RUN_ID is required')
  if (!values.out) throw new UsageError('--out DIR is required')
  const services = openExisting(values['data-dir'])
  try {
    const files = exportModel(services.jobs.latestModel(integer('run', values.run)!), values.out)
    process.stdout.write(files.join('\n') + '\n')
    return 0
  } catch (e) {
    throw new UsageError(userMessage(e))
  } finally {
    await services.close()
  }
}

async function importCommand(args: string[]): Promise<number> {
  const { values } = parseCliArgs({
    args,
    strict: true,
    options: { model: { type: 'string' }, env: { type: 'string' }, name: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
  })
  if (!values.model) throw new UsageError('--model DIR is required (a folder with model.json and its weights)')
  if (!values.env) throw new UsageError('--env is required (the game the model plays)')
  const services = createServices({ dataDir: values['data-dir'] ?? defaultDataDir(), launcher: childProcessLauncher(), host: 'cli' })
  try {
    const run = importModel(services.store, values.model, values.env, values.name)
    process.stdout.write(values.json ? JSON.stringify({ run_id: run.id, env: run.env, algo: run.algo, params: run.config.params }) + '\n' : `imported as run ${run.id}\n`)
    return 0
  } catch (e) {
    throw new UsageError(userMessage(e))
  } finally {
    await services.close()
  }
}

async function tracksCommand(args: string[]): Promise<number> {
  const { values } = parseCliArgs({ args, strict: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } })
  const services = createServices({ dataDir: values['data-dir'] ?? defaultDataDir(), launcher: childProcessLauncher(), host: 'cli' })
  const list = services.tracks.list()
  await services.close()
  if (values.json) process.stdout.write(JSON.stringify(list) + '\n')
  else for (const t of list) process.stdout.write(`${t.name.padEnd(20)} ${t.width}×${t.height}  shortest ${t.shortest ?? 'unreachable'}${t.builtin ? '  (built-in)' : ''}\n`)
  return 0
}

async function runs(args: string[]): Promise<number> {
  const { values } = parseCliArgs({ args, strict: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } })
  const store = openRunStore(values['data-dir'] ?? defaultDataDir())
  const list = store.listRuns()
  store.close()
  if (values.json) {
    const rows = list.map((r) => ({
      run_id: r.id,
      name: r.name,
      env: r.env,
      algo: r.algo,
      status: r.status,
      status_reason: r.statusReason,
      backend: r.backend,
      seed: r.seed,
      episodes: r.episodesDone,
      created_at: new Date(r.createdAt).toISOString(),
      metrics: r.latest,
    }))
    process.stdout.write(JSON.stringify(rows) + '\n')
  } else if (list.length === 0) {
    process.stdout.write('no runs yet — start one with: quarkade train --env catch --algo dqn\n')
  } else {
    for (const r of list) {
      const win = r.latest.win_rate === undefined ? '' : ` win_rate ${r.latest.win_rate.toFixed(2)}`
      process.stdout.write(`${String(r.id).padStart(4)}  ${r.status.padEnd(9)} ${r.env}/${r.algo}  episodes ${r.episodesDone}${win}\n`)
    }
  }
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command !== 'runs') await loadCommandModules()
    switch (command) {
      case 'train':
        return await train(rest)
      case 'runs':
        return await runs(rest)
      case 'play':
        return await play(rest)
      case 'tracks':
        return await tracksCommand(rest)
      case 'reward':
        return await cliRewards.rewardCommand(rest)
      case 'inspect':
        return await cliData.inspectCommand(rest)
      case 'gen':
        return await cliData.genCommand(rest)
      case 'export':
        return await exportCommand(rest)
      case 'import':
        return await importCommand(rest)
      case 'slurm':
        return await cliSlurm.slurmCommand(rest)
      case 'sweep':
        return await (await import('./cli-sweep')).sweepCommand(rest)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(usage() + '\n')
        return command === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown command "${command}"`)
    }
  } catch (e) {
    if (e instanceof UsageError || (ConfigError !== undefined && e instanceof ConfigError) || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`quarkade: error: ${oneLine((e as Error).message)}\n`)
      return 2
    }
    process.stderr.write(`quarkade: error: ${userMessage(e, command, (detail) => process.env.QUARKADE_DEBUG && process.stderr.write(detail + '\n'))}\n`)
    return 1
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}
