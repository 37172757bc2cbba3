/**
 * Slurm in the CLI (wired into cli.ts with one line each), through src/main/slurm:
 *
 *   quarkade train … --on slurm [--wait] [--partition P] [--time T] [--cpus-per-task N] [--gpus N]
 *                    [--account A] [--job-name NAME] [--sbatch-line '#SBATCH …' ...] [--slurm-dir DIR]
 *                    [--print-script]
 *   quarkade slurm submit|status|cancel|resubmit SUBMISSION_DIR|JOB_ID [--task I ...] [--wait] [--data-dir DIR] [--json]
 *
 * `train --on slurm` checks the train arguments exactly as a local run does (nothing is written
 * for a bad one), writes a submission folder, submits it as a 1-task array job and, with --wait,
 * imports the run into the local store when the task ends and prints train's usual JSON.
 */
import fs from 'node:fs'
import { parseCliArgs } from './cli-args'
import { SLURM_FLAGS, slurmFlagSettings, wholeNumber } from './cli-slurm-flags'
import { ConfigError, type RunConfig, type RunSummary } from '../../shared/api'
import { defaultDataDir } from '../services/data-dir'
import { openRunStore } from '../services/open-store'
import type { RunStore } from '../services/run-store'
import {
  TASK_STATE_LABELS,
  cancel,
  checkSlurmOptions,
  defaultSubmissionDir,
  findSubmission,
  portableTrainArgs,
  prepareSubmission,
  readSubmission,
  resubmit,
  slurmAvailability,
  submit,
  syncSubmission,
  watchSubmission,
  type SlurmEvent,
  type SlurmOptions,
  type TaskProgress,
} from '../slurm'

export const SLURM_USAGE = `quarkade train … --on slurm [--wait] [--partition P] [--time T] [--cpus-per-task N] [--gpus N] [--account A]
                 [--job-name NAME] [--sbatch-line '#SBATCH --mem=4G' ...] [--slurm-dir DIR] [--print-script]
                 (--print-script writes the submission folder and prints its script without submitting it)
  quarkade slurm submit DIR                          submit a folder written with --print-script
  quarkade slurm status DIR|JOB_ID [--wait] [--json]  each task's Slurm state; imports finished tasks' runs
  quarkade slurm cancel DIR|JOB_ID[_TASK] [--task I ...]   scancel the tasks (all without --task or _TASK)
  quarkade slurm resubmit DIR|JOB_ID [--task I ...]  failed, cancelled and timed-out tasks (or those given) again`

/** The options `train --on slurm` adds, as parseArgs sees them. */
const SLURM_TRAIN_OPTIONS = {
  on: { type: 'string' },
  wait: { type: 'boolean' },
  'job-name': { type: 'string' },
  ...SLURM_FLAGS,
} as const

/** Whether train's arguments ask for Slurm. */
export const wantsSlurm = (args: readonly string[]): boolean => args.some((a) => a === '--on' || a.startsWith('--on='))

/** Splits `args` into the Slurm flags (parsed) and the train arguments left. */
function splitArgs(args: readonly string[]): { slurm: Record<string, string | string[] | boolean | undefined>; train: string[] } {
  const slurmArgs: string[] = []
  const train: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const name = a.startsWith('--') ? a.slice(2).split('=')[0] : ''
    const spec = (SLURM_TRAIN_OPTIONS as Record<string, { type: string }>)[name]
    if (!spec) {
      train.push(a)
      continue
    }
    slurmArgs.push(a)
    if (spec.type === 'string' && !a.includes('=') && i + 1 < args.length) slurmArgs.push(args[++i])
  }
  const { values } = parseCliArgs({ args: slurmArgs, strict: true, options: SLURM_TRAIN_OPTIONS })
  return { slurm: values, train }
}

function optionsOf(values: Record<string, unknown>): SlurmOptions {
  return checkSlurmOptions({ extraLines: [], ...slurmFlagSettings(values), jobName: values['job-name'] as string | undefined })
}

async function requireSlurm(): Promise<void> {
  const available = await slurmAvailability()
  if (!available.ok) throw new ConfigError(available.reason)
}

function progressLine(t: TaskProgress): string {
  const runs = t.runIds.length ? `  run ${t.runIds.join(', ')}` : ''
  const problem = t.importProblem ? `  import failed: ${t.importProblem}` : ''
  return `task ${t.index} ${t.slurmId ?? '—'} ${t.stateLabel}${t.detail && t.state !== 'pending' && t.state !== 'running' ? ` (${t.detail})` : ''}${runs}${problem}`
}

function reportEvent(e: SlurmEvent): void {
  if (e.type === 'task') process.stderr.write(`${progressLine(e.task)}\n`)
  else if (e.type === 'imported') process.stderr.write(`task ${e.task.index}: imported as run ${e.runs.map((r) => r.runId).join(', ')}\n`)
}

/** Waits for the submission, Ctrl-C stopping the wait (not the job). */
async function waitFor(dir: string, store: RunStore): Promise<TaskProgress[]> {
  const abort = new AbortController()
  const onSignal = (): void => {
    process.stderr.write(`\nno longer waiting; the job goes on — see it with: quarkade slurm status ${dir}\n`)
    abort.abort()
  }
  process.once('SIGINT', onSignal)
  try {
    return await watchSubmission(dir, store, { intervalMs: Number(process.env.QUARKADE_SLURM_POLL_MS) || 10_000, signal: abort.signal, onEvent: reportEvent })
  } finally {
    process.off('SIGINT', onSignal)
  }
}

export interface TrainHelpers {
  trainConfigFromArgs(args: string[]): { config: RunConfig | null; dataDir: string; json: boolean }
  resultJson(run: RunSummary, wallS: number): Record<string, unknown>
}

/** `quarkade train … --on slurm`. */
export async function trainOnSlurm(args: string[], helpers: TrainHelpers): Promise<number> {
  const { slurm, train } = splitArgs(args)
  if (slurm.on !== 'slurm') throw new ConfigError(`--on takes "slurm" (train on a Slurm cluster), got "${String(slurm.on).slice(0, 40)}"`)
  const { config, dataDir, json } = helpers.trainConfigFromArgs(train)
  if (!config) throw new ConfigError('--resume continues a run in this machine\'s store; it cannot run on Slurm (train a new run there instead)')
  const options = optionsOf(slurm)
  const printOnly = slurm['print-script'] === true
  if (!printOnly) await requireSlurm()
  const dir = (slurm['slurm-dir'] as string | undefined) ?? defaultSubmissionDir(dataDir, config.name)
  const store = fs.existsSync(dataDir) || slurm.wait ? openRunStore(dataDir) : null
  const started = performance.now()
  try {
    const argv = portableTrainArgs(train, { dataDir, dir, store })
    const submission = prepareSubmission({ dir, tasks: [{ argv, label: config.name }], options })
    if (printOnly) {
      process.stdout.write(submission.script)
      process.stderr.write(`not submitted; the script and the task are in ${submission.dir} — submit with: quarkade slurm submit ${submission.dir}\n`)
      return 0
    }
    const jobId = await submit(submission.dir)
    process.stderr.write(`submitted Slurm job ${jobId} (task ${jobId}_0) from ${submission.dir}\n`)
    if (!slurm.wait) {
      if (json) process.stdout.write(JSON.stringify({ submission_dir: submission.dir, job_id: jobId, slurm_id: `${jobId}_0`, script: `${submission.dir}/job.sbatch` }) + '\n')
      else process.stderr.write(`see it with: quarkade slurm status ${submission.dir}\n`)
      return 0
    }
    const [task] = await waitFor(submission.dir, store!)
    const run = task.runIds.length ? store!.findRun(task.runIds[0]) : null
    const slurmFacts = { submission_dir: submission.dir, job_id: jobId, slurm_id: task.slurmId, slurm_state: task.state, slurm_detail: task.detail }
    if (json) process.stdout.write(JSON.stringify(run ? { ...helpers.resultJson(run, (performance.now() - started) / 1000), slurm: slurmFacts } : { run_id: null, status: null, slurm: slurmFacts }) + '\n')
    if (run) process.stderr.write(`run ${run.id} ${run.status}: ${run.statusReason ?? ''}\n`)
    return task.state === 'completed' && run?.status === 'completed' ? 0 : 1
  } finally {
    store?.close()
  }
}

function statusJson(dir: string, tasks: TaskProgress[]): Record<string, unknown> {
  return {
    submission_dir: dir,
    tasks: tasks.map((t) => ({
      index: t.index,
      label: t.label,
      slurm_id: t.slurmId,
      state: t.state,
      state_label: TASK_STATE_LABELS[t.state],
      detail: t.detail,
      source: t.source,
      run_ids: t.runIds,
      import_problem: t.importProblem,
    })),
  }
}

/** `quarkade slurm submit|status|cancel|resubmit …`. */
export async function slurmCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseCliArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: { task: { type: 'string', multiple: true }, wait: { type: 'boolean' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
  })
  if (!['submit', 'status', 'cancel', 'resubmit'].includes(sub ?? '')) throw new ConfigError(`slurm: expected "submit", "status", "cancel" or "resubmit", got "${String(sub ?? '').slice(0, 40)}"`)
  if (positionals.length !== 1) throw new ConfigError(`slurm ${sub} needs one SUBMISSION_DIR or JOB_ID`)
  const dataDir = values['data-dir'] ?? defaultDataDir()
  // A JOB_TASK id names one task: `quarkade slurm cancel 1234_2`.
  const namedTask = /^\d+_(\d+)$/.exec(positionals[0])
  const indices = values.task?.map((t) => wholeNumber('task', t)!) ?? (namedTask ? [Number(namedTask[1])] : undefined)
  const dir = await findSubmission(positionals[0], dataDir)
  const say = (text: string, data: Record<string, unknown>): void => {
    process.stdout.write(values.json ? JSON.stringify({ submission_dir: dir, ...data }) + '\n' : text + '\n')
  }
  switch (sub) {
    case 'submit': {
      await requireSlurm()
      const jobId = await submit(dir)
      say(`submitted Slurm job ${jobId} (${readSubmission(dir).tasks.length} tasks) from ${dir}`, { job_id: jobId })
      return 0
    }
    case 'cancel': {
      const ids = await cancel(dir, indices)
      say(ids.length ? `cancelled ${ids.join(' ')}` : 'nothing to cancel', { cancelled: ids })
      return 0
    }
    case 'resubmit': {
      await requireSlurm()
      const again = await resubmit(dir, indices)
      say(again ? `submitted tasks ${again.tasks.join(', ')} again as Slurm job ${again.jobId}` : 'no failed, cancelled or timed-out tasks to submit again', { job_id: again?.jobId ?? null, tasks: again?.tasks ?? [] })
      return 0
    }
    default: {
      const store = openRunStore(dataDir)
      try {
        const tasks = values.wait ? await waitFor(dir, store) : await syncSubmission(dir, store, { onEvent: reportEvent })
        if (values.json) process.stdout.write(JSON.stringify(statusJson(dir, tasks)) + '\n')
        else for (const t of tasks) process.stdout.write(`${progressLine(t)}  ${t.label}\n`)
        return tasks.some((t) => t.importProblem) ? 1 : 0
      } finally {
        store.close()
      }
    }
  }
}
