/**
 * Start-up benchmarks: how long the CLI takes to answer `runs`, and how long a
 * trainer process takes from launch to its first finished episode. Each is
 * measured on the built JavaScript (out/node, `npm run build:node`) and, for
 * comparison, through tsx from the TypeScript sources (from_source_ms), which
 * is how every process started before the build existed.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { resolveRunConfig } from '../src/shared/api'
import { RunStore } from '../src/main/services/run-store'
import { childProcessLauncher, trainerEntry, type Launcher } from '../src/main/services/launcher'
import type { FromTrainer } from '../src/main/trainer/protocol'
import { median, now, round, type BenchResult } from './util'

const root = path.resolve(import.meta.dirname, '..')
const SPAWNS = 9
const RUNS_IN_STORE = 50

/** A store with `n` finished Catch runs of 100 episodes each, as `runs` would find after a day's work. */
export function seedStore(dir: string, n: number): void {
  const store = new RunStore(dir)
  for (let i = 0; i < n; i++) {
    const run = store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn', seed: i, episodes: 100 }))
    const episodes = Array.from({ length: 100 }, (_, e) => ({ episode: e + 1, seed: i * 1000 + e, return: e % 2 ? 1 : -1, length: 9, won: e % 2 === 1 }))
    const metrics = episodes.map((e) => ({ key: 'win_rate', step: e.episode, value: e.episode / 200, time: e.episode }))
    store.writeBatch(run.id, { metrics, episodes, progress: { episodesDone: 100, envSteps: 900, gradSteps: 800 } })
    store.setStatus(run.id, 'completed', 'reached the episode budget')
  }
  store.close()
}

/** Median wall time of `SPAWNS` runs of a command that must succeed. */
function spawnMedianMs(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const times: number[] = []
  for (let i = 0; i < SPAWNS; i++) {
    const t0 = now()
    const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } })
    times.push(now() - t0)
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`)
  }
  return round(median(times))
}

/** Launch to the first batch carrying a finished episode, for a 1-episode Catch run. */
async function trainerStartMs(launcher: Launcher, checkpointDir: string, runId: number): Promise<number> {
  const config = resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 0, episodes: 1 })
  const t0 = now()
  const proc = launcher.launch()
  return new Promise<number>((resolve, reject) => {
    let firstEpisode: number | null = null
    proc.onMessage((m: FromTrainer) => {
      if (firstEpisode === null && m.type === 'batch' && m.episodes.length > 0) firstEpisode = now() - t0
      if (m.type === 'error') reject(new Error(m.message))
    })
    proc.onExit(() => (firstEpisode === null ? reject(new Error('the trainer exited before its first episode')) : resolve(firstEpisode)))
    proc.send({ type: 'start', runId, config, checkpointDir, resumeFrom: null, initialModel: null })
  })
}

/** This bench runs from source, so its launcher would use tsx; the built trainer is named explicitly. */
async function trainerStartMedianMs(fromSource: boolean): Promise<number> {
  const launcher = childProcessLauncher(fromSource ? trainerEntry() : { file: path.join(root, 'out/node/trainer.js'), execArgv: [] })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bench-trainer-'))
  try {
    const times: number[] = []
    for (let i = 0; i < 5; i++) times.push(await trainerStartMs(launcher, dir, i + 1))
    return round(median(times))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The built CLI must be the one measured: bin/quarkade.mjs would quietly run a stale build's sources through tsx. */
function requireBuild(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bench-probe-'))
  const r = spawnSync(process.execPath, ['bin/quarkade.mjs', 'runs', '--json', '--data-dir', dir], { cwd: root, encoding: 'utf8', env: { ...process.env, QUARKADE_DEBUG: '1' } })
  fs.rmSync(dir, { recursive: true, force: true })
  if (!r.stderr.includes('running the built CLI')) throw new Error(`the CLI does not run from out/node (${r.stderr.trim().split('\n')[0]}); run \`npm run build:node\` first`)
}

export const startupBenches: Record<string, () => Promise<BenchResult>> = {
  async cli_runs_ms() {
    requireBuild()
    const full = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bench-runs-'))
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bench-empty-'))
    try {
      seedStore(full, RUNS_IN_STORE)
      const runs = (dir: string) => ['bin/quarkade.mjs', 'runs', '--json', '--data-dir', dir]
      const built = spawnMedianMs(process.execPath, runs(full))
      return {
        value: built,
        unit: 'ms',
        runs_in_store: RUNS_IN_STORE,
        spawns: SPAWNS,
        empty_store_ms: spawnMedianMs(process.execPath, runs(empty)),
        npx_ms: spawnMedianMs('npx', ['--no-install', 'quarkade', 'runs', '--json', '--data-dir', full]),
        from_source_ms: spawnMedianMs(process.execPath, runs(full), { QUARKADE_FROM_SOURCE: '1' }),
      }
    } finally {
      fs.rmSync(full, { recursive: true, force: true })
      fs.rmSync(empty, { recursive: true, force: true })
    }
  },

  async trainer_start_ms() {
    requireBuild()
    const built = await trainerStartMedianMs(false)
    return { value: built, unit: 'ms', env: 'catch', algo: 'dqn', episodes: 1, launches: 5, from_source_ms: await trainerStartMedianMs(true) }
  },
}
