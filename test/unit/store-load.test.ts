/**
 * The run store under load (issue 14 §3): four trainings at once on this 2-core machine, four real
 * trainer processes writing through one host into one SQLite file. Every run completes with every
 * episode stored exactly once, no metric row is duplicated, chart updates keep arriving for every run
 * while the others train, and the API answers while all four write. Speed figures are in
 * `npm run bench -- --only store_concurrent_trainings` (bench/store.ts), not here.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'

const EPISODES = 60
let dataDir: string
let services: Services

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-store-load-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'web', maxTrainers: 4 })
})

afterAll(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('four trainings at once', () => {
  it('all complete, rows add up exactly, and chart updates and API answers continue throughout', async () => {
    /** Per run: how many metric points arrived live, and in how many separate updates. */
    const live = new Map<number, { updates: number; points: number }>()
    /** The order in which runs' updates arrived, to see that they interleave rather than queue. */
    const order: number[] = []
    services.api.subscribe((e) => {
      if (e.type !== 'run.metrics') return
      const s = live.get(e.runId) ?? { updates: 0, points: 0 }
      live.set(e.runId, { updates: s.updates + 1, points: s.points + e.points.length })
      order.push(e.runId)
    })
    const runs: RunSummary[] = []
    for (const seed of [11, 12, 13, 14]) {
      // A checkpoint every 10 episodes flushes the metrics batch too, so each run sends at least six
      // updates however fast this machine trains (the 200 ms batch timer alone gave three on a fast CI run).
      runs.push((await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed, episodes: EPISODES, checkpoint_every: 10 })) as RunSummary)
    }
    // The API keeps answering while four trainers write: list runs until the first one ends.
    let answered = 0
    const firstEnd = Promise.race(runs.map((r) => services.jobs.waitForEnd(r.id)))
    let done = false
    void firstEnd.then(() => (done = true))
    while (!done) {
      const listed = (await services.api.handle('runs.list', {})) as RunSummary[]
      expect(listed.map((r) => r.id).sort()).toEqual(runs.map((r) => r.id).sort())
      answered++
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const ended = await Promise.all(runs.map((r) => services.jobs.waitForEnd(r.id)))

    expect(ended.map((r) => [r.status, r.episodesDone])).toEqual(runs.map(() => ['completed', EPISODES]))
    expect(answered).toBeGreaterThan(1)
    const db = services.store.db
    for (const run of runs) {
      const episodes = db.prepare('SELECT episode FROM episodes WHERE run_id = ? ORDER BY episode').all(run.id) as { episode: number }[]
      expect(episodes.map((e) => e.episode)).toEqual(Array.from({ length: EPISODES }, (_, i) => i))
      const stored = (db.prepare('SELECT count(*) AS n FROM metrics WHERE run_id = ?').get(run.id) as { n: number }).n
      // Everything stored was also sent to the charts live, and vice versa: nothing lost on either path.
      expect(live.get(run.id)?.points).toBe(stored)
      expect(live.get(run.id)!.updates).toBeGreaterThan(3)
    }
    const duplicates = db.prepare('SELECT run_id, key, step, count(*) AS n FROM metrics GROUP BY run_id, key, step HAVING n > 1').all()
    expect(duplicates).toEqual([])
    // Updates of different runs interleave: a run's charts don't wait for another run to finish.
    const switches = order.slice(1).filter((id, i) => id !== order[i]).length
    expect(switches).toBeGreaterThan(runs.length * 2)
  }, 300_000)
})
