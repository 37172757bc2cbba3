/** Wires the services together for a host: store, job supervisor, API router. */
import pkg from '../../../package.json'
import { resolveRunConfig, type SystemInfo } from '../../shared/api'
import { ApiRouter, type HostCapabilities } from './api-router'
import { JobService } from './jobs'
import type { Launcher } from './launcher'
import type { RunStore } from './run-store'
import { openRunStore } from './open-store'
import { TrackLibrary } from './tracks'
import { FileService } from './files'
import { SweepService } from './sweeps'
import path from 'node:path'

export interface Services {
  store: RunStore
  tracks: TrackLibrary
  files: FileService
  jobs: JobService
  sweeps: SweepService
  api: ApiRouter
  close(): Promise<void>
}

export const VERSION: string = pkg.version

export function createServices(opts: {
  dataDir: string
  launcher: Launcher
  host: SystemInfo['host']
  version?: string
  capabilities?: HostCapabilities
  /** Trainers that may run at once (default: one per CPU core); more runs wait as `queued`. */
  maxTrainers?: number
}): Services {
  const store = openRunStore(opts.dataDir)
  const tracks = new TrackLibrary(store)
  const files = new FileService(store, path.join(opts.dataDir, 'samples'))
  let api: ApiRouter | null = null
  const jobs = new JobService(store, opts.launcher, (e) => api?.publish(e), opts.maxTrainers)
  const sweeps = new SweepService(store, jobs, (e) => api?.publish(e), (request) => resolveRunConfig(request, (t) => tracks.resolve(t)))
  api = new ApiRouter(
    store,
    jobs,
    { version: opts.version ?? VERSION, host: opts.host, dataDir: opts.dataDir, nativeDialogs: !!opts.capabilities?.pickFolder },
    tracks,
    files,
    opts.capabilities,
    sweeps,
  )
  api.subscribe((e) => sweeps.onEvent(e))
  return {
    store,
    tracks,
    files,
    jobs,
    sweeps,
    api,
    async close() {
      files.close()
      sweeps.close()
      await jobs.shutdown()
      store.close()
    },
  }
}
