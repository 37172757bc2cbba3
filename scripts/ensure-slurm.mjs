#!/usr/bin/env node
/**
 * Makes sure the Slurm tests (test/unit/slurm.test.ts) can start their single-node cluster:
 * Debian's slurm-wlm (slurmctld, slurmd, sbatch, squeue, sacct, scancel) and munge. If any is
 * missing and we are root on Debian/Ubuntu, installs them with apt (the CI case); elsewhere it says
 * what is missing and the Slurm tests skip with that reason.
 */
import { spawnSync } from 'node:child_process'
import { aptInstall, canAptInstall } from './apt-install.mjs'

const COMMANDS = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'sacct', 'scancel', 'sinfo', 'munged', 'munge']

const missing = () => COMMANDS.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } }).status !== 0)

let absent = missing()
if (!absent.length) {
  console.log('ensure-slurm: slurm-wlm and munge are installed')
  process.exit(0)
}
if (process.platform !== 'linux' || !canAptInstall()) {
  console.log(`ensure-slurm: ${absent.join(', ')} not found and cannot install them here (needs root on Debian/Ubuntu); the Slurm tests will be skipped`)
  process.exit(0)
}
console.log(`ensure-slurm: ${absent.join(', ')} missing; installing slurm-wlm and munge…`)
if (aptInstall('ensure-slurm', ['slurm-wlm', 'munge']) && !(absent = missing()).length) {
  console.log('ensure-slurm: installed slurm-wlm and munge')
  process.exit(0)
}
console.error(`ensure-slurm: installing slurm-wlm and munge with apt-get failed${absent.length ? ` (still missing: ${absent.join(', ')})` : ''}`)
process.exit(1)
