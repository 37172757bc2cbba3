/**
 * End to end, the maze dashboard (rl-dash-days' Dash app, working): the Train
 * form shows the death penalty, ghost multiplier and event weights only with a
 * reward function that uses them, and Split-Q's weights and memories only for
 * Split-Q's custom preset; two tiny runs on the small maze really train through
 * it. Then the run's charts (score and game length — the seed's actions per game —
 * with the mean of the last 100 games), its parameter table, "Test" (the agent plays N games, mean score,
 * one watched), and Compare: box plots of each run's last N games (score,
 * game length, score per action) and the settings that differ. Screenshots at
 * 1360×880 and 960×640: test-results/maze-dashboard-*.png.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { chartPoints, runStatus, startApp, type E2EApp } from './helpers'
import { runColour } from '../../src/renderer/src/lib/run-colours'

const GAMES = 10
/** Agent steps per game at most: tiny games keep the runs short. */
const STEP_CAP = '150'

let app: E2EApp
let page: Page
let dqnRun = 0
let splitRun = 0

const byTestId = (id: string) => page.getByTestId(id)
const runRow = (id: number) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`)
const shown = async (id: string): Promise<boolean> => (await byTestId(id).count()) > 0

async function waitCompleted(): Promise<number> {
  await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 1000 }).toMatch(/completed|failed|stopped/)
  const status = await runStatus(page)
  if (status !== 'completed') throw new Error(`the run ended ${status}\n${app.hostLog().slice(-3000)}`)
  return Number(await byTestId('run-header').getAttribute('data-run-id'))
}

/** The run settings and the small DQN-sized network shared by both runs. */
async function fillRun(name: string): Promise<void> {
  await byTestId('env-param-preset').selectOption('small')
  await byTestId('env-param-max_steps').fill(STEP_CAP)
  await byTestId('param-learning_starts').fill('64')
  await byTestId('param-batch_size').fill('16')
  await byTestId('param-memory_size').fill('2000')
  await byTestId('setting-episodes').fill(String(GAMES))
  await byTestId('setting-seed').fill('4')
  await byTestId('setting-replay-every').fill('5')
  await byTestId('setting-name').fill(name)
}

async function startRun(): Promise<void> {
  const before = (await byTestId('run-header').count()) ? await byTestId('run-header').getAttribute('data-run-id') : null
  await byTestId('train-button').click()
  await expect.poll(async () => (await byTestId('run-header').count()) && (await byTestId('run-header').getAttribute('data-run-id')) !== before, { timeout: 30_000 }).toBeTruthy()
  expect(await byTestId('train-error').count()).toBe(0)
}

/** Screenshots at 1360×880 and 960×640; `place` scrolls to what is shown after each resize. */
async function shots(name: string, place?: () => Promise<unknown>): Promise<void> {
  await page.setViewportSize({ width: 1360, height: 880 })
  await place?.()
  await page.waitForTimeout(400)
  await app.shot(`maze-dashboard-${name}-1360.png`)
  await page.setViewportSize({ width: 960, height: 640 })
  await place?.()
  await page.waitForTimeout(400)
  await app.shot(`maze-dashboard-${name}-960.png`)
  await page.setViewportSize({ width: 1440, height: 900 })
}

beforeAll(async () => {
  app = await startApp()
  page = app.page
})

afterAll(async () => {
  await app?.close()
})

describe('the maze dashboard', () => {
  test('the Train form shows each reward setting only with a reward function that uses it, and trains DQN with death_tax', async () => {
    await byTestId('nav-train').click()
    await byTestId('train-form').waitFor()
    await byTestId('env-select').selectOption('maze')
    expect(await byTestId('algo-select').inputValue()).toBe('dqn')
    // A maze run counts games.
    expect(await page.locator('label[for="tf-episodes"]').innerText()).toContain('Games')
    expect(await byTestId('env-param-reward').inputValue()).toBe('vanilla')
    // vanilla uses none of them.
    for (const k of ['death_pen', 'ghost_mul', 'w_pellet', 'w_death']) expect(await shown(`env-param-${k}`), k).toBe(false)
    await byTestId('env-param-reward').selectOption('death_tax')
    expect(await shown('env-param-death_pen')).toBe(true)
    expect(await shown('env-param-ghost_mul')).toBe(false)
    await byTestId('env-param-reward').selectOption('ghostbusters')
    expect(await shown('env-param-death_pen')).toBe(false)
    expect(await shown('env-param-ghost_mul')).toBe(true)
    await byTestId('env-param-reward').selectOption('custom')
    expect(await shown('env-param-w_pellet')).toBe(true)
    expect(await shown('env-param-w_step')).toBe(true)
    // A bad weight, then hidden: it is not sent (its default is), so it blocks nothing.
    await byTestId('env-param-w_step').fill('lots')
    await expect.poll(() => byTestId('env-param-w_step').getAttribute('aria-invalid')).toBe('true')
    await byTestId('env-param-reward').selectOption('death_tax')
    expect(await shown('env-param-w_step')).toBe(false)
    await byTestId('env-param-death_pen').fill('100')
    // Split-Q's own settings are not DQN's.
    expect(await shown('param-split_preset')).toBe(false)

    await fillRun('maze dqn death_tax')
    await startRun()
    dqnRun = await waitCompleted()
    expect(await byTestId('progress-text').innerText()).toContain(`${GAMES} / ${GAMES}`)
  })

  test('Split-Q shows its preset, and its weights and memories only under the custom preset; it trains with split_q', async () => {
    await byTestId('algo-select').selectOption('split-q')
    await byTestId('param-split_preset').waitFor()
    expect(await byTestId('param-split_preset').inputValue()).toBe('standard')
    for (const k of ['w_r', 'lambda_r', 'w_p', 'lambda_p']) expect(await shown(`param-${k}`), k).toBe(false)
    await byTestId('param-split_preset').selectOption('custom')
    for (const k of ['w_r', 'lambda_r', 'w_p', 'lambda_p']) expect(await shown(`param-${k}`), k).toBe(true)
    await byTestId('param-w_r').fill('0.5')
    await byTestId('param-lambda_r').fill('0.5')
    await byTestId('env-param-reward').selectOption('split_q')
    expect(await shown('env-param-death_pen')).toBe(true)
    expect(await shown('env-param-ghost_mul')).toBe(true)
    await byTestId('env-param-ghost_mul').fill('3')
    await fillRun('maze split-q')
    await page.locator('[data-testid="param-w_r"]').scrollIntoViewIfNeeded()
    await shots('train-form')
    await startRun()
    splitRun = await waitCompleted()
  })

  test('the run: score and actions per game with the mean of the last 100 games, and every setting in its table', async () => {
    await byTestId('nav-runs').click()
    await runRow(splitRun).click()
    await byTestId('run-detail').waitFor()
    for (const title of ['Score · mean of last 100 games', 'Game length · mean of last 100 games', 'Score per action · mean of last 100 games']) {
      await expect.poll(() => chartPoints(page, title), { timeout: 30_000 }).toBe(GAMES)
    }
    const setting = (key: string) => page.locator(`[data-testid="run-setting"][data-key="${key}"]`)
    expect(await setting('reward').innerText()).toContain('split_q')
    expect(await setting('ghost_mul').innerText()).toContain('3')
    expect(await setting('ghost_mul').getAttribute('data-used')).toBe('true')
    expect(await setting('w_pellet').getAttribute('data-used')).toBe('false')
    expect(await setting('split_preset').innerText()).toContain('custom')
    expect(await setting('w_r').innerText()).toContain('0.5')
    expect(await setting('w_r').getAttribute('data-used')).toBe('true')
    expect(await setting('seed').innerText()).toContain('4')
    expect(await setting('episodes').innerText()).toMatch(/Games[\s\S]*10/)
    const top = (id: string) => () => byTestId(id).first().evaluate((e) => e.scrollIntoView({ block: 'start' }))
    await shots('run-charts', top('run-charts'))
    await shots('run-config', top('run-config'))
  })

  test('"Test": the agent plays N games, the mean score shows, and one game is watched step by step', async () => {
    await byTestId('detail-play').click()
    await byTestId('play-view').waitFor()
    expect(await byTestId('play-run-select').inputValue()).toBe(String(splitRun))
    await byTestId('play-games').fill('4')
    await byTestId('play-seed').fill('9')
    await byTestId('play-button').click()
    await byTestId('play-mean-score').waitFor({ timeout: 120_000 })
    expect(await byTestId('play-error').count()).toBe(0)
    expect(await byTestId('play-game-row').count()).toBe(4)
    expect(await byTestId('play-mean-score').innerText()).toMatch(/^\d/)
    expect(await byTestId('play-mean-score_per_action').innerText()).toMatch(/^\d/)
    await byTestId('play-game-row').nth(1).click()
    const player = page.locator('[data-testid="play-view"] [data-testid="replay-player"]')
    await player.waitFor()
    const counter = player.getByTestId('replay-step')
    await expect.poll(() => counter.innerText()).toMatch(/^0 \/ \d+$/)
    const canvas = player.locator('[data-testid="game-canvas"]')
    const s0 = await canvas.getAttribute('data-state')
    for (let k = 0; k < 5; k++) await player.getByTestId('replay-next').click()
    await expect.poll(() => counter.innerText()).toMatch(/^5 \//)
    expect(await canvas.getAttribute('data-state')).not.toBe(s0)
    await shots('test')
  })

  test('Compare: box plots of the last N games (score, actions, score per action) in the runs’ colours, and the settings that differ', async () => {
    await byTestId('nav-runs').click()
    await byTestId('runs-table').waitFor()
    await runRow(dqnRun).getByTestId('run-compare').check()
    await runRow(splitRun).getByTestId('run-compare').check()
    await byTestId('compare-open').click()
    await byTestId('compare-panel').waitFor()
    const boxes = byTestId('compare-boxes')
    await boxes.waitFor()
    const plot = (stat: string) => page.locator(`[data-testid="box-plot"][data-stat="${stat}"]`)
    expect(await byTestId('box-plot').evaluateAll((els) => els.map((e) => e.getAttribute('data-stat')))).toEqual(['score', 'episode_length', 'score_per_action'])
    const ns = async (stat: string): Promise<string[]> => plot(stat).getByTestId('box').evaluateAll((els) => els.map((e) => e.getAttribute('data-n') ?? ''))
    await expect.poll(() => ns('score'), { timeout: 30_000 }).toEqual([String(GAMES), String(GAMES)])
    expect(await ns('score_per_action')).toEqual([String(GAMES), String(GAMES)])
    // Quartiles in order, whiskers around the box; the title states the window.
    for (const stat of ['score', 'episode_length', 'score_per_action']) {
      for (const b of await plot(stat).getByTestId('box').all()) {
        const v = async (a: string) => Number(await b.getAttribute(`data-${a}`))
        expect(await v('whisker-low')).toBeLessThanOrEqual(await v('q1'))
        expect(await v('q1')).toBeLessThanOrEqual(await v('median'))
        expect(await v('median')).toBeLessThanOrEqual(await v('q3'))
        expect(await v('q3')).toBeLessThanOrEqual(await v('whisker-high'))
      }
    }
    expect(await plot('score').getAttribute('data-title')).toBe(`Score (points) · last 100 games`)
    // Each chart's legend shows every run's latest value without hovering (not "—" for all but the first).
    const legendValues = () => byTestId('compare-panel').getByTestId('metric-chart').first().locator('.chart__item b').allInnerTexts()
    await expect.poll(async () => { const v = await legendValues(); return v.length === 2 && !v.includes('—') }, { timeout: 30_000 }).toBe(true)
    // Each run's colour, as in the compare table's header.
    const runStroke = await plot('score').locator('[data-testid="box"] rect').evaluateAll((els) => els.map((e) => getComputedStyle(e).stroke))
    const swatches = await page.locator('.compare__swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor))
    expect(runStroke).toEqual(swatches)
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`
    expect(swatches).toEqual([rgb(runColour(dqnRun)), rgb(runColour(splitRun))])

    // N chosen by the user: the last 4 games; a bad N is one line naming it.
    await byTestId('compare-box-n').fill('4')
    await expect.poll(() => ns('episode_length'), { timeout: 30_000 }).toEqual(['4', '4'])
    expect(await plot('episode_length').getAttribute('data-title')).toBe('Game length (steps) · last 4 games')
    await byTestId('compare-box-n').fill('0')
    expect(await byTestId('compare-box-error').innerText()).toBe('N must be a whole number of games from 1 to 100000')
    await byTestId('compare-box-n').fill('100')
    await expect.poll(() => ns('score')).toEqual([String(GAMES), String(GAMES)])

    // The parameter table: the settings that differ, highlighted; the same ones on request.
    const row = (key: string) => page.locator(`[data-testid="compare-config-row"][data-key="${key}"]`)
    const diffKeys = await page.locator('[data-testid="compare-config-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))
    expect(diffKeys).toEqual(expect.arrayContaining(['algo', 'env_params.reward', 'env_params.death_pen', 'env_params.ghost_mul']))
    expect(diffKeys).not.toContain('env_params.preset')
    expect(await row('env_params.reward').innerText()).toMatch(/Reward function[\s\S]*death_tax[\s\S]*split_q/)
    expect(await row('env_params.reward').getAttribute('class')).toContain('is-diff')
    // DQN has no Split-Q weights; death_tax leaves the ghost multiplier unused.
    expect(await row('params.w_r').innerText()).toMatch(/—[\s\S]*0\.5/)
    expect(await row('env_params.ghost_mul').locator('td.is-unused').count()).toBe(1)
    await byTestId('compare-show-same').check()
    await expect.poll(() => row('env_params.preset').count()).toBe(1)
    expect(await row('env_params.preset').getAttribute('class')).toContain('is-same')
    expect(await row('seed').innerText()).toMatch(/4[\s\S]*4/)
    await byTestId('compare-show-same').uncheck()

    await shots('compare-settings', () => byTestId('compare-config').evaluate((e) => e.scrollIntoView({ block: 'start' })))
    // The box plots at the top of the window (the panel is taller than the small window).
    await shots('compare-boxes', () => boxes.evaluate((e) => e.scrollIntoView({ block: 'start' })))
    expect(app.problems).toEqual([])
  })
})
