/**
 * `quarkade sweep`: define a sweep from flags and run it here (the CLI process
 * is its local runner and waits for every run), or look at, cancel or resume
 * a stored one. Bad input is a ConfigError: one line, exit code 2.
 */
import { findAlgo, findWorld, algosFor } from '../../core/catalog'
import { parseParamText } from '../../core/params'
import { SweepError, describeConfig, parseGridText, type SweepRequest } from '../../core/sweep'
import { ConfigError } from '../../shared/api'
import type { SweepDetail, SweepSummary } from '../../shared/sweeps'
import { userMessage } from '../../shared/user-message'
import { createServices, type Services } from '../services'
import { defaultDataDir } from '../services/data-dir'
import { childProcessLauncher } from '../services/launcher'
import { parseCliArgs } from './cli-args'
import { SLURM_FLAGS, slurmFlagSettings, wholeNumber } from './cli-slurm-flags'
import fs from 'node:fs'

export const SWEEP_USAGE = `quarkade sweep --env catch [--algo dqn] [--grid key=v1,v2 ...] [--random key=min:max[:log] ...] [--set key=value ...]
                 [--seeds N] [--budget-runs N] [--budget-episodes N] [--budget-minutes M] [--metric KEY] [--maximize|--minimize]
                 [--parallel N] [--seed S] [--name TEXT] [--on local|slurm] [--wait] [--data-dir DIR] [--json]
                 [--partition P] [--time T] [--cpus-per-task N] [--gpus N] [--account A] [--sbatch-line '#SBATCH …' ...]
                 [--slurm-dir DIR] [--print-script]
                 a sweep over settings × seeds, run here (it waits until every run has landed), or on Slurm
                 as one array job (--wait follows it until every task's run is imported; --print-script shows
                 the batch script and submits nothing; the script is also saved in the submission folder)
  quarkade sweep status ID [--json] | sweep list [--json] | sweep cancel ID | sweep resume ID [--json]
  quarkade sweep resubmit ID [--wait] [--json]   a Slurm sweep's failed, cancelled and timed-out tasks, submitted again
                 (a grid of list settings separates values with ';': --grid hidden=64,64;128,128)`

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const v = Number(text)
  if (text.trim() === '' || !Number.isFinite(v)) throw new ConfigError(`--${flag} expects a number, got "${text.slice(0, 40)}"`)
  return v
}

function keyValue(flag: string, item: string): [string, string] {
  const eq = item.indexOf('=')
  if (eq <= 0 || eq === item.length - 1) throw new ConfigError(`malformed --${flag} "${item.slice(0, 60)}": expected key=value`)
  return [item.slice(0, eq), item.slice(eq + 1)]
}

const OPTIONS = {
  env: { type: 'string' },
  algo: { type: 'string' },
  grid: { type: 'string', multiple: true },
  random: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  seeds: { type: 'string' },
  'budget-runs': { type: 'string' },
  'budget-episodes': { type: 'string' },
  'budget-minutes': { type: 'string' },
  metric: { type: 'string' },
  maximize: { type: 'boolean' },
  minimize: { type: 'boolean' },
  parallel: { type: 'string' },
  seed: { type: 'string' },
  name: { type: 'string' },
  on: { type: 'string' },
  wait: { type: 'boolean' },
  ...SLURM_FLAGS,
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const

/** Turns `sweep` flags into a sweep request (the registry checks it when the sweep is created). */
export function sweepRequestFromArgs(args: string[]): { request: SweepRequest; dataDir: string; json: boolean; wait: boolean; printScript: boolean } {
  const { values, positionals } = parseCliArgs({ args, strict: true, allowPositionals: true, options: OPTIONS })
  if (positionals.length) throw new ConfigError(`unexpected argument "${positionals[0]}"`)
  if (!values.env) throw new ConfigError('--env is required (e.g. --env catch)')
  if (values.maximize && values.minimize) throw new ConfigError('give --maximize or --minimize, not both')
  if ((values.maximize || values.minimize) && !values.metric) throw new ConfigError('--maximize and --minimize go with --metric KEY')
  if (values.on !== undefined && values.on !== 'local' && values.on !== 'slurm') throw new ConfigError(`--on must be local or slurm, got "${values.on.slice(0, 40)}"`)
  const world = findWorld(values.env)
  const algo = findAlgo(values.algo ?? (world ? (algosFor(world)[0]?.id ?? '') : ''))
  const specOf = (key: string) => algo?.params.find((s) => s.key === key) ?? world?.params.find((s) => s.key === key)
  const settings: SweepRequest['settings'] = {}
  const taken = (key: string, flag: string): void => {
    if (key in settings) throw new ConfigError(`--${flag} ${key}: ${key} is already swept; give each setting one --grid or --random`)
  }
  for (const item of values.grid ?? []) {
    const [key, text] = keyValue('grid', item)
    taken(key, 'grid')
    settings[key] = { grid: parseGridText(specOf(key), text) }
  }
  for (const item of values.random ?? []) {
    const [key, text] = keyValue('random', item)
    taken(key, 'random')
    const m = /^([^:]+):([^:]+)(?::(log|uniform))?$/.exec(text)
    const [min, max] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN]
    if (!m || !Number.isFinite(min) || !Number.isFinite(max)) throw new ConfigError(`malformed --random "${item.slice(0, 60)}": expected key=min:max or key=min:max:log`)
    settings[key] = { random: { min, max, scale: (m[3] as 'log' | 'uniform' | undefined) ?? 'uniform' } }
  }
  const fixed: Record<string, number | boolean | string | number[]> = {}
  for (const item of values.set ?? []) {
    const [key, text] = keyValue('set', item)
    fixed[key] = parseParamText(specOf(key), text) as number
  }
  const slurmFlags = (Object.keys(SLURM_FLAGS) as (keyof typeof SLURM_FLAGS)[]).filter((f) => values[f] !== undefined)
  if (slurmFlags.length && values.on !== 'slurm') throw new ConfigError(`--${slurmFlags[0]} is a Slurm option; it goes with --on slurm`)
  const slurm = values.on === 'slurm' ? { ...slurmFlagSettings(values), ...(values['slurm-dir'] !== undefined ? { dir: values['slurm-dir'] } : {}) } : undefined
  const budget = {
    runs: wholeNumber('budget-runs', values['budget-runs']),
    episodes: wholeNumber('budget-episodes', values['budget-episodes']),
    minutes: number('budget-minutes', values['budget-minutes']),
  }
  const request: SweepRequest = {
    env: values.env,
    ...(values.algo !== undefined ? { algo: values.algo } : {}),
    settings,
    ...(Object.keys(fixed).length ? { fixed } : {}),
    ...(values.seeds !== undefined ? { seeds: wholeNumber('seeds', values.seeds) } : {}),
    budget: Object.fromEntries(Object.entries(budget).filter(([, v]) => v !== undefined)),
    ...(values.metric !== undefined ? { metric: { key: values.metric, ...(values.maximize ? { direction: 'max' as const } : values.minimize ? { direction: 'min' as const } : {}) } } : {}),
    ...(values.parallel !== undefined ? { parallel: wholeNumber('parallel', values.parallel) } : {}),
    ...(values.seed !== undefined ? { seed: wholeNumber('seed', values.seed) } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.on !== undefined ? { on: values.on as 'local' | 'slurm' } : {}),
    ...(slurm ? { slurm } : {}),
  }
  return { request, dataDir: values['data-dir'] ?? defaultDataDir(), json: values.json ?? false, wait: values.wait ?? false, printScript: values['print-script'] ?? false }
}

/** A sweep as `--json` prints it: its runs and its configurations' mean ± std, best first marked. */
export function sweepJson(d: SweepDetail): Record<string, unknown> {
  const s = d.sweep
  const best = d.configs.find((c) => c.best)
  return {
    sweep_id: s.id,
    name: s.name,
    status: s.status,
    status_reason: s.statusReason,
    env: s.env,
    algo: s.algo,
    on: s.backend,
    metric: s.spec.metric.key,
    direction: s.spec.metric.direction,
    seed: s.spec.seed,
    seeds: s.spec.seeds,
    episodes_per_run: s.spec.budget.episodes,
    minutes_per_run: s.spec.budget.minutes,
    runs: s.total,
    counts: s.counts,
    best: best ? { config: best.index, settings: best.values, mean: best.mean, std: best.std } : null,
    configs: d.configs.map((c) => ({ config: c.index, settings: c.values, mean: c.mean, std: c.std, landed: c.landed, runs: c.runs, best: c.best })),
    ...(s.backend === 'slurm' ? { slurm: { submission_dir: s.spec.slurm?.dir ?? null, job_id: s.spec.slurm?.jobId ?? null } } : {}),
    run_list: d.runs.map((r) => ({
      config: r.configIndex,
      seed: r.seed,
      run_id: r.runId,
      status: r.status,
      reason: r.reason,
      episodes: r.episodesDone,
      [s.spec.metric.key]: r.metric,
      ...(r.backend === 'slurm' ? { slurm_id: r.slurmJobId === null ? null : `${r.slurmJobId}_${r.slurmTask}`, slurm_state: r.slurmState } : {}),
    })),
  }
}

const fmt = (v: number | null, digits = 3): string => (v === null ? '—' : v.toFixed(digits))

function progressLine(s: SweepSummary): string {
  const c = s.counts
  return `sweep ${s.id} ${s.status} · ${c.done + c.failed + c.cancelled}/${s.total} landed · ${c.active} training · ${c.failed} failed`
}

function printTable(d: SweepDetail): void {
  const s = d.sweep
  process.stdout.write(`sweep ${s.id} "${s.name}" ${s.status}${s.statusReason ? ` (${s.statusReason})` : ''} · ${s.env}/${s.algo} · ${s.total} runs · ${s.spec.metric.key} (${s.spec.metric.direction})\n`)
  const rows = [...d.configs].sort((a, b) => (b.mean ?? -Infinity) * (s.spec.metric.direction === 'max' ? 1 : -1) - (a.mean ?? -Infinity) * (s.spec.metric.direction === 'max' ? 1 : -1))
  for (const c of rows) {
    process.stdout.write(`${c.best ? '*' : ' '} #${String(c.index + 1).padEnd(4)} ${fmt(c.mean)} ± ${fmt(c.std)}  (${c.landed}/${c.runs})  ${describeConfig(c.values)}\n`)
  }
}

function openServices(dataDir: string, mustExist: boolean): Services {
  if (mustExist && !fs.existsSync(dataDir)) throw new ConfigError(`no sweeps in ${dataDir}`)
  return createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
}

/** Waits while this process runs the sweep, until it settles; Ctrl-C (the caller closing the services) leaves it resumable. */
async function follow(services: Services, id: number, json: boolean): Promise<number> {
  const tty = process.stderr.isTTY
  process.stderr.on('error', () => {})
  let last = ''
  services.api.subscribe((e) => {
    if (e.type !== 'sweep.updated' || e.sweep.id !== id) return
    const line = progressLine(e.sweep)
    if (line === last) return
    last = line
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`)
  })
  const interrupted = new Promise<'interrupted'>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve('interrupted'))
  })
  const outcome = await Promise.race([services.sweeps.waitUntilSettled(id), interrupted])
  if (tty) process.stderr.write('\n')
  if (outcome === 'interrupted') {
    const onSlurm = services.sweeps.getSummary(id).backend === 'slurm'
    process.stderr.write(onSlurm ? `no longer waiting; the Slurm job goes on — see it with: quarkade sweep status ${id}\n` : `stopping sweep ${id}'s runs; continue it with: quarkade sweep resume ${id}\n`)
    return 130
  }
  const detail = services.sweeps.get(id)
  if (json) process.stdout.write(JSON.stringify(sweepJson(detail)) + '\n')
  else printTable(detail)
  return detail.sweep.counts.failed > 0 ? 1 : 0
}

function sweepId(text: string | undefined): number {
  const id = Number(text)
  if (text === undefined || !Number.isSafeInteger(id) || id < 1) throw new ConfigError(`expected a sweep id, got "${(text ?? '').slice(0, 40)}"`)
  return id
}

export async function sweepCommand(args: string[]): Promise<number> {
  try {
    return await command(args)
  } catch (e) {
    if (e instanceof SweepError) throw new ConfigError(e.message)
    throw e
  }
}

async function command(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(`usage:\n  ${SWEEP_USAGE}\n`)
    return 0
  }
  if (sub === 'status' || sub === 'cancel' || sub === 'resume' || sub === 'resubmit' || sub === 'list') {
    const { values, positionals } = parseCliArgs({ args: rest, strict: true, allowPositionals: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' }, wait: { type: 'boolean' } } })
    const services = openServices(values['data-dir'] ?? defaultDataDir(), true)
    try {
      if (sub === 'list') {
        if (positionals.length) throw new ConfigError(`unexpected argument "${positionals[0]}"`)
        const list = services.sweeps.list()
        if (values.json) process.stdout.write(JSON.stringify(list.map((s) => ({ sweep_id: s.id, name: s.name, status: s.status, env: s.env, algo: s.algo, runs: s.total, counts: s.counts }))) + '\n')
        else if (!list.length) process.stdout.write('no sweeps yet — start one with: quarkade sweep --env catch --grid lr=1e-3,5e-4 --seeds 2\n')
        else for (const s of list) process.stdout.write(`${String(s.id).padStart(4)}  ${s.status.padEnd(9)} ${s.env}/${s.algo}  ${progressLine(s).replace(/^sweep \d+ \S+ · /, '')}  ${s.name}\n`)
        return 0
      }
      if (positionals.length !== 1) throw new ConfigError(`quarkade sweep ${sub} ID: give one sweep id`)
      const id = sweepId(positionals[0])
      if (sub === 'status') {
        await services.sweeps.refresh(id)
        const detail = services.sweeps.get(id)
        if (values.json) process.stdout.write(JSON.stringify(sweepJson(detail)) + '\n')
        else printTable(detail)
        return 0
      }
      if (sub === 'cancel') {
        const s = await services.sweeps.cancel(id)
        process.stdout.write(`sweep ${s.id} ${s.status}\n`)
        return 0
      }
      if (sub === 'resubmit') {
        const s = await services.sweeps.resubmit(id)
        process.stderr.write(`sweep ${s.id}: ${s.statusReason}\n`)
        if (values.wait) return await follow(services, id, values.json ?? false)
        if (values.json) process.stdout.write(JSON.stringify(sweepJson(services.sweeps.get(id))) + '\n')
        return 0
      }
      if (values.wait) throw new ConfigError('--wait goes with quarkade sweep resubmit')
      services.sweeps.resume(id)
      return await follow(services, id, values.json ?? false)
    } catch (e) {
      throw e instanceof ConfigError ? e : new ConfigError(userMessage(e))
    } finally {
      await services.close()
    }
  }
  const { request, dataDir, json, wait, printScript } = sweepRequestFromArgs(args)
  const services = openServices(dataDir, false)
  try {
    if (printScript) {
      const preview = services.sweeps.slurmScript(request)
      process.stdout.write(json ? JSON.stringify(preview) + '\n' : preview.script)
      process.stderr.write(`not submitted: ${preview.tasks} tasks into ${preview.dir}; submit with the same command without --print-script (add --slurm-dir ${preview.dir} to use that folder)\n`)
      return 0
    }
    const sweep = await services.sweeps.create(request)
    // On Slurm the cluster runs it; this process follows it only when asked to wait.
    if (sweep.backend === 'slurm' && !wait) {
      const { dir, jobId } = sweep.spec.slurm ?? {}
      process.stderr.write(`submitted sweep ${sweep.id} as Slurm job ${jobId} (${sweep.total} tasks) from ${dir}; follow it with: quarkade sweep status ${sweep.id}, or in the app\n`)
      if (json) process.stdout.write(JSON.stringify(sweepJson(services.sweeps.get(sweep.id))) + '\n')
      return 0
    }
    return await follow(services, sweep.id, json)
  } finally {
    await services.close()
  }
}
