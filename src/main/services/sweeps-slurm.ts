/**
 * Sweeps on a Slurm cluster (src/main/slurm): every run of the sweep is one task of one sbatch
 * array job — task i runs `quarkade train <its settings> --json` into a store of its own — and
 * each finished task's store is imported into the user's store. The sweep's rows record the
 * task (`slurm_job_id`, `slurm_task`) and its Slurm state (`slurm_state`) as the watch sees them.
 */
import { sweepTrainRequest, type SweepConfig, type SweepSpec, type SweepValue } from '../../core/sweep'
import type { SweepRunStatus } from '../../shared/sweeps'
import path from 'node:path'
import {
  cancel,
  resubmit,
  checkSlurmOptions,
  defaultSubmissionDir,
  portableTrainArgs,
  prepareSubmission,
  slurmAvailability,
  submissionScript,
  submit,
  allDone,
  syncSubmission,
  watchSubmission,
  type SlurmOptions,
  type TaskProgress,
} from '../slurm'
import type { RunStore } from './run-store'

/** Where a sweep's submission lives and its array job (kept in the sweep's spec). */
export interface SweepCluster {
  dir: string
  jobId: string
}

const text = (v: SweepValue): string => (Array.isArray(v) ? v.join(',') : String(v))

/** A run of the sweep as `quarkade train` arguments (what a task runs). */
export function trainArgs(request: ReturnType<typeof sweepTrainRequest>): string[] {
  const r = request as { env: string; algo: string; seed: number; episodes: number; name: string; params: Record<string, SweepValue>; env_params: Record<string, SweepValue> }
  return [
    '--env', r.env,
    '--algo', r.algo,
    '--seed', String(r.seed),
    '--episodes', String(r.episodes),
    '--name', r.name,
    ...Object.entries(r.params).flatMap(([k, v]) => ['--set', `${k}=${text(v)}`]),
    ...Object.entries(r.env_params).flatMap(([k, v]) => ['--env-set', `${k}=${text(v)}`]),
  ]
}

/** A Slurm state as the sweep counts it: still going, landed, failed or cancelled. */
function statusOf(task: TaskProgress): SweepRunStatus {
  if (task.state === 'completed') return task.runIds.length ? 'done' : 'failed'
  if (task.state === 'cancelled') return 'cancelled'
  if (task.state === 'failed' || task.state === 'timeout' || task.state === 'out_of_memory') return 'failed'
  return 'active'
}

export interface SlurmRow {
  configIndex: number
  seedIndex: number
  seed: number
  config: SweepConfig
}

export class SlurmSweeps {
  private readonly watches = new Map<number, AbortController>()

  constructor(
    private readonly store: RunStore,
    /** Called after the rows of a sweep changed (an event for the UI), and once every task is final. */
    private readonly changed: (sweepId: number, finished: boolean) => void,
    private readonly pollMs: number = Number(process.env.QUARKADE_SLURM_POLL_MS) || 10_000,
  ) {}

  /** Checks the options and that Slurm answers; throws one line before anything is written. */
  async check(options: SlurmOptions): Promise<SlurmOptions> {
    const checked = checkSlurmOptions(options)
    const available = await slurmAvailability()
    if (!available.ok) throw new Error(available.reason)
    return checked
  }

  /** Where a sweep's submission goes: the folder the user gave, else a new one under the data folder. */
  private submissionDir(spec: SweepSpec, sweepId: number): string {
    return spec.slurm?.dir ? path.resolve(spec.slurm.dir) : defaultSubmissionDir(this.store.dir, `sweep-${sweepId}`)
  }

  /**
   * The batch script a sweep would be submitted with, before anything is written: the folder it would
   * use (pass it back as `slurm.dir` to submit into exactly that one) and the script's text.
   */
  preview(spec: SweepSpec, tasks: number, options: SlurmOptions): { dir: string; script: string } {
    const next = (this.store.db.prepare('SELECT coalesce(max(id), 0) + 1 FROM sweeps').pluck().get() as number) ?? 1
    const dir = this.submissionDir(spec, next)
    return { dir, script: submissionScript({ dir, tasks, options: { jobName: `sweep-${next}`, ...options } }) }
  }

  /** Writes the submission folder (one task per row, in the rows' order) and submits it. */
  async submit(sweepId: number, spec: SweepSpec, rows: SlurmRow[], options: SlurmOptions): Promise<SweepCluster> {
    const dir = this.submissionDir(spec, sweepId)
    const tasks = rows.map((r) => {
      const name = `${spec.name} · config ${r.configIndex + 1} · seed ${r.seedIndex + 1}`
      return { argv: portableTrainArgs(trainArgs(sweepTrainRequest(spec, r.config, r.seed, name)), { dataDir: this.store.dir, dir, store: this.store }), label: name }
    })
    prepareSubmission({ dir, tasks, options: { jobName: `sweep-${sweepId}`, ...options } })
    const jobId = await submit(dir)
    const set = this.store.db.prepare(`UPDATE sweep_runs SET status = 'active', backend = 'slurm', slurm_job_id = ?, slurm_task = ?, slurm_state = 'pending' WHERE sweep_id = ? AND config_index = ? AND seed_index = ?`)
    this.store.db.transaction(() => rows.forEach((r, i) => set.run(jobId, i, sweepId, r.configIndex, r.seedIndex)))()
    return { dir, jobId }
  }

  /** A task's progress into its sweep row. */
  private record(sweepId: number, t: TaskProgress): void {
    const reason = t.importProblem ? `importing its run failed: ${t.importProblem}` : t.state === 'completed' ? null : (t.detail ?? t.stateLabel)
    this.store.db
      .prepare(
        `UPDATE sweep_runs SET slurm_state = ?, slurm_job_id = COALESCE(?, slurm_job_id), status = CASE WHEN status IN ('active', 'pending') THEN ? ELSE status END,
           run_id = COALESCE(?, run_id), reason = ? WHERE sweep_id = ? AND slurm_task = ?`,
      )
      .run(t.state, t.jobId, statusOf(t), t.runIds[0] ?? null, reason, sweepId, t.index)
  }

  /** One look at the cluster (`quarkade sweep status`): imports what finished and records every task. */
  async sync(sweepId: number, dir: string): Promise<void> {
    const tasks = await syncSubmission(dir, this.store)
    for (const t of tasks) this.record(sweepId, t)
    this.changed(sweepId, allDone(tasks))
  }

  /** Follows the submission until every task is final, importing each finished task's run. */
  watch(sweepId: number, dir: string): void {
    if (this.watches.has(sweepId)) return
    const abort = new AbortController()
    this.watches.set(sweepId, abort)
    // Once stopped (the host closing, its store with it), a look already under way records nothing.
    const record = (t: TaskProgress): void => {
      if (!abort.signal.aborted) this.record(sweepId, t)
    }
    void watchSubmission(dir, this.store, {
      intervalMs: this.pollMs,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'progress' || abort.signal.aborted) return
        record(e.task)
        this.changed(sweepId, false)
      },
    })
      .then((tasks) => {
        for (const t of tasks) record(t)
        if (!abort.signal.aborted) this.changed(sweepId, true)
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return
        this.store.db.prepare(`UPDATE sweeps SET status_reason = ? WHERE id = ?`).run(`following the Slurm job failed: ${(e as Error).message}`, sweepId)
        this.changed(sweepId, false)
      })
      .finally(() => this.watches.delete(sweepId))
  }

  async cancel(dir: string): Promise<void> {
    await cancel(dir)
  }

  /**
   * Submits the tasks that failed, were cancelled, timed out or ran out of memory again (a new
   * array job over just those), marks their rows active and follows the submission again.
   */
  async resubmit(sweepId: number, dir: string): Promise<{ jobId: string; tasks: number[] } | null> {
    const again = await resubmit(dir)
    if (!again) return null
    const set = this.store.db.prepare(`UPDATE sweep_runs SET status = 'active', slurm_state = 'pending', slurm_job_id = ?, reason = NULL WHERE sweep_id = ? AND slurm_task = ?`)
    this.store.db.transaction(() => again.tasks.forEach((t) => set.run(again.jobId, sweepId, t)))()
    this.watch(sweepId, dir)
    return again
  }

  close(): void {
    for (const w of this.watches.values()) w.abort()
    this.watches.clear()
  }
}
