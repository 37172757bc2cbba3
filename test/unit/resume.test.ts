import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { hasTrainingState } from '../../src/main/trainer/model-files'
import { RunStore } from '../../src/main/services/run-store'
import { CRASH_AFTER_CHECKPOINT_WRITE_ENV, canResumeFrom } from '../../src/main/trainer/checkpoints'

let dataDir: string
let services: Services

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-resume-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
})

afterEach(async () => {
  delete process.env[CRASH_AFTER_CHECKPOINT_WRITE_ENV]
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const DETERMINISTIC = ['return', 'win_rate', 'epsilon', 'episode_length', 'loss']

async function train(request: Record<string, unknown>): Promise<RunSummary> {
  const run = (await services.api.handle('runs.start', request)) as RunSummary
  return services.jobs.waitForEnd(run.id)
}

function curve(id: number): { key: string; step: number; value: number }[] {
  return services.store.metrics(id, DETERMINISTIC).map(({ key, step, value }) => ({ key, step, value }))
}

/** The resumed run ended as the same seed's uninterrupted run did, bit for bit. */
function expectSameAsStraight(final: RunSummary, straight: RunSummary): void {
  expect(final.status).toBe('completed')
  expect(final.episodesDone).toBe(straight.episodesDone)
  expect(final.envSteps).toBe(straight.envSteps)
  expect(final.gradSteps).toBe(straight.gradSteps)
  expect(curve(final.id)).toEqual(curve(straight.id))
  expect(services.store.episodes(final.id).map((e) => e.episode)).toEqual(Array.from({ length: straight.episodesDone }, (_, i) => i))
}

describe('checkpoints and resume', () => {
  it('N episodes + resume N gives exactly the curve of 2N straight (same seed, same backend)', async () => {
    // A small replay memory that wraps, so the restored ring position matters too.
    const base = { env: 'catch', algo: 'dqn', seed: 21, checkpoint_every: 40, params: { memory_size: 300, target_network: 'hard', target_update_every: 50 } }
    const straight = await train({ ...base, episodes: 80 })
    const half = await train({ ...base, episodes: 40 })
    expect(half.episodesDone).toBe(40)
    const resumed = (await services.api.handle('runs.resume', { id: half.id, episodes: 80 })) as RunSummary
    expect(resumed.id).toBe(half.id)
    const final = await services.jobs.waitForEnd(half.id)
    expectSameAsStraight(final, straight)
  })

  it('a killed run resumes from its last checkpoint and drops what came after it', async () => {
    const run = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 5, episodes: 100000, checkpoint_every: 25 })) as RunSummary
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (services.store.checkpoints(run.id).some((c) => c.episode >= 50)) {
          clearInterval(t)
          resolve()
        }
      }, 20)
    })
    const pid = (services.jobs as unknown as { jobs: Map<number, { process: { pid: number } }> }).jobs.get(run.id)!.process.pid
    process.kill(pid, 'SIGKILL')
    const failed = await services.jobs.waitForEnd(run.id)
    expect(failed.status).toBe('failed')
    const last = services.store.checkpoints(run.id).at(-1)!
    // Only the newest checkpoint keeps the (large) training state.
    expect(services.store.checkpoints(run.id).filter((c) => hasTrainingState(c.path)).map((c) => c.episode)).toEqual([last.episode])
    await services.api.handle('runs.resume', { id: run.id, episodes: last.episode + 10 })
    const done = await services.jobs.waitForEnd(run.id)
    expect(done.status).toBe('completed')
    expect(done.episodesDone).toBe(last.episode + 10)
    const steps = services.store.metrics(run.id, ['return']).map((p) => p.step)
    expect(steps).toEqual(Array.from({ length: last.episode + 10 }, (_, i) => i + 1))
  })

  it('refuses to resume without a checkpoint or without more episodes', async () => {
    const run = await train({ env: 'catch', algo: 'dqn', seed: 1, episodes: 10 })
    await expect(services.api.handle('runs.resume', { id: run.id, episodes: 10 })).rejects.toThrow(/ask for more episodes than that/)
    await expect(services.api.handle('runs.resume', { id: 999 })).rejects.toThrow(/run 999 does not exist/)
  })
})

const duplicateCheckpointRows = (): unknown[] =>
  services.store.db.prepare('SELECT run_id, episode, count(*) AS n FROM checkpoints GROUP BY run_id, episode HAVING n > 1').all()

describe('a crash while a checkpoint is being saved', () => {
  it('a trainer killed between writing a checkpoint and its record resumes to the uninterrupted curve', async () => {
    const base = { env: 'catch', algo: 'dqn', seed: 13, checkpoint_every: 10, params: { memory_size: 300, target_network: 'hard', target_update_every: 50 } }
    const straight = await train({ ...base, episodes: 30 })

    // The trainer SIGKILLs itself once episode-20/ is in place, before the host records it.
    process.env[CRASH_AFTER_CHECKPOINT_WRITE_ENV] = 'episode-20'
    const crashed = await train({ ...base, episodes: 30 })
    delete process.env[CRASH_AFTER_CHECKPOINT_WRITE_ENV]
    expect(crashed.status).toBe('failed')
    expect(crashed.statusReason).toMatch(/SIGKILL/)
    const runDir = services.store.runCheckpointDir(crashed.id)
    expect(fs.existsSync(path.join(runDir, 'episode-20', 'training-state.json'))).toBe(true)
    // The newest recorded checkpoint kept its training state: it is dropped only after a newer one is recorded.
    const recorded = services.store.checkpoints(crashed.id)
    expect(recorded.map((c) => c.episode)).toEqual([10])
    expect(canResumeFrom(recorded[0].path)).toBe(true)

    // A crash mid-write leaves temp folders and files; the next host start removes them.
    fs.mkdirSync(path.join(runDir, 'episode-30.tmp'))
    fs.writeFileSync(path.join(runDir, 'episode-30.tmp', 'weights.bin.tmp'), 'partial')
    fs.writeFileSync(path.join(recorded[0].path, 'model.json.tmp'), 'partial')
    await services.close()
    services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
    expect(fs.readdirSync(runDir)).toEqual(['episode-10'])
    expect(fs.readdirSync(recorded[0].path).filter((f) => f.endsWith('.tmp'))).toEqual([])

    await services.api.handle('runs.resume', { id: crashed.id })
    const resumed = await services.jobs.waitForEnd(crashed.id)
    expectSameAsStraight(resumed, straight)
    const after = services.store.checkpoints(crashed.id)
    expect(after.map((c) => c.episode)).toEqual([10, 20, 30])
    expect(after.filter((c) => hasTrainingState(c.path)).map((c) => c.episode)).toEqual([30])
    expect(duplicateCheckpointRows()).toEqual([])
  }, 240_000)

  it('stopping right after a periodic checkpoint records it once and keeps its state', async () => {
    const run = await train({ env: 'catch', algo: 'dqn', seed: 2, episodes: 20, checkpoint_every: 10 })
    // Resume and stop before any episode runs: the final checkpoint lands on the same episode.
    await services.api.handle('runs.resume', { id: run.id, episodes: 40 })
    services.jobs.stop(run.id)
    const stopped = await services.jobs.waitForEnd(run.id)
    expect(stopped.status).toBe('stopped')
    const cps = services.store.checkpoints(run.id)
    expect(duplicateCheckpointRows()).toEqual([])
    expect(canResumeFrom(cps.at(-1)!.path)).toBe(true)
    expect(cps.filter((c) => hasTrainingState(c.path)).length).toBe(1)
  })

  it('a run whose checkpoints lost their training state is not silently restarted from episode 0', async () => {
    const run = await train({ env: 'catch', algo: 'dqn', seed: 3, episodes: 20, checkpoint_every: 10 })
    for (const c of services.store.checkpoints(run.id)) fs.rmSync(path.join(c.path, 'training-state.json'), { force: true })
    await expect(services.api.handle('runs.resume', { id: run.id, episodes: 40 })).rejects.toThrow(
      /no checkpoint with training state to continue from \(only the model at episode 20\)/,
    )
    expect(services.store.metrics(run.id, ['return'])).toHaveLength(20)
  })

  it('a database with duplicate checkpoint rows keeps one per episode after the upgrade', async () => {
    const run = await train({ env: 'catch', algo: 'dqn', seed: 4, episodes: 10 })
    await services.close()
    // Make it a schema-5 database as older versions left it: no unique index, a row recorded twice.
    const db = new RunStore(dataDir).db
    db.exec('DROP INDEX checkpoints_run_episode')
    // …and replays as v5 stored them (v8 added the action encoding and renamed Q-values to outputs).
    db.exec('ALTER TABLE replays DROP COLUMN action_encoding; ALTER TABLE replays RENAME COLUMN outputs TO q_values')
    // …and without what v9 (why faster backends were skipped) and v10 (per-day policies) added.
    db.exec('ALTER TABLE runs DROP COLUMN backend_skipped; DROP TABLE policy_snapshots')
    // …and without v11's metric summaries (the upgrade rebuilds them from the metrics).
    db.exec('DROP TABLE metric_summaries')
    // …and without v12's sweeps.
    db.exec('DROP TABLE sweep_runs; DROP TABLE sweeps')
    const row = db.prepare('SELECT * FROM checkpoints WHERE run_id = ?').get(run.id) as { episode: number; path: string }
    db.prepare('INSERT INTO checkpoints (run_id, episode, path, created_at) VALUES (?, ?, ?, 0)').run(run.id, row.episode, row.path)
    db.pragma('user_version = 5')
    db.close()
    services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
    expect(duplicateCheckpointRows()).toEqual([])
    expect(services.store.checkpoints(run.id).map((c) => c.episode)).toEqual([row.episode])
  })
})

describe('export, import and play', () => {
  it('export → import gives the same greedy actions, and play reports the win fraction', async () => {
    const run = await train({ env: 'catch', algo: 'dqn', seed: 3, episodes: 400 })
    const out = path.join(dataDir, 'exported')
    const { files } = (await services.api.handle('runs.export', { id: run.id, dir: out })) as { files: string[] }
    expect(files.map((f) => path.basename(f))).toEqual(['model.json', 'weights.bin'])
    const modelJson = JSON.parse(fs.readFileSync(files[0], 'utf8'))
    expect(modelJson.format).toBe('layers-model')
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin'])
    await expect(services.api.handle('runs.export', { id: run.id, dir: out })).rejects.toThrow(/already holds a model.json/)

    const imported = (await services.api.handle('models.import', { dir: out, env: 'catch' })) as RunSummary
    expect(imported.status).toBe('completed')
    expect(imported.config.params).toMatchObject({ network: 'mlp', hidden: [100, 100], nb_frames: 1 })

    const a = (await services.api.handle('runs.play', { id: run.id, episodes: 50, seed: 9 })) as { winFraction: number; episodes: { actions: number[] }[] }
    const b = (await services.api.handle('runs.play', { id: imported.id, episodes: 50, seed: 9 })) as { winFraction: number; episodes: { actions: number[] }[] }
    expect(b.episodes.map((e) => e.actions)).toEqual(a.episodes.map((e) => e.actions))
    expect(a.winFraction).toBe(b.winFraction)
    expect(a.winFraction).toBeGreaterThan(0.8)

    // An imported model keeps training from its weights.
    await services.api.handle('runs.resume', { id: imported.id, episodes: 20 })
    const continued = await services.jobs.waitForEnd(imported.id)
    expect(continued.status).toBe('completed')
    expect(continued.episodesDone).toBe(20)
  })

  it('names what is wrong with a model that does not fit', async () => {
    const run = await train({ env: 'catch', algo: 'dqn', seed: 3, episodes: 5 })
    const out = path.join(dataDir, 'catch-model')
    await services.api.handle('runs.export', { id: run.id, dir: out })
    await expect(services.api.handle('models.import', { dir: out, env: 'snake' })).rejects.toThrow(/model has 3 outputs; snake has 5 actions/)
    await expect(services.api.handle('models.import', { dir: path.join(dataDir, 'nowhere'), env: 'catch' })).rejects.toThrow(/holds no model.json/)
  })
})
