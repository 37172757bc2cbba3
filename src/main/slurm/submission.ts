/**
 * A submission folder on the shared filesystem and what is done with it:
 *
 *   <dir>/submission.json      the manifest: tasks, options, Slurm job ids of every attempt, imports
 *   <dir>/job.sbatch           the batch script (shown before submitting, kept for the record)
 *   <dir>/task-<i>/argv        task i's `quarkade train` arguments, NUL-separated
 *   <dir>/task-<i>/job-<J>/    one attempt (array job J): store/ (its own run store), result.json
 *                              (train's --json line), exit.json (the exit marker)
 *   <dir>/logs/<J>_<i>.out     Slurm's output of that attempt (train's progress lines)
 *
 * The manifest is rewritten whole (temp file + rename) on every change.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pkg from '../../../package.json'
import { ConfigError } from '../../shared/api'
import { lastLine, runSlurm, type SlurmEnv } from './command'
import { withLock } from './lock'
import {
  ARGV_FILE,
  SCRIPT_FILE,
  attemptDirName,
  batchScript,
  checkSlurmOptions,
  checkSubmissionPath,
  taskDirName,
  type QuarkadeCommand,
  type SlurmOptions,
} from './script'

export const MANIFEST_FILE = 'submission.json'
const MANIFEST_LOCK = 'submission.lock'
/** Tasks in one submission at most (Slurm's MaxArraySize defaults to 1001). */
export const MAX_TASKS = 100_000

/** What was imported from one attempt into one run store: source run id → run id there. */
export interface ImportLedger {
  done: Record<string, number>
  /** Runs being copied when the import was cut short: removed and copied again next time. */
  partial: Record<string, number>
}

export interface TaskAttempt {
  /** The array job this attempt ran in; the task's Slurm id is `${jobId}_${index}`. */
  jobId: string
  submittedAt: string
  /** Keyed by the destination database file. */
  imports: Record<string, ImportLedger>
}

export interface SubmissionTask {
  index: number
  /** `quarkade train` arguments (without --data-dir and --json, which the script adds). */
  argv: string[]
  label: string
  /** Oldest first; the last is the one that counts. Empty until submitted. */
  attempts: TaskAttempt[]
}

export interface SubmissionManifest {
  format: 1
  createdAt: string
  quarkade: QuarkadeCommand & { version: string }
  options: SlurmOptions
  tasks: SubmissionTask[]
}

export interface Submission {
  dir: string
  script: string
  manifest: SubmissionManifest
}

/** This installation: the node running now and the bin/quarkade.mjs above this module. */
export function thisQuarkade(): QuarkadeCommand {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const bin = path.join(dir, 'bin', 'quarkade.mjs')
    if (fs.existsSync(bin)) return { node: process.execPath, bin }
    const up = path.dirname(dir)
    if (up === dir) throw new Error('cannot find bin/quarkade.mjs above the running code; run Quarkade from its installed folder')
    dir = up
  }
}

/** A fresh folder for a submission under the data folder: `<dataDir>/slurm/<time>-<name>`. */
export function defaultSubmissionDir(dataDir: string, name = 'quarkade'): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')
  const suffix = Math.random().toString(36).slice(2, 6)
  return path.join(path.resolve(dataDir), 'slurm', `${stamp}-${name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-${suffix}`)
}

export function readSubmission(dir: string): SubmissionManifest {
  const file = path.join(dir, MANIFEST_FILE)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw new ConfigError(`${dir} is not a Quarkade Slurm submission (no ${MANIFEST_FILE} in it)`)
  }
  try {
    const manifest = JSON.parse(text) as SubmissionManifest
    if (manifest.format !== 1 || !Array.isArray(manifest.tasks)) throw new Error('unknown format')
    return manifest
  } catch (e) {
    throw new ConfigError(`${file} is not a submission manifest this Quarkade reads (${(e as Error).message})`)
  }
}

function writeManifest(dir: string, manifest: SubmissionManifest): void {
  const file = path.join(dir, MANIFEST_FILE)
  fs.writeFileSync(file + '.tmp', JSON.stringify(manifest, null, 1) + '\n')
  fs.renameSync(file + '.tmp', file)
}

/** Reads, changes and writes the manifest back; returns what was written. */
export function updateSubmission(dir: string, change: (manifest: SubmissionManifest) => void): SubmissionManifest {
  return withLock(path.join(dir, MANIFEST_LOCK), () => {
    const manifest = readSubmission(dir)
    change(manifest)
    writeManifest(dir, manifest)
    return manifest
  })
}

export interface TaskInput {
  argv: string[]
  /** Shown in status lists; defaults to the arguments. */
  label?: string
}

/**
 * Writes a submission folder (task arguments, the batch script, the manifest) without
 * submitting it, so the script can be shown first. Throws a ConfigError before writing
 * anything when an option, the folder or a task is not usable.
 */
/** The batch script a submission of `tasks` tasks into `dir` gets: what the user sees before submitting. */
export function submissionScript(input: { dir: string; tasks: number; options: SlurmOptions; quarkade?: QuarkadeCommand; version?: string; createdAt?: string }): string {
  const version = input.version ?? pkg.version
  const madeBy = `Made by Quarkade ${version} on ${input.createdAt ?? new Date().toISOString()}.`
  return batchScript({ dir: path.resolve(input.dir), tasks: input.tasks, options: checkSlurmOptions(input.options), quarkade: input.quarkade ?? thisQuarkade(), madeBy })
}

export function prepareSubmission(input: { dir: string; tasks: TaskInput[]; options: SlurmOptions; quarkade?: QuarkadeCommand; version?: string }): Submission {
  const dir = path.resolve(input.dir)
  const options = checkSlurmOptions(input.options)
  checkSubmissionPath(dir)
  if (input.tasks.length < 1 || input.tasks.length > MAX_TASKS) throw new ConfigError(`a submission has 1 to ${MAX_TASKS} tasks, got ${input.tasks.length}`)
  for (const [i, t] of input.tasks.entries()) {
    if (!t.argv.length || t.argv.some((a) => typeof a !== 'string' || a.includes('\0'))) throw new ConfigError(`task ${i}: its train arguments must be a non-empty list of strings without NUL characters`)
  }
  if (fs.existsSync(path.join(dir, MANIFEST_FILE))) throw new ConfigError(`${dir} already holds a submission; give a new folder`)
  const quarkade = input.quarkade ?? thisQuarkade()
  const version = input.version ?? pkg.version
  const createdAt = new Date().toISOString()
  const script = submissionScript({ dir, tasks: input.tasks.length, options, quarkade, version, createdAt })
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true })
  input.tasks.forEach((t, i) => {
    fs.mkdirSync(path.join(dir, taskDirName(i)), { recursive: true })
    fs.writeFileSync(path.join(dir, taskDirName(i), ARGV_FILE), t.argv.map((a) => a + '\0').join(''))
  })
  fs.writeFileSync(path.join(dir, SCRIPT_FILE), script, { mode: 0o755 })
  const manifest: SubmissionManifest = {
    format: 1,
    createdAt,
    quarkade: { ...quarkade, version },
    options,
    tasks: input.tasks.map((t, index) => ({ index, argv: t.argv, label: t.label ?? t.argv.join(' '), attempts: [] })),
  }
  writeManifest(dir, manifest)
  return { dir, script, manifest }
}

/** sbatch --parsable prints "JOBID" or "JOBID;CLUSTER". */
function parseJobId(stdout: string): string {
  const id = stdout.trim().split(';')[0]
  if (!/^\d+$/.test(id)) throw new Error(`sbatch answered "${stdout.trim().slice(0, 80)}", not a job id`)
  return id
}

async function sbatch(dir: string, indices: number[] | null, env: SlurmEnv): Promise<string> {
  const args = ['--parsable', ...(indices ? [`--array=${indices.join(',')}`] : []), path.join(dir, SCRIPT_FILE)]
  const r = await runSlurm('sbatch', args, env, dir)
  if (r.code !== 0) throw new Error(`sbatch refused the job: ${lastLine(r.stderr) || `exit code ${r.code}`}`)
  return parseJobId(r.stdout)
}

function recordAttempt(dir: string, jobId: string, indices: number[]): SubmissionManifest {
  return updateSubmission(dir, (m) => {
    for (const i of indices) m.tasks[i].attempts.push({ jobId, submittedAt: new Date().toISOString(), imports: {} })
  })
}

/** Submits a prepared submission as one array job over all its tasks; returns the job id. */
export async function submit(dir: string, env: SlurmEnv = process.env): Promise<string> {
  const manifest = readSubmission(dir)
  if (manifest.tasks.some((t) => t.attempts.length)) throw new ConfigError(`${dir} was submitted already; use resubmit for tasks that failed`)
  const jobId = await sbatch(dir, null, env)
  recordAttempt(dir, jobId, manifest.tasks.map((t) => t.index))
  return jobId
}

function checkIndices(manifest: SubmissionManifest, indices: readonly number[]): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= manifest.tasks.length) throw new ConfigError(`task ${i} is not in this submission (it has tasks 0 to ${manifest.tasks.length - 1})`)
    if (!manifest.tasks[i].attempts.length) throw new ConfigError(`task ${i} was never submitted`)
  }
}

/** The Slurm id of a task's latest attempt: `JOB_TASK`. */
export function slurmTaskId(task: SubmissionTask): string | null {
  const last = task.attempts.at(-1)
  return last ? `${last.jobId}_${task.index}` : null
}

/** scancel the given tasks' latest attempts (all tasks when none are given). */
export async function cancel(dir: string, indices?: readonly number[], env: SlurmEnv = process.env): Promise<string[]> {
  const manifest = readSubmission(dir)
  const chosen = indices ?? manifest.tasks.filter((t) => t.attempts.length).map((t) => t.index)
  checkIndices(manifest, chosen)
  const ids = chosen.map((i) => slurmTaskId(manifest.tasks[i])!)
  if (!ids.length) return []
  const r = await runSlurm('scancel', ids, env)
  if (r.code !== 0) throw new Error(`scancel failed: ${lastLine(r.stderr) || `exit code ${r.code}`}`)
  return ids
}

/**
 * Submits the given tasks again as a new array job over just those indices; each gets a
 * fresh attempt folder (the earlier attempt's store stays, and is imported as it was).
 */
export async function resubmitTasks(dir: string, indices: readonly number[], env: SlurmEnv = process.env): Promise<string> {
  const manifest = readSubmission(dir)
  checkIndices(manifest, indices)
  if (!indices.length) throw new ConfigError('no tasks to submit again')
  const sorted = [...new Set(indices)].sort((a, b) => a - b)
  const jobId = await sbatch(dir, sorted, env)
  recordAttempt(dir, jobId, sorted)
  return jobId
}

/** An attempt's folder. */
export function attemptDir(dir: string, index: number, jobId: string): string {
  return path.join(dir, taskDirName(index), attemptDirName(jobId))
}

/**
 * The submission folder named by a path, or by a job id: one recorded under
 * `<dataDir>/slurm/`, or the folder of the script Slurm says the job runs.
 */
export async function findSubmission(dirOrJobId: string, dataDir: string, env: SlurmEnv = process.env): Promise<string> {
  if (!/^\d+(_\d+)?$/.test(dirOrJobId)) {
    readSubmission(dirOrJobId)
    return path.resolve(dirOrJobId)
  }
  const jobId = dirOrJobId.split('_')[0]
  const root = path.join(dataDir, 'slurm')
  const names = fs.existsSync(root) ? fs.readdirSync(root) : []
  for (const name of names.sort().reverse()) {
    const dir = path.join(root, name)
    try {
      if (readSubmission(dir).tasks.some((t) => t.attempts.some((a) => a.jobId === jobId))) return dir
    } catch {
      // not a submission folder
    }
  }
  // The job's script and working folder (sbatch runs in the submission folder); finished jobs too, while remembered.
  const r = await runSlurm('squeue', ['-h', '--states=all', '-j', jobId, '-o', '%o|%Z'], env).catch(() => null)
  const [script, workDir] = (r?.code === 0 ? lastLine(r.stdout) : '').split('|')
  for (const candidate of [script && path.dirname(script), workDir]) {
    if (candidate && path.isAbsolute(candidate) && fs.existsSync(path.join(candidate, MANIFEST_FILE))) return candidate
  }
  throw new ConfigError(`no submission with Slurm job ${jobId} under ${root}, and Slurm does not say where its script is; give the submission folder instead`)
}
