/**
 * End to end, part two: what you do with a trained model. Trains Catch (seeded)
 * through the UI, lets the agent play 20 games in the Play view (accuracy shown,
 * one game stepped through), plays a few moves yourself with the keyboard;
 * exports the model to a typed path and imports it back as a new run that plays
 * the same; trains a short Snake run and watches it draw; stops a run, resumes it
 * and trains it further as ONE run. Screenshots: test-results/play.png,
 * human-play.png, snake-live.png, export.png, resumed.png.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { apiCall, chartPoints, runStatus, startApp, type E2EApp } from './helpers'

const CATCH_EPISODES = 400
const SEED = 11
const GAMES = 20
const PLAY_SEED = 5
/** Episodes of the run that is stopped, resumed and trained further (large enough to stop part-way). */
const BUDGET = 700

let app: E2EApp
let page: Page
let exportDir = ''
let trainedRunId = 0
let accuracy = ''

const byTestId = (id: string) => page.getByTestId(id)
const percent = (text: string): number => Number(text.replace('%', ''))
const progress = async (): Promise<number> => Number(await byTestId('progress').first().getAttribute('aria-valuenow'))

/** Fills the Train form and starts a run; resolves with its id once the header shows it. */
async function train(opts: {
  env: string
  episodes: number
  seed: number
  replayEvery?: number
  checkpointEvery?: number
  envParams?: Record<string, string>
}): Promise<number> {
  await byTestId('nav-train').click()
  await byTestId('train-form').waitFor()
  await byTestId('env-select').selectOption(opts.env)
  for (const [k, v] of Object.entries(opts.envParams ?? {})) await byTestId(`env-param-${k}`).fill(v)
  await byTestId('setting-episodes').fill(String(opts.episodes))
  await byTestId('setting-seed').fill(String(opts.seed))
  await byTestId('setting-replay-every').fill(String(opts.replayEvery ?? 10))
  await byTestId('setting-checkpoint-every').fill(String(opts.checkpointEvery ?? 100))
  const before = (await byTestId('run-header').count()) ? await byTestId('run-header').getAttribute('data-run-id') : null
  await byTestId('train-button').click()
  await expect.poll(async () => (await byTestId('run-header').count()) && (await byTestId('run-header').getAttribute('data-run-id')) !== before, { timeout: 30_000 }).toBeTruthy()
  expect(await byTestId('train-error').count()).toBe(0)
  return Number(await byTestId('run-header').getAttribute('data-run-id'))
}

async function rowCount(): Promise<number> {
  await byTestId('nav-runs').click()
  await byTestId('runs-table').waitFor()
  return byTestId('run-row').count()
}

beforeAll(async () => {
  app = await startApp()
  page = app.page
  // Web mode exports into the data folder's exports/ (or --allow-dir folders); the export creates it.
  exportDir = path.join(app.dataDir, 'exports', 'catch-model')
})

afterAll(async () => {
  await app?.close()
  if (exportDir) fs.rmSync(exportDir, { recursive: true, force: true })
})

describe('Playing, resuming, exporting and importing models', () => {
  test('trains a Catch model (seeded) through the UI', async () => {
    trainedRunId = await train({ env: 'catch', episodes: CATCH_EPISODES, seed: SEED })
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('completed')
    expect(await byTestId('progress-text').innerText()).toContain(`${CATCH_EPISODES} / ${CATCH_EPISODES} episodes`)
    // A completed run offers to train further.
    expect(await byTestId('train-more').isVisible()).toBe(true)
  })

  test('the agent plays 20 games in Play: accuracy, the games, one stepped through', async () => {
    await byTestId('nav-runs').click()
    await page.locator(`[data-testid="run-row"][data-run-id="${trainedRunId}"]`).click()
    await byTestId('run-detail').waitFor()
    await byTestId('detail-play').click()
    await byTestId('play-view').waitFor()
    expect(await byTestId('play-run-select').inputValue()).toBe(String(trainedRunId))
    await byTestId('play-intro').waitFor()

    await byTestId('play-games').fill(String(GAMES))
    await byTestId('play-seed').fill(String(PLAY_SEED))
    await byTestId('play-button').click()
    await byTestId('play-accuracy').waitFor({ timeout: 60_000 })
    accuracy = await byTestId('play-accuracy').innerText()
    expect(accuracy).toMatch(/^\d+(\.\d)?%$/)
    expect(percent(accuracy)).toBeGreaterThan(0)
    expect(await byTestId('play-error').count()).toBe(0)
    expect(await byTestId('play-game-row').count()).toBe(GAMES)
    const won = await page.locator('[data-testid="play-game-row"][data-won="true"]').count()
    expect(percent(accuracy)).toBeCloseTo((won / GAMES) * 100, 1)
    expect(await byTestId('play-mean-return').innerText()).toMatch(/\d/)

    // Step through the second game.
    await byTestId('play-game-row').nth(1).click()
    const player = page.locator('[data-testid="play-view"] [data-testid="replay-player"]')
    await player.waitFor()
    const canvas = player.locator('[data-testid="game-canvas"]')
    const counter = player.getByTestId('replay-step')
    await expect.poll(() => counter.innerText()).toMatch(/^0 \/ \d+$/)
    const total = Number((await counter.innerText()).split('/')[1])
    expect(total).toBe(9) // a Catch game is always 9 steps
    const s0 = await canvas.getAttribute('data-state')
    await player.getByTestId('replay-next').click()
    await expect.poll(() => counter.innerText()).toBe(`1 / ${total}`)
    expect(await canvas.getAttribute('data-state')).not.toBe(s0)
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => counter.innerText()).toBe(`3 / ${total}`)
    // Greedy play records the Q-values of every step.
    expect(await player.locator('.qbars__row').count()).toBe(3)
    await page.waitForTimeout(300)
    await app.shot('play.png')
    await page.keyboard.press('End')
    await expect.poll(() => counter.innerText()).toBe(`${total} / ${total}`)
    expect(await player.getByTestId('replay-outcome').innerText()).toMatch(/Caught|Missed/)
  })

  test('you play the same games with the keyboard and are compared with the agent', async () => {
    await byTestId('play-tab-human').click()
    const human = byTestId('human-play')
    await human.waitFor()
    expect(await human.getAttribute('data-mode')).toBe('step')
    const canvas = human.locator('[data-testid="game-canvas"]')
    await expect.poll(() => canvas.getAttribute('data-state')).toMatch(/fruitRow/)
    const s0 = await canvas.getAttribute('data-state')
    expect(JSON.parse(s0!).fruitRow).toBe(0)

    // One step per key press: ← moves the basket left (or stays at the wall), the fruit falls a row.
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => human.getAttribute('data-step')).toBe('1')
    const s1 = JSON.parse((await canvas.getAttribute('data-state'))!)
    expect(s1.fruitRow).toBe(1)
    expect(s1.basket).toBe(Math.max(1, JSON.parse(s0!).basket - 1))
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowDown') // stay
    await expect.poll(() => human.getAttribute('data-step')).toBe('3')
    const s3 = JSON.parse((await canvas.getAttribute('data-state'))!)
    expect(s3.fruitRow).toBe(3)
    expect(s3.basket).toBe(s1.basket + 1)

    // Chase the fruit to the bottom; the game ends after 9 steps.
    for (let i = 0; i < 6; i++) {
      const s = JSON.parse((await canvas.getAttribute('data-state'))!)
      await page.keyboard.press(s.fruitCol < s.basket ? 'ArrowLeft' : s.fruitCol > s.basket ? 'ArrowRight' : 'ArrowDown')
    }
    await expect.poll(() => human.getAttribute('data-over')).toBe('true')
    await expect.poll(() => byTestId('human-outcome').innerText()).toMatch(/Caught|Missed/)
    // Both sides are scored over the one game played so far.
    expect(await byTestId('human-win-fraction').innerText()).toMatch(/^(0|100)\.0%$/)
    expect(await byTestId('human-agent-fraction').innerText()).toMatch(/^(0|100)\.0%$/)

    // Enter: the next of the same 20 games.
    await page.keyboard.press('Enter')
    await expect.poll(() => human.getAttribute('data-game')).toBe('1')
    expect(await byTestId('human-game').innerText()).toBe(`2 / ${GAMES}`)
    expect(await byTestId('human-game-row').count()).toBe(GAMES)
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => human.getAttribute('data-step')).toBe('2')
    await page.waitForTimeout(300)
    await app.shot('human-play.png')

    // Timed ticks: the game moves on its own once started.
    await byTestId('human-mode-timed').click()
    await byTestId('human-speed').fill('15')
    await byTestId('human-timer').click()
    await expect.poll(() => human.getAttribute('data-over'), { timeout: 10_000 }).toBe('true')
  })

  test('exports the model to a typed folder and imports it back as a new run that plays the same', async () => {
    const before = await rowCount()
    // Web mode: Export downloads the model as a zip to this computer (the desktop app asks for a folder).
    const download = page.waitForEvent('download', { timeout: 60_000 })
    await page.locator(`[data-testid="run-row"][data-run-id="${trainedRunId}"] [data-testid="run-export"]`).click()
    await byTestId('export-dialog').waitFor()
    const zip = await download
    expect(zip.suggestedFilename()).toMatch(/-run-\d+-model\.zip$/)
    await byTestId('export-downloaded').waitFor({ timeout: 30_000 })
    await app.shot('export.png')
    await page.keyboard.press('Escape')
    // The same model as a folder on the host (what the desktop app's export writes), to import back.
    await apiCall(page, 'runs.export', { id: trainedRunId, dir: exportDir })
    for (const f of ['model.json', 'weights.bin']) expect(fs.existsSync(path.join(exportDir, f))).toBe(true)
    await expect(apiCall(page, 'runs.export', { id: trainedRunId, dir: exportDir })).rejects.toThrow(/already holds a model.json/)

    // Import it back.
    await byTestId('import-model').click()
    await byTestId('import-dialog').waitFor()
    await byTestId('import-dir').fill(path.join(exportDir, 'missing'))
    await byTestId('import-env').selectOption('catch')
    await byTestId('import-ok').click()
    await expect.poll(() => byTestId('import-error').innerText()).toContain('model.json')
    await byTestId('import-dir').fill(exportDir)
    await byTestId('import-name').fill('Catch, imported')
    await byTestId('import-ok').click()
    await byTestId('import-result').waitFor({ timeout: 30_000 })
    const importedId = Number(/#(\d+)/.exec(await byTestId('import-result').innerText())![1])
    expect(importedId).toBeGreaterThan(trainedRunId)
    await expect.poll(() => byTestId('run-row').count()).toBe(before + 1)
    const row = page.locator(`[data-testid="run-row"][data-run-id="${importedId}"]`)
    expect(await row.getAttribute('data-status')).toBe('completed')
    expect(await row.innerText()).toContain('Catch, imported')

    // Open it in Play: the same model on the same games wins the same fraction.
    await byTestId('import-open-play').click()
    await byTestId('play-view').waitFor()
    expect(await byTestId('play-run-select').inputValue()).toBe(String(importedId))
    await byTestId('play-games').fill(String(GAMES))
    await byTestId('play-seed').fill(String(PLAY_SEED))
    await byTestId('play-button').click()
    await byTestId('play-accuracy').waitFor({ timeout: 60_000 })
    expect(await byTestId('play-accuracy').innerText()).toBe(accuracy)
  })

  test('trains Snake: its settings and defaults in the form, the live view draws it, its length is charted', async () => {
    await byTestId('nav-train').click()
    await byTestId('env-select').selectOption('snake')
    // Snake's own settings and its DQN defaults (a conv network).
    await byTestId('env-settings').waitFor()
    expect(await byTestId('env-param-max_steps').inputValue()).toBe('200')
    expect(await byTestId('param-network').inputValue()).toBe('conv')
    expect(await byTestId('param-nb_frames').inputValue()).toBe('2')
    // A bad step cap is refused at the field.
    await byTestId('env-param-max_steps').fill('0')
    await expect.poll(() => page.locator('[data-testid="env-settings"] .field.has-error').innerText()).toContain('max_steps must be at least 1')

    const id = await train({ env: 'snake', episodes: 20, seed: 3, replayEvery: 1, checkpointEvery: 10, envParams: { max_steps: '60' } })
    expect(await byTestId('run-name').innerText()).toContain('Snake')
    const live = page.locator('[data-testid="live-view"] [data-testid="game-canvas"]')
    expect(await live.getAttribute('data-env')).toMatch(/^snake/)
    const seen = new Set<string>()
    await expect
      .poll(
        async () => {
          const s = await live.getAttribute('data-state')
          if (s) seen.add(s)
          return seen.size
        },
        { timeout: 120_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(3)
    const state = JSON.parse([...seen].at(-1)!)
    expect(Array.isArray(state.body)).toBe(true)
    expect(state.body.length).toBeGreaterThanOrEqual(3)
    await page.waitForTimeout(400)
    await app.shot('snake-live.png')

    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('completed')
    // The config the trainer used carries the step cap.
    const run = await apiCall<{ config: { env_params: Record<string, number> } }>(page, 'runs.get', { id })
    expect(run.config.env_params.max_steps).toBe(60)
    await expect.poll(() => chartPoints(page, 'Snake length · mean of last 100 episodes'), { timeout: 30_000 }).toBe(20)

    // Its replays re-simulate with the same settings.
    await byTestId('nav-replay').click()
    await byTestId('replay-player').waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid="replay-player"] [data-testid="game-canvas"]').getAttribute('data-env')).toBe('snake')
    expect(await page.locator('[data-testid="replay-player"] .inline-error').count()).toBe(0)

    // The Snake agent plays too: its mean length is reported.
    await byTestId('nav-play').click()
    await byTestId('play-run-select').selectOption(String(id))
    await byTestId('play-games').fill('5')
    await byTestId('play-button').click()
    await byTestId('play-accuracy').waitFor({ timeout: 60_000 })
    expect(Number(await byTestId('play-mean-length').innerText())).toBeGreaterThanOrEqual(3)
    expect(await byTestId('play-game-row').count()).toBe(5)
    await page.waitForTimeout(300)
    await app.shot('snake-play.png')

    // …and so do you: timed ticks, the arrow keys turn, no key keeps going.
    await byTestId('play-tab-human').click()
    const human = byTestId('human-play')
    await human.waitFor()
    expect(await human.getAttribute('data-mode')).toBe('timed')
    const canvas = human.locator('[data-testid="game-canvas"]')
    await expect.poll(() => canvas.getAttribute('data-state')).toMatch(/body/)
    const start = JSON.parse((await canvas.getAttribute('data-state'))!)
    expect(start.body).toHaveLength(3)
    expect(await human.getAttribute('data-step')).toBe('0') // waits for the first key
    await page.keyboard.press('ArrowUp')
    await expect.poll(async () => Number(await human.getAttribute('data-step')), { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
    const moved = JSON.parse((await canvas.getAttribute('data-state'))!)
    expect(moved.direction).toBe(2) // up
    expect(moved.body[0][0]).toBe(start.body[0][0])
    expect(moved.body[0][1]).toBeLessThan(start.body[0][1])
    await page.waitForTimeout(250)
    await app.shot('snake-human.png')
    await expect.poll(() => human.getAttribute('data-over'), { timeout: 30_000 }).toBe('true')
  })

  test('stops a run, resumes it and trains it further as one run', async () => {
    const id = await train({ env: 'catch', episodes: BUDGET, seed: 21, checkpointEvery: 50 })
    await expect.poll(progress, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(100)
    await byTestId('stop').click()
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('stopped')
    const stoppedAt = await progress()
    expect(stoppedAt).toBeLessThan(BUDGET)
    await expect.poll(() => chartPoints(page, 'Return & win rate'), { timeout: 30_000 }).toBe(stoppedAt)

    // Resume from the Runs list: back to the Train view, the same run continues.
    const rows = await rowCount()
    const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`)
    expect(await row.getAttribute('data-status')).toBe('stopped')
    await row.getByTestId('run-resume').click()
    await byTestId('train-view').waitFor()
    expect(await byTestId('run-header').getAttribute('data-run-id')).toBe(String(id))
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toMatch(/queued|running|completed/)
    await expect.poll(progress, { timeout: 60_000 }).toBeGreaterThan(stoppedAt)
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('completed')
    expect(await byTestId('progress-text').innerText()).toContain(`${BUDGET.toLocaleString('en-US')} / ${BUDGET.toLocaleString('en-US')} episodes`)
    // One curve: a point per episode, from the first to the last.
    await expect.poll(() => chartPoints(page, 'Return & win rate'), { timeout: 30_000 }).toBe(BUDGET)
    await page.waitForTimeout(600)
    await app.shot('resumed.png')

    // Train more: a new budget for the completed run.
    await byTestId('train-more').click()
    await byTestId('train-more-dialog').waitFor()
    await byTestId('train-more-episodes').fill(String(BUDGET - 100))
    expect(await byTestId('train-more-ok').isDisabled()).toBe(true)
    await byTestId('train-more-episodes').fill(String(BUDGET + 100))
    await byTestId('train-more-ok').click()
    await expect.poll(() => byTestId('train-more-dialog').isVisible(), { timeout: 30_000 }).toBe(false)
    await expect.poll(() => byTestId('progress-text').innerText(), { timeout: 30_000 }).toContain(`/ ${(BUDGET + 100).toLocaleString('en-US')} episodes`)
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('completed')
    expect(await byTestId('progress-text').innerText()).toContain(`${(BUDGET + 100).toLocaleString('en-US')} / ${(BUDGET + 100).toLocaleString('en-US')} episodes`)
    await expect.poll(() => chartPoints(page, 'Return & win rate'), { timeout: 30_000 }).toBe(BUDGET + 100)

    // Still one row for it in Runs.
    expect(await rowCount()).toBe(rows)
    expect(await page.locator(`[data-testid="run-row"][data-run-id="${id}"]`).getAttribute('data-status')).toBe('completed')
  })

  test('ran without page errors or CSP violations', () => {
    expect(app.problems).toEqual([])
  })
})
