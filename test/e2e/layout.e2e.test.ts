/**
 * End to end: layouts that hold at 1360×880 and at the window's minimum 960×640.
 * Real runs (Catch, Snake, Pixel Racer Q-table, one with a long name) made
 * through the API, then every main view measured with bounding boxes: the
 * track editor's canvas keeps its room and stays put under the pointer, the
 * episode player never covers its step card, the Runs table scrolls sideways
 * so its actions stay reachable, You play's end message leaves the board
 * alone; and the tables sort and filter, the Train form keeps each world's
 * choices, the theme follows the system (or the user), the sidebar collapses,
 * and web-mode shortcuts avoid the browser's Ctrl+1…6.
 * Screenshots: test-results/layout-<view>-<width>.png; with
 * UPDATE_README_SCREENSHOTS=1 also docs/screenshots/<view>-<width>.png.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROOT, apiCall, startApp, type E2EApp } from './helpers'

const SIZES = [
  [1360, 880],
  [960, 640],
] as const
const LONG_NAME = 'A very long run name that goes on and on, as people write them, to say what this run tried'
const README_SHOTS = process.env.UPDATE_README_SCREENSHOTS === '1' ? path.join(ROOT, 'docs/screenshots') : null
/** The views README.md shows (the rest stay in test-results/ to keep the repository small). */
const README_VIEWS = ['train', 'runs', 'replay', 'play-snake', 'tracks', 'run-racer', 'light-run']

let app: E2EApp
let page: Page
const ids: Record<'catchA' | 'catchB' | 'snake' | 'racer' | 'long', number> = { catchA: 0, catchB: 0, snake: 0, racer: 0, long: 0 }

type Rect = { x: number; y: number; width: number; height: number }
const byTestId = (id: string): Locator => page.getByTestId(id)
async function rect(l: Locator): Promise<Rect> {
  const r = await l.first().boundingBox()
  if (!r) throw new Error(`${l} has no box (not rendered)`)
  return r
}
const intersects = (a: Rect, b: Rect): boolean => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5
const inside = (a: Rect, b: Rect): boolean => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5

/** Screenshot at the current size; README copies (smaller PNGs) when asked. */
async function shot(name: string, width: number): Promise<void> {
  await app.shot(`layout-${name}-${width}.png`)
  if (README_SHOTS && README_VIEWS.includes(name)) {
    fs.mkdirSync(README_SHOTS, { recursive: true })
    await page.screenshot({ path: path.join(README_SHOTS, `${name}-${width}.png`), scale: 'css' })
  }
}

async function go(hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash)
}

async function waitCompleted(id: number): Promise<void> {
  await expect
    .poll(async () => (await apiCall<{ status: string }>(page, 'runs.get', { id })).status, { timeout: 240_000, interval: 1000 })
    .toBe('completed')
}

/** Lets the agent play 3 games of the run in Play and opens the first. */
async function agentPlays(runId: number): Promise<void> {
  await go(`#/play/${runId}`)
  await byTestId('play-view').waitFor()
  await byTestId('play-tab-agent').click()
  await byTestId('play-games').fill('3')
  await byTestId('play-seed').fill('5')
  await byTestId('play-button').click()
  await byTestId('play-accuracy').waitFor({ timeout: 60_000 })
  await byTestId('play-game-row').first().click()
  await page.locator('[data-testid="play-view"] [data-testid="replay-player"]').waitFor()
}

beforeAll(async () => {
  app = await startApp()
  page = app.page
  // Screenshots in the dark theme (headless Chromium reports a light system); the theme test switches.
  await page.emulateMedia({ colorScheme: 'dark' })
})

afterAll(async () => {
  await app?.close()
})

test('trains five short runs to look at', async () => {
  const start = async (input: Record<string, unknown>): Promise<number> => (await apiCall<{ id: number }>(page, 'runs.start', input)).id
  ids.catchA = await start({ env: 'catch', algo: 'dqn', episodes: 60, seed: 1, replay_every: 10 })
  ids.snake = await start({ env: 'snake', episodes: 30, seed: 2, replay_every: 10 })
  ids.racer = await start({ env: 'racer', algo: 'qtable', episodes: 60, seed: 3, track: 'track2' })
  ids.catchB = await start({ env: 'catch', algo: 'dqn', episodes: 40, seed: 4, params: { lr: 0.01 } })
  ids.long = await start({ env: 'catch', algo: 'dqn', episodes: 20, seed: 5, name: LONG_NAME })
  for (const id of Object.values(ids)) await waitCompleted(id)
})

describe('Layouts at 1360×880 and 960×640', () => {
  for (const [W, H] of SIZES) {
    test(`Runs at ${W}×${H}: every column and the row actions are reachable`, async () => {
      await page.setViewportSize({ width: W, height: H })
      await go('#/runs')
      await byTestId('runs-table').waitFor()
      await expect.poll(() => byTestId('run-row').count()).toBe(5)
      const fit = await byTestId('runs-table').evaluate((table) => {
        const scroller = table.parentElement!
        const style = getComputedStyle(scroller)
        return {
          scrollable: style.overflowX === 'auto' || style.overflowX === 'scroll',
          fits: scroller.scrollWidth <= scroller.clientWidth + 1,
          tableRight: table.getBoundingClientRect().right,
          scrollerRight: scroller.getBoundingClientRect().right,
        }
      })
      // Either everything fits, or the table scrolls sideways (never clipped out of reach).
      expect(fit.fits || fit.scrollable, JSON.stringify(fit)).toBe(true)
      const row = page.locator(`[data-testid="run-row"][data-run-id="${ids.long}"]`)
      for (const id of ['run-replay', 'run-delete']) {
        const button = row.getByTestId(id)
        await button.scrollIntoViewIfNeeded()
        const b = await rect(button)
        expect(b.x + b.width, `${id} inside the window`).toBeLessThanOrEqual(W)
        expect(inside(b, await rect(page.locator('.runs-scroll'))), `${id} inside the table's panel`).toBe(true)
      }
      // The long name is cut with an ellipsis instead of pushing the columns away.
      const name = await rect(row.locator('.runs-table__name'))
      expect(name.width).toBeLessThanOrEqual(320)
      await page.locator('.runs-scroll').evaluate((el) => (el.scrollLeft = 0))
      await shot('runs', W)
    })

    test(`Track editor at ${W}×${H}: the canvas keeps its room and the side panel stays beside or below it`, async () => {
      await page.setViewportSize({ width: W, height: H })
      await go('#/tracks')
      await byTestId('tracks-view').waitFor()
      await page.getByTestId('editor-canvas').waitFor()
      const canvas = await rect(byTestId('editor-canvas'))
      expect(canvas.width, 'canvas width').toBeGreaterThanOrEqual(300)
      expect(canvas.height, 'canvas height').toBeGreaterThanOrEqual(300)
      for (const other of ['editor-validation', 'tool-brush', 'tool-goal']) {
        expect(intersects(canvas, await rect(byTestId(other))), `${other} overlaps the canvas`).toBe(false)
      }
      expect((await rect(byTestId('track-name'))).width, 'name field width').toBeGreaterThanOrEqual(160)
      await shot('tracks', W)
    })

    test(`Track editor at ${W}×${H}: the canvas does not move when the hint or the status line changes`, async () => {
      const box = byTestId('editor-canvas')
      const first = await rect(box)
      for (const key of ['l', 'c', 'e', 'f', 's', 'g', 'b']) {
        await page.keyboard.press(key)
        expect(await rect(box), `after tool ${key}`).toEqual(first)
      }
      // Drawing a line shows its primitive in the status line.
      await page.keyboard.press('l')
      const cell = Number(await box.getAttribute('data-cell'))
      const ox = Number(await box.getAttribute('data-ox'))
      const oy = Number(await box.getAttribute('data-oy'))
      await page.mouse.move(first.x + ox + cell * 1.5, first.y + oy + cell * 1.5)
      await page.mouse.down()
      await page.mouse.move(first.x + ox + cell * 9.5, first.y + oy + cell * 8.5, { steps: 4 })
      expect(await rect(box), 'while drawing').toEqual(first)
      await page.mouse.up()
      expect(await rect(box), 'after drawing').toEqual(first)
      await byTestId('editor-undo').click()
    })

    test(`Play at ${W}×${H}: the board never covers the step card, counter or speed`, async () => {
      await page.setViewportSize({ width: W, height: H })
      for (const runId of [ids.snake, ids.catchA]) {
        await agentPlays(runId)
        const player = page.locator('[data-testid="play-view"] [data-testid="replay-player"]')
        await player.getByTestId('replay-next').click()
        const stage = await rect(player.locator('.player__stage'))
        const board = await rect(player.getByTestId('game-canvas'))
        const card = player.locator('aside')
        await card.scrollIntoViewIfNeeded()
        expect(intersects(await rect(player.getByTestId('game-canvas')), await rect(card)), 'board over the step card').toBe(false)
        for (const id of ['replay-step', 'replay-speed']) {
          const r = await rect(player.getByTestId(id))
          expect(inside(r, await rect(player.locator('.player__stage'))), `${id} inside its panel`).toBe(true)
          expect(r.x + r.width, `${id} inside the window`).toBeLessThanOrEqual(W)
        }
        expect(board.width).toBeLessThanOrEqual(stage.width)
        await player.locator('.player__stage').scrollIntoViewIfNeeded()
        await shot(runId === ids.snake ? 'play-snake' : 'play-catch', W)
      }
    })

    test(`You play at ${W}×${H}: the end-of-game message leaves the board visible`, async () => {
      await page.setViewportSize({ width: W, height: H })
      await agentPlays(ids.catchA)
      await byTestId('play-tab-human').click()
      const human = byTestId('human-play')
      await human.waitFor()
      await human.locator('[data-testid="game-canvas"]').click()
      for (let i = 0; i < 12 && (await human.getAttribute('data-over')) !== 'true'; i++) {
        await page.keyboard.press('ArrowLeft')
        await expect.poll(async () => Number(await human.getAttribute('data-step')) > i || (await human.getAttribute('data-over')) === 'true').toBe(true)
      }
      await expect.poll(() => human.getAttribute('data-over')).toBe('true')
      const message = await rect(byTestId('human-end'))
      const board = await rect(human.getByTestId('game-canvas'))
      expect(intersects(message, board), 'the message covers the board').toBe(false)
      await shot('you-play', W)
    })

    test(`Replay and Train at ${W}×${H}: screenshots`, async () => {
      await page.setViewportSize({ width: W, height: H })
      await go(`#/replay/${ids.catchA}`)
      await page.locator('[data-testid="replay-player"]').waitFor()
      await shot('replay', W)
      await go(`#/runs/${ids.racer}`)
      await byTestId('racer-policy').waitFor()
      await shot('run-racer', W)
      await go('#/train')
      await byTestId('train-form').waitFor()
      await shot('train', W)
    })
  }
})

describe('Tables, names, choices, theme, sidebar and shortcuts', () => {
  test('default names tell runs apart', async () => {
    await go('#/runs')
    await expect.poll(() => byTestId('run-row').count()).toBe(5)
    const nameOf = (id: number): Promise<string> => page.locator(`[data-testid="run-row"][data-run-id="${id}"] .runs-table__name`).innerText()
    const [a, b] = [await nameOf(ids.catchA), await nameOf(ids.catchB)]
    expect(a).toMatch(/^Catch · DQN/)
    expect(b).toMatch(/^Catch · DQN/)
    expect(a).not.toBe(b)
  })

  test('the Runs table sorts by a column (click or keyboard) and filters', async () => {
    await page.setViewportSize({ width: 1360, height: 880 })
    await go('#/runs')
    const rowIds = async (): Promise<number[]> => (await page.locator('[data-testid="run-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id')))))
    expect(await rowIds()).toEqual([ids.long, ids.catchB, ids.racer, ids.snake, ids.catchA]) // newest first
    const byName = byTestId('sort-name')
    await byName.click()
    const names = async (): Promise<string[]> => page.locator('[data-testid="run-row"] .runs-table__name').allInnerTexts()
    const asc = await names()
    expect(asc).toEqual([...asc].sort((a, b) => a.localeCompare(b)))
    expect(await page.locator('th:has([data-testid="sort-name"])').getAttribute('aria-sort')).toBe('ascending')
    await byName.focus()
    await page.keyboard.press('Enter')
    expect(await names()).toEqual([...asc].reverse())
    expect(await page.locator('th:has([data-testid="sort-name"])').getAttribute('aria-sort')).toBe('descending')
    await byTestId('sort-id').click()
    expect(await rowIds()).toEqual([ids.catchA, ids.snake, ids.racer, ids.catchB, ids.long])

    await byTestId('runs-filter').fill('snake')
    expect(await rowIds()).toEqual([ids.snake])
    await byTestId('runs-filter').fill('no such run')
    await byTestId('runs-filter-empty').waitFor()
    await byTestId('runs-filter').fill('')
    expect((await rowIds()).length).toBe(5)
  })

  test('the Episodes table sorts by return and filters by outcome', async () => {
    await go(`#/runs/${ids.catchA}`)
    await byTestId('episodes').waitFor()
    await expect.poll(() => byTestId('episode-row').count()).toBeGreaterThan(2)
    await byTestId('sort-return').click()
    const returns = await page.locator('[data-testid="episode-row"] [data-col="return"]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))))
    expect(returns).toEqual([...returns].sort((a, b) => a - b))
    await byTestId('episodes-filter').fill('won')
    const outcomes = await page.locator('[data-testid="episode-row"] .chip').allInnerTexts()
    expect(outcomes.every((o) => o === 'won')).toBe(true)
    await byTestId('episodes-filter').fill('')
  })

  test('the Train form keeps each world’s last choices (a Racer track) across visits and reloads', async () => {
    await go('#/train')
    await byTestId('train-form').waitFor()
    // The select names the world it shows (it used to be blank on first load).
    await expect.poll(() => byTestId('env-select').inputValue()).not.toBe('')
    await byTestId('env-select').selectOption('racer')
    await byTestId('racer-track-select').selectOption('track2')
    await byTestId('algo-select').selectOption('qtable')
    await go('#/runs')
    await byTestId('runs-table').waitFor()
    await go('#/train')
    await byTestId('train-form').waitFor()
    expect(await byTestId('env-select').inputValue()).toBe('racer')
    expect(await byTestId('racer-track-select').inputValue()).toBe('track2')
    await page.reload()
    await byTestId('train-form').waitFor()
    await expect.poll(() => byTestId('env-select').inputValue()).toBe('racer')
    expect(await byTestId('algo-select').inputValue()).toBe('qtable')
    expect(await byTestId('racer-track-select').inputValue()).toBe('track2')
    // Another world keeps its own algorithm; coming back finds the racer's.
    await byTestId('env-select').selectOption('catch')
    expect(await byTestId('algo-select').inputValue()).toBe('dqn')
    await byTestId('env-select').selectOption('racer')
    expect(await byTestId('algo-select').inputValue()).toBe('qtable')
  })

  test('the theme follows the system, and a chosen one persists', async () => {
    const background = (): Promise<number> =>
      page.evaluate(() => {
        const m = /(\d+), (\d+), (\d+)/.exec(getComputedStyle(document.body).backgroundColor)!
        return (Number(m[1]) + Number(m[2]) + Number(m[3])) / 3
      })
    // The page follows a change of the system's scheme on its own (a media-query listener), so poll.
    await page.emulateMedia({ colorScheme: 'light' })
    expect(await byTestId('theme-select').inputValue()).toBe('system')
    await expect.poll(background).toBeGreaterThan(200)
    await page.emulateMedia({ colorScheme: 'dark' })
    await expect.poll(background).toBeLessThan(60)
    await byTestId('theme-select').selectOption('light')
    await expect.poll(background).toBeGreaterThan(200)
    await page.reload()
    await byTestId('theme-select').waitFor()
    expect(await byTestId('theme-select').inputValue()).toBe('light')
    await expect.poll(background).toBeGreaterThan(200)
    await go(`#/runs/${ids.catchA}`)
    await byTestId('run-detail').waitFor()
    await shot('light-run', 1360)
    await byTestId('theme-select').selectOption('system')
    await expect.poll(background).toBeLessThan(60)
  })

  test('the sidebar collapses (button or "[") and remembers it', async () => {
    const width = async (): Promise<number> => (await rect(page.locator('nav.nav'))).width
    const open = await width()
    expect(open).toBeGreaterThan(150)
    await byTestId('nav-collapse').click()
    expect(await width()).toBeLessThan(80)
    expect(await byTestId('nav-runs').getAttribute('title')).toContain('Runs')
    await page.reload()
    await byTestId('nav-collapse').waitFor()
    expect(await width()).toBeLessThan(80)
    await page.locator('body').press('[')
    expect(await width()).toBe(open)
  })

  test('the data browser: the slice heatmap has index ticks on both axes, the event colour bar has numbers', async () => {
    await page.setViewportSize({ width: 1360, height: 880 })
    await go('#/data')
    await byTestId('use-sample').click()
    await byTestId('file-header').waitFor({ timeout: 120_000 })
    await page.locator('text=X_jets').first().click()
    await byTestId('slice-viewer').waitFor()
    await byTestId('heatmap').waitFor()
    for (const axis of ['x', 'y'] as const) {
      const ticks = byTestId(`heatmap-axis-${axis}`).getByTestId('heatmap-tick')
      expect(await ticks.allInnerTexts()).toEqual(['0', '20', '40', '60', '80', '100', '120'])
      // Placed along the picture: each further on than the one before, all within the heatmap's side.
      const heat = await rect(byTestId('heatmap'))
      const centres = await ticks.evaluateAll((els, ax) => els.map((e) => { const r = e.getBoundingClientRect(); return ax === 'x' ? r.x + r.width / 2 : r.y + r.height / 2 }), axis)
      for (let i = 1; i < centres.length; i++) expect(centres[i]).toBeGreaterThan(centres[i - 1])
      const [lo, hi] = axis === 'x' ? [heat.x, heat.x + heat.width] : [heat.y, heat.y + heat.height]
      expect(centres[0]).toBeGreaterThanOrEqual(lo - 1)
      expect(centres[centres.length - 1]).toBeLessThanOrEqual(hi + 1)
    }
    await byTestId('file-close').click()
    await byTestId('use-detector-sample').click()
    await byTestId('detector-image').waitFor({ timeout: 120_000 })
    const numbers = (await byTestId('detector-colorbar-tick').allInnerTexts()).map(Number)
    expect(numbers.length).toBe(4)
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1])
  })

  test('web-mode shortcuts: g then a number switches views; the help lists those', async () => {
    await go('#/train')
    await byTestId('train-form').waitFor()
    await page.locator('body').press('g')
    await page.locator('body').press('2')
    await byTestId('runs-view').waitFor()
    await page.locator('body').press('g')
    await page.locator('body').press('6')
    await byTestId('data-view').waitFor()
    await page.locator('body').press('?')
    const help = page.locator('dialog.help')
    await help.waitFor()
    const text = await help.innerText()
    expect(text).toContain('g then 1 … 6')
    expect(text).not.toContain('Ctrl+1')
    expect(await byTestId('nav-train').getAttribute('title')).toContain('g then 1')
    await page.keyboard.press('Escape')
    expect(app.problems).toEqual([])
  })
})
