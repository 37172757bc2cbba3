/**
 * The sbatch script of a submission: an array job whose task i runs
 * `quarkade train <argv of task i> --json` from this same installation, with
 * QUARKADE_DATA_DIR set to a store of its own under the submission folder (one
 * SQLite writer per file, even on a network filesystem). Options are checked
 * here, before anything is written: a value that Slurm or bash would read as
 * something else is refused with one line naming it.
 */
import { ConfigError } from '../../shared/api'

/** What a user may choose about the job; everything else (array, output, the command) is Quarkade's. */
export interface SlurmOptions {
  /** `--partition` (one or several, comma-separated). */
  partition?: string
  /** `--time`: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
  time?: string
  /** `--cpus-per-task` (default 1). */
  cpusPerTask?: number
  /** GPUs per task as `--gres=gpu:N` (0 or absent: none). */
  gpusPerTask?: number
  /** `--account`. */
  account?: string
  /** `--job-name` (default "quarkade"). */
  jobName?: string
  /** More header lines, each `#SBATCH --option…`, e.g. `#SBATCH --mem=4G`. */
  extraLines?: string[]
}

/** Where the task runs Quarkade from: this installation's node binary and bin/quarkade.mjs. */
export interface QuarkadeCommand {
  node: string
  bin: string
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/
const PARTITIONS = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}(,[A-Za-z0-9][A-Za-z0-9_.+-]{0,63})*$/
// Slurm's --time formats (sbatch(1)): minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]].
const TIME = /^(\d{1,6}|\d{1,6}:\d{1,2}|\d{1,4}:\d{1,2}:\d{1,2}|\d{1,3}-\d{1,2}(:\d{1,2}(:\d{1,2})?)?|UNLIMITED|INFINITE)$/i
/** Options Quarkade sets itself: a user line repeating one would break the submission's layout. */
const RESERVED = /^(-a|--array|-o|--output|-e|--error|--parsable|-D|--chdir|--export|-W|--wait|--wrap)(=|\s|$)/
const MAX_EXTRA_LINE = 500
const MAX_EXTRA_LINES = 50

const shown = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)

/** A `--time` value in seconds; null for none or unlimited. */
export function timeLimitSeconds(time: string | undefined): number | null {
  if (time === undefined || !TIME.test(time) || /^(UNLIMITED|INFINITE)$/i.test(time)) return null
  const [days, rest] = time.includes('-') ? [Number(time.split('-')[0]), time.split('-')[1]] : [0, time]
  const parts = rest.split(':').map(Number)
  // Without days: M, M:S, H:M:S. With days: D-H, D-H:M, D-H:M:S.
  const [h, m, sec] = time.includes('-') ? [parts[0], parts[1] ?? 0, parts[2] ?? 0] : parts.length === 3 ? parts : [0, parts[0], parts[1] ?? 0]
  return ((days * 24 + h) * 60 + m) * 60 + sec
}

/** Checks every option; throws a ConfigError naming the first bad one. Returns the options as used. */
export function checkSlurmOptions(options: SlurmOptions): SlurmOptions {
  const { partition, time, cpusPerTask, gpusPerTask, account, jobName, extraLines } = options
  if (partition !== undefined && !PARTITIONS.test(partition)) throw new ConfigError(`--partition ${shown(partition)} is not a partition name (letters, digits, "_.+-", several separated by commas)`)
  if (account !== undefined && !NAME.test(account)) throw new ConfigError(`--account ${shown(account)} is not an account name (letters, digits and "_.+-")`)
  if (jobName !== undefined && !NAME.test(jobName)) throw new ConfigError(`the job name ${shown(jobName)} must be 1–64 letters, digits or "_.+-"`)
  if (time !== undefined && !TIME.test(time)) throw new ConfigError(`--time ${shown(time)} is not a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)`)
  if (cpusPerTask !== undefined && !(Number.isInteger(cpusPerTask) && cpusPerTask >= 1 && cpusPerTask <= 4096)) throw new ConfigError(`--cpus-per-task must be a whole number from 1 to 4096, got ${cpusPerTask}`)
  if (gpusPerTask !== undefined && !(Number.isInteger(gpusPerTask) && gpusPerTask >= 0 && gpusPerTask <= 64)) throw new ConfigError(`--gpus must be a whole number from 0 to 64, got ${gpusPerTask}`)
  const lines = extraLines ?? []
  if (lines.length > MAX_EXTRA_LINES) throw new ConfigError(`at most ${MAX_EXTRA_LINES} extra #SBATCH lines, got ${lines.length}`)
  for (const line of lines) {
    if (/[\n\r\0\u2028\u2029]/.test(line)) throw new ConfigError(`an extra #SBATCH line must be one line; ${shown(line)} has a line break in it`)
    if (!line.startsWith('#SBATCH ')) throw new ConfigError(`an extra line must start with "#SBATCH " (e.g. "#SBATCH --mem=4G"), got ${shown(line)}`)
    if (line.length > MAX_EXTRA_LINE) throw new ConfigError(`an extra #SBATCH line has at most ${MAX_EXTRA_LINE} characters`)
    const option = line.slice('#SBATCH '.length).trim()
    if (!option.startsWith('-')) throw new ConfigError(`an extra #SBATCH line names an option (e.g. "#SBATCH --mem=4G"), got ${shown(line)}`)
    if (RESERVED.test(option)) throw new ConfigError(`${shown(line)}: Quarkade sets ${option.split(/[=\s]/)[0]} itself (the array, the log files and the environment of each task)`)
  }
  return { ...options, extraLines: lines }
}

/** A path in the script: single-quoted for bash. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/**
 * Paths Slurm reads from `#SBATCH` lines cannot be quoted there: the submission folder must
 * be a plain path (no spaces, quotes, `%` or shell specials).
 */
export function checkSubmissionPath(dir: string): void {
  if (!/^[A-Za-z0-9_.,+@/=:-]+$/.test(dir)) {
    throw new ConfigError(`the Slurm folder ${shown(dir)} must be a plain path (letters, digits, "/_.,+@=:-"; no spaces, quotes or %): sbatch cannot quote paths in #SBATCH lines`)
  }
}

export interface ScriptInput {
  /** Absolute submission folder, on a filesystem the compute nodes share. */
  dir: string
  tasks: number
  options: SlurmOptions
  quarkade: QuarkadeCommand
  /** A line saying what made the script (version, time). */
  madeBy: string
}

/** File names inside a submission folder, relative to it. */
export const SCRIPT_FILE = 'job.sbatch'
const TASK_PREFIX = 'task-'
const ATTEMPT_PREFIX = 'job-'
export const taskDirName = (index: number): string => `${TASK_PREFIX}${index}`
export const ARGV_FILE = 'argv'
export const attemptDirName = (jobId: string): string => `${ATTEMPT_PREFIX}${jobId}`
export const EXIT_MARKER = 'exit.json'
export const RESULT_FILE = 'result.json'
export const STORE_DIR = 'store'

/** The batch script (text) for `sbatch --array=0-(tasks-1)`; re-submissions pass their own --array. */
export function batchScript(input: ScriptInput): string {
  const o = checkSlurmOptions(input.options)
  checkSubmissionPath(input.dir)
  if (!Number.isInteger(input.tasks) || input.tasks < 1) throw new ConfigError(`a submission needs at least one task, got ${input.tasks}`)
  const header = [
    `#SBATCH --job-name=${o.jobName ?? 'quarkade'}`,
    `#SBATCH --array=0-${input.tasks - 1}`,
    `#SBATCH --output=${input.dir}/logs/%A_%a.out`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 1}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.gpusPerTask ? [`#SBATCH --gres=gpu:${o.gpusPerTask}`] : []),
    ...(o.account ? [`#SBATCH --account=${o.account}`] : []),
    ...(o.extraLines ?? []),
  ]
  return `#!/bin/bash
# Quarkade: ${input.tasks} training run${input.tasks === 1 ? '' : 's'} as a Slurm array job, one run per task.
# ${input.madeBy}
${header.join('\n')}

: "\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch as an array job}"
submission=${shellQuote(input.dir)}
task="$SLURM_ARRAY_TASK_ID"
# Each attempt of a task trains into a store of its own: one SQLite writer per file, even on NFS.
attempt="$submission/${TASK_PREFIX}$task/${ATTEMPT_PREFIX}$SLURM_ARRAY_JOB_ID"
mkdir -p "$attempt"
started=$(date +%s)
export QUARKADE_DATA_DIR="$attempt/${STORE_DIR}"
# The task's train arguments, NUL-separated (no quoting can go wrong).
mapfile -d '' args < "$submission/${TASK_PREFIX}$task/${ARGV_FILE}"
# scancel and the time limit send SIGTERM: the trainer stops cleanly with a final checkpoint, and
# this script lives on to write its exit marker (what happened, where sacct keeps no accounting).
signal=''
trap 'signal=TERM' TERM
${shellQuote(input.quarkade.node)} ${shellQuote(input.quarkade.bin)} train "\${args[@]}" --data-dir "$QUARKADE_DATA_DIR" --json > "$attempt/${RESULT_FILE}"
code=$?
printf '{"exit_code":%d,"signal":"%s","started_at":%d,"ended_at":%d}\\n' "$code" "$signal" "$started" "$(date +%s)" > "$attempt/${EXIT_MARKER}.tmp"
mv "$attempt/${EXIT_MARKER}.tmp" "$attempt/${EXIT_MARKER}"
exit "$code"
`
}
