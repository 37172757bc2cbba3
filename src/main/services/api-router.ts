/**
 * Serves the typed API (src/shared/api.ts) over the services. Every host
 * (Electron IPC, web WebSocket) calls `handle`; inputs are validated against
 * the shared schemas here, so no host can skip validation.
 */
import { userMessage } from '../../shared/user-message'
import { backendProblem } from '../trainer/backend-probe'
import { describeAlgo, describeWorld, listAlgos, listWorlds } from '../../core/catalog'
import { ApiError, BACKENDS, apiMethods, resolveRunConfig, type ApiEvent, type ApiMethod, type ApiOutput, type SystemInfo } from '../../shared/api'
import type { JobService } from './jobs'
import { exportModel, importModel, modelFileSizes, readModelChunk } from './models'
import type { TrackLibrary } from './tracks'
import { RewardLibrary } from './rewards'
import type { FileService } from './files'
import type { SweepService } from './sweeps'
import { FolderPolicy } from './folders'
import type { RunStore } from './run-store'
import type { Projection } from '../../core/lartpc/event'

/** What only some hosts can do (the desktop app has native dialogs). */
export interface HostCapabilities {
  pickFolder?: (title: string, purpose: 'open' | 'save') => Promise<string | null>
  pickFile?: (title: string, extensions: string[]) => Promise<string | null>
  /** Where the API may read and write on disk (src/main/services/folders.ts); default: anywhere (CLI). */
  folders?: FolderPolicy
}

type Handlers = { [M in ApiMethod]: (input: never) => ApiOutput<M> | Promise<ApiOutput<M>> }

export class ApiRouter {
  private readonly listeners = new Set<(event: ApiEvent) => void>()
  private readonly handlers: Handlers
  private readonly folders: FolderPolicy
  private readonly rewards: RewardLibrary

  constructor(
    private readonly store: RunStore,
    private readonly jobs: JobService,
    private readonly system: SystemInfo,
    private readonly tracks: TrackLibrary,
    private readonly files: FileService,
    private readonly host: HostCapabilities = {},
    private readonly sweeps?: SweepService,
  ) {
    this.folders = host.folders ?? FolderPolicy.unrestricted()
    this.rewards = new RewardLibrary(system.dataDir)
    const readable = (p: string): string => this.folders.readable(p)
    this.handlers = {
      'catalog.get': () => ({ envs: listWorlds().map(describeWorld), algos: listAlgos().map(describeAlgo), backends: [...BACKENDS] }),
      'system.info': () => this.system,
      'system.pickFile': async ({ title, extensions }: { title: string; extensions: string[] }) => {
        if (!this.host.pickFile) throw new ApiError('file dialogs exist only in the desktop app; type a path instead')
        return { path: await this.host.pickFile(title, extensions) }
      },
      'system.pickFolder': async ({ title, purpose }: { title: string; purpose: 'open' | 'save' }) => {
        if (!this.host.pickFolder) throw new ApiError('folder dialogs exist only in the desktop app; type a path instead')
        const picked = await this.host.pickFolder(title, purpose)
        // A folder the user chose to save into is where exports may go from now on.
        if (picked !== null && purpose === 'save') this.folders.grantWrite(picked)
        return { path: picked }
      },
      'runs.list': () => this.store.listRuns(),
      'runs.get': ({ id }: { id: number }) => this.store.getRun(id),
      'runs.start': async (input: unknown) => {
        const config = resolveRunConfig(input, (t) => this.tracks.resolve(t))
        const backend = await backendProblem(config.backend)
        if (backend) throw new Error(backend)
        if (config.data) readable(config.data.path)
        await this.files.prepareRunData(config)
        return this.jobs.start(config)
      },
      'runs.results': ({ id }: { id: number }) => (this.store.getRun(id), this.store.results(id)),
      'runs.pause': ({ id }: { id: number }) => this.jobs.pause(id),
      'runs.resume': ({ id, episodes }: { id: number; episodes?: number }) => this.jobs.resume(id, episodes),
      'runs.play': ({ id, episodes, seed }: { id: number; episodes: number; seed?: number }) =>
        this.jobs.play(id, episodes, seed ?? Math.floor(Math.random() * 2 ** 31)),
      'runs.playCombined': ({ a, b, atLeast, episodes, seed }: { a: number; b: number; atLeast: number; episodes: number; seed?: number }) =>
        this.jobs.playCombined(a, b, atLeast, episodes, seed ?? Math.floor(Math.random() * 2 ** 31)),
      'runs.export': ({ id, dir }: { id: number; dir: string }) => ({ files: exportModel(this.jobs.latestModel(id), this.folders.exportTarget(dir)) }),
      'runs.modelFiles': ({ id }: { id: number }) => {
        const dir = this.jobs.latestModel(id)
        const checkpoint = this.store.checkpoints(id).find((c) => c.path === dir)!.episode
        return { checkpoint, files: modelFileSizes(dir) }
      },
      'runs.modelChunk': ({ id, checkpoint, file, offset }: { id: number; checkpoint: number; file: 'model.json' | 'weights.bin'; offset: number }) => {
        this.store.getRun(id)
        const found = this.store.checkpoints(id).find((c) => c.episode === checkpoint)
        if (!found) throw new ApiError(`run ${id} has no checkpoint after ${checkpoint} episodes (resumed or deleted since the download began?)`)
        return readModelChunk(found.path, file, offset)
      },
      'models.import': ({ dir, env, name }: { dir: string; env: string; name?: string }) => {
        const run = importModel(this.store, readable(dir), env, name)
        this.publish({ type: 'run.updated', run })
        return run
      },
      'runs.stop': ({ id }: { id: number }) => this.jobs.stop(id),
      'runs.delete': ({ id }: { id: number }) => {
        const run = this.store.getRun(id)
        if (this.jobs.active.includes(id)) throw new ApiError(`run ${id} is ${run.status}; stop it before deleting it`)
        this.store.deleteRun(id)
        this.publish({ type: 'run.deleted', runId: id })
        return { deleted: id }
      },
      'runs.metrics': ({ id, ...range }: { id: number; keys?: string[]; maxPoints?: number; fromStep?: number; toStep?: number }) =>
        (this.store.getRun(id), this.store.metricsReader.query({ runId: id, ...range })),
      'runs.episodes': ({ id }: { id: number }) => (this.store.getRun(id), this.store.episodes(id)),
      'runs.policy': ({ id }: { id: number }) => (this.store.getRun(id), this.store.policy(id)),
      'runs.policyEpisodes': ({ id }: { id: number }) => (this.store.getRun(id), this.store.policyEpisodes(id)),
      'runs.policyAt': ({ id, episode }: { id: number; episode: number }) => (this.store.getRun(id), this.store.policyAt(id, episode)),
      'tracks.list': () => this.tracks.list(),
      'tracks.get': ({ name }: { name: string }) => this.tracks.get(name),
      'tracks.save': ({ track, overwrite }: { track: unknown; overwrite?: boolean }) => {
        const saved = this.tracks.save(track, overwrite)
        this.publish({ type: 'tracks.changed' })
        return saved
      },
      'tracks.delete': ({ name }: { name: string }) => {
        this.tracks.delete(name)
        this.publish({ type: 'tracks.changed' })
        return { deleted: name }
      },
      'rewards.list': () => this.rewards.list(),
      'rewards.save': ({ name, weights, overwrite }: { name: string; weights: Record<string, number>; overwrite?: boolean }) => {
        const { reward, path } = this.rewards.save({ name, weights }, overwrite ?? false)
        return { ...reward, path }
      },
      'rewards.delete': ({ name }: { name: string }) => ({ deleted: name, reward: this.rewards.delete(name) }),
      'files.open': ({ path }: { path: string }) => this.files.overview(readable(path)),
      'files.recent': () => this.files.recent(),
      'files.forget': ({ path }: { path: string }) => (this.files.forget(path), {}),
      'files.slice': ({ path, dataset, index }: { path: string; dataset: string; index: (number | null)[] }) => this.files.slice(readable(path), dataset, index),
      'files.histogram': ({ path, dataset, bins, log }: { path: string; dataset: string; bins: number; log?: boolean }) =>
        this.files.histogram(readable(path), dataset, bins, log ?? false),
      'files.setChannels': ({ path, channels }: { path: string; channels: string[] }) => (this.files.setChannels(path, channels), {}),
      'jets.event': ({ path, index }: { path: string; index: number }) => this.files.jetEvent(readable(path), index),
      'jets.summary': ({ path, bins }: { path: string; bins?: number }) => this.files.jetSummary(readable(path), bins ?? 40),
      'jets.sample': async ({ events }: { events?: number }) => ({ path: await this.files.sample(events) }),
      'detector.sample': async ({ events }: { events?: number }) => ({ path: await this.files.detectorSample(events) }),
      'detector.open': ({ path, projection }: { path: string; projection?: Projection }) => this.files.detectors.overview(readable(path), projection, readable),
      'detector.event': ({ path, index, projection }: { path: string; index: number; projection?: Projection }) => this.files.detectors.event(readable(path), index, projection, readable),
      'replays.get': ({ runId, episode }: { runId: number; episode: number }) => this.store.replay(runId, episode),
      'sweeps.create': (input: unknown) => this.sweepService().create(input),
      'sweeps.slurmScript': (input: unknown) => this.sweepService().slurmScript(input),
      'sweeps.list': () => this.sweepService().list(),
      'sweeps.get': ({ id }: { id: number }) => this.sweepService().get(id),
      'sweeps.pause': ({ id }: { id: number }) => this.sweepService().pause(id),
      'sweeps.resume': ({ id }: { id: number }) => this.sweepService().resume(id),
      'sweeps.cancel': ({ id }: { id: number }) => this.sweepService().cancel(id),
      'sweeps.resubmit': ({ id }: { id: number }) => this.sweepService().resubmit(id),
    }
  }

  private sweepService(): SweepService {
    if (!this.sweeps) throw new ApiError('this host runs no sweeps')
    return this.sweeps
  }

  /** Runs one request; throws ApiError with a message fit to show the user. */
  async handle(method: string, input: unknown): Promise<unknown> {
    if (!Object.hasOwn(apiMethods, method)) throw new ApiError(`unknown API method "${method}"`)
    const m = method as ApiMethod
    const parsed = apiMethods[m].input.safeParse(input ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new ApiError(`${method}: ${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}`)
    }
    try {
      return await (this.handlers[m] as (i: unknown) => unknown)(parsed.data)
    } catch (e) {
      // A write to a damaged database (opened read-only) says why, not just "readonly database".
      if ((e as { code?: string }).code === 'SQLITE_READONLY' && this.store.readOnlyReason) throw new ApiError(this.store.readOnlyReason)
      throw new ApiError(userMessage(e, method))
    }
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  publish(event: ApiEvent): void {
    for (const l of this.listeners) l(event)
  }
}
