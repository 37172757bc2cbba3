/**
 * The job supervisor: starts a trainer process per run, relays pause / resume /
 * stop, writes what the trainer reports to the run store in batched
 * transactions, and forwards it to subscribers. A trainer that dies without
 * saying it is done leaves a failed run with everything it had recorded.
 * At most `maxTrainers` train at once; further runs wait as `queued` and start
 * in order as slots free.
 */
import os from 'node:os'
import type { ApiEvent, CombinedPlayResult, RunConfig, RunSummary } from '../../shared/api'
import { FINAL_STATUSES } from '../../shared/api'
import type { PlayResult } from '../../core/agents/play'
import { canResumeFrom, dropOlderTrainingState, hasModel, removeUnrecorded } from '../trainer/checkpoints'
import type { FromTrainer, ToTrainer } from '../trainer/protocol'
import type { CombinedPlayMessage } from '../trainer/combined-play'
import { combinationProblem } from '../../core/agents/combined'
import type { Launcher, TrainerProcess } from './launcher'
import type { RunStore } from './run-store'

interface Job {
  runId: number
  process: TrainerProcess
  finished: boolean
  /** Why the host gave up on the run when storing its output failed (full disk, run deleted meanwhile). */
  storageFailure: string | null
  /** The run as last read, for the final summary of a run deleted while it trained. */
  summary: RunSummary
  /** Settles when the trainer process is gone and its last batch is stored. */
  ended: Promise<RunSummary>
}

/** A one-line reason for a failure to store a trainer's output, fit for the run's status. */
export function storageFailureReason(e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'SQLITE_FULL') return 'the disk holding the run database is full (SQLITE_FULL); the trainer was stopped and results up to the last stored batch are kept'
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'the run was deleted (by another window or host) while it trained; its trainer was stopped'
  return `storing the trainer's output failed (${code ?? 'error'}: ${e instanceof Error ? e.message : String(e)}); the trainer was stopped`
}

/** One trainer per core: a trainer keeps one core busy (tfjs on wasm or one native thread pool). */
export function defaultMaxTrainers(): number {
  return Math.max(1, os.availableParallelism())
}

interface Waiting {
  runId: number
  config: RunConfig
  resumeFrom: string | null
  initialModel: string | null
}

export class JobService {
  private readonly jobs = new Map<number, Job>()
  /** Runs waiting for a trainer slot, oldest first. */
  private readonly waiting: Waiting[] = []
  /** waitForEnd callers of runs still waiting for a slot. */
  private readonly endWaiters = new Map<number, ((run: RunSummary) => void)[]>()

  constructor(
    private readonly store: RunStore,
    private readonly launcher: Launcher,
    private readonly emit: (event: ApiEvent) => void,
    readonly maxTrainers: number = defaultMaxTrainers(),
  ) {
    if (!Number.isInteger(maxTrainers) || maxTrainers < 1) throw new Error(`the trainer limit must be a whole number ≥ 1, not ${maxTrainers}`)
  }

  /** Runs training now or queued for a slot. */
  get active(): number[] {
    return [...this.jobs.keys(), ...this.waiting.map((w) => w.runId)]
  }

  start(config: RunConfig, initialModel: string | null = null): RunSummary {
    const run = this.store.createRun(config)
    return this.launch(run.id, config, null, initialModel)
  }

  /**
   * Resumes a run: a paused one continues at once; a stopped, failed or
   * completed one continues from its last checkpoint under the same id, up to
   * `episodes` in all (default: its original budget).
   */
  resume(id: number, episodes?: number): RunSummary {
    const job = this.jobs.get(id)
    if (job) {
      job.process.send({ type: 'resume' })
      return this.store.getRun(id)
    }
    if (this.isWaiting(id)) return this.store.getRun(id)
    const run = this.store.getRun(id)
    const checkpoints = this.store.checkpoints(id).reverse()
    // The newest checkpoint whose training state is complete; a model alone (an imported one,
    // at episode 0) starts training afresh from its weights.
    const resumable = checkpoints.find((c) => canResumeFrom(c.path))
    const model = checkpoints.find((c) => hasModel(c.path))
    const from = resumable ?? model
    if (!from && run.episodesDone === 0) {
      // Never trained (e.g. stopped while queued): start it afresh under the same id.
      const config = { ...run.config, episodes: episodes ?? run.config.episodes }
      this.store.rewindTo(id, 0, config)
      return this.launch(id, config, null, null)
    }
    if (!from) throw new Error(`run ${id} has no checkpoint to resume from`)
    if (!resumable && from.episode > 0) {
      throw new Error(
        `run ${id} has no checkpoint with training state to continue from (only the model at episode ${from.episode}); export that model and import it to train it further`,
      )
    }
    const total = episodes ?? run.config.episodes
    if (total <= from.episode) {
      throw new Error(`run ${id} resumes from episode ${from.episode}; ask for more episodes than that (e.g. ${from.episode + run.config.episodes})`)
    }
    const config = { ...run.config, episodes: total }
    this.store.rewindTo(id, from.episode, config)
    removeUnrecorded(this.store.runCheckpointDir(id), this.store.checkpoints(id).map((c) => c.path))
    return this.launch(id, config, resumable ? resumable.path : null, resumable ? null : from.path)
  }

  private launch(runId: number, config: RunConfig, resumeFrom: string | null, initialModel: string | null): RunSummary {
    if (this.jobs.size >= this.maxTrainers) {
      this.waiting.push({ runId, config, resumeFrom, initialModel })
      this.emitRun(runId)
      return this.store.getRun(runId)
    }
    const proc = this.launcher.launch()
    let resolveEnded!: (r: RunSummary) => void
    const summary = this.store.getRun(runId)
    const job: Job = { runId, process: proc, finished: false, storageFailure: null, summary, ended: new Promise((r) => (resolveEnded = r)) }
    this.jobs.set(runId, job)
    for (const waiter of this.takeEndWaiters(runId)) void job.ended.then(waiter)
    proc.onMessage((m) => {
      if (job.storageFailure) return
      try {
        this.handle(job, m)
      } catch (e) {
        this.failStorage(job, e)
      }
    })
    proc.onExit((code, signal) => {
      this.jobs.delete(runId)
      if (!job.finished) {
        const how = signal ? `was killed (${signal})` : `exited with code ${code}`
        this.finish(job, 'failed', `the trainer process ${how} before finishing; results up to then are kept`)
      }
      const stored = this.store.findRun(runId)
      // A status the store could not take (full disk, run deleted) is still reported.
      resolveEnded(job.storageFailure && stored?.status !== 'failed' ? { ...(stored ?? job.summary), status: 'failed', statusReason: job.storageFailure } : (stored ?? job.summary))
      const next = this.waiting.shift()
      if (next) this.launch(next.runId, next.config, next.resumeFrom, next.initialModel)
    })
    proc.send({ type: 'start', runId, config, checkpointDir: this.store.checkpointDir, resumeFrom, initialModel })
    this.emitRun(runId)
    return this.store.getRun(runId)
  }

  private handle(job: Job, m: FromTrainer): void {
    const id = job.runId
    switch (m.type) {
      case 'started':
        this.store.markStarted(id, m.backend, m.backendSkipped)
        return this.emitRun(id)
      case 'batch': {
        // A diverging loss can be NaN or Infinity: such points are not numbers a chart or
        // SQLite (REAL NOT NULL) can hold, and one of them must not drop the whole batch.
        const metrics = m.metrics.filter((p) => Number.isFinite(p.value))
        this.store.writeBatch(id, { metrics, episodes: m.episodes, progress: m.progress })
        if (metrics.length) this.emit({ type: 'run.metrics', runId: id, points: metrics })
        return this.emitRun(id)
      }
      case 'live':
        return this.emit({ type: 'run.live', runId: id, episode: m.episode })
      case 'paused':
        this.store.setStatus(id, 'paused')
        return this.emitRun(id)
      case 'resumed':
        this.store.setStatus(id, 'running')
        return this.emitRun(id)
      case 'checkpoint':
        this.store.addCheckpoint(id, m.episode, m.path, m.hasModel)
        // Only now, with the new checkpoint recorded, may older ones give up their training state.
        dropOlderTrainingState(this.store.checkpoints(id), m.episode)
        return this.emitRun(id)
      case 'policy': {
        const policy = { ...m.policy, runId: id }
        this.store.savePolicy(policy, m.snapshot === true)
        return this.emit({ type: 'run.policy', policy })
      }
      case 'done':
        return this.finish(job, m.status, m.reason)
      case 'error':
        return this.finish(job, 'failed', m.message)
      case 'results':
        this.store.saveResults(id, m.results)
        return this.emit({ type: 'run.results', runId: id })
      case 'played':
        return
    }
  }

  private finish(job: Job, status: 'completed' | 'stopped' | 'failed', reason: string): void {
    if (job.finished) return
    job.finished = true
    try {
      this.store.setStatus(job.runId, status, reason)
    } catch (e) {
      // The disk may still be full: the run stays as stored, and the next host start marks it failed.
      job.storageFailure ??= storageFailureReason(e)
    }
    this.emitRun(job.runId)
  }

  /** Storing a trainer's output failed: this run fails and its trainer stops; the host and other runs go on. */
  private failStorage(job: Job, e: unknown): void {
    const reason = storageFailureReason(e)
    job.storageFailure = reason
    job.process.kill()
    this.finish(job, 'failed', reason)
    if (!this.store.findRun(job.runId)) this.emit({ type: 'run.deleted', runId: job.runId })
  }

  private emitRun(id: number): void {
    const run = this.store.findRun(id)
    const job = this.jobs.get(id)
    if (run && job) job.summary = run
    if (run) this.emit({ type: 'run.updated', run })
  }

  private isWaiting(id: number): boolean {
    return this.waiting.some((w) => w.runId === id)
  }

  private job(id: number): Job {
    const job = this.jobs.get(id)
    if (!job) {
      if (this.isWaiting(id)) throw new Error(`run ${id} is queued: it starts when one of the ${this.maxTrainers} trainer slots frees`)
      const run = this.store.getRun(id)
      throw new Error(`run ${id} is ${run.status}, not in progress`)
    }
    return job
  }

  pause(id: number): RunSummary {
    this.job(id).process.send({ type: 'pause' })
    return this.store.getRun(id)
  }

  stop(id: number): RunSummary {
    const queued = this.waiting.findIndex((w) => w.runId === id)
    if (queued >= 0) {
      this.waiting.splice(queued, 1)
      this.store.setStatus(id, 'stopped', 'stopped while queued, before it started')
      this.emitRun(id)
      const run = this.store.getRun(id)
      for (const waiter of this.takeEndWaiters(id)) waiter(run)
      return run
    }
    this.job(id).process.send({ type: 'stop' })
    return this.store.getRun(id)
  }

  /** The newest model folder of a run (for play and export). */
  latestModel(id: number): string {
    const run = this.store.getRun(id)
    const found = this.store
      .checkpoints(id)
      .reverse()
      .find((c) => hasModel(c.path))
    if (!found) throw new Error(`run ${id} (${run.status}) has no saved model yet`)
    return found.path
  }

  /** Plays the run's latest model greedily in a trainer process; no learning, nothing stored. */
  play(id: number, episodes: number, seed: number): Promise<PlayResult & { backend: string }> {
    const run = this.store.getRun(id)
    const modelDir = this.latestModel(id)
    return this.askPlayer({ type: 'play', modelDir, config: run.config, episodes, seed }, (m) => (m.type === 'played' ? { ...m.result, backend: m.backend } : undefined))
  }

  /**
   * Plays run A's and run B's newest models as one (A while the world's phase ≥
   * atLeast, then B), and each alone, over the same seeded games. The runs must
   * see the same game; that is checked before a process starts.
   */
  async playCombined(a: number, b: number, atLeast: number, episodes: number, seed: number): Promise<CombinedPlayResult> {
    const [runA, runB] = [this.store.getRun(a), this.store.getRun(b)]
    const problem = combinationProblem(
      { label: `run ${a}`, env: runA.config.env, envParams: runA.config.env_params },
      { label: `run ${b}`, env: runB.config.env, envParams: runB.config.env_params },
    )
    if (problem) throw new Error(problem)
    const models: CombinedPlayMessage['models'] = [
      { runId: a, modelDir: this.latestModel(a), config: runA.config },
      { runId: b, modelDir: this.latestModel(b), config: runB.config },
    ]
    return this.askPlayer({ type: 'play-combined', models, atLeast, episodes, seed }, (m) => (m.type === 'played-combined' ? m.result : undefined))
  }

  /** Sends one request to a fresh trainer process and resolves with the answer `pick` finds among its messages. */
  private askPlayer<T>(request: ToTrainer, pick: (m: FromTrainer) => T | undefined): Promise<T> {
    const proc = this.launcher.launch()
    return new Promise((resolve, reject) => {
      let settled = false
      proc.onMessage((m) => {
        const answer = pick(m)
        if (answer !== undefined) {
          settled = true
          resolve(answer)
        } else if (m.type === 'error') {
          settled = true
          reject(new Error(m.message))
        }
      })
      proc.onExit((code, signal) => {
        if (!settled) reject(new Error(`the player process ${signal ? `was killed (${signal})` : `exited with code ${code}`}`))
      })
      proc.send(request)
    })
  }

  /** Resolves with the final summary once the run's trainer is gone. */
  waitForEnd(id: number): Promise<RunSummary> {
    const job = this.jobs.get(id)
    if (job) return job.ended
    if (this.isWaiting(id)) return new Promise((resolve) => this.endWaiters.set(id, [...(this.endWaiters.get(id) ?? []), resolve]))
    return Promise.resolve(this.store.getRun(id))
  }

  private takeEndWaiters(id: number): ((run: RunSummary) => void)[] {
    const waiters = this.endWaiters.get(id) ?? []
    this.endWaiters.delete(id)
    return waiters
  }

  isFinal(run: RunSummary): boolean {
    return FINAL_STATUSES.includes(run.status)
  }

  /** Stops every trainer (host shutdown): asks politely, then kills after `graceMs`. */
  async shutdown(graceMs = 3000): Promise<void> {
    for (const w of this.waiting.splice(0)) {
      this.store.setStatus(w.runId, 'stopped', 'Quarkade closed before this run left the queue; resume it to start it')
      const run = this.store.getRun(w.runId)
      for (const waiter of this.takeEndWaiters(w.runId)) waiter(run)
    }
    const jobs = [...this.jobs.values()]
    for (const j of jobs) j.process.send({ type: 'stop' })
    const timer = setTimeout(() => jobs.forEach((j) => j.process.kill()), graceMs)
    await Promise.all(jobs.map((j) => j.ended))
    clearTimeout(timer)
  }
}
