/**
 * End to end, sweeps (issue 14 §1): in the Sweeps view, define a small Catch
 * sweep (a grid over lr, a uniform range over gamma, 2 seeds, short runs),
 * see its run count before starting, watch every run land
 * through real trainers, sort the configurations table and export it as CSV.
 * Screenshots at 1360×880 and 960×640: test-results/sweeps-*.png.
 */
import fs from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { SweepDetail } from '../../src/shared/sweeps'
import { apiCall, REVIEW_SIZES, shotsAtReviewSizes, startApp, type E2EApp } from './helpers'

let app: E2EApp
let page: Page

const byTestId = (id: string) => page.getByTestId(id)
const shots = (name: string): Promise<void> => shotsAtReviewSizes(app, name)

beforeAll(async () => {
  app = await startApp()
  page = app.page
  await page.setViewportSize(REVIEW_SIZES[0])
}, 120_000)

afterAll(async () => {
  await app?.close()
})

describe('sweeps', () => {
  test('define a sweep in the form, watch it finish, sort and export its table', async () => {
    await byTestId('nav-sweeps').click()
    await byTestId('sweeps-empty').waitFor()
    await byTestId('sweep-form').waitFor()
    await byTestId('sweep-env').selectOption('catch')
    await byTestId('sweep-algo').selectOption('dqn')
    await byTestId('sweep-add-key').selectOption('lr')
    await byTestId('sweep-add').click()
    await byTestId('sweep-grid-lr').fill('1e-3, 3e-3')
    await byTestId('sweep-add-key').selectOption('gamma')
    await byTestId('sweep-add').click()
    await byTestId('sweep-mode-gamma').selectOption('random')
    await byTestId('sweep-min-gamma').fill('0.8')
    await byTestId('sweep-max-gamma').fill('0.99')
    await byTestId('sweep-draws').fill('1')
    await byTestId('sweep-seeds').fill('2')
    await byTestId('sweep-episodes').fill('15')
    await byTestId('sweep-parallel').fill('2')
    await byTestId('sweep-seed').fill('4')
    await expect.poll(() => byTestId('sweep-count').textContent()).toMatch(/4\s*runs\s*= 2 configurations × 2 seeds/)

    // A bad value is named before anything starts.
    await byTestId('sweep-grid-lr').fill('1e-3, -1')
    await expect.poll(() => byTestId('sweep-problem').textContent()).toBe('grid value -1 for lr: lr must be greater than 0')
    expect(await byTestId('sweep-start').isDisabled()).toBe(true)
    await byTestId('sweep-grid-lr').fill('1e-3, 3e-3')
    await shots('sweeps-form')

    // On Slurm the batch script is shown before anything is submitted (nothing needs a cluster for that).
    await byTestId('sweep-on').selectOption('slurm')
    await byTestId('sweep-slurm-time').fill('30:00')
    await byTestId('sweep-slurm-lines').fill('#SBATCH --mem=2G')
    await expect.poll(() => byTestId('sweep-start').innerText()).toBe('Show batch script…')
    await byTestId('sweep-start').click()
    const script = await byTestId('sweep-script-text').innerText()
    for (const line of ['#SBATCH --array=0-3', '#SBATCH --time=30:00', '#SBATCH --mem=2G']) expect(script).toContain(line)
    expect(await byTestId('sweep-script').textContent()).toMatch(/4 tasks, saved in \s*\//)
    await byTestId('sweep-script').scrollIntoViewIfNeeded()
    await shots('sweeps-script')
    await byTestId('sweep-script-back').click()
    await byTestId('sweep-on').selectOption('local')
    await expect.poll(() => byTestId('sweep-start').innerText()).toBe('Start sweep')

    await byTestId('sweep-start').click()
    await byTestId('sweep-page').waitFor()
    await expect.poll(() => byTestId('sweep-page').getAttribute('data-status'), { timeout: 300_000, interval: 500 }).toBe('completed')
    await expect.poll(() => byTestId('sweep-landed').textContent()).toMatch(/^4 \/ 4 landed/)
    expect(await page.locator('[data-testid^="sweep-run-"][data-status="done"]').count()).toBe(4)

    // The table agrees with the API, the best configuration marked.
    const id = Number(/#\/sweeps\/(\d+)/.exec(page.url())![1])
    const detail = await apiCall<SweepDetail>(page, 'sweeps.get', { id })
    const best = detail.configs.find((c) => c.best)!
    expect(await byTestId(`config-row-${best.index}`).getAttribute('data-best')).toBe('true')
    await byTestId('sweep-top-runs').locator('[data-testid="metric-chart"]').waitFor()

    // Sorting: by lr ascending, then descending.
    const firstRow = () => page.locator('[data-testid="sweep-configs"] tbody tr').first().getAttribute('data-testid')
    const lrOrder = [...detail.configs].sort((a, b) => (a.values.lr as number) - (b.values.lr as number)).map((c) => `config-row-${c.index}`)
    await byTestId('sort-setting-lr').click()
    expect(await firstRow()).toBe(lrOrder[0])
    await byTestId('sort-setting-lr').click()
    expect(await firstRow()).toBe(lrOrder[lrOrder.length - 1])
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('lr')

    // CSV: a download with one line per configuration.
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId('sweep-csv').click()])
    expect(download.suggestedFilename()).toBe(`sweep-${id}-configurations.csv`)
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n')
    expect(csv[0]).toBe('config,lr,gamma,win_rate_mean,win_rate_std,runs_landed,runs,best')
    expect(csv).toHaveLength(3)
    await shots('sweeps-page')

    await byTestId('sweeps-back').click()
    await byTestId(`sweep-row-${id}`).waitFor()
    await shots('sweeps-list')
    expect(app.problems).toEqual([])
  }, 420_000)
})
