/**
 * One training job, independent of the process it runs in and of its kind:
 * picks the backend, then drives a TrainingJob (an agent in a world, or a
 * generative model on a data set) step by step — batching metrics to the
 * parent, checkpointing, applying pause / resume / stop between steps. What a
 * step is and what it reports are the job's business (rl-job.ts, dataset-job.ts).
 */
import path from 'node:path'
import type { LiveEpisode, MetricPoint, Policy, RunConfig } from '../../shared/api'
import { getAlgo, getWorld, type AlgoInfo, type WorldInfo } from '../../core/catalog'
import type { EpisodeRecord } from '../services/run-store'
import { AGENT_AUTO_PASSES_OVER, chooseBackend, realSystem } from './backend'
import { readTrainingState, type TrainingState } from './model-files'
import { writeCheckpoint } from './checkpoints'
import type { FromTrainer, ToTrainer } from './protocol'
import { PauseControl } from './pause-control'

const BATCH_INTERVAL_MS = 200
const LIVE_INTERVAL_MS = 250
const THROUGHPUT_INTERVAL_MS = 500

export type StartMessage = Extract<ToTrainer, { type: 'start' }>

/** What one step of a job (an episode, a batch) reports. */
export interface JobStep {
  /** Units done after this step (episodes, or epochs for data sets): the run's progress and metrics' x. */
  done: number
  /** The x of this step's metric points (the unit count, or the gradient step for per-batch points). */
  step: number
  metrics: Record<string, number>
  envSteps: number
  gradSteps: number
  /** Running totals whose rates the session reports, by rate metric (`env_steps_per_s` → env steps so far). */
  totals: Record<string, number>
  episode?: EpisodeRecord
  /** A finished episode to show live, when the session asked for one (`wantLive`). */
  live?: LiveEpisode
  /** A checkpoint is due after this step (the end of an epoch). */
  checkpoint?: boolean
  /** Why training ends after this step (a target reached, early stopping). */
  endReason?: string
}

export interface JobContext {
  start: StartMessage
  config: RunConfig
  world: WorldInfo
  algo: AlgoInfo
  /** Training state of the checkpoint to resume from, or null for a fresh run. */
  resume: TrainingState | null
  /** Whether the live view wants the episode about to be played (keep its agent outputs). */
  wantLive(): boolean
  /** Sends the agent's action values over the world (policy overlays), throttled by the job; `snapshot` keeps them as the policy at that episode. */
  emitPolicy(policy: Omit<Policy, 'runId'>, snapshot?: boolean): void
}

export interface TrainingJob {
  /** Units already done (a resumed job continues from here). */
  readonly done: number
  steps(): AsyncIterable<JobStep>
  /** The model (if any) and the training state for an exact resume. */
  save(): Promise<{ model: import('@tensorflow/tfjs').io.ModelArtifacts | null; state: { meta: Record<string, unknown>; blobs: Record<string, Uint8Array> } | null }>
  /** End-of-run work (final evaluation, results); its metric points are at `step`. */
  finish(point: (key: string, value: number) => void, emit: (msg: FromTrainer) => void): Promise<void>
  dispose(): void
}

export type JobFactory = (ctx: JobContext) => Promise<TrainingJob>

export class TrainingSession {
  readonly control: PauseControl

  constructor(
    private readonly start: StartMessage,
    private readonly emit: (msg: FromTrainer) => void,
    private readonly makeJob: JobFactory,
  ) {
    this.control = new PauseControl(emit)
  }

  async run(): Promise<void> {
    const c = this.start.config
    const world = getWorld(c.env)
    const algo = getAlgo(c.algo)
    const { backend, skipped } = await chooseBackend(c.backend, realSystem, world.kind === 'rl' ? AGENT_AUTO_PASSES_OVER : {})
    this.emit({ type: 'started', backend, backendSkipped: skipped })

    let lastLive = 0
    const job = await this.makeJob({
      start: this.start,
      config: c,
      world,
      algo,
      resume: this.start.resumeFrom ? readTrainingState(this.start.resumeFrom) : null,
      wantLive: () => performance.now() - lastLive >= LIVE_INTERVAL_MS,
      emitPolicy: (policy, snapshot) => this.emit({ type: 'policy', policy, ...(snapshot ? { snapshot } : {}) }),
    })
    const unitName = algo.unit === 'epochs' ? 'epoch' : 'episode'
    let metrics: MetricPoint[] = []
    let episodes: EpisodeRecord[] = []
    let lastBatch = performance.now()
    let lastYield = lastBatch
    let done = job.done
    let lastStep = done
    let envSteps = 0
    let gradSteps = 0
    let lastRate: { t: number; totals: Record<string, number> } | null = null
    let rated = false
    let reason = `finished ${c.episodes} ${algo.unit}`

    let lastTotals: Record<string, number> = {}
    /** Rates of the running totals since the last rate point, as metric points at `step`. */
    const pushRates = (step: number, now: number, time: number): void => {
      if (!lastRate || now <= lastRate.t) return
      const dt = (now - lastRate.t) / 1000
      for (const [key, total] of Object.entries(lastTotals)) metrics.push({ key, step, value: (total - (lastRate.totals[key] ?? 0)) / dt, time })
      lastRate = { t: now, totals: { ...lastTotals } }
    }
    const flush = (): void => {
      this.emit({ type: 'batch', metrics, episodes, progress: { episodesDone: done, envSteps, gradSteps } })
      metrics = []
      episodes = []
      lastBatch = performance.now()
    }
    const checkpoint = async (): Promise<void> => {
      const dir = path.join(this.start.checkpointDir, `run-${this.start.runId}`, `${unitName}-${done}`)
      // The host drops older checkpoints' training state once it has recorded this one.
      const saved = await job.save()
      writeCheckpoint(dir, saved)
      this.emit({ type: 'checkpoint', episode: done, path: dir, hasModel: !!saved.model })
    }

    try {
      for await (const s of job.steps()) {
        done = s.done
        envSteps = s.envSteps
        gradSteps = s.gradSteps
        lastStep = s.step
        const time = Date.now() / 1000
        for (const [key, value] of Object.entries(s.metrics)) {
          if (Number.isFinite(value)) metrics.push({ key, step: s.step, value, time })
        }
        if (s.episode) episodes.push(s.episode)
        const now = performance.now()
        // Rates count the work done after the first step ended, over the time since then.
        lastRate ??= { t: now, totals: { ...s.totals } }
        lastTotals = s.totals
        if (now - lastRate.t >= THROUGHPUT_INTERVAL_MS) {
          pushRates(s.step, now, time)
          rated = true
        }
        if (s.live) {
          lastLive = now
          this.emit({ type: 'live', episode: s.live })
        }
        const periodic = algo.unit === 'episodes' && c.checkpoint_every > 0 && done % c.checkpoint_every === 0 && done < c.episodes && !!s.episode
        if (s.checkpoint || periodic) {
          flush()
          await checkpoint()
        }
        if (s.endReason) {
          reason = s.endReason
          if (algo.unit === 'episodes') break
        }
        if (now - lastBatch >= BATCH_INTERVAL_MS) flush()
        // Let pause/stop messages in (the training loop itself never awaits I/O) — timed apart from
        // the batches, which a checkpoint every few fast episodes flushes long before they are due.
        if (now - lastYield >= BATCH_INTERVAL_MS) {
          lastYield = now
          await new Promise((resolve) => setImmediate(resolve))
        }
        if (this.control.paused) {
          flush()
          await this.control.waitWhilePaused()
        }
        if (this.control.stopping) {
          reason = `stopped by the user after ${done} ${algo.unit}`
          break
        }
      }
      const stopped = this.control.stopping
      const t = Date.now() / 1000
      // A run shorter than one rate interval (a Q-table's 50 000 steps take well under it) still reports its throughput.
      if (!rated && lastRate) pushRates(lastStep, performance.now(), t)
      await job.finish((key, value) => {
        if (Number.isFinite(value)) metrics.push({ key, step: lastStep, value, time: t })
      }, this.emit)
      flush()
      // Episodes end with a checkpoint; epochs were checkpointed as each ended (a stopped epoch is not saved half done).
      if (algo.unit === 'episodes') await checkpoint()
      this.emit({ type: 'done', status: stopped ? 'stopped' : 'completed', reason })
    } finally {
      job.dispose()
    }
  }
}
