/**
 * End to end, the maze's reward editor and combined models (issue 11 §2, §4):
 * in the Train form, weigh the game's events in the reward editor, save the
 * reward under a name and train a tiny run with it (the run records
 * reward=custom and the weights); a saved name is not overwritten unless asked;
 * a deleted reward comes back with Undo. A second tiny run trains with another
 * reward; in Play, the two models play as one (A while lives ≥ 3, then B)
 * against each alone over the same games, and a combined game is watched with
 * the acting model marked. Screenshots at 1360×880 and 960×640:
 * test-results/maze-reward-editor-*.png, maze-combine-*.png.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { CombinedPlayResult, RunSummary } from '../../src/shared/api'
import { apiCall, runStatus, startApp, type E2EApp } from './helpers'

let app: E2EApp
let page: Page
let runA = 0
let runB = 0

const byTestId = (id: string) => page.getByTestId(id)
const SIZES = [
  { width: 1360, height: 880 },
  { width: 960, height: 640 },
] as const

async function shots(name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size)
    await page.waitForTimeout(150) // one layout pass at the new size
    await app.shot(`${name}-${size.width}x${size.height}.png`)
  }
  await page.setViewportSize(SIZES[0])
}

/** The maze's Train form with the small maze and short games. */
async function openMazeForm(): Promise<void> {
  await byTestId('nav-train').click()
  await byTestId('train-form').waitFor()
  await byTestId('env-select').selectOption('maze')
  await byTestId('reward-picker').waitFor()
  await byTestId('env-param-preset').selectOption('small')
  await byTestId('env-param-max_steps').fill('150')
  await byTestId('param-learning_starts').fill('50')
  await byTestId('setting-episodes').fill('2')
}

/** Starts the run the form describes; resolves with its id once it has completed. */
async function trainAndWait(seed: number): Promise<number> {
  await byTestId('setting-seed').fill(String(seed))
  const before = (await byTestId('run-header').count()) ? await byTestId('run-header').getAttribute('data-run-id') : null
  await byTestId('train-button').click()
  await expect.poll(async () => (await byTestId('run-header').count()) && (await byTestId('run-header').getAttribute('data-run-id')) !== before, { timeout: 30_000 }).toBeTruthy()
  expect(await byTestId('train-error').count()).toBe(0)
  await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('completed')
  return Number(await byTestId('run-header').getAttribute('data-run-id'))
}

beforeAll(async () => {
  app = await startApp()
  page = app.page
  await page.setViewportSize(SIZES[0])
})

afterAll(async () => {
  await app?.close()
})

describe('the maze: reward editor and combined models', () => {
  test('the reward editor saves a reward under a name, and a run trains with it', async () => {
    await openMazeForm()
    await byTestId('reward-new').click()
    await byTestId('reward-editor').waitFor()
    await byTestId('reward-weight-w_death').fill('-2000')
    await byTestId('reward-weight-w_step').fill('-1')
    await byTestId('reward-name').fill('careful')
    await shots('maze-reward-editor')
    await byTestId('reward-save-use').click()
    await expect.poll(() => byTestId('reward-in-use').innerText()).toContain('careful')
    expect(await byTestId('env-param-reward').inputValue()).toBe('custom')
    expect(await byTestId('env-param-w_death').inputValue()).toBe('-2000')
    await byTestId('reward-picker').scrollIntoViewIfNeeded()
    await shots('maze-reward-picker')

    // The same name again: refused until "Replace it" is ticked; nothing saved over it.
    await byTestId('reward-new').click()
    await byTestId('reward-name').fill('careful')
    await byTestId('reward-weight-w_death').fill('-1')
    await byTestId('reward-save').click()
    await expect.poll(() => byTestId('reward-editor-error').innerText()).toContain('tick “Replace it”')
    await page.keyboard.press('Escape')
    const saved = await apiCall<{ name: string; weights?: Record<string, number> }[]>(page, 'rewards.list', {})
    expect(saved.map((r) => [r.name, r.weights?.w_death])).toEqual([['careful', -2000]])

    runA = await trainAndWait(1)
    const run = await apiCall<RunSummary>(page, 'runs.get', { id: runA })
    expect(run.config.env_params).toMatchObject({ reward: 'custom', w_death: -2000, w_step: -1, w_pellet: 10, preset: 'small' })
  })

  test('deleting a saved reward can be undone; the run keeps its weights either way', async () => {
    await openMazeForm()
    await byTestId('reward-saved-select').selectOption('careful')
    await byTestId('reward-delete').click()
    await expect.poll(() => byTestId('reward-note').innerText()).toContain('Deleted “careful”')
    expect(await apiCall(page, 'rewards.list', {})).toEqual([])
    expect((await apiCall<RunSummary>(page, 'runs.get', { id: runA })).config.env_params.w_death).toBe(-2000)
    await byTestId('reward-undo').click()
    await expect.poll(async () => (await apiCall<{ name: string }[]>(page, 'rewards.list', {})).map((r) => r.name)).toEqual(['careful'])
  })

  test('a second run trains with another reward; in Play the two models play as one against each alone', async () => {
    await openMazeForm()
    await byTestId('env-param-reward').selectOption('death_tax')
    runB = await trainAndWait(2)

    await page.evaluate((id) => (location.hash = `#/play/${id}`), runA)
    await byTestId('play-tab-combine').click()
    await byTestId('combine-view').waitFor()
    await byTestId('combine-b-select').selectOption(String(runB))
    await byTestId('combine-at-least').fill('3')
    await byTestId('play-games').fill('4')
    await byTestId('play-seed').fill('5')
    await byTestId('combine-button').click()
    await byTestId('combine-compare').waitFor({ timeout: 120_000 })
    expect(await byTestId('combine-game-row').count()).toBe(4)

    // The numbers shown are the API's for the same seed (deterministic): mean score ± sd of each row.
    const result = await apiCall<CombinedPlayResult>(page, 'runs.playCombined', { a: runA, b: runB, atLeast: 3, episodes: 4, seed: 5 })
    const meanScore = (games: { stats: Record<string, number> }[]): number => games.reduce((s, g) => s + g.stats.score, 0) / games.length
    const shown = async (row: string): Promise<number> => Number((await byTestId(row).getByTestId('combine-headline').innerText()).split('±')[0].replace(/[\s\u202f,]/g, ''))
    expect(await shown('combine-row-combined')).toBeCloseTo(meanScore(result.games), -1)
    expect(await shown('combine-row-a')).toBeCloseTo(meanScore(result.alone[0]), -1)
    expect(await shown('combine-row-b')).toBeCloseTo(meanScore(result.alone[1]), -1)

    // Watch the game where B acted most; the strip says who acts at each step.
    const pick = result.games.reduce((best, g, i) => (g.actors.filter((x) => x === 1).length > result.games[best].actors.filter((x) => x === 1).length ? i : best), 0)
    await byTestId('combine-game-row').nth(pick).click()
    await byTestId('actor-strip').waitFor()
    expect(await byTestId('actor-strip').getAttribute('data-acting')).toBe(result.games[pick].actors[0] === 0 ? 'A' : 'B')
    const firstB = result.games[pick].actors.indexOf(1)
    if (firstB > 0) {
      const scrubber = byTestId('replay-scrubber')
      await scrubber.fill(String(firstB))
      await expect.poll(() => byTestId('actor-strip').getAttribute('data-acting')).toBe('B')
      expect(await byTestId('actor-now').innerText()).toContain(`B #${runB}`)
    }
    await byTestId('play-tab-combine').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await shots('maze-combine')
    expect(app.problems).toEqual([])
  })
})
