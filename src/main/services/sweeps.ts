/**
 * The local sweep runner: expands a sweep (src/core/sweep.ts) into one row per
 * configuration × seed in the run store, and hands the rows to the job
 * supervisor a few at a time (the sweep's `parallel`; the supervisor's own
 * trainer limit still holds). A run that fails is recorded and the sweep goes
 * on. Pause starts no new runs (those training finish); cancel stops those
 * training and marks the rest cancelled; resume continues a paused sweep, or
 * one a closed or crashed host left running — its interrupted runs continue
 * from their last checkpoint under the same run id.
 *
 * One process runs a sweep at a time (sweeps.owner_pid). Another process (the
 * CLI's `sweep cancel`, a second window's host) changes its status in the
 * store; the owner reads it back every second and acts on it.
 */
import { deviation, mean } from 'd3-array'
import type { ApiEvent, RunConfig, RunSummary } from '../../shared/api'
import { SWEEP_RUN_STATUSES, type SweepConfigRow, type SweepDetail, type SweepRun, type SweepRunStatus, type SweepStatus, type SweepSummary } from '../../shared/sweeps'
import { userMessage } from '../../shared/user-message'
import { describeConfig, resolveSweep, SweepError, sweepConfigs, sweepSeeds, sweepTrainRequest, type SweepConfig, type SweepSpec } from '../../core/sweep'
import type { JobService } from './jobs'
import { isAlive, type RunStore } from './run-store'
import { SlurmSweeps } from './sweeps-slurm'
import type { SlurmOptions } from '../slurm'

/** A Slurm sweep is queued by the cluster, not by this app: it has no pause. */
const SLURM_NO_PAUSE = 'a sweep on Slurm cannot pause (the cluster queues its tasks); cancel it, or let it finish'

/** How often an owner reads back its sweeps' status (changed by another process). */
const POLL_MS = 1000

interface SweepRow {
  id: number
  name: string
  env: string
  algo: string
  spec: string
  status: SweepStatus
  status_reason: string | null
  backend: 'local' | 'slurm'
  created_at: number
  ended_at: number | null
  owner_pid: number | null
}

interface SweepRunRow {
  sweep_id: number
  config_index: number
  seed_index: number
  seed: number
  config: string
  run_id: number | null
  status: SweepRunStatus
  reason: string | null
  backend: string | null
  slurm_job_id: string | null
  slurm_task: number | null
  slurm_state: string | null
  run_status: string | null
  episodes_done: number | null
  latest: string | null
  run_episodes: number | null
}

/** The array job's options of a Slurm sweep (its submission folder is not one of them). */
function clusterOptions(spec: SweepSpec): SlurmOptions {
  const { dir: _dir, jobId: _jobId, ...options } = spec.slurm ?? {}
  return options
}

export class SweepService {
  /** Sweeps this process runs. */
  private readonly owned = new Set<number>()
  /** Runs handed to the job supervisor → their sweep. */
  private readonly live = new Map<number, number>()
  /** Minutes-budget timers, by run id, and the runs they stopped. */
  private readonly timers = new Map<number, NodeJS.Timeout>()
  private readonly timeUp = new Set<number>()
  /** waitUntilSettled callers, by sweep. */
  private readonly settledWaiters = new Map<number, (() => void)[]>()
  private poll: NodeJS.Timeout | null = null
  private closing = false
  private readonly slurm: SlurmSweeps

  constructor(
    private readonly store: RunStore,
    private readonly jobs: JobService,
    private readonly emit: (event: ApiEvent) => void,
    /** A train request → a checked RunConfig (resolveRunConfig with the host's track library). */
    private readonly resolveConfig: (request: Record<string, unknown>) => RunConfig,
  ) {
    this.slurm = new SlurmSweeps(store, (id, finished) => this.slurmChanged(id, finished))
  }

  /**
   * The batch script a Slurm sweep would be submitted with, shown before submitting; nothing is
   * written. The returned folder, sent back as `slurm.dir`, makes the submission use exactly it.
   */
  slurmScript(input: unknown): { dir: string; script: string; tasks: number } {
    const spec = resolveSweep(input, { parallel: this.jobs.maxTrainers })
    if (spec.on !== 'slurm') throw new SweepError('only a sweep on Slurm (on: slurm) has a batch script')
    const tasks = sweepConfigs(spec).length * sweepSeeds(spec).length
    return { ...this.slurm.preview(spec, tasks, clusterOptions(spec)), tasks }
  }

  /**
   * Checks a sweep against the registry and every one of its configurations, stores it and
   * starts it: here, or submitted to Slurm as one array job (the options and Slurm itself are
   * checked first).
   */
  async create(input: unknown): Promise<SweepSummary> {
    const spec = resolveSweep(input, { parallel: this.jobs.maxTrainers })
    const slurmOptions = spec.on === 'slurm' ? await this.slurm.check(clusterOptions(spec)) : null
    const configs = sweepConfigs(spec)
    const seeds = sweepSeeds(spec)
    // Every configuration passes the run checks (a replay memory too big, a missing data file) before anything is written.
    for (const c of configs) {
      try {
        this.resolveConfig(sweepTrainRequest(spec, c, seeds[0], spec.name))
      } catch (e) {
        throw new SweepError(`configuration ${c.index + 1} (${describeConfig(c.values)}): ${userMessage(e)}`)
      }
    }
    this.store.assertWritable()
    const db = this.store.db
    const id = db.transaction(() => {
      const info = db
        .prepare(`INSERT INTO sweeps (name, env, algo, spec, status, backend, created_at, owner_pid) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`)
        .run(spec.name, spec.env, spec.algo, JSON.stringify(spec), spec.on, Date.now(), process.pid)
      const sweepId = Number(info.lastInsertRowid)
      const insert = db.prepare(`INSERT INTO sweep_runs (sweep_id, config_index, seed_index, seed, config, backend) VALUES (?, ?, ?, ?, ?, ?)`)
      for (const c of configs) seeds.forEach((seed, k) => insert.run(sweepId, c.index, k, seed, JSON.stringify(c.values), spec.on))
      return sweepId
    })()
    if (slurmOptions) {
      // Seed-major, as locally: task i is the i-th run.
      const rows = seeds.flatMap((seed, k) => configs.map((config) => ({ configIndex: config.index, seedIndex: k, seed, config })))
      try {
        const cluster = await this.slurm.submit(id, spec, rows, slurmOptions)
        spec.slurm = { ...spec.slurm, dir: cluster.dir, jobId: cluster.jobId }
        db.prepare('UPDATE sweeps SET spec = ? WHERE id = ?').run(JSON.stringify(spec), id)
        this.slurm.watch(id, spec.slurm.dir!)
      } catch (e) {
        db.prepare('DELETE FROM sweeps WHERE id = ?').run(id)
        throw e
      }
      return this.emitSweep(id)
    }
    this.owned.add(id)
    this.startPolling()
    this.pump(id)
    return this.emitSweep(id)
  }

  list(): SweepSummary[] {
    return (this.store.db.prepare('SELECT * FROM sweeps ORDER BY id DESC').all() as SweepRow[]).map((r) => this.summary(r))
  }

  getSummary(id: number): SweepSummary {
    return this.summary(this.row(id))
  }

  get(id: number): SweepDetail {
    const sweep = this.getSummary(id)
    const rows = this.store.db
      .prepare(
        `SELECT sr.*, r.status AS run_status, r.episodes_done, r.latest, json_extract(r.config, '$.episodes') AS run_episodes
         FROM sweep_runs sr LEFT JOIN runs r ON r.id = sr.run_id WHERE sr.sweep_id = ? ORDER BY sr.config_index, sr.seed_index`,
      )
      .all(id) as SweepRunRow[]
    const key = sweep.spec.metric.key
    const runs: SweepRun[] = rows.map((r) => ({
      configIndex: r.config_index,
      seedIndex: r.seed_index,
      seed: r.seed,
      runId: r.run_id,
      status: r.status,
      reason: r.reason,
      runStatus: r.run_status,
      episodesDone: r.episodes_done ?? 0,
      episodes: r.run_episodes ?? sweep.spec.budget.episodes,
      metric: r.latest ? ((JSON.parse(r.latest) as Record<string, number>)[key] ?? null) : null,
      backend: r.backend,
      slurmJobId: r.slurm_job_id,
      slurmTask: r.slurm_task,
      slurmState: r.slurm_state,
    }))
    return { sweep, runs, configs: configRows(rows, runs, sweep.spec.metric.direction) }
  }

  /** A running sweep on Slurm: asks the cluster once and imports what finished (nothing to do otherwise). */
  async refresh(id: number): Promise<void> {
    const sweep = this.row(id)
    const dir = (JSON.parse(sweep.spec) as SweepSpec).slurm?.dir
    if (sweep.backend === 'slurm' && sweep.status === 'running' && dir) await this.slurm.sync(id, dir)
  }

  /** No new runs start; the runs training now finish. */
  pause(id: number): SweepSummary {
    const sweep = this.row(id)
    if (sweep.status !== 'running') throw new SweepError(`sweep ${id} is ${sweep.status}; only a running sweep can pause`)
    if (sweep.backend === 'slurm') throw new SweepError(SLURM_NO_PAUSE)
    this.setStatus(id, 'paused', 'paused: runs already training finish, no new ones start')
    return this.emitSweep(id)
  }

  /** Continues a paused sweep, or one left running by a host that is gone; this process runs it from now on. */
  resume(id: number): SweepSummary {
    const sweep = this.row(id)
    if (sweep.status === 'completed' || sweep.status === 'cancelled') throw new SweepError(`sweep ${id} is ${sweep.status}; there is nothing to resume`)
    if (sweep.backend === 'slurm') throw new SweepError(SLURM_NO_PAUSE)
    if (!this.owned.has(id) && sweep.owner_pid !== null && sweep.owner_pid !== process.pid && isAlive(sweep.owner_pid)) {
      throw new SweepError(`sweep ${id} is run by another Quarkade (process ${sweep.owner_pid}); resume it there, or close that one first`)
    }
    this.store.assertWritable()
    this.store.db.prepare(`UPDATE sweeps SET status = 'running', status_reason = NULL, owner_pid = ? WHERE id = ?`).run(process.pid, id)
    this.owned.add(id)
    this.reconcile(id)
    this.startPolling()
    this.pump(id)
    return this.emitSweep(id)
  }

  /** On Slurm: submits the failed, cancelled and timed-out tasks again and follows them (their new runs replace the old in the table). */
  async resubmit(id: number): Promise<SweepSummary> {
    const sweep = this.row(id)
    if (sweep.backend !== 'slurm') throw new SweepError(`sweep ${id} runs on this machine; a failed run there is not submitted again (start a new sweep, or resume a paused one)`)
    const dir = (JSON.parse(sweep.spec) as SweepSpec).slurm?.dir
    if (!dir) throw new SweepError(`sweep ${id} was never submitted to Slurm`)
    this.store.assertWritable()
    const again = await this.slurm.resubmit(id, dir)
    if (!again) throw new SweepError(`sweep ${id} has no failed, cancelled or timed-out task to submit again`)
    this.store.db.prepare(`UPDATE sweeps SET status = 'running', status_reason = ?, ended_at = NULL WHERE id = ?`).run(`${again.tasks.length} task${again.tasks.length === 1 ? '' : 's'} submitted again as Slurm job ${again.jobId}`, id)
    return this.emitSweep(id)
  }

  /** Stops the runs training now and marks the rest cancelled (on Slurm: scancel every task). */
  async cancel(id: number): Promise<SweepSummary> {
    const sweep = this.row(id)
    if (sweep.status === 'completed' || sweep.status === 'cancelled') throw new SweepError(`sweep ${id} is already ${sweep.status}`)
    this.store.assertWritable()
    if (sweep.backend === 'slurm') {
      const dir = (JSON.parse(sweep.spec) as SweepSpec).slurm?.dir
      if (dir) await this.slurm.cancel(dir)
      this.setStatus(id, 'cancelled', 'cancelled (scancel)')
      return this.emitSweep(id)
    }
    const db = this.store.db
    db.transaction(() => {
      db.prepare(`UPDATE sweeps SET status = 'cancelled', status_reason = 'cancelled', ended_at = ? WHERE id = ?`).run(Date.now(), id)
      db.prepare(`UPDATE sweep_runs SET status = 'cancelled', reason = 'cancelled before it started' WHERE sweep_id = ? AND status = 'pending'`).run(id)
    })()
    const ownerElsewhere = !this.owned.has(id) && sweep.owner_pid !== null && sweep.owner_pid !== process.pid && isAlive(sweep.owner_pid)
    // The owner stops its own trainers when it reads the status back; runs of a host that is gone stop here.
    if (!ownerElsewhere) this.stopActive(id)
    return this.emitSweep(id)
  }

  /**
   * At host start: sweeps left running by a host that is gone continue here. One that cannot
   * (a run store opened read-only) stays as stored, and the host starts anyway.
   */
  resumeInterrupted(log: (line: string) => void = (line) => console.error(line)): number[] {
    if (this.store.readOnlyReason) return []
    // Sweeps on Slurm go on without us: follow them again and import what finished meanwhile.
    const onSlurm = this.store.db.prepare(`SELECT id, spec FROM sweeps WHERE backend = 'slurm' AND status = 'running'`).all() as { id: number; spec: string }[]
    for (const r of onSlurm) {
      const dir = (JSON.parse(r.spec) as SweepSpec).slurm?.dir
      if (dir) this.slurm.watch(r.id, dir)
    }
    const rows = this.store.db.prepare(`SELECT id, owner_pid FROM sweeps WHERE status = 'running' AND backend = 'local'`).all() as { id: number; owner_pid: number | null }[]
    const resumed: number[] = []
    for (const r of rows) {
      if (r.owner_pid !== null && r.owner_pid !== process.pid && isAlive(r.owner_pid)) continue
      try {
        this.resume(r.id)
        resumed.push(r.id)
      } catch (e) {
        log(`quarkade: sweep ${r.id} was left running and could not continue: ${userMessage(e)}`)
      }
    }
    return resumed
  }

  /** Resolves once no run of the sweep trains and none will start here (completed, cancelled or paused). */
  waitUntilSettled(id: number): Promise<SweepSummary> {
    if (this.settled(id)) return Promise.resolve(this.getSummary(id))
    return new Promise((resolve) => this.settledWaiters.set(id, [...(this.settledWaiters.get(id) ?? []), () => resolve(this.getSummary(id))]))
  }

  /** Host shutdown: nothing more starts; sweeps stay as stored, and the next host start resumes the running ones. */
  close(): void {
    this.closing = true
    this.slurm.close()
    if (this.poll) clearInterval(this.poll)
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }

  /** Run events from the job supervisor: a sweep run starting to train starts its minutes budget. */
  onEvent(e: ApiEvent): void {
    if (e.type !== 'run.updated' || e.run.status !== 'running' || this.timers.has(e.run.id)) return
    const sweepId = this.live.get(e.run.id)
    if (sweepId === undefined) return
    const minutes = this.spec(sweepId).budget.minutes
    if (minutes === null) return
    const runId = e.run.id
    const timer = setTimeout(() => {
      this.timeUp.add(runId)
      try {
        this.jobs.stop(runId)
      } catch {
        // It ended meanwhile; its end is recorded as it came.
      }
    }, minutes * 60_000)
    timer.unref()
    this.timers.set(runId, timer)
  }

  /** The Slurm watch saw tasks change; once every task is final the sweep is complete. */
  private slurmChanged(id: number, finished: boolean): void {
    if (this.closing) return
    if (finished && this.row(id).status === 'running') {
      const failed = this.store.db.prepare(`SELECT count(*) FROM sweep_runs WHERE sweep_id = ? AND status = 'failed'`).pluck().get(id) as number
      this.setStatus(id, 'completed', failed ? `${failed} run${failed === 1 ? '' : 's'} failed` : null)
    }
    this.emitSweep(id)
  }

  private row(id: number): SweepRow {
    const row = this.store.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined
    if (!row) throw new SweepError(`sweep ${id} does not exist`)
    return row
  }

  private spec(id: number): SweepSpec {
    return JSON.parse(this.row(id).spec) as SweepSpec
  }

  private summary(r: SweepRow): SweepSummary {
    const counts = Object.fromEntries(SWEEP_RUN_STATUSES.map((s) => [s, 0])) as Record<SweepRunStatus, number>
    const rows = this.store.db.prepare('SELECT status, count(*) AS n FROM sweep_runs WHERE sweep_id = ? GROUP BY status').all(r.id) as { status: SweepRunStatus; n: number }[]
    for (const c of rows) counts[c.status] = c.n
    return {
      id: r.id,
      name: r.name,
      env: r.env,
      algo: r.algo,
      status: r.status,
      statusReason: r.status_reason,
      backend: r.backend,
      spec: JSON.parse(r.spec) as SweepSpec,
      createdAt: r.created_at,
      endedAt: r.ended_at,
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
    }
  }

  private setStatus(id: number, status: SweepStatus, reason: string | null): void {
    const final = status === 'completed' || status === 'cancelled'
    this.store.db
      .prepare(`UPDATE sweeps SET status = ?, status_reason = ?, ended_at = CASE WHEN ? THEN ? ELSE ended_at END WHERE id = ?`)
      .run(status, reason, final ? 1 : 0, Date.now(), id)
  }

  private setRun(sweepId: number, configIndex: number, seedIndex: number, status: SweepRunStatus, reason: string | null, runId?: number): void {
    this.store.db
      .prepare(`UPDATE sweep_runs SET status = ?, reason = ?, run_id = COALESCE(?, run_id) WHERE sweep_id = ? AND config_index = ? AND seed_index = ?`)
      .run(status, reason, runId ?? null, sweepId, configIndex, seedIndex)
  }

  /** Starts pending runs while the sweep runs here and has free slots; completes it when nothing is left. */
  private pump(id: number): void {
    if (this.closing || !this.owned.has(id)) return
    const sweep = this.row(id)
    if (sweep.status !== 'running') return this.notifySettled(id)
    const spec = JSON.parse(sweep.spec) as SweepSpec
    const db = this.store.db
    const activeCount = (): number => db.prepare(`SELECT count(*) FROM sweep_runs WHERE sweep_id = ? AND status = 'active'`).pluck().get(id) as number
    // Seed-major order: every configuration gets its first seed before any gets a second.
    const nextPending = db.prepare(`SELECT * FROM sweep_runs WHERE sweep_id = ? AND status = 'pending' ORDER BY seed_index, config_index LIMIT 1`)
    while (activeCount() < spec.parallel) {
      const next = nextPending.get(id) as SweepRunRow | undefined
      if (!next) break
      this.launch(id, spec, next)
    }
    if (activeCount() === 0 && nextPending.get(id) === undefined) {
      const failed = db.prepare(`SELECT count(*) FROM sweep_runs WHERE sweep_id = ? AND status = 'failed'`).pluck().get(id) as number
      this.setStatus(id, 'completed', failed ? `${failed} run${failed === 1 ? '' : 's'} failed` : null)
      this.owned.delete(id)
      this.emitSweep(id)
    }
  }

  private launch(sweepId: number, spec: SweepSpec, row: SweepRunRow): void {
    const config: SweepConfig = { index: row.config_index, values: JSON.parse(row.config) as SweepConfig['values'] }
    try {
      // A run begun before a pause or a restart continues from its checkpoint under its own id;
      // one with nothing to continue from (killed before its first checkpoint) is begun afresh.
      let run: RunSummary | null = null
      if (row.run_id !== null && this.store.findRun(row.run_id)) {
        try {
          run = this.jobs.resume(row.run_id)
        } catch {
          run = null
        }
      }
      run ??= this.jobs.start(this.resolveConfig(sweepTrainRequest(spec, config, row.seed, `${spec.name} · config ${row.config_index + 1} · seed ${row.seed_index + 1}`)))
      this.setRun(sweepId, row.config_index, row.seed_index, 'active', null, run.id)
      this.live.set(run.id, sweepId)
      void this.jobs.waitForEnd(run.id).then((final) => this.landed(sweepId, row.config_index, row.seed_index, final))
    } catch (e) {
      this.setRun(sweepId, row.config_index, row.seed_index, 'failed', userMessage(e))
    }
  }

  private landed(sweepId: number, configIndex: number, seedIndex: number, final: RunSummary): void {
    this.live.delete(final.id)
    clearTimeout(this.timers.get(final.id))
    this.timers.delete(final.id)
    const timeUp = this.timeUp.delete(final.id)
    // A host closing stops its runs; the sweep keeps them active so the next start continues them.
    if (this.closing) return
    const current = this.store.db
      .prepare('SELECT status, run_id FROM sweep_runs WHERE sweep_id = ? AND config_index = ? AND seed_index = ?')
      .get(sweepId, configIndex, seedIndex) as { status: SweepRunStatus; run_id: number | null } | undefined
    if (!current || current.status !== 'active' || current.run_id !== final.id) return
    let status: SweepRunStatus
    let reason = final.statusReason
    if (final.status === 'completed') status = 'done'
    else if (final.status === 'stopped' && timeUp) {
      status = 'done'
      reason = `its time budget of ${this.spec(sweepId).budget.minutes} min was reached`
    } else if (final.status === 'stopped') status = 'cancelled'
    else status = 'failed'
    this.setRun(sweepId, configIndex, seedIndex, status, reason)
    // The next runs start first, so the event counts them as training.
    this.pump(sweepId)
    this.emitSweep(sweepId)
  }

  /** After a restart: active rows whose run no trainer holds are landed (completed) or pending again (continued). */
  private reconcile(id: number): void {
    const rows = this.store.db.prepare(`SELECT * FROM sweep_runs WHERE sweep_id = ? AND status = 'active'`).all(id) as SweepRunRow[]
    for (const r of rows) {
      if (r.run_id !== null && this.jobs.active.includes(r.run_id)) {
        if (!this.live.has(r.run_id)) {
          this.live.set(r.run_id, id)
          void this.jobs.waitForEnd(r.run_id).then((final) => this.landed(id, r.config_index, r.seed_index, final))
        }
        continue
      }
      const run = r.run_id === null ? null : this.store.findRun(r.run_id)
      if (!run) this.setRun(id, r.config_index, r.seed_index, 'failed', 'its run was deleted')
      else if (run.status === 'completed') this.setRun(id, r.config_index, r.seed_index, 'done', run.statusReason)
      else this.setRun(id, r.config_index, r.seed_index, 'pending', null)
    }
  }

  private stopActive(id: number): void {
    const rows = this.store.db.prepare(`SELECT * FROM sweep_runs WHERE sweep_id = ? AND status = 'active'`).all(id) as SweepRunRow[]
    for (const r of rows) {
      if (r.run_id !== null && this.jobs.active.includes(r.run_id)) {
        this.jobs.stop(r.run_id)
      } else {
        this.setRun(id, r.config_index, r.seed_index, 'cancelled', 'the sweep was cancelled')
      }
    }
    this.owned.delete(id)
    this.notifySettled(id)
  }

  private startPolling(): void {
    if (this.poll || this.closing) return
    this.poll = setInterval(() => this.readBack(), POLL_MS)
    this.poll.unref()
  }

  /** Applies what another process wrote: a cancel stops this process's trainers of that sweep. */
  private readBack(): void {
    for (const id of [...this.owned]) {
      const status = (this.store.db.prepare('SELECT status FROM sweeps WHERE id = ?').pluck().get(id) as SweepStatus | undefined) ?? 'cancelled'
      if (status === 'cancelled') {
        this.stopActive(id)
        this.emitSweep(id)
      } else if (status === 'paused') {
        this.notifySettled(id)
      }
    }
    if (this.owned.size === 0 && this.poll) {
      clearInterval(this.poll)
      this.poll = null
    }
  }

  /** Settled: nothing trains for it here and nothing will start. */
  private settled(id: number): boolean {
    const sweep = this.row(id)
    // On Slurm: settled once every task is final (the watch has landed them all).
    if (sweep.backend === 'slurm') {
      return (this.store.db.prepare(`SELECT count(*) FROM sweep_runs WHERE sweep_id = ? AND status IN ('active', 'pending')`).pluck().get(id) as number) === 0
    }
    const active = this.store.db.prepare(`SELECT count(*) FROM sweep_runs WHERE sweep_id = ? AND status = 'active'`).pluck().get(id) as number
    if (sweep.status === 'running') return false
    return active === 0 || ![...this.live.values()].includes(id)
  }

  private notifySettled(id: number): void {
    if (!this.settled(id)) return
    const waiters = this.settledWaiters.get(id) ?? []
    this.settledWaiters.delete(id)
    for (const w of waiters) w()
  }

  private emitSweep(id: number): SweepSummary {
    const sweep = this.getSummary(id)
    this.emit({ type: 'sweep.updated', sweep })
    if (sweep.status !== 'running') this.notifySettled(id)
    return sweep
  }
}

/** Mean ± std of each configuration's final metric over its landed runs; the best mean flagged. */
function configRows(rows: SweepRunRow[], runs: SweepRun[], direction: 'max' | 'min'): SweepConfigRow[] {
  const byConfig = new Map<number, { values: SweepConfigRow['values']; finals: number[]; runs: number }>()
  rows.forEach((r, i) => {
    const entry = byConfig.get(r.config_index) ?? { values: JSON.parse(r.config) as SweepConfigRow['values'], finals: [], runs: 0 }
    entry.runs++
    const m = runs[i].metric
    if (runs[i].status === 'done' && m !== null) entry.finals.push(m)
    byConfig.set(r.config_index, entry)
  })
  const out: SweepConfigRow[] = [...byConfig].map(([index, e]) => ({
    index,
    values: e.values,
    landed: e.finals.length,
    runs: e.runs,
    mean: e.finals.length ? mean(e.finals)! : null,
    std: e.finals.length >= 2 ? deviation(e.finals)! : null,
    best: false,
  }))
  const scored = out.filter((c) => c.mean !== null)
  if (scored.length) {
    const best = scored.reduce((a, b) => ((direction === 'max' ? b.mean! > a.mean! : b.mean! < a.mean!) ? b : a))
    best.best = true
  }
  return out
}
