/**
 * The LArTPC replay in a real Chromium: a web host on a fresh data dir, a 4-episode run on 24
 * generated 256×256 events, then the Replay view playing its last recorded episode at the
 * player's top speed (60 steps/s). Reports the scene's draws per second (GameCanvas counts them)
 * and, from requestAnimationFrame, the median and worst frame interval while it plays — whether the
 * three 256×256 panels keep up with 60 fps on this machine. Needs Chromium and a built renderer
 * (`vite build --config vite.web.config.ts`, done here if missing); skipped with a message otherwise.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { writeLartpcFile } from '../src/main/data/lartpc/quarkade'
import { apiCall, startApp } from '../test/e2e/helpers'
import { median, round, type BenchResult } from './util'

const PLAY_MS = 4000

export const lartpcReplayBenches: Record<string, () => Promise<BenchResult | BenchResult[]>> = {
  async lartpc_replay_fps() {
    const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
    if (!fs.existsSync(chromium)) {
      console.error(`bench: lartpc_replay_fps skipped: no Chromium at ${chromium} (node scripts/ensure-chromium.mjs)`)
      return []
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bench-replay-'))
    const file = path.join(dir, 'events.h5')
    await writeLartpcFile(file, { n: 24, seed: 5 })
    const app = await startApp({ allowDirs: [dir] })
    try {
      const page = app.page
      const run = await apiCall<{ id: number }>(page, 'runs.start', { env: 'lartpc', data: { path: file }, episodes: 4, seed: 3, replay_every: 1 })
      for (let t = 0; ; t++) {
        const r = await apiCall<{ status: string }>(page, 'runs.get', { id: run.id })
        if (r.status === 'completed') break
        if (r.status === 'failed' || r.status === 'stopped' || t > 600) throw new Error(`the bench run ended ${r.status}`)
        await new Promise((res) => setTimeout(res, 500))
      }
      await page.evaluate(() => localStorage.setItem('quarkade.replaySpeed', '60'))
      await page.goto(`${app.baseUrl}/#/replay/${run.id}/3`)
      await page.reload()
      await page.getByTestId('replay-player').waitFor()
      const canvas = page.locator('[data-testid="replay-player"] [data-draws]').first()
      await page.waitForFunction(() => !!document.querySelector('[data-testid="replay-player"] canvas'))
      const draws0 = Number(await canvas.getAttribute('data-draws'))
      // A string, not a function: tsx would wrap a function's inner closures in its __name helper, which the page lacks.
      const frames = page.evaluate(`new Promise((resolve) => {
        const gaps = []
        let last = performance.now()
        const start = last
        const tick = (t) => {
          gaps.push(t - last)
          last = t
          if (t - start < ${PLAY_MS}) requestAnimationFrame(tick)
          else resolve(gaps)
        }
        requestAnimationFrame(tick)
      })`) as Promise<number[]>
      await page.getByTestId('replay-play').click()
      const gaps = (await frames).slice(2)
      const draws = Number(await canvas.getAttribute('data-draws')) - draws0
      const sorted = [...gaps].sort((a, b) => a - b)
      return {
        value: round(draws / (PLAY_MS / 1000)),
        unit: 'draws/s',
        speed_steps_per_s: 60,
        frame_ms_median: round(median(gaps)),
        frame_ms_p95: round(sorted[Math.floor(sorted.length * 0.95)]),
        frame_ms_max: round(sorted.at(-1)!),
        size: '3 panels × 256×256',
      }
    } finally {
      await app.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
}
