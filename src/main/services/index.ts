/** Wires the services together for a host: store, job supervisor, API router. */
import pkg from '../../../package.json'
import type { SystemInfo } from '../../shared/api'
import { ApiRouter, type HostCapabilities } from './api-router'
import { JobService } from './jobs'
import type { Launcher } from './launcher'
import type { RunStore } from './run-store'
import { openRunStore } from './open-store'
import { TrackLibrary } from './tracks'
import { FileService } from './files'
import path from 'node:path'

export interface Services {
  store: RunStore
  tracks: TrackLibrary
  files: FileService
  jobs: JobService
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
  api = new ApiRouter(
    store,
    jobs,
    { version: opts.version ?? VERSION, host: opts.host, dataDir: opts.dataDir, nativeDialogs: !!opts.capabilities?.pickFolder },
    tracks,
    files,
    opts.capabilities,
  )
  return {
    store,
    tracks,
    files,
    jobs,
    api,
    async close() {
      files.close()
      await jobs.shutdown()
      store.close()
    },
  }
}
