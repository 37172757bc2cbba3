/**
 * Messages between the job supervisor and a trainer process (utility process in
 * Electron, child process elsewhere). Plain structured-clone-able objects.
 */
import type { MetricPoint, LiveEpisode, RunConfig } from '../../shared/api'
import type { EpisodeRecord, RunProgress } from '../services/run-store'

export type ToTrainer =
  | { type: 'start'; runId: number; config: RunConfig; checkpointDir: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }

export type FromTrainer =
  | { type: 'started'; backend: string }
  | { type: 'batch'; metrics: MetricPoint[]; episodes: EpisodeRecord[]; progress: RunProgress }
  | { type: 'live'; episode: LiveEpisode }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'checkpoint'; episode: number; path: string }
  | { type: 'done'; status: 'completed' | 'stopped'; reason: string }
  | { type: 'error'; message: string }
