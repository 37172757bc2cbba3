/**
 * A single-node Slurm cluster on localhost for the tests (Debian's slurm-wlm and munge, which
 * scripts/ensure-slurm.mjs installs): munged (as user munge, with a key made if there is none),
 * then slurmctld and slurmd in the foreground as our children, on free ports, with a generated
 * slurm.conf naming this host with its CPUs and memory and keeping every state file in a temp
 * folder. No accounting storage: sacct says so, and task states come from squeue and the tasks'
 * exit markers, as on clusters without slurmdbd. `stop()` cancels what is left and ends the
 * daemons it started (munged, shared by every test cluster, keeps running).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export interface SlurmCluster {
  /** process.env plus SLURM_CONF: pass it to every Slurm command and to src/main/slurm. */
  env: NodeJS.ProcessEnv
  conf: string
  dir: string
  node: string
  stop(): Promise<void>
}

const SBIN_PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`
const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { env: { ...process.env, PATH: SBIN_PATH } }).status === 0

/** Why this machine cannot run the test cluster, or null when it can. */
export function slurmClusterProblem(): string | null {
  if (process.platform !== 'linux') return `Slurm runs on Linux only (this is ${process.platform})`
  const missing = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'sinfo', 'munged', 'munge', 'unmunge'].filter((c) => !has(c))
  if (missing.length) return `Slurm is not installed (${missing.join(', ')} missing; as root on Debian, scripts/ensure-slurm.mjs installs slurm-wlm and munge)`
  if (process.getuid?.() !== 0) return 'starting munged and slurmd for the test cluster needs root'
  return null
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}

const mungeWorks = (): boolean => spawnSync('sh', ['-c', 'munge -n | unmunge'], { env: { ...process.env, PATH: SBIN_PATH }, stdio: 'ignore' }).status === 0

/** Starts munged when none answers; returns its pid if we started it. */
function ensureMunge(): number | null {
  if (mungeWorks()) return null
  const key = '/etc/munge/munge.key'
  if (!fs.existsSync(key)) {
    fs.mkdirSync(path.dirname(key), { recursive: true })
    fs.writeFileSync(key, crypto.randomBytes(1024), { mode: 0o400 })
  }
  for (const d of ['/etc/munge', '/run/munge', '/var/lib/munge', '/var/log/munge']) {
    fs.mkdirSync(d, { recursive: true })
    spawnSync('chown', ['-R', 'munge:munge', d])
  }
  fs.chmodSync(key, 0o400)
  const r = spawnSync('runuser', ['-u', 'munge', '--', 'munged'], { env: { ...process.env, PATH: SBIN_PATH }, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`munged did not start: ${r.stderr.trim()}`)
  for (let i = 0; i < 50 && !mungeWorks(); i++) spawnSync('sleep', ['0.1'])
  if (!mungeWorks()) throw new Error('munged started but munge -n | unmunge still fails')
  const pidFile = '/run/munge/munged.pid'
  return fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : null
}

function daemon(command: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const out = fs.openSync(log, 'a')
  const child = spawn(command, args, { env: { ...env, PATH: SBIN_PATH }, stdio: ['ignore', out, out] })
  fs.closeSync(out)
  return child
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve()
    }, ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Starts the cluster and waits until its node is idle (at most a minute). */
export async function startSlurmCluster(): Promise<SlurmCluster> {
  ensureMunge()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-slurm-'))
  for (const d of ['state', 'spool', 'log']) fs.mkdirSync(path.join(dir, d))
  const node = os.hostname().split('.')[0]
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()]
  const memoryMb = Math.floor((os.totalmem() / 2 ** 20) * 0.9)
  const conf = path.join(dir, 'slurm.conf')
  fs.writeFileSync(
    conf,
    [
      'ClusterName=quarkade-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      'MpiDefault=none',
      'ReturnToService=2',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      // Time for a cancelled trainer to stop cleanly (final checkpoint) before SIGKILL.
      'KillWait=30',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} RealMemory=${memoryMb} State=UNKNOWN`,
      `PartitionName=test Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  )
  const env = { ...process.env, SLURM_CONF: conf }
  const ctld = daemon('slurmctld', ['-D', '-i', '-f', conf], env, path.join(dir, 'log', 'slurmctld.out'))
  const slurmd = daemon('slurmd', ['-D', '-N', node, '-f', conf], env, path.join(dir, 'log', 'slurmd.out'))
  const stop = async (): Promise<void> => {
    spawnSync('scancel', ['--full', '--quiet', '--user', os.userInfo().username], { env, timeout: 20_000 })
    // Jobs end (their processes get SIGTERM, then SIGKILL after KillWait) before the daemons go.
    for (let i = 0; i < 40; i++) {
      const q = spawnSync('squeue', ['-h', '-o', '%i'], { env, encoding: 'utf8', timeout: 10_000 })
      if (q.status !== 0 || !q.stdout.trim()) break
      await sleep(1000)
    }
    slurmd.kill('SIGTERM')
    ctld.kill('SIGTERM')
    await Promise.all([exited(slurmd, 10_000), exited(ctld, 10_000)])
    // munged stays: it is the machine's authentication service, shared by every test cluster, and test
    // files run in parallel — stopping it when one file ends broke the other file's cluster mid-test.
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 60_000
  for (;;) {
    const r = spawnSync('sinfo', ['-h', '-n', node, '-o', '%T'], { env, encoding: 'utf8', timeout: 10_000 })
    if (r.status === 0 && r.stdout.trim() === 'idle') break
    if (Date.now() > deadline || ctld.exitCode !== null || slurmd.exitCode !== null) {
      const logs = ['slurmctld.log', 'slurmd.log'].map((f) => path.join(dir, 'log', f)).filter((f) => fs.existsSync(f))
      const tail = logs.map((f) => `${path.basename(f)}: ${fs.readFileSync(f, 'utf8').trim().split('\n').slice(-3).join(' | ')}`).join('\n')
      await stop()
      throw new Error(`the test Slurm cluster did not become idle (sinfo: ${(r.stdout + r.stderr).trim() || 'nothing'})\n${tail}`)
    }
    await sleep(500)
  }
  return { env, conf, dir, node, stop }
}
