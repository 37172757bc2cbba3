import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { hasTrainingState } from '../../src/main/trainer/model-files'

let dataDir: string
let services: Services

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-resume-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'cli' })
})

afterEach(async () => {
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
    expect(final.status).toBe('completed')
    expect(final.episodesDone).toBe(80)
    expect(final.envSteps).toBe(straight.envSteps)
    expect(final.gradSteps).toBe(straight.gradSteps)
    expect(curve(half.id)).toEqual(curve(straight.id))
    expect(services.store.episodes(half.id).map((e) => e.episode)).toEqual(Array.from({ length: 80 }, (_, i) => i))
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
