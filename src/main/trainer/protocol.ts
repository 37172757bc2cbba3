/**
 * Messages between the job supervisor and a trainer process (utility process in
 * Electron, child process elsewhere). Plain structured-clone-able objects.
 */
import type { CombinedPlayResult, MetricPoint, LiveEpisode, Policy, RunConfig } from '../../shared/api'
import type { PlayResult } from '../../core/agents/play'
import type { CombinedPlayMessage } from './combined-play'
import type { EpisodeRecord, RunProgress } from '../services/run-store'

export type ToTrainer =
  | {
      type: 'start'
      runId: number
      config: RunConfig
      checkpointDir: string
      /** A checkpoint folder with training state: continue exactly from it. */
      resumeFrom: string | null
      /** A model folder (e.g. an imported model): start from its weights with fresh training state. */
      initialModel: string | null
    }
  | { type: 'play'; modelDir: string; config: RunConfig; episodes: number; seed: number }
  | CombinedPlayMessage
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }

export type FromTrainer =
  | { type: 'started'; backend: string; backendSkipped: string[] }
  | { type: 'batch'; metrics: MetricPoint[]; episodes: EpisodeRecord[]; progress: RunProgress }
  | { type: 'live'; episode: LiveEpisode }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'checkpoint'; episode: number; path: string; hasModel: boolean }
  | { type: 'policy'; policy: Omit<Policy, 'runId'>; snapshot?: boolean }
  | { type: 'played'; result: PlayResult; backend: string }
  | { type: 'played-combined'; result: CombinedPlayResult; backend: string }
  | { type: 'results'; results: Record<string, unknown> }
  | { type: 'done'; status: 'completed' | 'stopped'; reason: string }
  | { type: 'error'; message: string }
