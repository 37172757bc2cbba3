/**
 * End to end: the web host on a fresh data dir, the renderer in a real headless
 * Chromium. Trains Catch with DQN through the UI, watches the charts and the live
 * view move, finds the run in Runs, replays an episode step by step, and checks
 * that a bad setting is refused with a clear message. Screenshots go to
 * test-results/*.png (and, with UPDATE_README_SCREENSHOT=1, the mid-run Train view to docs/screenshot.png).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROOT, SHOTS, chartPoints as pointsIn, runStatus as statusIn, startApp, type E2EApp } from './helpers'

const EPISODES = 600
const SEED = 7

let app: E2EApp
let page: Page
let problems: string[] = []

const shot = (name: string): Promise<string> => app.shot(name)
const byTestId = (id: string) => page.getByTestId(id)
/** Points drawn in the chart with this title. */
const chartPoints = (title: string): Promise<number> => pointsIn(page, title)
const runStatus = (): Promise<string | null> => statusIn(page)

beforeAll(async () => {
  app = await startApp()
  page = app.page
  problems = app.problems
})

afterAll(async () => {
  await app?.close()
})

describe('Quarkade in the browser', () => {
  test('shows the empty states before any run', async () => {
    await expect.poll(() => byTestId('train-empty').isVisible(), { timeout: 30_000 }).toBe(true)
    await byTestId('nav-runs').click()
    await expect.poll(() => byTestId('runs-empty').isVisible(), { timeout: 30_000 }).toBe(true)
    await byTestId('nav-train').click()
  })

  test('refuses an invalid setting with a clear message and creates no run', async () => {
    await byTestId('train-form').waitFor()
    await byTestId('param-lr').fill('-0.001')
    // Shown at the field as you type…
    await expect.poll(() => page.locator('.field.has-error').first().innerText()).toContain('lr must be greater than 0')
    // …and when you press Train.
    await byTestId('train-button').click()
    await expect.poll(() => byTestId('train-error').innerText()).toContain('lr must be greater than 0')
    await shot('train-invalid.png')

    // The services refuse it as well, with the same words, if something skips the form.
    const serverError = await page.evaluate(async () => {
      const ws = new WebSocket(`ws://${location.host}/api`)
      await new Promise((r) => (ws.onopen = r))
      const reply = await new Promise<{ ok: boolean; error?: string }>((resolve) => {
        ws.onmessage = (e) => {
          const msg = JSON.parse(String(e.data))
          if (msg.id === 1) resolve(msg)
        }
        ws.send(JSON.stringify({ id: 1, method: 'runs.start', input: { env: 'catch', algo: 'dqn', episodes: 10, params: { lr: -0.001 } } }))
      })
      ws.close()
      return reply
    })
    expect(serverError.ok).toBe(false)
    expect(serverError.error).toContain('lr must be greater than 0')

    await byTestId('nav-runs').click()
    await expect.poll(() => byTestId('runs-empty').isVisible()).toBe(true)
    expect(await byTestId('run-row').count()).toBe(0)

    await byTestId('nav-train').click()
    await byTestId('param-lr').fill('0.001')
    await expect.poll(() => page.locator('.field.has-error').count()).toBe(0)
  })

  test('trains Catch with DQN: progress, live charts and the agent playing', async () => {
    await byTestId('env-select').selectOption('catch')
    await byTestId('algo-select').selectOption('dqn')
    await byTestId('setting-episodes').fill(String(EPISODES))
    await byTestId('setting-seed').fill(String(SEED))
    await byTestId('setting-replay-every').fill('10')
    // Ctrl+Enter trains, like the button.
    await byTestId('setting-seed').press('Control+Enter')

    await byTestId('run-header').waitFor({ timeout: 30_000 })
    expect(await byTestId('train-error').count()).toBe(0)
    await expect.poll(runStatus, { timeout: 60_000 }).toMatch(/running|completed/)

    // The results chart gains points while training.
    await expect.poll(() => chartPoints('Return & win rate'), { timeout: 60_000 }).toBeGreaterThan(0)
    const before = await chartPoints('Return & win rate')
    await expect.poll(() => chartPoints('Return & win rate'), { timeout: 60_000 }).toBeGreaterThan(before)

    // The live view draws different states over time.
    const live = page.locator('[data-testid="live-view"] [data-testid="game-canvas"]')
    const seen = new Set<string>()
    await expect
      .poll(
        async () => {
          const s = await live.getAttribute('data-state')
          if (s) seen.add(s)
          return seen.size
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(3)
    expect(await live.getAttribute('data-renderer')).toMatch(/webgl|canvas|webgpu/)

    // Pause part-way, take the screenshot, resume.
    await expect
      .poll(async () => Number(await byTestId('progress').getAttribute('aria-valuenow')) >= EPISODES * 0.4 || (await runStatus()) === 'completed', {
        timeout: 120_000,
      })
      .toBe(true)
    if (await byTestId('pause').isVisible()) {
      await byTestId('pause').click()
      await expect.poll(runStatus, { timeout: 30_000 }).toMatch(/paused|completed/)
    }
    await page.locator('.train-form__scroll').evaluate((el) => el.scrollTo(0, 0))
    await page.waitForTimeout(1200) // let the charts and live view settle
    await shot('train-mid-run.png')
    fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true })
    if (process.env.UPDATE_README_SCREENSHOT === '1') fs.copyFileSync(path.join(SHOTS, 'train-mid-run.png'), path.join(ROOT, 'docs/screenshot.png'))
    if ((await runStatus()) === 'paused') {
      const frozen = Number(await byTestId('progress').getAttribute('aria-valuenow'))
      await page.waitForTimeout(1000)
      expect(Number(await byTestId('progress').getAttribute('aria-valuenow'))).toBe(frozen)
      await byTestId('resume').click()
    }

    await expect.poll(runStatus, { timeout: 240_000, interval: 500 }).toBe('completed')
    expect(await byTestId('progress-text').innerText()).toContain(`${EPISODES} / ${EPISODES} episodes`)
    expect(await byTestId('run-backend').innerText()).not.toMatch(/pending/)
    // On wasm (a machine without a GPU), the header says why each faster backend was skipped.
    if ((await byTestId('run-backend').innerText()).trim() === 'wasm') expect(await byTestId('run-backend-skipped').textContent()).toMatch(/node-gpu: .*webgpu: .*node: /s)
    await expect.poll(() => chartPoints('Return & win rate'), { timeout: 30_000 }).toBe(EPISODES)
  })

  test('lists the finished run in Runs and opens it', async () => {
    await byTestId('nav-runs').click()
    const row = byTestId('run-row').first()
    await row.waitFor()
    expect(await row.getAttribute('data-status')).toBe('completed')
    expect(await row.innerText()).toContain('Catch')
    expect(await row.locator('[data-testid="run-win-rate"]').innerText()).toMatch(/%$/)
    await shot('runs.png')

    await row.click()
    await byTestId('run-detail').waitFor()
    await expect.poll(() => chartPoints('Return & win rate'), { timeout: 30_000 }).toBe(EPISODES)
    await expect.poll(() => byTestId('episode-row').count(), { timeout: 30_000 }).toBeGreaterThan(0)
    await shot('run-detail.png')
  })

  test('replays a recorded episode step by step', async () => {
    await byTestId('episode-replay').first().click()
    await byTestId('replay-player').waitFor({ timeout: 30_000 })
    const canvas = page.locator('[data-testid="replay-player"] [data-testid="game-canvas"]')
    const counter = byTestId('replay-step')

    await expect.poll(() => counter.innerText()).toMatch(/^0 \/ \d+$/)
    const total = Number((await counter.innerText()).split('/')[1])
    expect(total).toBeGreaterThan(1)
    const s0 = await canvas.getAttribute('data-state')

    await byTestId('replay-next').click()
    await expect.poll(() => counter.innerText()).toBe(`1 / ${total}`)
    const s1 = await canvas.getAttribute('data-state')
    expect(s1).not.toBe(s0)
    expect(await canvas.getAttribute('data-step')).toBe('1')

    // Keyboard: → steps forward, ← steps back.
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => counter.innerText()).toBe(`3 / ${total}`)
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => counter.innerText()).toBe(`2 / ${total}`)
    expect(await canvas.getAttribute('data-state')).not.toBe(s1)

    // Q-values are recorded for replay episodes.
    expect(await page.locator('[data-testid="replay-player"] .qbars__row').count()).toBe(3)
    await shot('replay.png')

    // The scrubber jumps to the end: the episode's outcome.
    await byTestId('replay-scrubber').fill(String(total))
    await expect.poll(() => counter.innerText()).toBe(`${total} / ${total}`)

    // Space plays from the start again and reaches the end on its own.
    await byTestId('replay-speed').fill('60')
    await page.keyboard.press('Home')
    await page.keyboard.press('Space')
    await expect.poll(() => counter.innerText(), { timeout: 10_000 }).toBe(`${total} / ${total}`)
  })

  test('deletes a run after confirmation', async () => {
    await byTestId('nav-runs').click()
    await byTestId('run-row').first().waitFor()
    await byTestId('run-delete').first().click()
    await byTestId('confirm-dialog').waitFor()
    await byTestId('confirm-ok').click()
    await expect.poll(() => byTestId('runs-empty').isVisible(), { timeout: 30_000 }).toBe(true)
  })

  test('ran without page errors or CSP violations', () => {
    expect(problems).toEqual([])
  })
})
