/**
 * Bringing a submission's results home: `syncSubmission` asks Slurm once where every task
 * stands and imports the store of each task that has finished (once: the manifest's ledger
 * remembers); `watchSubmission` repeats that until every task has finished and been imported,
 * telling the caller about each change.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { RunStatus } from '../../shared/api'
import type { RunStore } from '../services/run-store'
import type { SlurmEnv } from './command'
import { importStore, type ImportedRun } from './import'
import { tryLock } from './lock'
import { STORE_DIR } from './script'
import { TASK_STATE_LABELS, isFinal, taskStatuses, type TaskState, type TaskStatus } from './states'
import { readSubmission, updateSubmission, type ImportLedger } from './submission'

/** A task's status plus the runs imported from its latest attempt into this store. */
export interface TaskProgress extends TaskStatus {
  /** Run ids in the user's store; empty until the task has finished and been imported. */
  runIds: number[]
  /** Why importing this task's store failed (the next sync tries again), or null. */
  importProblem: string | null
}

export type SlurmEvent =
  | { type: 'task'; task: TaskProgress }
  | { type: 'imported'; task: TaskProgress; runs: ImportedRun[] }
  | { type: 'progress'; dir: string; total: number; finished: number; counts: Partial<Record<TaskState, number>> }

/** Counts of tasks per state. */
export function countStates(tasks: readonly TaskStatus[]): Partial<Record<TaskState, number>> {
  const counts: Partial<Record<TaskState, number>> = {}
  for (const t of tasks) counts[t.state] = (counts[t.state] ?? 0) + 1
  return counts
}

/** The run status an imported run gets from its task's Slurm state. */
function describeFor(task: TaskStatus): (run: { status: RunStatus; statusReason: string | null }) => { status: RunStatus; statusReason: string | null } {
  return (run) => {
    if (task.state === 'completed' && run.status === 'completed') return run
    const unfinished = run.status === 'queued' || run.status === 'running' || run.status === 'paused'
    const why = `Slurm task ${task.slurmId} ${TASK_STATE_LABELS[task.state].toLowerCase()}${task.detail ? ` (${task.detail})` : ''}`
    return { status: unfinished ? 'failed' : run.status, statusReason: `${why}${run.statusReason ? `: ${run.statusReason}` : ''}` }
  }
}

const IMPORT_LOCK = 'import.lock'

const ledgerOf = (imports: Record<string, ImportLedger>, key: string): ImportLedger => (imports[key] ??= { done: {}, partial: {} })

/**
 * Asks Slurm once and imports every finished task not yet imported into `store`. Returns each
 * task's progress; `onEvent` hears of imports.
 */
export async function syncSubmission(dir: string, store: RunStore, opts: { env?: SlurmEnv; onEvent?: (e: SlurmEvent) => void } = {}): Promise<TaskProgress[]> {
  const statuses = await taskStatuses(dir, opts.env)
  const manifest = readSubmission(dir)
  const destKey = path.resolve(store.db.name)
  const out: TaskProgress[] = []
  for (const status of statuses) {
    const task = manifest.tasks[status.index]
    const attempt = task.attempts.at(-1)
    const recorded = attempt ? ledgerOf(attempt.imports, destKey) : null
    let progress: TaskProgress = { ...status, runIds: recorded ? Object.values(recorded.done) : [], importProblem: null }
    const storeDir = status.attemptDir ? path.join(status.attemptDir, STORE_DIR) : null
    // Another process importing this attempt right now: its runs show on the next look.
    const release = isFinal(status.state) && attempt && status.attemptDir && fs.existsSync(status.attemptDir) ? tryLock(path.join(status.attemptDir, IMPORT_LOCK)) : null
    if (release && attempt && storeDir) {
      // What that other process may have imported meanwhile.
      const ledger = ledgerOf(readSubmission(dir).tasks[status.index].attempts.find((a) => a.jobId === attempt.jobId)!.imports, destKey)
      const save = (): void => {
        updateSubmission(dir, (m) => {
          const a = m.tasks[status.index].attempts.find((x) => x.jobId === attempt.jobId)!
          a.imports[destKey] = ledger
        })
      }
      try {
        // A task killed before its trainer opened the store has nothing to bring home.
        const runs = fs.existsSync(path.join(storeDir, 'quarkade.sqlite')) ? importStore(storeDir, store, ledger, save, { describe: describeFor(status) }) : []
        progress = { ...progress, runIds: runs.map((r) => r.runId) }
        if (runs.some((r) => r.copied)) opts.onEvent?.({ type: 'imported', task: progress, runs })
      } catch (e) {
        progress = { ...progress, importProblem: (e as Error).message }
      } finally {
        release()
      }
    }
    out.push(progress)
  }
  return out
}

/** Whether nothing is left to wait for: every task finished and imported (or its import failed). */
export function allDone(tasks: readonly TaskProgress[]): boolean {
  return tasks.every((t) => isFinal(t.state))
}

/**
 * Polls every `intervalMs` (default 10 s) until every task has finished and its store is
 * imported; emits `task` when a task's state changes, `imported` for each import, and
 * `progress` after every poll. Stops early (returning the last progress) when `signal` aborts.
 */
export async function watchSubmission(
  dir: string,
  store: RunStore,
  opts: { env?: SlurmEnv; intervalMs?: number; signal?: AbortSignal; onEvent?: (e: SlurmEvent) => void } = {},
): Promise<TaskProgress[]> {
  const seen = new Map<number, string>()
  for (;;) {
    const tasks = await syncSubmission(dir, store, opts)
    for (const t of tasks) {
      const key = `${t.slurmId} ${t.state}`
      if (seen.get(t.index) !== key) {
        seen.set(t.index, key)
        opts.onEvent?.({ type: 'task', task: t })
      }
    }
    opts.onEvent?.({ type: 'progress', dir, total: tasks.length, finished: tasks.filter((t) => isFinal(t.state)).length, counts: countStates(tasks) })
    if (allDone(tasks) || opts.signal?.aborted) return tasks
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, opts.intervalMs ?? 10_000)
      opts.signal?.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve()
      }, { once: true })
    })
  }
}
