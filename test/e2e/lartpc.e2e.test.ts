/**
 * End to end, the LArTPC categorisation game: a 24-event detector file (Quarkade's 2-D HDF5 schema,
 * written here) opens in the Data view's detector browser — per-class pixel counts as the file holds
 * them, event stepping, truth overlay — and a folder that is not a detector source is refused by name.
 * "Train an agent on this file" fills the Train form (LArTPC, its two-headed DQN, the file's event
 * count); a short run completes with held-out results (pixel accuracy, per-class table, confusion
 * matrix summing to the visited pixels). The Replay view fetches the episode's event through the API
 * and re-simulates it exactly (the last frame's return is the stored return); the scrubber seeks to
 * any step, and the step panel shows the class probabilities and the reward by term, summing to the
 * step's reward. With the file moved away the replay says which file it needs. Play: the agent plays
 * games on the file's events, with no "You play" tab. Without a file at hand, generated events are
 * one click away (Train form and Data view).
 * Screenshots: test-results/lartpc-data.png, lartpc-data-960.png, lartpc-results.png,
 * lartpc-replay.png, lartpc-replay-960.png, lartpc-play.png.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openDetector } from '../../src/main/data/lartpc'
import { writeLartpcFile } from '../../src/main/data/lartpc/quarkade'
import { fmtSigned } from '../../src/renderer/src/lib/format'
import { apiCall, runStatus as statusIn, startApp, type E2EApp } from './helpers'

const EVENTS = 24
const EPISODES = 12

let app: E2EApp
let page: Page
let dir = ''
let file = ''
let runId = 0

const byTestId = (id: string) => page.getByTestId(id)
const text = async (id: string): Promise<string> => ((await byTestId(id).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()
const num = (s: string): number => Number(s.replace(/[^0-9.+−-]/g, '').replace('−', '-'))

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-lartpc-e2e-'))
  file = path.join(dir, 'events24.h5')
  await writeLartpcFile(file, { n: EVENTS, seed: 11 })
  fs.mkdirSync(path.join(dir, 'not-detector'))
  fs.writeFileSync(path.join(dir, 'not-detector', 'image0.npy.npz'), 'this is not a zip archive')
  app = await startApp({ allowDirs: [dir] })
  page = app.page
})

afterAll(async () => {
  await app?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

describe('LArTPC detector files and the categorisation game', () => {
  test('the Data view browses detector events with their truth classes', async () => {
    const det = await openDetector(file)
    const expected = [0, 1].map((i) => {
      const ev = det.source.event(i)
      const counts = [0, 0, 0]
      for (const c of ev.label) counts[c]++
      return counts
    })
    det.close()

    await byTestId('nav-data').click()
    await byTestId('file-path').fill(file)
    await byTestId('file-open').click()
    const view = byTestId('detector-view')
    await view.waitFor()
    expect(await view.getAttribute('data-count')).toBe(String(EVENTS))
    expect(await view.getAttribute('data-format')).toBe('quarkade')
    await expect.poll(() => byTestId('detector-image').getAttribute('data-event')).toBe('0')
    for (const c of [0, 1, 2]) expect(num(await text(`detector-count-${c}`))).toBe(expected[0][c])

    const image = async (): Promise<string> => byTestId('detector-image').locator('canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL())
    await byTestId('detector-next').click()
    await expect.poll(() => byTestId('detector-image').getAttribute('data-event')).toBe('1')
    for (const c of [0, 1, 2]) await expect.poll(async () => num(await text(`detector-count-${c}`))).toBe(expected[1][c])
    const energyOnly = await image()
    await byTestId('detector-overlay-tint').click()
    await expect.poll(image).not.toBe(energyOnly)
    await app.shot('lartpc-data.png')
    await page.setViewportSize({ width: 960, height: 640 })
    await app.shot('lartpc-data-960.png')
    // Nothing spills out of the window at the minimum size.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(960)
    await page.setViewportSize({ width: 1360, height: 880 })

    // A folder whose npz is not a zip is refused with a message naming the file; the open file stays.
    await byTestId('file-path').fill(path.join(dir, 'not-detector'))
    await byTestId('file-open').click()
    await expect.poll(() => text('open-error')).toContain('image0.npy.npz')
    expect(await view.isVisible()).toBe(true)
  })

  test('"Train an agent on this file" trains the two-headed DQN and shows held-out results', async () => {
    await byTestId('detector-train').click()
    await byTestId('train-form').waitFor()
    expect(await byTestId('env-select').inputValue()).toBe('lartpc')
    expect(await byTestId('algo-select').inputValue()).toBe('two-head-dqn')
    await expect.poll(() => text('data-file-events')).toBe(String(EVENTS))
    await byTestId('setting-episodes').fill(String(EPISODES))
    await byTestId('setting-seed').fill('7')
    await byTestId('setting-replay-every').fill('4')
    await byTestId('train-button').click()
    await expect.poll(() => statusIn(page), { timeout: 240_000, interval: 1000 }).toMatch(/completed|failed|stopped/)
    expect(await statusIn(page), app.hostLog().slice(-2000)).toBe('completed')
    runId = Number(await byTestId('run-header').getAttribute('data-run-id'))

    await page.goto(`${app.baseUrl}/#/runs/${runId}`)
    const panel = byTestId('lartpc-results')
    await panel.waitFor()
    await byTestId('lartpc-pixel-accuracy').waitFor()
    const results = await apiCall<{ pixelAccuracy: number; visitedPixels: number; confusion: number[][]; events: number }>(page, 'runs.results', { id: runId })
    expect(results.events).toBeGreaterThan(0)
    expect(await text('lartpc-pixel-accuracy')).toBe(`${(100 * results.pixelAccuracy).toFixed(1)}%`)
    const cells = (await byTestId('lartpc-confusion').locator('tbody td').allTextContents()).map(num)
    expect(cells).toHaveLength(9)
    expect(cells.reduce((a, b) => a + b, 0)).toBe(results.visitedPixels)
    await panel.scrollIntoViewIfNeeded()
    await app.shot('lartpc-results.png')
  })

  test('Replay fetches the episode’s event and steps through it exactly', async () => {
    const episodes = await apiCall<{ episode: number; return: number; length: number; hasReplay: boolean }[]>(page, 'runs.episodes', { id: runId })
    const last = episodes.filter((e) => e.hasReplay).at(-1)!
    expect(last.episode).toBe(EPISODES - 1)
    await page.goto(`${app.baseUrl}/#/replay/${runId}/${last.episode}`)
    await byTestId('replay-player').waitFor()
    await expect.poll(() => text('replay-step')).toBe(`0 / ${last.length}`)

    // The end: re-simulated from seed + actions on the fetched event, the return is the one recorded.
    await page.keyboard.press('End')
    await expect.poll(() => text('replay-step')).toBe(`${last.length} / ${last.length}`)
    const returnTile = page.locator('.frame-details .facts > div').nth(3).locator('dd')
    expect(((await returnTile.textContent()) ?? '').trim()).toBe(fmtSigned(last.return))

    // Seek to a step in the middle: the reward's terms add up to the step's reward.
    const k = Math.floor(last.length / 2)
    await byTestId('replay-scrubber').fill(String(k))
    await expect.poll(() => text('replay-step')).toBe(`${k} / ${last.length}`)
    const rewardTile = page.locator('.frame-details .facts > div').nth(2).locator('dd')
    const terms = (await byTestId('lartpc-terms').locator('td.num').allTextContents()).map(num)
    const total = terms.at(-1)!
    expect(Math.abs(terms.slice(0, -1).reduce((a, b) => a + b, 0) - total)).toBeLessThan(0.05)
    // Both show the same number (the tile and the table format it alike).
    expect(((await rewardTile.textContent()) ?? '').trim()).toBe(fmtSigned(total))
    // The class head's probabilities for the class written from this step.
    const probs = (await byTestId('lartpc-probs').locator('.probs__val').allTextContents()).map(num)
    expect(probs).toHaveLength(3)
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0)
    await expect.poll(() => text('lartpc-written')).toMatch(/blank|EM shower|track/)
    await app.shot('lartpc-replay.png')
    await page.setViewportSize({ width: 960, height: 640 })
    await app.shot('lartpc-replay-960.png')
    await page.setViewportSize({ width: 1360, height: 880 })
  })

  test('a replay whose data file is gone says which file it needs', async () => {
    const moved = `${file}.moved`
    fs.renameSync(file, moved)
    try {
      await page.goto(`${app.baseUrl}/#/replay/${runId}/${EPISODES - 1}`)
      await page.reload()
      await expect.poll(() => text('replay-error'), { timeout: 20_000 }).toContain(file)
    } finally {
      fs.renameSync(moved, file)
    }
  })

  test('Play: the agent plays games on the file’s events; there is no keyboard play', async () => {
    await page.goto(`${app.baseUrl}/#/play/${runId}`)
    await byTestId('play-view').waitFor()
    expect(await byTestId('play-tab-human').count()).toBe(0)
    await byTestId('play-games').fill('3')
    await byTestId('play-button').click()
    await byTestId('play-summary').waitFor({ timeout: 120_000 })
    await byTestId('lartpc-step').waitFor()
    await app.shot('lartpc-play.png')
  })

  test('without a file at hand, generated detector events can be used from the Train form and the Data view', async () => {
    await page.goto(`${app.baseUrl}/#/train`)
    await byTestId('env-select').selectOption('lartpc')
    await byTestId('data-path').fill('')
    await byTestId('data-use-sample').click()
    await expect.poll(() => text('data-file-events'), { timeout: 60_000 }).toBe('200')
    expect(await byTestId('data-path').inputValue()).toContain('lartpc-sample-200.h5')
    await byTestId('nav-data').click()
    // (The Data view starts empty after the page loads afresh; close a file if one is still open.)
    if (await byTestId('file-close').count()) await byTestId('file-close').click()
    await byTestId('use-detector-sample').click()
    await expect.poll(() => byTestId('detector-view').getAttribute('data-count'), { timeout: 60_000 }).toBe('200')
  })
})
