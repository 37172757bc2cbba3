/**
 * The trainer cap (issue 9, item 3): no more than maxTrainers trainer processes
 * at once; more runs wait as `queued` and start, oldest first, as slots free.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { JobService } from '../../src/main/services/jobs'
import { childProcessLauncher, type Launcher } from '../../src/main/services/launcher'

let dataDir: string
let services: Services
let alive = 0
let mostAlive = 0
const started: number[] = []

/** The real trainer launcher, counting how many of its processes live at once. */
const counting: Launcher = {
  launch() {
    const proc = childProcessLauncher().launch()
    alive++
    mostAlive = Math.max(mostAlive, alive)
    proc.onExit(() => alive--)
    return proc
  },
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-queue-'))
  services = createServices({ dataDir, launcher: counting, host: 'cli', maxTrainers: 2 })
  services.api.subscribe((e) => {
    if (e.type === 'run.updated' && e.run.status === 'running' && !started.includes(e.run.id)) started.push(e.run.id)
  })
})

afterEach(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const start = async (seed: number): Promise<RunSummary> =>
  (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed, episodes: 20 })) as RunSummary

describe('trainer cap', () => {
  it('runs at most maxTrainers trainers; the rest wait as queued and start in order', async () => {
    const runs = [await start(1), await start(2), await start(3), await start(4)]
    expect(runs.map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'queued'])
    expect(services.jobs.active).toEqual(runs.map((r) => r.id))
    const ends = await Promise.all(runs.map((r) => services.jobs.waitForEnd(r.id)))
    expect(ends.map((r) => [r.status, r.episodesDone])).toEqual(runs.map(() => ['completed', 20]))
    expect(mostAlive).toBe(2)
    // The first two launch together (which reports first is a race); the queued two only as slots free.
    expect(started.slice(0, 2).sort((a, b) => a - b)).toEqual([runs[0].id, runs[1].id])
    expect(started.slice(2).sort((a, b) => a - b)).toEqual([runs[2].id, runs[3].id])
    expect(services.jobs.active).toEqual([])
  })

  it('a host closing with runs still queued marks them stopped; resuming one trains it from the start', async () => {
    const running = [await start(5), await start(6)]
    const queued = await start(7)
    await services.close()
    services = createServices({ dataDir, launcher: counting, host: 'cli', maxTrainers: 2 })
    expect(services.store.getRun(queued.id)).toMatchObject({ status: 'stopped', episodesDone: 0 })
    expect(services.store.getRun(queued.id).statusReason).toMatch(/closed before this run left the queue/)
    for (const r of running) expect(services.store.getRun(r.id).status).not.toMatch(/queued|running/)
    await services.api.handle('runs.resume', { id: queued.id })
    expect(await services.jobs.waitForEnd(queued.id)).toMatchObject({ status: 'completed', episodesDone: 20 })
  })

  it('refuses a limit that is not a whole number of at least 1', () => {
    for (const limit of [0, 1.5, Number.NaN]) {
      expect(() => new JobService(services.store, counting, () => {}, limit)).toThrow(/trainer limit must be a whole number ≥ 1, not/)
    }
  })
})
