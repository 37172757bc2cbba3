import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveRunConfig, type MetricPoint, type RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { MIGRATIONS, RunStore } from '../../src/main/services/run-store'
import { METRIC_SUMMARIES_SQL } from '../../src/main/services/metric-summaries'

let dataDir: string
let services: Services
let big: RunSummary
let small: RunSummary

const STEPS = 1_000_000
const SPIKE_STEP = 777_777

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-metrics-query-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'web' })
  const config = resolveRunConfig({ env: 'catch', algo: 'dqn' })
  big = services.store.createRun(config)
  small = services.store.createRun(config)
  // Two million metric rows in one statement: a sawtooth `loss` with one spike, and a rising `return`.
  services.store.db
    .prepare(
      `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${STEPS})
       INSERT INTO metrics (run_id, key, step, value, time)
       SELECT ?, 'loss', n, CASE WHEN n = ${SPIKE_STEP} THEN 1000 ELSE (n % 1000) / 1000.0 END, n FROM s
       UNION ALL SELECT ?, 'return', n, n, n FROM s`,
    )
    .run(big.id, big.id)
  services.store.writeBatch(small.id, {
    metrics: Array.from({ length: 300 }, (_, i) => [
      { key: 'return', step: i + 1, value: Math.sin(i), time: i },
      { key: 'loss', step: i + 1, value: 1 / (i + 1), time: i },
    ]).flat(),
    episodes: [],
    progress: null,
  })
}, 120_000)

afterAll(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const metrics = (input: Record<string, unknown>): Promise<MetricPoint[]> => services.api.handle('runs.metrics', input) as Promise<MetricPoint[]>

describe('runs.metrics', () => {
  it('returns a short series whole, exactly as stored', async () => {
    expect(await metrics({ id: small.id })).toEqual(services.store.metrics(small.id))
    expect(await metrics({ id: small.id, keys: ['loss'], maxPoints: 300 })).toEqual(services.store.metrics(small.id, ['loss']))
  })

  it('thins a long series to maxPoints, keeping each bucket’s extremes and both ends', async () => {
    const points = await metrics({ id: small.id, keys: ['return'], maxPoints: 40 })
    expect(points.length).toBeLessThanOrEqual(40)
    const all = services.store.metrics(small.id, ['return'])
    expect(points[0]).toEqual(all[0])
    expect(points.at(-1)).toEqual(all.at(-1))
    expect(Math.max(...points.map((p) => p.value))).toBe(Math.max(...all.map((p) => p.value)))
    expect(Math.min(...points.map((p) => p.value))).toBe(Math.min(...all.map((p) => p.value)))
    // Every point returned is a stored point.
    const stored = new Map(all.map((p) => [p.step, p]))
    for (const p of points) expect(stored.get(p.step)).toEqual(p)
  })

  it('serves a step range (a zoomed chart)', async () => {
    const points = await metrics({ id: small.id, keys: ['loss'], fromStep: 100, toStep: 199 })
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i))
  })

  it('a run with two million rows: other requests are served meanwhile, memory stays bounded', async () => {
    const rssBefore = process.resourceUsage().maxRSS
    let bigDone = false
    const pending = metrics({ id: big.id, maxPoints: 2000 }).then((p) => ((bigDone = true), p))
    // The host's event loop is free while the worker scans: a listing comes back first.
    const list = (await services.api.handle('runs.list', {})) as RunSummary[]
    expect(list.map((r) => r.id)).toEqual([small.id, big.id])
    expect(bigDone).toBe(false)
    expect(await metrics({ id: small.id, keys: ['loss'], maxPoints: 300 })).toHaveLength(300)

    const points = await pending
    const loss = points.filter((p) => p.key === 'loss')
    const ret = points.filter((p) => p.key === 'return')
    expect(loss.length).toBeLessThanOrEqual(2000)
    expect(ret.length).toBeLessThanOrEqual(2000)
    expect(ret.length).toBeGreaterThan(1000)
    // The one spike in a million survives, and the newest value is the last point.
    expect(loss.find((p) => p.value === 1000)?.step).toBe(SPIKE_STEP)
    expect(ret.at(-1)).toMatchObject({ step: STEPS, value: STEPS })
    // Reading two million rows whole would take hundreds of MB; thinned, the peak barely moves.
    expect(process.resourceUsage().maxRSS - rssBefore).toBeLessThan(150 * 1024)
  })

  it('names a bad request', async () => {
    await expect(metrics({ id: small.id, maxPoints: 1 })).rejects.toThrow(/runs\.metrics: maxPoints: /)
    await expect(metrics({ id: 999 })).rejects.toThrow('run 999 does not exist')
  })
})

describe('long series from block summaries (metric_summaries)', () => {
  // 7 992 level-0 blocks of 16 rows, one point per step from step 1: with maxPoints 2000 (999 buckets
  // of 128 steps) each bucket is exactly eight blocks, so the summaries must give the very points a
  // full scan gives.
  const N = 64 * 1998
  const SPIKES: Record<number, number> = { 77_777: 50, 33_333: -50, 30_005: 40, 55_363: 45 }
  const value = (step: number): number => SPIKES[step] ?? Math.sin(step * 0.37) * Math.cos(step * 0.011)
  let run: RunSummary

  /** What the metrics worker returns when it reads every row (the run's summaries removed, then restored). */
  const fullScan = async (input: Record<string, unknown>): Promise<MetricPoint[]> => {
    const db = services.store.db
    db.exec('CREATE TEMP TABLE saved AS SELECT * FROM metric_summaries WHERE run_id = ' + run.id)
    db.prepare('DELETE FROM metric_summaries WHERE run_id = ?').run(run.id)
    try {
      return await metrics(input)
    } finally {
      db.exec('INSERT INTO metric_summaries SELECT * FROM temp.saved; DROP TABLE temp.saved')
    }
  }

  beforeAll(() => {
    run = services.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn' }))
    for (let first = 1; first <= N; first += 2000) {
      const steps = Array.from({ length: Math.min(2000, N - first + 1) }, (_, i) => first + i)
      services.store.writeBatch(run.id, { metrics: steps.map((step) => ({ key: 'loss', step, value: value(step), time: step / 10 })), episodes: [], progress: null })
    }
  })

  /** Blocks and the rows they cover, per level. */
  const coverage = (id: number) =>
    services.store.db.prepare('SELECT level, count(*) AS blocks, sum(n) AS rows FROM metric_summaries WHERE run_id = ? GROUP BY level ORDER BY level').all(id) as { level: number; blocks: number; rows: number }[]

  it('a trainer-written series keeps a summary per 16 rows and per 256, and a chart of it equals the full scan', async () => {
    const [level0, level1] = coverage(run.id)
    expect(level0.rows).toBe(level0.blocks * 16)
    expect(N - level0.rows).toBeLessThan(2 * 16)
    expect(level1.rows).toBe(level1.blocks * 256)
    expect(level0.rows - level1.rows).toBeLessThan(256)
    const points = await metrics({ id: run.id, keys: ['loss'], maxPoints: 2000 })
    expect(points.length).toBeLessThanOrEqual(2000)
    expect(points.find((p) => p.value === 50)?.step).toBe(77_777)
    expect(points.find((p) => p.value === -50)?.step).toBe(33_333)
    expect(points).toEqual(await fullScan({ id: run.id, keys: ['loss'], maxPoints: 2000 }))
  })

  it('a zoomed range reads the raw rows at its edges and blocks between: extremes and ends survive', async () => {
    // Steps 30 001–30 016 and 55 361–55 364 lie in blocks that cross the range's edges: read raw.
    // (25 364 rows, 99 buckets: level 1 has too few blocks, so level 0's are used.)
    const zoom = { id: run.id, keys: ['loss'], maxPoints: 200, fromStep: 30_001, toStep: 55_364 }
    const points = await metrics(zoom)
    expect(points.length).toBeLessThanOrEqual(200)
    expect(points[0].step).toBe(30_001)
    expect(points.at(-1)?.step).toBe(55_364)
    for (const [step, v] of [[30_005, 40], [33_333, -50], [55_363, 45]]) expect(points.find((p) => p.value === v)?.step).toBe(step)
    const stored = new Map(services.store.metrics(run.id, ['loss']).map((p) => [p.step, p]))
    for (const p of points) expect(p).toEqual(stored.get(p.step))
    expect(points.map((p) => p.step)).toEqual([...points.map((p) => p.step)].sort((a, b) => a - b))
    // Blocks crossing a bucket's edge put their extreme in one bucket, so a bucket may show a
    // neighbouring row instead of its own extreme; most buckets match the full scan exactly.
    const exact = await fullScan(zoom)
    const same = points.filter((p) => exact.some((q) => q.step === p.step)).length
    expect(same / points.length).toBeGreaterThan(0.5)
  })

  it('a rewind drops the blocks past it; the series then grows again consistently', async () => {
    const copy = services.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn' }))
    const write = (from: number, to: number): void =>
      services.store.writeBatch(copy.id, {
        metrics: Array.from({ length: to - from + 1 }, (_, i) => ({ key: 'loss', step: from + i, value: value(from + i), time: 0 })),
        episodes: [],
        progress: null,
      })
    write(1, 10_000)
    services.store.rewindTo(copy.id, 5_000, copy.config)
    const blocks = services.store.db.prepare('SELECT max(last_step) AS last, sum(n) AS rows FROM metric_summaries WHERE run_id = ?').get(copy.id) as { last: number; rows: number }
    expect(blocks.last).toBeLessThanOrEqual(5_000)
    write(5_001, 12_000)
    const all = services.store.metrics(copy.id, ['loss'])
    expect(all.map((p) => p.step)).toEqual(Array.from({ length: 12_000 }, (_, i) => i + 1))
    const [level0, level1] = coverage(copy.id)
    expect(level0.rows).toBe(level0.blocks * 16)
    expect(12_000 - level0.rows).toBeLessThan(2 * 16)
    expect(level1.rows).toBe(level1.blocks * 256)
    expect(level0.rows - level1.rows).toBeLessThan(256)
    services.store.deleteRun(copy.id)
    expect(services.store.db.prepare('SELECT count(*) AS n FROM metric_summaries WHERE run_id = ?').get(copy.id)).toEqual({ n: 0 })
  })

  it('rows out of step order (or several at one step) give the same blocks as summarising the store afresh', async () => {
    const odd = services.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn' }))
    const batch = (steps: number[]): void =>
      services.store.writeBatch(odd.id, { metrics: steps.map((step, i) => ({ key: 'loss', step, value: (step * 7 + i) % 13, time: 0 })), episodes: [], progress: null })
    batch(Array.from({ length: 300 }, (_, i) => i + 1))
    batch(Array.from({ length: 300 }, (_, i) => 600 - i)) // descending
    batch(Array.from({ length: 300 }, (_, i) => 601 + (i >> 2))) // four rows a step
    const blocks = (): unknown[] => services.store.db.prepare('SELECT * FROM metric_summaries WHERE run_id = ? ORDER BY level, first_step, first_value, first_id').all(odd.id)
    const incremental = blocks()
    services.store.db.prepare('DELETE FROM metric_summaries WHERE run_id = ?').run(odd.id)
    services.store.summaries.summarise(odd.id, 'loss')
    expect(incremental).toEqual(blocks())
    expect(incremental.length).toBeGreaterThan(900 / 16 - 3)
  })

  it('upgrading a database from before summaries builds them from its metrics', async () => {
    const before = services.store.db.prepare('SELECT * FROM metric_summaries WHERE run_id = ? ORDER BY level, first_step').all(run.id)
    const db = services.store.db
    // The database as v10 left it: no summaries, nor what later versions added (v12's sweeps).
    db.exec('DROP TABLE metric_summaries; DROP TABLE sweep_runs; DROP TABLE sweeps')
    db.pragma(`user_version = ${MIGRATIONS.indexOf(METRIC_SUMMARIES_SQL)}`)
    const upgraded = new RunStore(dataDir)
    try {
      const rebuilt = upgraded.db.prepare('SELECT * FROM metric_summaries WHERE run_id = ? ORDER BY level, first_step').all(run.id)
      // The backfill summarises everything it can (no two-block tail rule), so it may hold a block more per level.
      const levels = (rows: unknown[]) => [0, 1].map((l) => rows.filter((r) => (r as { level: number }).level === l))
      const [before0, before1] = levels(before)
      const [rebuilt0, rebuilt1] = levels(rebuilt)
      expect(rebuilt0.slice(0, before0.length)).toEqual(before0)
      expect(rebuilt1.slice(0, before1.length)).toEqual(before1)
      expect(rebuilt0.length - before0.length).toBeLessThanOrEqual(1)
      expect(rebuilt1.length - before1.length).toBeLessThanOrEqual(1)
    } finally {
      upgraded.close()
    }
  })
})
