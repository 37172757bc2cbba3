import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveRunConfig, type MetricPoint, type RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'

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
