/**
 * The job supervisor: starts a trainer process per run, relays pause / resume /
 * stop, writes what the trainer reports to the run store in batched
 * transactions, and forwards it to subscribers. A trainer that dies without
 * saying it is done leaves a failed run with everything it had recorded.
 */
import type { ApiEvent, RunConfig, RunSummary } from '../../shared/api'
import { FINAL_STATUSES } from '../../shared/api'
import type { FromTrainer } from '../trainer/protocol'
import type { Launcher, TrainerProcess } from './launcher'
import type { RunStore } from './run-store'

interface Job {
  runId: number
  process: TrainerProcess
  finished: boolean
  /** Settles when the trainer process is gone and its last batch is stored. */
  ended: Promise<RunSummary>
}

export class JobService {
  private readonly jobs = new Map<number, Job>()

  constructor(
    private readonly store: RunStore,
    private readonly launcher: Launcher,
    private readonly emit: (event: ApiEvent) => void,
  ) {}

  get active(): number[] {
    return [...this.jobs.keys()]
  }

  start(config: RunConfig): RunSummary {
    const run = this.store.createRun(config)
    const proc = this.launcher.launch()
    let resolveEnded!: (r: RunSummary) => void
    const job: Job = { runId: run.id, process: proc, finished: false, ended: new Promise((r) => (resolveEnded = r)) }
    this.jobs.set(run.id, job)
    proc.onMessage((m) => this.handle(job, m))
    proc.onExit((code, signal) => {
      this.jobs.delete(run.id)
      if (!job.finished) {
        const how = signal ? `was killed (${signal})` : `exited with code ${code}`
        this.finish(job, 'failed', `the trainer process ${how} before finishing; results up to then are kept`)
      }
      resolveEnded(this.store.getRun(run.id))
    })
    proc.send({ type: 'start', runId: run.id, config, checkpointDir: this.store.checkpointDir })
    this.emitRun(run.id)
    return this.store.getRun(run.id)
  }

  private handle(job: Job, m: FromTrainer): void {
    const id = job.runId
    switch (m.type) {
      case 'started':
        this.store.markStarted(id, m.backend)
        return this.emitRun(id)
      case 'batch':
        this.store.writeBatch(id, { metrics: m.metrics, episodes: m.episodes, progress: m.progress })
        if (m.metrics.length) this.emit({ type: 'run.metrics', runId: id, points: m.metrics })
        return this.emitRun(id)
      case 'live':
        return this.emit({ type: 'run.live', runId: id, episode: m.episode })
      case 'paused':
        this.store.setStatus(id, 'paused')
        return this.emitRun(id)
      case 'resumed':
        this.store.setStatus(id, 'running')
        return this.emitRun(id)
      case 'checkpoint':
        return this.store.addCheckpoint(id, m.episode, m.path)
      case 'done':
        return this.finish(job, m.status, m.reason)
      case 'error':
        return this.finish(job, 'failed', m.message)
    }
  }

  private finish(job: Job, status: 'completed' | 'stopped' | 'failed', reason: string): void {
    if (job.finished) return
    job.finished = true
    this.store.setStatus(job.runId, status, reason)
    this.emitRun(job.runId)
  }

  private emitRun(id: number): void {
    const run = this.store.findRun(id)
    if (run) this.emit({ type: 'run.updated', run })
  }

  private job(id: number): Job {
    const job = this.jobs.get(id)
    if (!job) {
      const run = this.store.getRun(id)
      throw new Error(`run ${id} is ${run.status}, not in progress`)
    }
    return job
  }

  pause(id: number): RunSummary {
    this.job(id).process.send({ type: 'pause' })
    return this.store.getRun(id)
  }

  resume(id: number): RunSummary {
    this.job(id).process.send({ type: 'resume' })
    return this.store.getRun(id)
  }

  stop(id: number): RunSummary {
    this.job(id).process.send({ type: 'stop' })
    return this.store.getRun(id)
  }

  /** Resolves with the final summary once the run's trainer is gone. */
  waitForEnd(id: number): Promise<RunSummary> {
    const job = this.jobs.get(id)
    return job ? job.ended : Promise.resolve(this.store.getRun(id))
  }

  isFinal(run: RunSummary): boolean {
    return FINAL_STATUSES.includes(run.status)
  }

  /** Stops every trainer (host shutdown): asks politely, then kills after `graceMs`. */
  async shutdown(graceMs = 3000): Promise<void> {
    const jobs = [...this.jobs.values()]
    for (const j of jobs) j.process.send({ type: 'stop' })
    const timer = setTimeout(() => jobs.forEach((j) => j.process.kill()), graceMs)
    await Promise.all(jobs.map((j) => j.ended))
    clearTimeout(timer)
  }
}
