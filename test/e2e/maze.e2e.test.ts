/**
 * End to end, the maze: a Split-Q run (small maze, a few games) trains through the real trainer, and
 * its replay shows both streams at every recorded step: Q⁺ + Q⁻ (what it acts on) as bars, the reward
 * stream Q⁺ and the punishment stream Q⁻ as columns beside them, the sum being exactly the two added. A person then plays the maze with the keyboard in
 * Play › You play: the joystick moves Ms. Pac-Man and the pellets she eats score.
 * Screenshots: test-results/maze-split-q-replay.png, maze-split-q-replay-960.png, maze-human.png.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { apiCall, startApp, type E2EApp } from './helpers'

let app: E2EApp
let page: Page
let runId = 0

const byTestId = (id: string) => page.getByTestId(id)
const num = (s: string): number => Number(s.replace(/[^0-9.eE+−-]/g, '').replace('−', '-'))

beforeAll(async () => {
  app = await startApp()
  page = app.page
})

afterAll(async () => {
  await app?.close()
})

describe('the maze', () => {
  test('a Split-Q replay shows the sum it acts on and both streams, step by step', async () => {
    const started = await apiCall<{ id: number }>(page, 'runs.start', {
      env: 'maze',
      algo: 'split-q',
      episodes: 2,
      seed: 3,
      replay_every: 1,
      env_params: { preset: 'small', max_steps: 40 },
      params: { hidden: [16], conv_filters: [4], memory_size: 500, learning_starts: 16, batch_size: 8 },
    })
    runId = started.id
    await expect
      .poll(async () => (await apiCall<{ status: string }>(page, 'runs.get', { id: runId })).status, { timeout: 240_000, interval: 1000 })
      .toMatch(/completed|failed/)
    expect((await apiCall<{ status: string; error?: string }>(page, 'runs.get', { id: runId })).status, app.hostLog().slice(-2000)).toBe('completed')

    const episodes = await apiCall<{ episode: number; length: number; hasReplay: boolean }[]>(page, 'runs.episodes', { id: runId })
    const last = episodes.filter((e) => e.hasReplay).at(-1)!
    await page.goto(`${app.baseUrl}/#/replay/${runId}/${last.episode}`)
    await byTestId('replay-player').waitFor()
    const details = page.locator('[data-testid="replay-player"] .frame-details__q')
    await details.locator('.qbars__row').first().waitFor()
    expect((await details.locator('h4').textContent())?.trim().replace(/\s+/g, ' ')).toBe('Q⁺ + Q⁻ (what it acts on) in this state')
    expect(await details.locator('.qbars__head .qbars__value').allTextContents()).toEqual(['sum', 'Q⁺', 'Q⁻'])

    // At a few steps: every action's sum is its two streams added (to the 3 significant digits shown),
    // and the action taken is marked once.
    const column = async (sel: string): Promise<number[]> => (await details.locator(`.qbars__row:not(.qbars__head) ${sel}`).allTextContents()).map(num)
    for (const k of [0, 5, Math.min(20, last.length - 1)]) {
      await byTestId('replay-scrubber').fill(String(k))
      await expect.poll(async () => (await byTestId('replay-step').textContent())?.trim()).toBe(`${k} / ${last.length}`)
      const [sum, plus, minus] = [await column('.qbars__value:not(.qbars__term)'), await column('[data-term="Q⁺"]'), await column('[data-term="Q⁻"]')]
      expect(sum).toHaveLength(9)
      expect(plus).toHaveLength(9)
      for (let a = 0; a < 9; a++) expect(Math.abs(sum[a] - (plus[a] + minus[a]))).toBeLessThanOrEqual(0.02 * Math.max(1, Math.abs(sum[a])))
      expect(await details.locator('.qbars__row.is-chosen').count()).toBe(1)
    }
    await app.shot('maze-split-q-replay.png')
    await page.setViewportSize({ width: 960, height: 640 })
    await page.waitForTimeout(300)
    await app.shot('maze-split-q-replay-960.png')
    await page.setViewportSize({ width: 1360, height: 880 })
  })

  test('a person plays the maze with the keyboard', async () => {
    await page.goto(`${app.baseUrl}/#/play`)
    await byTestId('play-run-select').selectOption(String(runId))
    await byTestId('play-tab-human').click()
    const human = byTestId('human-play')
    await human.waitFor()
    await byTestId('human-mode-step').click()
    const canvas = human.locator('[data-testid="game-canvas"]')
    await expect.poll(() => canvas.getAttribute('data-state')).toMatch(/player/)
    const start = JSON.parse((await canvas.getAttribute('data-state'))!) as { player: { x: number; y: number }; score: number }
    // The small maze's start has pellets to both sides: a few steps left eat some.
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft')
    await expect.poll(async () => Number(await human.getAttribute('data-step')), { timeout: 10_000 }).toBe(4)
    const moved = JSON.parse((await canvas.getAttribute('data-state'))!) as { player: { x: number; y: number }; score: number }
    expect(moved.player.x).toBeLessThan(start.player.x)
    expect(moved.score).toBeGreaterThan(start.score)
    expect(num((await byTestId('human-return').textContent()) ?? '')).toBe(moved.score - start.score)
    await page.waitForTimeout(250)
    await app.shot('maze-human.png')
  })
})
