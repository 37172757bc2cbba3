import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiEvent } from '../../src/shared/api'
import type { SweepDetail, SweepSummary } from '../../src/shared/sweeps'
import { resolveSweep, sweepSeeds } from '../../src/core/sweep'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher, type Launcher } from '../../src/main/services/launcher'

const root = path.resolve(import.meta.dirname, '../..')
let dataDir: string
let services: Services
let events: ApiEvent[]

function open(launcher: Launcher = childProcessLauncher()): void {
  services = createServices({ dataDir, launcher, host: 'cli', maxTrainers: 2 })
  events = []
  services.api.subscribe((e) => events.push(e))
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-sweeps-'))
  open()
})

afterEach(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

function waitFor(pred: () => boolean, timeoutMs = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now()
    const tick = (): void => {
      if (pred()) return resolve()
      if (Date.now() - start > timeoutMs) return reject(new Error('timed out waiting'))
      setTimeout(tick, 50)
    }
    tick()
  })
}

const create = (input: Record<string, unknown>) => services.api.handle('sweeps.create', { env: 'catch', algo: 'dqn', ...input }) as Promise<SweepSummary>
const detail = (id: number) => services.api.handle('sweeps.get', { id }) as Promise<SweepDetail>
/** Runs of the sweep that a trainer has reported running. */
const started = (): Set<number> => new Set(events.flatMap((e) => (e.type === 'run.updated' && e.run.status === 'running' ? [e.run.id] : [])))

describe('a local sweep', () => {
  it('trains every configuration × seed in real trainers, at most `parallel` at once, and scores each configuration', async () => {
    const request = { settings: { lr: { grid: [1e-3, 5e-4] } }, seeds: 2, budget: { episodes: 20 }, parallel: 2, seed: 9 }
    const sweep = await create(request)
    expect(sweep).toMatchObject({ status: 'running', total: 4, backend: 'local' })
    const final = await services.sweeps.waitUntilSettled(sweep.id)
    expect(final.status).toBe('completed')
    expect(final.counts).toEqual({ pending: 0, active: 0, done: 4, failed: 0, cancelled: 0 })

    // Never more than 2 trainers at once: replay the run events in order.
    const training = new Set<number>()
    let most = 0
    for (const e of events) {
      if (e.type !== 'run.updated') continue
      if (e.run.status === 'running') training.add(e.run.id)
      else training.delete(e.run.id)
      most = Math.max(most, training.size)
    }
    expect(most).toBeLessThanOrEqual(2)
    expect(most).toBeGreaterThan(0)

    const d = await detail(sweep.id)
    const seeds = sweepSeeds(resolveSweep({ env: 'catch', algo: 'dqn', ...request }, { parallel: 2 }))
    expect(d.runs.map((r) => [r.configIndex, r.seed])).toEqual([[0, seeds[0]], [0, seeds[1]], [1, seeds[0]], [1, seeds[1]]])
    for (const r of d.runs) {
      const run = services.store.getRun(r.runId!)
      expect(run).toMatchObject({ status: 'completed', episodesDone: 20, seed: r.seed, env: 'catch-v1', algo: 'dqn' })
      expect(run.config.params.lr).toBe(r.configIndex === 0 ? 1e-3 : 5e-4)
      // The final metric is the metric's last recorded value (the rolling win rate at the end).
      expect(r.metric).toBe(services.store.metrics(run.id, ['win_rate']).pop()!.value)
    }
    for (const c of d.configs) {
      const finals = d.runs.filter((r) => r.configIndex === c.index).map((r) => r.metric!)
      const mean = (finals[0] + finals[1]) / 2
      expect(c.mean).toBeCloseTo(mean, 12)
      expect(c.std).toBeCloseTo(Math.sqrt(((finals[0] - mean) ** 2 + (finals[1] - mean) ** 2) / 1), 12)
      expect(c).toMatchObject({ landed: 2, runs: 2 })
    }
    const best = d.configs.filter((c) => c.best)
    expect(best).toHaveLength(1)
    expect(best[0].mean).toBe(Math.max(...d.configs.map((c) => c.mean!)))
    expect(events.some((e) => e.type === 'sweep.updated' && e.sweep.id === sweep.id && e.sweep.status === 'completed')).toBe(true)
    expect(((await services.api.handle('sweeps.list', {})) as SweepSummary[]).map((s) => s.id)).toEqual([sweep.id])
  })

  it('goes on past a run whose trainer dies, and says so', async () => {
    await services.close()
    // The second trainer started is killed (SIGKILL) once it reports running: a crash, for real.
    const real = childProcessLauncher()
    let launched = 0
    open({
      launch() {
        const proc = real.launch()
        if (++launched === 2) proc.onMessage((m) => m.type === 'started' && proc.kill())
        return proc
      },
    })
    const sweep = await create({ settings: { lr: { grid: [1e-3, 5e-4, 2e-4] } }, budget: { episodes: 15 }, parallel: 1, seed: 2 })
    const final = await services.sweeps.waitUntilSettled(sweep.id)
    expect(final.status).toBe('completed')
    expect(final.counts).toMatchObject({ done: 2, failed: 1 })
    expect(final.statusReason).toBe('1 run failed')
    const d = await detail(sweep.id)
    const failed = d.runs.find((r) => r.status === 'failed')!
    expect(failed.reason).toMatch(/trainer process was killed \(SIGKILL/)
    // The failed run does not count towards its configuration's score.
    expect(d.configs[failed.configIndex]).toMatchObject({ landed: 0, mean: null })
    expect(d.configs.filter((c) => c.mean !== null)).toHaveLength(2)
  })

  it('pauses (no new runs start, the one training finishes) and resumes to the end', async () => {
    const sweep = await create({ settings: { lr: { grid: [1e-3, 5e-4, 2e-4] } }, budget: { episodes: 60 }, parallel: 1, seed: 3 })
    // Paused the moment its first run reports training, so that run is still going.
    const paused = await new Promise<SweepSummary>((resolve) => {
      const off = services.api.subscribe((e) => {
        if (e.type !== 'run.updated' || e.run.status !== 'running') return
        off()
        resolve(services.sweeps.pause(sweep.id))
      })
    })
    expect(paused.status).toBe('paused')
    const settled = await services.sweeps.waitUntilSettled(sweep.id)
    expect(settled).toMatchObject({ status: 'paused', counts: { done: 1, pending: 2, active: 0 } })
    expect(services.store.listRuns()).toHaveLength(1)
    await expect(services.api.handle('sweeps.pause', { id: sweep.id })).rejects.toThrow(`sweep ${sweep.id} is paused; only a running sweep can pause`)
    await services.api.handle('sweeps.resume', { id: sweep.id })
    const final = await services.sweeps.waitUntilSettled(sweep.id)
    expect(final).toMatchObject({ status: 'completed', counts: { done: 3 } })
    expect(services.store.listRuns().map((r) => r.status)).toEqual(['completed', 'completed', 'completed'])
  })

  it('cancels: the run training stops, the rest never start', async () => {
    const sweep = await create({ settings: { lr: { grid: [1e-3, 5e-4, 2e-4] } }, budget: { episodes: 100_000 }, parallel: 1, seed: 4 })
    await waitFor(() => started().size === 1)
    await services.api.handle('sweeps.cancel', { id: sweep.id })
    const final = await services.sweeps.waitUntilSettled(sweep.id)
    expect(final).toMatchObject({ status: 'cancelled', counts: { cancelled: 3, done: 0, active: 0, pending: 0 } })
    await waitFor(() => services.jobs.active.length === 0)
    const runs = services.store.listRuns()
    expect(runs).toHaveLength(1)
    expect(runs[0].status).toBe('stopped')
    await expect(services.api.handle('sweeps.resume', { id: sweep.id })).rejects.toThrow(`sweep ${sweep.id} is cancelled; there is nothing to resume`)
  })

  it('resumes after the host closes and the store is reopened: the interrupted run continues under its id', async () => {
    const sweep = await create({ settings: { lr: { grid: [1e-3, 5e-4] } }, budget: { episodes: 80 }, parallel: 1, seed: 5 })
    await waitFor(() => events.some((e) => e.type === 'run.updated' && e.run.episodesDone >= 20))
    const interrupted = (await detail(sweep.id)).runs.find((r) => r.status === 'active')!
    await services.close()
    open()
    // What the app does at start: a sweep left running by a host that is gone continues here.
    expect(services.sweeps.resumeInterrupted()).toEqual([sweep.id])
    const final = await services.sweeps.waitUntilSettled(sweep.id)
    expect(final).toMatchObject({ status: 'completed', counts: { done: 2 } })
    const d = await detail(sweep.id)
    expect(d.runs.find((r) => r.configIndex === interrupted.configIndex)!.runId).toBe(interrupted.runId)
    const runs = services.store.listRuns()
    expect(runs).toHaveLength(2)
    for (const r of runs) expect(r).toMatchObject({ status: 'completed', episodesDone: 80 })
    // One metric point per episode: nothing recorded twice across the restart.
    expect(services.store.metrics(interrupted.runId!, ['return'])).toHaveLength(80)
  })

  it('a minutes budget stops each run when its time is up, and the run counts as landed', async () => {
    const sweep = await create({ settings: { lr: { grid: [1e-3, 5e-4] } }, budget: { minutes: 0.02 }, parallel: 2, seed: 6 })
    const final = await services.sweeps.waitUntilSettled(sweep.id)
    expect(final).toMatchObject({ status: 'completed', counts: { done: 2, failed: 0 } })
    const d = await detail(sweep.id)
    for (const r of d.runs) {
      expect(r.reason).toBe('its time budget of 0.02 min was reached')
      const run = services.store.getRun(r.runId!)
      expect(run.status).toBe('stopped')
      expect(run.episodesDone).toBeLessThan(run.config.episodes)
    }
    expect(d.runs.map((r) => r.status)).toEqual(['done', 'done'])
  })

  it('rejects a bad sweep with one line and writes nothing', async () => {
    await expect(create({ settings: { lr: { grid: [] } } })).rejects.toThrow('the grid for lr is empty; give at least one value')
    await expect(create({ settings: { memory_size: { grid: [1000, 10_000_000] } } })).rejects.toThrow(/configuration 2 \(memory_size=10000000\)/)
    await expect(create({ settings: {}, on: 'slurm', budget: { minutes: 5 } })).rejects.toThrow(/a minutes budget is not kept on Slurm/)
    expect(await services.api.handle('sweeps.list', {})).toEqual([])
    await expect(services.api.handle('sweeps.get', { id: 7 })).rejects.toThrow('sweep 7 does not exist')
  })
})

describe('quarkade sweep', () => {
  const quarkade = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 180_000 })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  it('runs a sweep and prints its result as JSON; status, list and cancel read the store', async () => {
    await services.close()
    const r = quarkade('sweep', '--env', 'catch', '--algo', 'dqn', '--grid', 'lr=1e-3,5e-4', '--random', 'gamma=0.8:0.99', '--budget-runs', '1', '--seeds', '1', '--budget-episodes', '15', '--parallel', '2', '--seed', '7', '--json')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(out).toMatchObject({ sweep_id: 1, status: 'completed', env: 'catch-v1', algo: 'dqn', on: 'local', metric: 'win_rate', direction: 'max', seed: 7, seeds: 1, episodes_per_run: 15, runs: 2 })
    expect(out.counts).toEqual({ pending: 0, active: 0, done: 2, failed: 0, cancelled: 0 })
    expect(out.configs.map((c: { settings: { lr: number } }) => c.settings.lr)).toEqual([1e-3, 5e-4])
    expect(out.configs[0].settings.gamma).toBe(out.configs[1].settings.gamma)
    expect(out.best.config).toBe(out.configs.find((c: { best: boolean }) => c.best).config)
    expect(out.run_list).toHaveLength(2)
    for (const run of out.run_list) expect(run).toMatchObject({ status: 'done', episodes: 15 })
    expect(r.stderr).toMatch(/sweep 1 completed · 2\/2 landed/)

    const status = quarkade('sweep', 'status', '1', '--json')
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toEqual(out)
    expect(quarkade('sweep', 'status', '1').stdout).toMatch(/^sweep 1 "Catch · DQN sweep" completed · catch-v1\/dqn · 2 runs · win_rate \(max\)\n\* #/)
    expect(JSON.parse(quarkade('sweep', 'list', '--json').stdout)).toEqual([expect.objectContaining({ sweep_id: 1, status: 'completed', runs: 2 })])
    const bad = quarkade('sweep', 'cancel', '1')
    expect(bad).toMatchObject({ code: 2, stderr: 'quarkade: error: sweep 1 is already completed\n' })
    open()
  })

  it('a cancel from another process stops the runs of the process running the sweep', async () => {
    await services.close()
    const child = spawn(process.execPath, [path.join(root, 'bin/quarkade.mjs'), 'sweep', '--env', 'catch', '--grid', 'lr=1e-3,5e-4', '--budget-episodes', '100000', '--parallel', '1', '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      open()
      await waitFor(() => services.sweeps.list()[0]?.counts.active === 1 && services.store.listRuns()[0]?.status === 'running')
      await services.close()
      expect(quarkade('sweep', 'cancel', '1')).toMatchObject({ code: 0, stdout: 'sweep 1 cancelled\n' })
      expect(await exited).toBe(0)
      const out = JSON.parse(stdout.trim())
      expect(out).toMatchObject({ status: 'cancelled', counts: { cancelled: 2, done: 0, active: 0 } })
    } finally {
      child.kill('SIGKILL')
      open()
    }
  })

  it.each([
    [['--env', 'catch', '--grid', 'lr=0'], 'grid value 0 for lr: lr must be greater than 0'],
    [['--env', 'catch', '--grid', 'foo=1'], 'unknown setting "foo" for catch + dqn'],
    [['--env', 'catch', '--random', 'gamma=0.9'], 'malformed --random "gamma=0.9": expected key=min:max or key=min:max:log'],
    [['--env', 'catch', '--grid', 'lr=1e-3', '--random', 'lr=1e-4:1e-2'], '--random lr: lr is already swept'],
    [['--env', 'catch', '--partition', 'gpu'], '--partition is a Slurm option; it goes with --on slurm'],
    [['--env', 'catch', '--maximize'], '--maximize and --minimize go with --metric KEY'],
    [['status', '99'], 'sweep 99 does not exist'],
  ])('rejects %j with one clear line', (args, message) => {
    const r = quarkade('sweep', ...args)
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(message)
  })
})
