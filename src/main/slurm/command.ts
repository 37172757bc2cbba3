/**
 * Running Slurm's client commands (sbatch, squeue, sacct, scancel) and telling
 * whether Slurm is usable here at all. Every command runs with a time limit: a
 * controller that does not answer must not hang the app or the CLI.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/** How long one Slurm command may take; squeue on a busy controller can take seconds. */
const COMMAND_TIMEOUT_MS = 60_000

export interface CommandResult {
  code: number
  stdout: string
  stderr: string
}

/** Where Slurm commands look for their configuration and find each other (SLURM_CONF, PATH). */
export type SlurmEnv = NodeJS.ProcessEnv

/** Runs one Slurm command; a command that cannot start (ENOENT) throws a SlurmMissingError. */
export function runSlurm(command: string, args: readonly string[], env: SlurmEnv = process.env, cwd?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, cwd, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new SlurmMissingError(missingMessage(command)))
      if (error && error.killed) return reject(new Error(`${command} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s (is slurmctld running?)`))
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** Thrown when a Slurm command is not installed: the one message a user sees for it. */
export class SlurmMissingError extends Error {
  override name = 'SlurmMissingError'
}

function missingMessage(command: string): string {
  return (
    `Slurm is not installed on this machine (no ${command} on PATH): run Quarkade on the cluster's login node, ` +
    `or install Slurm's client commands (Debian/Ubuntu: apt-get install slurm-client)`
  )
}

/** The last non-empty line a command printed on stderr (Slurm's errors are one line each). */
export function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  )
}

function onPath(command: string, env: SlurmEnv): boolean {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK)
      return true
    } catch {
      // not in this folder
    }
  }
  return false
}

export type SlurmAvailability = { ok: true; version: string } | { ok: false; reason: string }

/**
 * Whether jobs can be submitted from here: sbatch and squeue on PATH, sbatch finds a
 * configuration (`sbatch --version` loads it), and the controller answers squeue.
 * `reason` is one line for the user.
 */
export async function slurmAvailability(env: SlurmEnv = process.env): Promise<SlurmAvailability> {
  for (const command of ['sbatch', 'squeue', 'scancel']) if (!onPath(command, env)) return { ok: false, reason: missingMessage(command) }
  const version = await runSlurm('sbatch', ['--version'], env)
  if (version.code !== 0) {
    return { ok: false, reason: `Slurm is installed but not configured on this machine (sbatch --version: ${lastLine(version.stderr) || `exit code ${version.code}`})` }
  }
  // Jobs in CONFIGURING are few: this asks the controller something without listing the whole queue.
  const queue = await runSlurm('squeue', ['-h', '-o', '%i', '-t', 'CONFIGURING'], env)
  if (queue.code !== 0) {
    return { ok: false, reason: `Slurm's controller does not answer (squeue: ${lastLine(queue.stderr) || `exit code ${queue.code}`})` }
  }
  return { ok: true, version: version.stdout.trim() }
}
