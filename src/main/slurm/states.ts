/**
 * Where each task stands, in one enum with a label for people.
 *
 * Sources, in order:
 *  1. `squeue --states=all`: pending and running tasks, and finished ones while slurmctld still
 *     remembers them (MinJobAge, 300 s by default).
 *  2. `sacct`: finished tasks from the accounting database. Clusters without accounting storage
 *     (`AccountingStorageType=accounting_storage/none`) answer "accounting storage is disabled".
 *  3. The task's exit marker (`exit.json`, written by the batch script as its last act): exit code 0
 *     → completed; a SIGTERM after running the whole `--time` → timed out, before it → cancelled
 *     (scancel; without --time a partition's own limit cannot be told from a cancel); any other
 *     code → failed. A task Slurm no longer knows
 *     that left no marker was killed outright (SIGKILL, out of memory, a node failure): failed.
 */
import fs from 'node:fs'
import path from 'node:path'
import { lastLine, runSlurm, type SlurmEnv } from './command'
import { EXIT_MARKER, timeLimitSeconds } from './script'
import { attemptDir, readSubmission, resubmitTasks, type SubmissionManifest } from './submission'

export type TaskState = 'unsubmitted' | 'pending' | 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled' | 'out_of_memory' | 'unknown'

export const TASK_STATE_LABELS: Record<TaskState, string> = {
  unsubmitted: 'Not submitted',
  pending: 'Pending',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  timeout: 'Timed out',
  cancelled: 'Cancelled',
  out_of_memory: 'Out of memory',
  unknown: 'Unknown',
}

/** States a task does not leave: its store can be imported. */
export const FINAL_STATES: readonly TaskState[] = ['completed', 'failed', 'timeout', 'cancelled', 'out_of_memory']
/** Final states worth submitting again. */
export const RETRY_STATES: readonly TaskState[] = ['failed', 'timeout', 'cancelled', 'out_of_memory']

export const isFinal = (state: TaskState): boolean => FINAL_STATES.includes(state)

export interface TaskStatus {
  index: number
  label: string
  /** `JOB_TASK` of the latest attempt, or null before submission. */
  slurmId: string | null
  jobId: string | null
  state: TaskState
  stateLabel: string
  /** Slurm's own words (state and reason, or exit code), when there are any. */
  detail: string | null
  source: 'squeue' | 'sacct' | 'exit-marker' | 'none'
  /** The latest attempt's folder (its store is `store/` in it). */
  attemptDir: string | null
}

/** Slurm's job state names (squeue %T, sacct State) → ours. */
export function stateOfSlurm(slurmState: string): TaskState {
  const s = slurmState.trim().split(/\s+/)[0].toUpperCase()
  switch (s) {
    case 'PENDING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'SUSPENDED':
    case 'RESV_DEL_HOLD':
      return 'pending'
    case 'RUNNING':
    case 'CONFIGURING':
    case 'COMPLETING':
    case 'RESIZING':
    case 'SIGNALING':
    case 'STAGE_OUT':
    case 'STOPPED':
      return 'running'
    case 'COMPLETED':
      return 'completed'
    case 'CANCELLED':
    case 'REVOKED':
      return 'cancelled'
    case 'TIMEOUT':
    case 'DEADLINE':
      return 'timeout'
    case 'OUT_OF_MEMORY':
      return 'out_of_memory'
    case 'FAILED':
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
    case 'PREEMPTED':
    case 'SPECIAL_EXIT':
      return 'failed'
    default:
      return 'unknown'
  }
}

interface SlurmRow {
  state: TaskState
  detail: string
}

/** `JOB_TASK|STATE|REST` lines → map by Slurm id. */
function parseRows(stdout: string): Map<string, SlurmRow> {
  const rows = new Map<string, SlurmRow>()
  for (const line of stdout.split('\n')) {
    const [id, state, rest] = line.trim().split('|')
    if (!id || !state) continue
    rows.set(id, { state: stateOfSlurm(state), detail: rest && rest !== 'None' ? `${state} (${rest})` : state })
  }
  return rows
}

/** squeue's rows, and the jobs it could not be asked about (the controller did not answer) with why. */
async function fromSqueue(jobIds: string[], env: SlurmEnv): Promise<{ rows: Map<string, SlurmRow>; unreachable: Map<string, string> }> {
  const rows = new Map<string, SlurmRow>()
  const unreachable = new Map<string, string>()
  // One job at a time: squeue refuses the whole list when one id has been forgotten.
  for (const id of jobIds) {
    const r = await runSlurm('squeue', ['-h', '-r', '--states=all', '-j', id, '-o', '%i|%T|%r'], env)
    if (r.code === 0) for (const [k, v] of parseRows(r.stdout)) rows.set(k, v)
    else if (!/invalid job id/i.test(r.stderr)) unreachable.set(id, `squeue: ${lastLine(r.stderr) || `exit code ${r.code}`}`)
  }
  return { rows, unreachable }
}

/** sacct's rows, or null when the cluster keeps no accounting (or sacct fails). */
async function fromSacct(jobIds: string[], env: SlurmEnv): Promise<Map<string, SlurmRow> | null> {
  const r = await runSlurm('sacct', ['-n', '-P', '-X', '-j', jobIds.join(','), '-o', 'JobID,State,ExitCode'], env).catch(() => null)
  if (!r || r.code !== 0) return null
  const rows = parseRows(r.stdout)
  for (const row of rows.values()) row.detail = row.detail.replace(/ \((\d+:\d+)\)$/, ', exit $1')
  return rows
}

interface ExitMarker {
  exit_code: number
  signal: string
  started_at: number
  ended_at: number
}

/** What the attempt's own files say (source 3 above). */
export function stateFromMarker(dir: string, timeLimitS: number | null = null): SlurmRow {
  const file = path.join(dir, EXIT_MARKER)
  if (fs.existsSync(file)) {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as ExitMarker
    if (m.signal === 'TERM') {
      // Slurm sends the time limit's SIGTERM at the limit or later; a cancel before it is a cancel.
      if (timeLimitS !== null && m.ended_at - m.started_at >= timeLimitS) return { state: 'timeout', detail: `ran its time limit of ${timeLimitS} s and got SIGTERM` }
      return { state: 'cancelled', detail: `stopped by SIGTERM (scancel${timeLimitS === null ? ", or the partition's time limit" : ''}), exit code ${m.exit_code}` }
    }
    if (m.exit_code === 0) return { state: 'completed', detail: 'exit code 0' }
    return { state: 'failed', detail: `exit code ${m.exit_code}` }
  }
  if (!fs.existsSync(dir)) return { state: 'failed', detail: 'Slurm no longer knows this task and it never started (cancelled while pending, or Slurm could not launch it)' }
  return { state: 'failed', detail: 'Slurm no longer knows this task and it left no exit marker: it was killed (SIGKILL, out of memory or a node failure)' }
}

/** The state of every task's latest attempt. */
export async function taskStatuses(dir: string, env: SlurmEnv = process.env, manifest: SubmissionManifest = readSubmission(dir)): Promise<TaskStatus[]> {
  const jobIds = [...new Set(manifest.tasks.flatMap((t) => t.attempts.map((a) => a.jobId)))]
  const { rows: queued, unreachable } = await fromSqueue(jobIds, env)
  const latestIds = manifest.tasks.map((t) => (t.attempts.length ? `${t.attempts.at(-1)!.jobId}_${t.index}` : null))
  const missing = latestIds.filter((id): id is string => id !== null && !queued.has(id) && !unreachable.has(id.split('_')[0]))
  const accounted = missing.length ? await fromSacct([...new Set(missing.map((id) => id.split('_')[0]))], env) : null
  return manifest.tasks.map((t, i) => {
    const slurmId = latestIds[i]
    const base = { index: t.index, label: t.label, slurmId, jobId: t.attempts.at(-1)?.jobId ?? null }
    if (!slurmId) return { ...base, state: 'unsubmitted', stateLabel: TASK_STATE_LABELS.unsubmitted, detail: null, source: 'none', attemptDir: null }
    const adir = attemptDir(dir, t.index, base.jobId!)
    const noAnswer = unreachable.get(base.jobId!)
    if (noAnswer) return { ...base, state: 'unknown', stateLabel: TASK_STATE_LABELS.unknown, detail: noAnswer, source: 'none', attemptDir: adir }
    const [row, source] = queued.has(slurmId)
      ? [queued.get(slurmId)!, 'squeue' as const]
      : accounted?.has(slurmId)
        ? [accounted.get(slurmId)!, 'sacct' as const]
        : [stateFromMarker(adir, timeLimitSeconds(manifest.options.time)), 'exit-marker' as const]
    return { ...base, state: row.state, stateLabel: TASK_STATE_LABELS[row.state], detail: row.detail, source, attemptDir: adir }
  })
}

/**
 * Submits again every task whose latest attempt failed, timed out, ran out of memory or was
 * cancelled (or just `indices`), as one new array job over those indices. Returns the new job
 * id and the tasks, or null when there was nothing to submit again.
 */
export async function resubmit(dir: string, indices?: readonly number[], env: SlurmEnv = process.env): Promise<{ jobId: string; tasks: number[] } | null> {
  const chosen = indices ?? (await taskStatuses(dir, env)).filter((t) => RETRY_STATES.includes(t.state)).map((t) => t.index)
  if (!chosen.length) return null
  return { jobId: await resubmitTasks(dir, chosen, env), tasks: [...chosen] }
}
