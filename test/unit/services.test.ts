import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveRunConfig, type ApiEvent, type RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { RunStore, SCHEMA_VERSION } from '../../src/main/services/run-store'
import { readModelFolder } from '../../src/main/trainer/model-files'

let dataDir: string
let services: Services
let events: ApiEvent[]

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-services-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
  events = []
  services.api.subscribe((e) => events.push(e))
})

afterEach(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

function waitFor(pred: () => boolean, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now()
    const tick = (): void => {
      if (pred()) return resolve()
      if (Date.now() - start > timeoutMs) return reject(new Error('timed out waiting'))
      setTimeout(tick, 20)
    }
    tick()
  })
}

const latestRun = (id: number): RunSummary | undefined =>
  events.filter((e): e is Extract<ApiEvent, { type: 'run.updated' }> => e.type === 'run.updated' && e.run.id === id).pop()?.run

describe('run store', () => {
  it('creates a versioned WAL database and migrates an older one forward', () => {
    const db = new Database(path.join(dataDir, 'quarkade.sqlite'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    db.close()
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-newer-'))
    const newer = new Database(path.join(other, 'quarkade.sqlite'))
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    newer.close()
    expect(() => new RunStore(other)).toThrow(/newer Quarkade/)
  })

  it('marks runs left in progress by a dead host as failed, keeping their data', () => {
    const store = services.store
    const run = store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 1 }))
    store.markStarted(run.id, 'wasm')
    store.writeBatch(run.id, { metrics: [{ key: 'win_rate', step: 1, value: 0.5, time: 1 }], episodes: [], progress: null })
    store.db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(2 ** 22 + 12345, run.id)
    expect(store.recoverOrphans()).toBe(1)
    const after = store.getRun(run.id)
    expect(after.status).toBe('failed')
    expect(after.statusReason).toMatch(/closed while this run was in progress/)
    expect(store.metrics(run.id)).toHaveLength(1)
  })
})

describe('training through the services', () => {
  it('trains in a real trainer process and stores metrics, episodes, replays and a checkpoint', async () => {
    const run = await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 3, episodes: 60, replay_every: 20 }) as RunSummary
    expect(run.status).toBe('queued')
    const final = await services.jobs.waitForEnd(run.id)
    expect(final.status).toBe('completed')
    expect(final.backend).toBe('wasm')
    expect(final.episodesDone).toBe(60)
    expect(final.envSteps).toBe(60 * 9)
    expect(final.latest.win_rate).toBeGreaterThanOrEqual(0)

    const returns = services.store.metrics(run.id, ['return'])
    expect(returns.map((p) => p.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
    const episodes = services.store.episodes(run.id)
    expect(episodes).toHaveLength(60)
    expect(episodes.filter((e) => e.hasReplay).map((e) => e.episode)).toEqual([0, 20, 40, 59])

    // A replay re-simulates: its actions, stepped from its seed, give back its recorded return.
    const replay = services.store.replay(run.id, 40)
    expect(replay.actions).toHaveLength(9)
    expect(replay.outputs).toHaveLength(9 * 3)
    const { makeEnv } = await import('../../src/core/catalog')
    const env = makeEnv('catch')
    env.reset(replay.seed)
    let ret = 0
    for (const a of replay.actions) ret += env.step(a).reward
    expect(ret).toBe(replay.return)

    const checkpoints = services.store.checkpoints(run.id)
    expect(checkpoints.at(-1)?.episode).toBe(60)
    const artifacts = readModelFolder(checkpoints.at(-1)!.path)
    expect(artifacts.weightSpecs?.map((w) => w.shape)).toEqual([[100, 100], [100], [100, 100], [100], [100, 3], [3]])
    expect(events.some((e) => e.type === 'run.metrics')).toBe(true)
  })

  it('is reproducible: the same seed on the same backend gives the same curve', async () => {
    const start = async (): Promise<number> => ((await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 11, episodes: 40 })) as RunSummary).id
    const a = await start()
    await services.jobs.waitForEnd(a)
    const b = await start()
    await services.jobs.waitForEnd(b)
    const curve = (id: number): number[] => services.store.metrics(id, ['return', 'loss']).map((p) => p.value)
    expect(curve(a).length).toBeGreaterThan(40)
    expect(curve(b)).toEqual(curve(a))
  })

  it('pauses, resumes and stops a run', async () => {
    const run = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 5, episodes: 100000 })) as RunSummary
    await waitFor(() => (latestRun(run.id)?.episodesDone ?? 0) > 5)
    await services.api.handle('runs.pause', { id: run.id })
    await waitFor(() => latestRun(run.id)?.status === 'paused')
    const pausedAt = services.store.getRun(run.id).episodesDone
    await new Promise((r) => setTimeout(r, 600))
    expect(services.store.getRun(run.id).episodesDone).toBe(pausedAt)
    await services.api.handle('runs.resume', { id: run.id })
    await waitFor(() => services.store.getRun(run.id).episodesDone > pausedAt + 3)
    await services.api.handle('runs.stop', { id: run.id })
    const final = await services.jobs.waitForEnd(run.id)
    expect(final.status).toBe('stopped')
    expect(final.statusReason).toMatch(/stopped by the user after \d+ episodes/)
    expect(services.store.episodes(run.id)).toHaveLength(final.episodesDone)
  })

  it('stops at a target win rate', async () => {
    const run = (await services.api.handle('runs.start', {
      env: 'catch', algo: 'dqn', seed: 1, episodes: 2000, target: { metric: 'win_rate', value: 0.5 },
    })) as RunSummary
    const final = await services.jobs.waitForEnd(run.id)
    expect(final.status).toBe('completed')
    expect(final.latest.win_rate).toBeGreaterThanOrEqual(0.5)
    expect(final.episodesDone).toBeLessThan(2000)
    expect(final.statusReason).toMatch(/target win_rate ≥ 0.5 reached/)
  })

  it('a trainer killed with SIGKILL leaves a failed run with its metrics', async () => {
    const run = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 2, episodes: 100000 })) as RunSummary
    await waitFor(() => (latestRun(run.id)?.episodesDone ?? 0) >= 20)
    const pid = (services.jobs as unknown as { jobs: Map<number, { process: { pid: number } }> }).jobs.get(run.id)!.process.pid
    process.kill(pid, 'SIGKILL')
    const final = await services.jobs.waitForEnd(run.id)
    expect(final.status).toBe('failed')
    expect(final.statusReason).toMatch(/trainer process was killed \(SIGKILL\)/)
    expect(final.episodesDone).toBeGreaterThanOrEqual(20)
    expect(services.store.metrics(run.id, ['return']).length).toBe(final.episodesDone)
  })

  it('rejects an invalid setting with a clear message and stores nothing', async () => {
    await expect(services.api.handle('runs.start', { env: 'catch', algo: 'dqn', params: { lr: -0.1 } })).rejects.toThrow('lr must be greater than 0')
    await expect(services.api.handle('runs.start', { env: 'pong', algo: 'dqn' })).rejects.toThrow('unknown env "pong"')
    await expect(services.api.handle('runs.start', { env: 'catch', algo: 'dqn', episodes: 0 })).rejects.toThrow('episodes must be at least 1')
    await expect(services.api.handle('runs.nope', {})).rejects.toThrow('unknown API method')
    expect(services.store.listRuns()).toHaveLength(0)
  })

  it('deletes a finished run with its metrics and checkpoints, but not a running one', async () => {
    const run = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 4, episodes: 100000 })) as RunSummary
    await waitFor(() => (latestRun(run.id)?.status ?? '') === 'running')
    await expect(services.api.handle('runs.delete', { id: run.id })).rejects.toThrow(/stop it before deleting/)
    await services.api.handle('runs.stop', { id: run.id })
    await services.jobs.waitForEnd(run.id)
    const ckpt = services.store.checkpoints(run.id).at(-1)!.path
    expect(fs.existsSync(ckpt)).toBe(true)
    await services.api.handle('runs.delete', { id: run.id })
    expect(services.store.findRun(run.id)).toBeNull()
    expect(services.store.metrics(run.id)).toHaveLength(0)
    expect(fs.existsSync(ckpt)).toBe(false)
    expect(events.some((e) => e.type === 'run.deleted' && e.runId === run.id)).toBe(true)
  })
})

describe('metrics that are not numbers', () => {
  it('drops NaN and Infinity points from a trainer batch and keeps the rest', async () => {
    const run = services.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn', seed: 1 }))
    const handle = (services.jobs as unknown as { handle(job: unknown, m: unknown): void }).handle.bind(services.jobs)
    handle(
      { runId: run.id, finished: false },
      {
        type: 'batch',
        metrics: [
          { key: 'loss', step: 1, value: NaN, time: 1 },
          { key: 'loss', step: 2, value: Infinity, time: 1 },
          { key: 'loss', step: 3, value: 0.5, time: 1 },
        ],
        episodes: [],
        progress: { episodesDone: 3, envSteps: 27, gradSteps: 3 },
      },
    )
    expect(services.store.metrics(run.id).map((p) => [p.step, p.value])).toEqual([[3, 0.5]])
    const sent = events.filter((e) => e.type === 'run.metrics')
    expect(sent.at(-1)).toMatchObject({ points: [{ step: 3, value: 0.5 }] })
  })
})
