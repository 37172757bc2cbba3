/**
 * End to end, charts used the way TensorBoard's are, Compare as a link, and
 * exports that land in the browser (web mode): on real runs (two Catch DQN runs,
 * two Pixel Racer Q-table runs) a run's charts zoom on a drag, pan on Shift-drag,
 * reset on a double-click, follow the smoothing slider (raw lines faint behind),
 * switch to a log axis, show every series in a tooltip and name their axes with
 * units and windows; PNG, SVG and the metrics CSV download; the live view shows
 * the agent's Q-values while it trains; Compare puts the charts first, the
 * settings that differ after, keeps each run's colour from the Runs table, and
 * its copied link reopens the same view with the same chart options; racer runs
 * get their moves-to-goal against the shortest path; a model export downloads
 * as a zip of the checkpoint's files. Screenshots at 1360×880 and 960×640:
 * test-results/charts-*.png.
 */
import fs from 'node:fs'
import path from 'node:path'
import { unzipSync } from 'fflate'
import type { Download, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runColour } from '../../src/renderer/src/lib/run-colours'
import { ROLLING_WINDOW } from '../../src/core/agent'
import { apiCall, runCompleted, startApp, type E2EApp } from './helpers'

let app: E2EApp
let page: Page
let catchA = 0
let catchB = 0
let racerA = 0
let racerB = 0
const EPISODES = 150

const byTestId = (id: string) => page.getByTestId(id)
const chart = (title: string) => page.locator(`[data-testid="metric-chart"][data-title="${title}"]`).first()
const num = async (loc: Locator, attr: string): Promise<number> => Number(await loc.getAttribute(attr))

/** Screenshots at 1360×880 and 960×640; `place` scrolls to what is shown after each resize. */
async function shots(name: string, place?: () => Promise<unknown>): Promise<void> {
  for (const [w, h] of [
    [1360, 880],
    [960, 640],
  ]) {
    await page.setViewportSize({ width: w, height: h })
    await place?.()
    await page.waitForTimeout(400)
    await app.shot(`charts-${name}-${w}.png`)
  }
  await page.setViewportSize({ width: 1440, height: 900 })
}

async function saved(download: Download): Promise<Buffer> {
  const file = path.join(app.dataDir, `dl-${Date.now()}-${download.suggestedFilename()}`)
  await download.saveAs(file)
  return fs.readFileSync(file)
}

/** Drags across a chart's plot from fraction `a` to `b` of its width (with Shift: a pan). */
async function drag(c: Locator, a: number, b: number, shift = false): Promise<void> {
  const over = c.locator('.u-over')
  await over.scrollIntoViewIfNeeded()
  const box = (await over.boundingBox())!
  const y = box.y + box.height / 2
  await page.mouse.move(box.x + box.width * a, y)
  if (shift) await page.keyboard.down('Shift')
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * ((a + b) / 2), y, { steps: 4 })
  await page.mouse.move(box.x + box.width * b, y, { steps: 4 })
  await page.mouse.up()
  if (shift) await page.keyboard.up('Shift')
}

async function hover(c: Locator, at: number): Promise<void> {
  const over = c.locator('.u-over')
  await over.scrollIntoViewIfNeeded()
  const box = (await over.boundingBox())!
  await page.mouse.move(box.x + box.width * at, box.y + box.height / 2, { steps: 3 })
}

beforeAll(async () => {
  app = await startApp()
  page = app.page
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.baseUrl })
  // Set-up through the API (the Train form has its own tests): four short runs, two at a time.
  const start = (req: Record<string, unknown>) => apiCall<{ id: number }>(page, 'runs.start', req).then((r) => r.id)
  catchA = await start({ env: 'catch', algo: 'dqn', seed: 1, episodes: EPISODES, replay_every: 50, name: 'Catch lr 1e-3', params: { learning_starts: 30 } })
  catchB = await start({ env: 'catch', algo: 'dqn', seed: 2, episodes: EPISODES, replay_every: 50, name: 'Catch lr 3e-3', params: { learning_starts: 30, lr: 0.003 } })
  racerA = await start({ env: 'racer', algo: 'qtable', seed: 1, episodes: 300, track: 'track1', name: 'Racer seed 1' })
  racerB = await start({ env: 'racer', algo: 'qtable', seed: 2, episodes: 300, track: 'track1', name: 'Racer seed 2' })
  for (const id of [catchA, catchB, racerA, racerB]) {
    await runCompleted(page, id).catch((err: Error) => {
      throw new Error(`${err.message}\n${app.hostLog().slice(-3000)}`)
    })
  }
  await page.goto(`${app.baseUrl}/#/runs`)
  await byTestId('runs-table').waitFor()
}, 300_000)

afterAll(async () => {
  await app?.close()
})

describe('charts like TensorBoard’s', () => {
  test('a run’s charts: axis titles with units and windows, drag to zoom, Shift-drag to pan, double-click to reset, smoothing, log scale, tooltip', async () => {
    await page.goto(`${app.baseUrl}/#/runs/${catchA}`)
    await byTestId('run-charts').waitFor()
    const charts = byTestId('run-charts').getByTestId('metric-chart')
    await expect.poll(async () => num(charts.first(), 'data-points'), { timeout: 30_000 }).toBeGreaterThan(100)
    // Axis titles: what x counts, and each axis's unit or window.
    const axes = await charts.evaluateAll((els) => els.map((e) => ({ title: e.getAttribute('data-title'), x: e.getAttribute('data-x-label'), y: e.getAttribute('data-y-label'), y2: e.getAttribute('data-y2-label') })))
    for (const a of axes) expect(a.x).toBe('episodes')
    expect(axes.find((a) => a.title === 'Return & win rate')).toMatchObject({ y: 'return', y2: `win rate (last ${ROLLING_WINDOW} episodes)` })
    expect(axes.find((a) => a.title === `Episode length · mean of last ${ROLLING_WINDOW} episodes`)).toMatchObject({ y: 'episode length (steps)' })
    expect(axes.find((a) => a.title === 'TD loss & exploration rate')).toMatchObject({ y: 'TD loss', y2: 'exploration rate' })

    // The loss chart: noisy, drawn as a line (with ε on the right) — the one to zoom, smooth and log.
    const loss = chart('TD loss & exploration rate')
    await expect.poll(() => num(loss, 'data-points'), { timeout: 30_000 }).toBeGreaterThan(50)
    const full = { min: await num(loss, 'data-x-min'), max: await num(loss, 'data-x-max') }
    await drag(loss, 0.3, 0.6)
    await expect.poll(() => num(loss, 'data-x-max')).toBeLessThan(full.max)
    const zoomed = { min: await num(loss, 'data-x-min'), max: await num(loss, 'data-x-max') }
    expect(zoomed.min).toBeGreaterThan(full.min)
    expect(zoomed.max - zoomed.min).toBeLessThan((full.max - full.min) * 0.5)
    // Shift-drag to the left moves the window right by about the dragged distance, keeping its width.
    await drag(loss, 0.6, 0.4, true)
    await expect.poll(() => num(loss, 'data-x-min')).toBeGreaterThan(zoomed.min)
    const panned = { min: await num(loss, 'data-x-min'), max: await num(loss, 'data-x-max') }
    expect(panned.max - panned.min).toBeCloseTo(zoomed.max - zoomed.min, 5)
    await shots('zoomed', () => loss.scrollIntoViewIfNeeded())
    await loss.locator('.u-over').dblclick()
    await expect.poll(() => num(loss, 'data-x-max')).toBe(full.max)
    expect(await num(loss, 'data-x-min')).toBe(full.min)

    // Smoothing: 0 draws the line alone; above 0 the raw line stays, faint, behind the smoothed one.
    const slider = byTestId('chart-smoothing')
    const legendValue = () => loss.getByTestId('chart-legend-item').locator('b').first().innerText()
    await slider.fill('0')
    await expect.poll(() => num(loss, 'data-drawn-series')).toBe(2)
    const raw = await legendValue()
    await slider.fill('0.95')
    await expect.poll(() => num(loss, 'data-drawn-series')).toBe(4)
    expect(await loss.getAttribute('data-smoothing')).toBe('0.95')
    expect(await byTestId('chart-smoothing-value').innerText()).toBe('0.95')
    await expect.poll(legendValue).not.toBe(raw)
    // Every chart follows the one slider.
    expect(await charts.evaluateAll((els) => els.filter((e) => e.getAttribute('data-smoothing') === '0.95').length)).toBeGreaterThan(2)

    // Log scale, per chart.
    await loss.getByTestId('chart-log').click()
    await expect.poll(() => loss.getAttribute('data-log')).toBe('true')
    expect(await chart('Return & win rate').getAttribute('data-log')).toBe('false')

    // The tooltip lists every series at the hovered step, smoothed with the raw value beside it.
    await hover(loss, 0.5)
    const tip = loss.getByTestId('chart-tooltip')
    await tip.waitFor()
    expect(await tip.getByTestId('chart-tooltip-row').allInnerTexts()).toEqual([expect.stringMatching(/^TD loss\s+\S+\s+raw \S+$/), expect.stringMatching(/^Exploration rate\s+[\d.]+%\s+raw [\d.]+%$/)])
    expect(await tip.innerText()).toMatch(/^episode \d+/)
    await shots('run-tooltip', async () => {
      await loss.scrollIntoViewIfNeeded()
      await hover(loss, 0.5)
    })
    await page.mouse.move(0, 0)
    await loss.getByTestId('chart-log').click()
    await slider.fill('0.6')
    expect(app.problems).toEqual([])
  })

  test('a chart downloads as PNG and SVG, the run’s metrics as CSV (every recorded point)', async () => {
    const loss = chart('TD loss & exploration rate')
    const [png] = await Promise.all([page.waitForEvent('download'), loss.getByTestId('chart-png').click()])
    expect(png.suggestedFilename()).toBe('td-loss-exploration-rate.png')
    expect((await saved(png)).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
    const [svg] = await Promise.all([page.waitForEvent('download'), loss.getByTestId('chart-svg').click()])
    expect(svg.suggestedFilename()).toBe('td-loss-exploration-rate.svg')
    const svgText = (await saved(svg)).toString('utf8')
    expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svgText).toContain('>TD loss &amp; exploration rate</text>')
    expect(svgText).toContain('>episodes</text>')
    expect(svgText).toMatch(/<path d="M[\d.]+ [\d.]+L/)

    const [csv] = await Promise.all([page.waitForEvent('download'), byTestId('metrics-csv').click()])
    expect(csv.suggestedFilename()).toBe(`run-${catchA}-metrics.csv`)
    const lines = (await saved(csv)).toString('utf8').trimEnd().split('\n')
    expect(lines[0]).toBe('run_id,run_name,step,key,value')
    const stored = await apiCall<{ key: string; step: number; value: number }[]>(page, 'runs.metrics', { id: catchA, maxPoints: 100_000 })
    expect(lines.length - 1).toBe(stored.length)
    const winRates = lines.filter((l) => l.split(',')[3] === 'win_rate')
    expect(winRates).toHaveLength(EPISODES)
    const last = stored.filter((p) => p.key === 'win_rate').at(-1)!
    expect(winRates.at(-1)).toBe(`${catchA},Catch lr 1e-3,${EPISODES},win_rate,${last.value}`)
  })

  test('the live view shows the Q-values of the frame being shown while the agent trains', async () => {
    const live = await apiCall<{ id: number }>(page, 'runs.start', { env: 'catch', algo: 'dqn', seed: 5, episodes: 5000, replay_every: 1000, name: 'Catch live' })
    // The Train view follows the newest active run (after a reload, whatever it followed before).
    await page.goto(`${app.baseUrl}/#/train`)
    await page.reload()
    await expect.poll(() => byTestId('run-header').first().getAttribute('data-run-id'), { timeout: 30_000 }).toBe(String(live.id))
    const view = byTestId('live-view')
    await view.waitFor({ timeout: 30_000 })
    // Live episodes carry the agent's outputs: three bars (left, stay, right), one marked as taken.
    const bars = view.locator('[data-testid="q-values"] .qbars__row')
    await expect.poll(() => bars.count(), { timeout: 60_000 }).toBe(3)
    await expect.poll(() => view.locator('.qbars__row.is-chosen').count(), { timeout: 10_000 }).toBe(1)
    expect(await view.locator('.qbars__none').count()).toBe(0)
    await shots('live-q', () => view.scrollIntoViewIfNeeded())
    await apiCall(page, 'runs.stop', { id: live.id })
    await expect.poll(async () => (await apiCall<{ status: string }>(page, 'runs.get', { id: live.id })).status, { timeout: 60_000 }).toBe('stopped')
  })
})

describe('Compare', () => {
  let link = ''

  test('charts first, then the settings that differ; run colours as in the Runs table; the tooltip lists every run; CSV of both runs', async () => {
    await page.goto(`${app.baseUrl}/#/runs`)
    await byTestId('runs-table').waitFor()
    const row = (id: number) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`)
    // One colour per run, from its id, in the table as everywhere.
    const swatch = (id: number) => row(id).getByTestId('run-swatch').evaluate((e) => getComputedStyle(e).backgroundColor)
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`
    expect(await swatch(catchA)).toBe(rgb(runColour(catchA)))
    expect(await swatch(catchB)).toBe(rgb(runColour(catchB)))
    await row(catchA).getByTestId('run-compare').check()
    await row(catchB).getByTestId('run-compare').check()
    await byTestId('compare-open').click()
    const panel = byTestId('compare-panel')
    await panel.waitFor()
    expect(new URL(page.url()).hash).toMatch(new RegExp(`^#/runs\\?compare=${catchA},${catchB}&smooth=0\\.6$`))
    expect(await page.locator('.compare__swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor))).toEqual([rgb(runColour(catchA)), rgb(runColour(catchB))])

    // Order: charts, then final numbers, then settings.
    const order = await panel.evaluate((p) => ['compare-charts', 'compare-metrics', 'compare-config'].map((id) => [...p.querySelectorAll('[data-testid]')].findIndex((e) => e.getAttribute('data-testid') === id)))
    expect(order[0]).toBeGreaterThan(-1)
    expect(order[0]).toBeLessThan(order[1])
    expect(order[1]).toBeLessThan(order[2])
    // Only the settings that differ, highlighted; all on request.
    const keys = () => page.locator('[data-testid="compare-config-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))
    expect((await keys()).sort()).toEqual(['params.lr', 'seed'])
    expect(await page.locator('[data-testid="compare-config-row"].is-diff').count()).toBe(2)
    await byTestId('compare-show-same').check()
    await expect.poll(async () => (await keys()).length).toBeGreaterThan(10)
    await byTestId('compare-show-same').uncheck()

    // The tooltip: each run's value at the hovered episode.
    const win = panel.getByTestId('compare-charts').getByTestId('metric-chart').first()
    await expect.poll(() => num(win, 'data-points'), { timeout: 30_000 }).toBe(EPISODES)
    expect(await win.getAttribute('data-y-label')).toBe(`win rate (last ${ROLLING_WINDOW} episodes)`)
    await hover(win, 0.7)
    const rows = win.getByTestId('chart-tooltip').getByTestId('chart-tooltip-row')
    await expect.poll(() => rows.allInnerTexts()).toEqual([expect.stringMatching(new RegExp(`^#${catchA}\\s+\\d`)), expect.stringMatching(new RegExp(`^#${catchB}\\s+\\d`))])
    await shots('compare', async () => {
      await panel.evaluate((e) => e.scrollIntoView({ block: 'start' }))
      await hover(win, 0.7)
    })
    await page.mouse.move(0, 0)

    const [csv] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('metrics-csv').click()])
    expect(csv.suggestedFilename()).toBe(`runs-${catchA}-${catchB}-metrics.csv`)
    const lines = (await saved(csv)).toString('utf8').trimEnd().split('\n').slice(1)
    expect(new Set(lines.map((l) => l.split(',')[0]))).toEqual(new Set([String(catchA), String(catchB)]))
    expect(lines.filter((l) => l.startsWith(`${catchB},`) && l.includes(',win_rate,'))).toHaveLength(EPISODES)

    // The link: smoothing and a log axis chosen here travel with it.
    await byTestId('chart-smoothing').fill('0.8')
    const loss = panel.locator('[data-testid="metric-chart"][data-title="TD loss"]')
    await loss.getByTestId('chart-log').click()
    await byTestId('compare-copy-link').click()
    await byTestId('compare-link-copied').waitFor()
    link = await byTestId('compare-link').inputValue()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link)
    expect(link).toBe(`${app.baseUrl}/#/runs?compare=${catchA},${catchB}&smooth=0.8&log=TD+loss`)
    expect(link).not.toContain('token')
    expect(app.problems).toEqual([])
  })

  test('the copied link opens the same comparison with the same chart options in a new tab', async () => {
    // The new tab starts with other options of its own: the link's win.
    const tab = await page.context().newPage()
    await tab.addInitScript(() => localStorage.setItem('quarkade.chartSmoothing', '0.1'))
    await tab.goto(link)
    const panel = tab.getByTestId('compare-panel')
    await panel.waitFor({ timeout: 30_000 })
    expect(await panel.getAttribute('data-runs')).toBe(`${catchA},${catchB}`)
    expect(await tab.getByTestId('chart-smoothing-value').innerText()).toBe('0.80')
    const loss = panel.locator('[data-testid="metric-chart"][data-title="TD loss"]')
    await expect.poll(() => loss.getAttribute('data-log')).toBe('true')
    expect(await loss.getAttribute('data-smoothing')).toBe('0.8')
    await tab.close()
    // A link naming a run that is not there says so.
    await page.goto(`${app.baseUrl}/#/runs?compare=${catchA},999`)
    await expect.poll(() => byTestId('compare-link-error').innerText().catch(() => ''), { timeout: 10_000 }).toBe(
      'Run #999 in this Compare link does not exist here (deleted, or from another data folder)',
    )
    await page.goto(`${app.baseUrl}/#/runs?compare=${catchA}`)
    await expect.poll(() => byTestId('compare-link-error').innerText().catch(() => '')).toBe('a Compare link names 2 to 4 runs; this one names 1')
  })

  test('racer runs: moves to the goal per episode against the shortest path (dashed)', async () => {
    await page.goto(`${app.baseUrl}/#/runs?compare=${racerA},${racerB}&smooth=0`)
    const panel = byTestId('compare-panel')
    await panel.waitFor({ timeout: 30_000 })
    const moves = panel.locator('[data-testid="metric-chart"][data-title="Moves to the goal"]')
    await moves.waitFor()
    await expect.poll(() => num(moves, 'data-points'), { timeout: 30_000 }).toBeGreaterThan(100)
    const labels = await moves.getByTestId('chart-legend-item').allInnerTexts()
    expect(labels.map((l) => l.replace(/\s+\S+$/, ''))).toEqual([
      `#${racerA} episode length`,
      `#${racerB} episode length`,
      `#${racerA} greedy moves to goal`,
      `#${racerB} greedy moves to goal`,
      `#${racerA} shortest path`,
      `#${racerB} shortest path`,
    ])
    // track1's shortest path is 18 moves, drawn for both runs (the second run's points may still be on their way).
    await expect
      .poll(async () => (await moves.getByTestId('chart-legend-item').allInnerTexts()).slice(-2).map((l) => l.split(/\s+/).at(-1)), { timeout: 30_000 })
      .toEqual(['18', '18'])
    await shots('compare-racer', () => moves.scrollIntoViewIfNeeded())
  })
})

describe('export in web mode', () => {
  test('a model export downloads a zip of the checkpoint’s model.json and weights.bin', async () => {
    await page.goto(`${app.baseUrl}/#/runs`)
    await byTestId('runs-table').waitFor()
    const [zip] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid="run-row"][data-run-id="${catchA}"]`).getByTestId('run-export').click()])
    expect(zip.suggestedFilename()).toBe(`catch-v1-run-${catchA}-model.zip`)
    const files = unzipSync(new Uint8Array(await saved(zip)))
    const dir = path.join(app.dataDir, 'checkpoints', `run-${catchA}`)
    const newest = fs
      .readdirSync(dir)
      .filter((d) => fs.existsSync(path.join(dir, d, 'model.json')))
      .sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]))
      .at(-1)!
    expect(Buffer.from(files['model.json']).equals(fs.readFileSync(path.join(dir, newest, 'model.json')))).toBe(true)
    expect(Buffer.from(files['weights.bin']).equals(fs.readFileSync(path.join(dir, newest, 'weights.bin')))).toBe(true)
    const dialog = byTestId('export-dialog')
    await dialog.getByTestId('export-downloaded').waitFor()
    expect(await dialog.getByTestId('export-downloaded').innerText()).toContain(`catch-v1-run-${catchA}-model.zip`)
    // Nothing was written on the server's side.
    expect(fs.readdirSync(path.join(app.dataDir, 'exports'))).toEqual([])
    await shots('export')
    await dialog.getByTestId('export-done').click()
    expect(app.problems).toEqual([])
  })
})
