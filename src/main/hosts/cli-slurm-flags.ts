/**
 * The Slurm flags `train --on slurm` and `sweep --on slurm` share, and the whole-number check
 * both use — one table, so the two commands cannot drift apart. (Not in cli-args.ts: that one
 * loads with every command, and ConfigError brings the shared API schemas with it.)
 */
import { ConfigError } from '../../shared/api'

/** A flag's whole-number value (undefined when the flag is absent), or a ConfigError naming the flag. */
export function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const v = Number(text)
  if (text.trim() === '' || !Number.isInteger(v)) throw new ConfigError(`--${flag} expects a whole number, got "${text.slice(0, 40)}"`)
  return v
}

/** The Slurm flags `train --on slurm` and `sweep --on slurm` share, as parseArgs sees them. */
export const SLURM_FLAGS = {
  partition: { type: 'string' },
  time: { type: 'string' },
  'cpus-per-task': { type: 'string' },
  gpus: { type: 'string' },
  account: { type: 'string' },
  'sbatch-line': { type: 'string', multiple: true },
  'slurm-dir': { type: 'string' },
  'print-script': { type: 'boolean' },
} as const

/** The batch-script settings the shared Slurm flags give (those not given are absent). */
export function slurmFlagSettings(values: { [K in keyof typeof SLURM_FLAGS]?: K extends 'sbatch-line' ? string[] : K extends 'print-script' ? boolean : string }): {
  partition?: string
  time?: string
  cpusPerTask?: number
  gpusPerTask?: number
  account?: string
  extraLines?: string[]
} {
  const all = {
    partition: values.partition,
    time: values.time,
    cpusPerTask: wholeNumber('cpus-per-task', values['cpus-per-task']),
    gpusPerTask: wholeNumber('gpus', values.gpus),
    account: values.account,
    extraLines: values['sbatch-line'],
  }
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined))
}
