/**
 * The run store under load (issue 14 §3): how fast trainer metrics go in, and whether a store the size
 * of a long sweep (10 million metric rows) still lists runs, opens one and draws a chart of a
 * 1-million-point metric quickly. Everything runs against a real SQLite file through RunStore and the
 * metrics reader the API uses; `store_concurrent_trainings` runs four real Catch trainers at once.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { resolveRunConfig, type ApiEvent, type MetricPoint } from '../src/shared/api'
import { RunStore } from '../src/main/services/run-store'
import { createServices } from '../src/main/services'
import { childProcessLauncher } from '../src/main/services/launcher'
import { median, now, round, type BenchResult } from './util'

/** Points per trainer batch: what rl-job flushes at most between two writes. */
const BATCH_POINTS = 2000
const REPEATS = 5

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `quarkade-bench-${name}-`))
}

/** A batch as trainers send them: a few keys per step, increasing steps. */
function metricBatch(firstStep: number, points: number): MetricPoint[] {
  const keys = ['loss', 'return', 'win_rate', 'epsilon']
  return Array.from({ length: points }, (_, i) => {
    const step = firstStep + Math.floor(i / keys.length)
    return { key: keys[i % keys.length], step, value: Math.sin(step / 100) + (i % 7) / 10, time: step / 1000 }
  })
}

/** Fills `runs` runs with `perRun` rows each (4 keys), in SQL so building 10 M rows takes seconds, not minutes. */
function fillStore(store: RunStore, runs: number, perRun: number, bigKeyRun: number | null, bigKeyPoints: number): number[] {
  const ids: number[] = []
  for (let r = 0; r < runs; r++) {
    const run = store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn', seed: r, episodes: 1000 }))
    ids.push(run.id)
    const perKey = Math.floor(perRun / 4)
    store.db
      .prepare(
        `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?)
         INSERT INTO metrics (run_id, key, step, value, time)
         SELECT ?, k.key, n, sin(n / 100.0) + k.o, n / 1000.0 FROM s,
           (SELECT 'loss' AS key, 0.0 AS o UNION ALL SELECT 'return', 0.1 UNION ALL SELECT 'win_rate', 0.2 UNION ALL SELECT 'epsilon', 0.3) k`,
      )
      .run(perKey, run.id)
    const episodes = Array.from({ length: 1000 }, (_, e) => ({ episode: e + 1, seed: e, return: e % 3 ? 1 : -1, length: 9, won: e % 3 !== 0 }))
    store.writeBatch(run.id, { metrics: [], episodes, progress: { episodesDone: 1000, envSteps: 9000, gradSteps: 8000 } })
    store.setStatus(run.id, 'completed', 'reached the episode budget')
  }
  if (bigKeyRun !== null) {
    store.db
      .prepare(
        `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?)
         INSERT INTO metrics (run_id, key, step, value, time) SELECT ?, 'grad_norm', n, (n % 997) / 997.0, n FROM s`,
      )
      .run(bigKeyPoints, ids[bigKeyRun])
  }
  return ids
}

async function timedMs(repeats: number, fn: () => unknown): Promise<number[]> {
  await fn() // warm the page cache and the statement cache, as an app that has been open a while has
  const times: number[] = []
  for (let i = 0; i < repeats; i++) {
    const t0 = now()
    await fn()
    times.push(now() - t0)
  }
  return times
}

let summariseSeconds = 0
let bigStore: { dir: string; store: RunStore; ids: number[]; rows: number } | null = null

/** One 10-million-row store shared by the three query benches (it takes about a minute to build). */
function tenMillionRowStore(): NonNullable<typeof bigStore> {
  if (bigStore) return bigStore
  const dir = tempDir('store-10m')
  const store = new RunStore(dir)
  // 90 runs × 100 000 rows + one run with a 1 000 000-point metric = 10 M rows.
  const ids = fillStore(store, 90, 100_000, 0, 1_000_000)
  // Rows written in SQL skip the writer's block summaries; build them as trainer batches would have.
  const t0 = now()
  const series = store.db.prepare('SELECT DISTINCT run_id, key FROM metrics').all() as { run_id: number; key: string }[]
  store.db.transaction(() => series.forEach((s) => store.summaries.summarise(s.run_id, s.key)))()
  summariseSeconds = (now() - t0) / 1000
  store.db.pragma('wal_checkpoint(TRUNCATE)')
  const rows = (store.db.prepare('SELECT count(*) AS n FROM metrics').get() as { n: number }).n
  bigStore = { dir, store, ids, rows }
  process.once('exit', () => {
    store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  return bigStore
}

export const storeBenches: Record<string, () => Promise<BenchResult>> = {
  async store_metric_ingest_points_per_s() {
    const dir = tempDir('store-ingest')
    const store = new RunStore(dir)
    try {
      const run = store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn' }))
      const batches = Array.from({ length: 100 }, (_, b) => metricBatch(b * (BATCH_POINTS / 4), BATCH_POINTS))
      const rates: number[] = []
      const cpuRates: number[] = []
      for (let r = 0; r < REPEATS + 1; r++) {
        const t0 = now()
        const cpu0 = process.cpuUsage()
        for (const metrics of batches) store.writeBatch(run.id, { metrics, episodes: [], progress: null })
        const seconds = (now() - t0) / 1000
        const cpu = process.cpuUsage(cpu0)
        if (r === 0) continue // warms up
        rates.push((batches.length * BATCH_POINTS) / seconds)
        cpuRates.push((batches.length * BATCH_POINTS) / ((cpu.user + cpu.system) / 1e6))
      }
      // per_cpu_second: the same work per second of this process's CPU time, which other load on a
      // shared machine disturbs less than the wall-clock figure.
      return { value: round(median(rates)), unit: 'points/s', runs: rates.map((x) => round(x)), per_cpu_second: round(median(cpuRates)), batch_points: BATCH_POINTS, goal: 200_000 }
    } finally {
      store.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },

  async store_runs_list_ms_10m_rows() {
    const { store, rows } = tenMillionRowStore()
    const times = await timedMs(9, () => store.listRuns())
    return { value: round(median(times)), unit: 'ms', max: round(Math.max(...times)), metric_rows: rows, runs: store.listRuns().length, goal_ms: 100, summarise_all_s: round(summariseSeconds) }
  },

  async store_open_run_ms_10m_rows() {
    // What the run page asks for when it opens: the run, every chart's series (downsampled to the
    // chart's width), and the episodes table.
    const { store, ids, rows } = tenMillionRowStore()
    const id = ids[45]
    const times = await timedMs(9, async () => {
      store.getRun(id)
      await store.metricsReader.query({ runId: id, maxPoints: 2000 })
      store.episodes(id)
    })
    return { value: round(median(times)), unit: 'ms', max: round(Math.max(...times)), metric_rows: rows, run_rows: 100_000, goal_ms: 100 }
  },

  async store_chart_1m_points_ms() {
    // One chart of a 1-million-point metric at ~2 000 px, min/max per pixel bucket.
    const { store, ids, rows } = tenMillionRowStore()
    const times = await timedMs(9, () => store.metricsReader.query({ runId: ids[0], keys: ['grad_norm'], maxPoints: 2000 }))
    const points = (await store.metricsReader.query({ runId: ids[0], keys: ['grad_norm'], maxPoints: 2000 })).length
    return { value: round(median(times)), unit: 'ms', max: round(Math.max(...times)), series_points: 1_000_000, returned_points: points, metric_rows: rows, goal_ms: 50 }
  },

  async store_concurrent_trainings() {
    // Four Catch runs at once on real trainer processes: every run completes, the rows add up, and the
    // host's event loop (which serves the UI) stays responsive while it stores their batches.
    const dir = tempDir('store-concurrent')
    const services = createServices({ dataDir: dir, launcher: childProcessLauncher(), host: 'web', maxTrainers: 4 })
    const lag = monitorEventLoopDelay({ resolution: 10 })
    const metricEvents = new Map<number, number[]>()
    const unsubscribe = services.api.subscribe((e: ApiEvent) => {
      if (e.type === 'run.metrics') metricEvents.set(e.runId, [...(metricEvents.get(e.runId) ?? []), now()])
    })
    try {
      const t0 = now()
      lag.enable()
      const runs = [0, 1, 2, 3].map((seed) => services.jobs.start(resolveRunConfig({ env: 'catch', algo: 'dqn', seed, episodes: 300 })))
      const ended = await Promise.all(runs.map((r) => services.jobs.waitForEnd(r.id)))
      lag.disable()
      const seconds = (now() - t0) / 1000
      const db = services.store.db
      const duplicates = (db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM metrics GROUP BY run_id, key, step HAVING count(*) > 1)').get() as { n: number }).n
      const episodeRows = ended.map((r) => (db.prepare('SELECT count(*) AS n FROM episodes WHERE run_id = ?').get(r.id) as { n: number }).n)
      const gaps = [...metricEvents.values()].flatMap((t) => t.slice(1).map((x, i) => x - t[i]))
      return {
        value: round(lag.percentile(99) / 1e6),
        unit: 'ms event-loop delay p99',
        lag_median_ms: round(lag.percentile(50) / 1e6),
        lag_max_ms: round(lag.max / 1e6),
        completed: ended.filter((r) => r.status === 'completed').length,
        episodes_done: ended.map((r) => r.episodesDone),
        episode_rows: episodeRows,
        duplicate_metric_rows: duplicates,
        metric_update_gap_max_ms: round(Math.max(...gaps)),
        seconds: round(seconds),
      }
    } finally {
      unsubscribe()
      await services.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
}
