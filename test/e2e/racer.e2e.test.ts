/**
 * End to end, Pixel Racer: paints a 9×7 track in the Tracks editor (resize,
 * brush, line, half circle, start, goal), sees the walled-off goal flagged,
 * fixes it with the eraser and sees the shortest path, undoes / redoes, saves
 * it, presses "Train on this track", trains a seeded Q-table to completion,
 * replays an episode step by step with the policy overlay, exports it as a GIF
 * (checks the download starts with "GIF89a"), looks at the run's "training
 * days", and imports a broken seed-format file (problems by line, nothing
 * saved). Screenshots: test-results/track-editor.png, racer-run.png,
 * racer-replay.png, training-days.png.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { apiCall, chartPoints, runStatus, SHOTS, startApp, type E2EApp } from './helpers'

const TRACK = 'e2e-racer'
const EPISODES = 200
const SEED = 3

let app: E2EApp
let page: Page
let runId = 0

const byTestId = (id: string) => page.getByTestId(id)
const rows = async (): Promise<string[]> => ((await byTestId('editor-canvas').getAttribute('data-rows')) ?? '').split('/')
const problems = async (): Promise<string[]> => byTestId('editor-problem').allInnerTexts()
const shortest = async (): Promise<string | null> => byTestId('editor-validation').getAttribute('data-shortest')
const text = async (id: string): Promise<string> => ((await byTestId(id).textContent()) ?? '').replace(/\s+/g, ' ').trim()

/** Page coordinates of the centre of grid cell (x, y). */
async function cellPoint(x: number, y: number): Promise<{ x: number; y: number }> {
  const box = byTestId('editor-canvas')
  const bb = await box.locator('canvas').boundingBox()
  if (!bb) throw new Error('editor canvas is not visible')
  const cell = Number(await box.getAttribute('data-cell'))
  const ox = Number(await box.getAttribute('data-ox'))
  const oy = Number(await box.getAttribute('data-oy'))
  return { x: bb.x + ox + (x + 0.5) * cell, y: bb.y + oy + (y + 0.5) * cell }
}

async function clickCell(x: number, y: number): Promise<void> {
  const p = await cellPoint(x, y)
  await page.mouse.click(p.x, p.y)
}

async function dragCells(from: [number, number], to: [number, number]): Promise<void> {
  const a = await cellPoint(...from)
  const b = await cellPoint(...to)
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  await page.mouse.move(b.x, b.y, { steps: 10 })
  await page.mouse.up()
}

/** Tool shortcuts need the focus out of text fields. */
async function key(k: string): Promise<void> {
  await page.locator('[data-testid="tool-hint"]').click()
  await page.keyboard.press(k)
}

beforeAll(async () => {
  app = await startApp()
  page = app.page
})

afterAll(async () => {
  await app?.close()
})

describe('Pixel Racer in the browser', () => {
  test('paints a track, flags the unreachable goal, fixes it, undoes / redoes and saves', async () => {
    await byTestId('nav-tracks').click()
    await byTestId('tracks-view').waitFor()
    await expect.poll(() => byTestId('library-builtin').count(), { timeout: 30_000 }).toBe(12)

    // A new track starts empty at 11×11; make it 9×7.
    await byTestId('editor-width').fill('9')
    await byTestId('editor-height').fill('7')
    await byTestId('editor-resize').click()
    await expect.poll(() => byTestId('editor-canvas').getAttribute('data-width')).toBe('9')
    expect(await byTestId('editor-canvas').getAttribute('data-height')).toBe('7')
    expect(await problems()).toEqual(['No start — place one with S', 'No goal — place one with G'])

    // A wall down column 4 with the brush, then start and goal on either side of it.
    await byTestId('tool-brush').click()
    await dragCells([4, 0], [4, 6])
    expect((await rows()).map((r) => r[4]).join('')).toBe('#######')
    await key('s')
    expect(await byTestId('tool-start').getAttribute('aria-pressed')).toBe('true')
    await clickCell(1, 3)
    await key('g')
    await clickCell(7, 3)
    expect((await rows())[3]).toBe('.S..#..G.')

    // The goal is walled off: flagged, no path.
    await expect.poll(problems).toEqual(['Goal (7,3) cannot be reached from the start'])
    expect(await shortest()).toBe('')
    expect(await text('editor-shortest')).toContain('No path')

    // A line (lw) and a half circle (hc) elsewhere.
    await key('l')
    await dragCells([5, 1], [8, 1])
    expect((await rows())[1]).toBe('....#####')
    await key('c')
    await dragCells([6, 5], [6, 6]) // centre (6,5), radius 1, "n" = +y (down on screen)
    expect((await rows())[5]).toBe('....#..#.')
    expect((await rows())[6]).toBe('....####.')

    // Erase one wall cell: the goal is reachable, the path appears.
    await key('e')
    await clickCell(4, 3)
    await expect.poll(shortest).toBe('6')
    expect(await problems()).toEqual([])
    expect(await text('editor-shortest')).toBe('Shortest path: 6 moves')

    // Undo brings the wall back; redo removes it again.
    await page.keyboard.press('Control+z')
    await expect.poll(shortest).toBe('')
    expect((await rows())[3][4]).toBe('#')
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(shortest).toBe('6')
    expect((await rows())[3][4]).toBe('.')

    // Save it under a name.
    expect(await byTestId('editor-dirty').getAttribute('data-dirty')).toBe('true')
    await byTestId('track-name').fill(TRACK)
    await byTestId('track-save').click()
    await expect.poll(() => byTestId('editor-dirty').innerText()).toBe('Saved')
    await expect.poll(() => page.locator(`[data-testid="library-track"][data-name="${TRACK}"]`).count()).toBe(1)
    expect(await byTestId('track-save-error').count()).toBe(0)
    await page.mouse.move(0, 0)
    await app.shot('track-editor.png')

    // Export in the seed's .txt format (9×7 is in the file name, since the format has no size).
    const [txt] = await Promise.all([page.waitForEvent('download'), byTestId('track-export-txt').click()])
    expect(txt.suggestedFilename()).toBe(`${TRACK}_9x7.txt`)
    const lines = fs.readFileSync((await txt.path())!, 'utf8').trim().split('\n')
    expect(Number(lines[0])).toBe(lines.length - 1)
    expect(lines).toContain('r 1 3')
    expect(lines).toContain('g 7 3')
  })

  test('trains a Q-table on it from "Train on this track"', async () => {
    await byTestId('train-on-track').click()
    await byTestId('train-form').waitFor()
    expect(await byTestId('env-select').inputValue()).toBe('racer')
    expect(await byTestId('racer-track-select').inputValue()).toBe(TRACK)
    await byTestId('algo-select').selectOption('qtable')
    await byTestId('setting-episodes').fill(String(EPISODES))
    await byTestId('setting-seed').fill(String(SEED))
    await byTestId('setting-replay-every').fill('10')
    await byTestId('train-button').click()
    await expect.poll(async () => (await byTestId('run-header').count()) > 0, { timeout: 30_000 }).toBe(true)
    expect(await byTestId('train-error').count()).toBe(0)
    runId = Number(await byTestId('run-header').getAttribute('data-run-id'))
    expect(await byTestId('run-name').innerText()).toContain(TRACK)

    await expect.poll(() => runStatus(page), { timeout: 180_000, interval: 500 }).toBe('completed')
    // The run carries the track itself.
    const run = await apiCall<{ config: { track: { name: string; width: number; height: number } } }>(page, 'runs.get', { id: runId })
    expect(run.config.track).toMatchObject({ name: TRACK, width: 9, height: 7 })

    // The live view draws the racer on this track, with the policy overlay.
    const live = page.locator('[data-testid="live-view"] [data-testid="game-canvas"]')
    await expect.poll(() => live.getAttribute('data-env')).toBe('racer')
    await expect.poll(async () => JSON.parse((await live.getAttribute('data-state')) || '{}').width, { timeout: 30_000 }).toBe(9)
    const overlay = page.locator('[data-testid="live-view"] [data-testid="racer-overlay"]')
    await expect.poll(() => overlay.getAttribute('data-policy-episode'), { timeout: 30_000 }).toBe(String(EPISODES))
    await expect.poll(() => chartPoints(page, 'Moves to the goal'), { timeout: 30_000 }).toBeGreaterThan(0)
    await page.waitForTimeout(800)
    await app.shot('racer-run.png')
  })

  test('replays an episode step by step with the policy overlay and exports it as a GIF', async () => {
    await byTestId('nav-replay').click()
    await byTestId('replay-player').waitFor({ timeout: 30_000 })
    expect(await byTestId('replay-run-select').inputValue()).toBe(String(runId))
    const canvas = page.locator('[data-testid="replay-player"] [data-testid="game-canvas"]')
    expect(await canvas.getAttribute('data-env')).toBe('racer')
    const counter = byTestId('replay-step')
    await expect.poll(() => counter.innerText()).toMatch(/^0 \/ \d+$/)
    const total = Number((await counter.innerText()).split('/')[1])
    expect(total).toBeGreaterThanOrEqual(6) // never shorter than the shortest path

    // Frame 0 is the start; each step moves the racer one cell at most.
    const s0 = JSON.parse((await canvas.getAttribute('data-state'))!)
    expect({ x: s0.x, y: s0.y }).toEqual({ x: 1, y: 3 })
    await byTestId('replay-next').click()
    await byTestId('replay-next').click()
    await expect.poll(() => counter.innerText()).toBe(`2 / ${total}`)
    const s2 = JSON.parse((await canvas.getAttribute('data-state'))!)
    expect(s2.steps).toBe(2)
    expect(Math.abs(s2.x - 1) + Math.abs(s2.y - 3)).toBeLessThanOrEqual(2)

    // The policy overlay: arrows and heatmap of the final policy.
    const overlay = page.locator('[data-testid="racer-replay-tools"] [data-testid="racer-overlay"]')
    await expect.poll(() => overlay.getAttribute('data-policy-episode')).toBe(String(EPISODES))
    for (const id of ['racer-toggle-arrows', 'racer-toggle-heatmap']) {
      const box = page.locator(`[data-testid="racer-replay-tools"] [data-testid="${id}"]`)
      if (!(await box.isChecked())) await box.check()
    }
    await expect.poll(() => overlay.getAttribute('data-arrows')).toBe('true')
    expect(await overlay.getAttribute('data-heatmap')).toBe('true')
    await page.waitForTimeout(300)
    await app.shot('racer-replay.png')

    // Export the episode as an animated GIF.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), byTestId('export-gif').click()])
    expect(download.suggestedFilename()).toMatch(/\.gif$/)
    const file = await download.path()
    const bytes = fs.readFileSync(file!)
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a')
    expect(bytes.length).toBeGreaterThan(1000)
    await download.saveAs(path.join(SHOTS, 'racer-episode.gif'))
  })

  test('shows the run’s training days side by side and its learned policy', async () => {
    await page.goto(`${app.baseUrl}#/runs/${runId}`)
    await byTestId('run-detail').waitFor({ timeout: 30_000 })
    await byTestId('training-days').waitFor()
    await expect.poll(() => byTestId('training-day').count(), { timeout: 30_000 }).toBe(3)
    const picks = (await byTestId('training-days').getAttribute('data-picks'))!.split(',').map(Number)
    expect(picks[0]).toBe(0)
    expect(picks[2]).toBeGreaterThan(picks[1])
    await expect.poll(() => byTestId('racer-policy').getAttribute('data-route'), { timeout: 30_000 }).not.toBe('')
    // Each day shows the policy as it was after that day, not the newest one.
    await expect.poll(() => Promise.all(picks.map((_, i) => byTestId('training-day').nth(i).getAttribute('data-policy-episode'))), { timeout: 30_000 }).toEqual(
      picks.map((ep) => String(ep + 1)),
    )
    expect(await byTestId('training-day-policy').first().innerText()).toMatch(/^Policy after episode 1 \(as it was this day\)/)

    // Play them in step to the end.
    await byTestId('training-days-play').click()
    await expect.poll(async () => {
      const [a, b] = (await byTestId('training-days-step').innerText()).split('/').map((s) => Number(s.trim()))
      return a === b
    }, { timeout: 60_000 }).toBe(true)
    await byTestId('training-days').scrollIntoViewIfNeeded()
    await page.waitForTimeout(300)
    await app.shot('training-days.png')

    // All of them as one GIF.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), byTestId('training-days-gif').click()])
    const bytes = fs.readFileSync((await download.path())!)
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a')
    await download.saveAs(path.join(SHOTS, 'training-days.gif'))
  })

  test('imports a seed-format file: every problem with its line, nothing saved', async () => {
    await byTestId('nav-tracks').click()
    await byTestId('tracks-view').waitFor()
    const before = await byTestId('library-track').count()
    // Line 3 is diagonal, line 4 an unknown primitive; the wall on line 2 cuts the goal off.
    const file = '5\nlw 0 3 11 3\nlw 2 2 4 4\nq 1 1\nr 1 1\ng 1 5\n'
    await byTestId('track-file').setInputFiles({ name: 'broken.txt', mimeType: 'text/plain', buffer: Buffer.from(file) })
    await byTestId('import-panel').waitFor()
    const found = await byTestId('import-problem').allInnerTexts()
    expect(found.some((p) => /line 3/.test(p) && /diagonal/.test(p))).toBe(true)
    expect(found.some((p) => /line 4/.test(p) && /unknown primitive "q"/.test(p))).toBe(true)
    expect(found.every((p) => /^line \d+/.test(p))).toBe(true)
    // The readable part is in the editor, unsaved.
    await expect.poll(() => byTestId('editor-canvas').getAttribute('data-width')).toBe('11')
    expect(await byTestId('editor-dirty').getAttribute('data-dirty')).toBe('true')
    expect(await byTestId('track-name').inputValue()).toBe('broken')
    await expect.poll(problems).toEqual(['Goal (1,5) cannot be reached from the start'])
    expect(await byTestId('library-track').count()).toBe(before)
  })

  test('ran without page errors or CSP violations', () => {
    expect(app.problems).toEqual([])
  })
})
