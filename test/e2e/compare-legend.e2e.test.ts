/**
 * Defect 4 of issue 13: Compare's chart legend showed "—" for every run but the
 * first until you hovered. It showed when a run's metrics arrived after its
 * chart was drawn with the same steps as the runs already there: the chart
 * redrew, but the legend had read the data before the redraw and nothing told
 * it to read again. This drives exactly that order: three finished runs of the
 * same length; Compare opens on A and C (loading their metrics and the compare
 * charts' code), then switches to A and B — B's metrics arrive after the charts
 * are redrawn for A and B (a reply needs a round trip; Vue redraws first).
 * That order shows "—" for a moment even without the fix (something else
 * redraws the legend soon after), so the test also changes what is drawn
 * without new points — the smoothing — and asks the legend to follow: without
 * the fix (the legend reading on a new `version` or point count) it keeps the
 * old values.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { emaSmooth } from '../../src/renderer/src/lib/metrics'
import { fmtPercent } from '../../src/renderer/src/lib/format'
import { apiCall, runCompleted, startApp, type E2EApp } from './helpers'

let app: E2EApp
let page: Page
const runIds: number[] = []

beforeAll(async () => {
  app = await startApp()
  page = app.page
  for (const seed of [1, 2, 3]) {
    const run = await apiCall<{ id: number }>(page, 'runs.start', { env: 'catch', algo: 'dqn', seed, episodes: 40, replay_every: 20, name: `legend ${seed}`, params: { learning_starts: 20 } })
    runIds.push(run.id)
  }
  for (const id of runIds) await runCompleted(page, id)
})

afterAll(async () => {
  await app?.close()
})

test('every run’s latest value shows in the legend of each Compare chart without hovering, though one run’s metrics arrive after the other’s', async () => {
  const [a, b, c] = runIds
  // A fresh page: no metrics loaded. Compare A and C loads theirs; then B's load after the switch.
  await page.goto(`${app.baseUrl}/#/runs?compare=${a},${c}`)
  await page.locator('[data-testid="compare-charts"] [data-testid="metric-chart"]:not([data-points="0"])').first().waitFor({ timeout: 30_000 })
  await page.evaluate((hash) => (location.hash = hash), `#/runs?compare=${a},${b}`)
  await page.locator(`[data-testid="compare-panel"][data-runs="${a},${b}"]`).waitFor()
  const panel = page.getByTestId('compare-panel')
  await panel.waitFor({ timeout: 30_000 })
  // B's metrics are in once the final numbers show its win rate.
  const winRates = panel.locator('[data-testid="compare-metric"][data-metric="win_rate"] td.num')
  await expect.poll(async () => (await winRates.allInnerTexts()).every((t) => t !== '—'), { timeout: 30_000 }).toBe(true)
  const charts = panel.getByTestId('compare-charts').getByTestId('metric-chart')
  expect(await charts.count()).toBeGreaterThan(1)
  for (const chart of await charts.all()) {
    const legend = chart.getByTestId('chart-legend-item')
    const title = await chart.getAttribute('data-title')
    await expect.poll(async () => (await legend.locator('b').allInnerTexts()).length, { timeout: 5000 }).toBe(2)
    // Bounded: drawn data reaches the legend within a few frames, or never (the defect).
    await expect.poll(async () => (await legend.locator('b').allInnerTexts()).filter((t) => t === '—').length, { timeout: 5000, message: `legend of "${title}"` }).toBe(0)
  }
  // The legend shows what is drawn: each run's last smoothed win rate, following the slider.
  const expected = async (weight: number): Promise<string[]> => {
    const out: string[] = []
    for (const id of [a, b]) {
      const points = await apiCall<{ step: number; value: number }[]>(page, 'runs.metrics', { id, keys: ['win_rate'] })
      out.push(fmtPercent(emaSmooth(points.map((p) => p.value), weight).at(-1)!))
    }
    return out
  }
  const winLegend = () => charts.first().getByTestId('chart-legend-item').locator('b').allInnerTexts()
  for (const weight of [0, 0.9]) {
    await page.getByTestId('chart-smoothing').fill(String(weight))
    const want = await expected(weight)
    await expect.poll(winLegend, { timeout: 5000, message: `legend at smoothing ${weight}` }).toEqual(want)
  }
  expect(await expected(0)).not.toEqual(await expected(0.9))
  expect(app.problems).toEqual([])
})
