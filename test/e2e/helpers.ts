/**
 * Shared set-up for the end-to-end tests: the web host on a fresh data dir
 * (`tsx src/main/hosts/web.ts --port 0 --data-dir DIR`, ready when it prints
 * `QUARKADE_WEB_READY <url with ?token=>`) serving the built renderer (out/web);
 * the page opens the token URL, which leaves it with the host's cookie; and a
 * headless Chromium page (playwright-core) that records page errors, console
 * errors and CSP violations in `problems`.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { ROOT, startHostProcess, stopHostProcess } from '../support/web-host-process'

export { ROOT }
export const WEB_DIR = path.join(ROOT, 'out/web')
export const SHOTS = path.join(ROOT, 'test-results')
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

export interface E2EApp {
  page: Page
  /** The host's origin (the page already holds its access cookie). */
  baseUrl: string
  dataDir: string
  /** Page errors, console errors and CSP violations seen so far. */
  problems: string[]
  /** The web host's recent output (for failure messages). */
  hostLog(): string
  byTestId(id: string): Locator
  /** Saves a screenshot to test-results/<name> and returns its path. */
  shot(name: string): Promise<string>
  close(): Promise<void>
}

/**
 * Builds the renderer if needed, starts a host on a fresh data dir and opens the app in Chromium.
 * `allowDirs`: folders outside the data dir the app may read and export into (--allow-dir).
 */
export async function startApp(opts: { allowDirs?: string[] } = {}): Promise<E2EApp> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}; run: node scripts/ensure-chromium.mjs`)
  if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.web.config.ts'], { cwd: ROOT, stdio: 'inherit' })
    if (r.status !== 0) throw new Error('building the renderer failed')
  }
  fs.mkdirSync(SHOTS, { recursive: true })
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-e2e-'))
  let log = ''
  const host = startHostProcess({ dataDir, staticDir: WEB_DIR, allowDirs: opts.allowDirs, onLog: (l) => (log = l) })
  let browser: Browser | null = null
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => {})
    await stopHostProcess(host.child)
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const openUrl = await host.ready
    // After the first visit the page holds the host's cookie; later visits need no token.
    const baseUrl = new URL(openUrl).origin
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon/i.test(m.text())) problems.push(`console error: ${m.text()}`)
    })
    // Anything the Content-Security-Policy blocks (e.g. an eval) is a bug.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))
    })
    await page.goto(openUrl)
    await page.waitForSelector('[data-testid="connection"][data-state="open"]', { timeout: 30_000 })
    return {
      page,
      baseUrl,
      dataDir,
      problems,
      hostLog: () => log,
      byTestId: (id) => page.getByTestId(id),
      async shot(name) {
        const file = path.join(SHOTS, name)
        await page.screenshot({ path: file })
        return file
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** Points drawn in the chart with this title. */
export async function chartPoints(page: Page, title: string): Promise<number> {
  return Number(await page.locator(`[data-testid="metric-chart"][data-title="${title}"]`).first().getAttribute('data-points'))
}

/** The status of the run shown in the (first) run header. */
export async function runStatus(page: Page): Promise<string | null> {
  return page.getByTestId('run-header').first().getAttribute('data-status')
}

/**
 * Calls the API directly over the page's WebSocket, as the UI would — for
 * set-up steps the test does not need to click through.
 */
export async function apiCall<T = unknown>(page: Page, method: string, input: unknown): Promise<T> {
  const reply = await page.evaluate(
    async ({ method, input }) => {
      const ws = new WebSocket(`ws://${location.host}/api`)
      await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)))
      const msg = await new Promise<{ ok: boolean; result?: unknown; error?: string }>((resolve) => {
        ws.onmessage = (e) => {
          const m = JSON.parse(String(e.data))
          if (m.id === 1) resolve(m)
        }
        ws.send(JSON.stringify({ id: 1, method, input }))
      })
      ws.close()
      return msg
    },
    { method, input },
  )
  if (!reply.ok) throw new Error(`${method}: ${reply.error}`)
  return reply.result as T
}

/**
 * Waits (outside a test too: in beforeAll, where expect.poll is not allowed) until
 * the run has finished, and returns it; throws with its status when it did not complete.
 */
export async function runCompleted(page: Page, id: number, timeoutMs = 240_000): Promise<{ status: string; statusReason: string | null }> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const run = await apiCall<{ status: string; statusReason: string | null }>(page, 'runs.get', { id })
    if (run.status === 'completed') return run
    if (run.status === 'failed' || run.status === 'stopped') throw new Error(`run ${id} ended ${run.status}: ${run.statusReason}`)
    if (Date.now() > until) throw new Error(`run ${id} still ${run.status} after ${timeoutMs / 1000} s`)
    await page.waitForTimeout(500)
  }
}

/** The window sizes every view must work at. */
export const REVIEW_SIZES = [
  { width: 1360, height: 880 },
  { width: 960, height: 640 },
] as const

/** Screenshots `<name>-<w>x<h>.png` at each review size, then back to the first. */
export async function shotsAtReviewSizes(app: E2EApp, name: string): Promise<void> {
  for (const size of REVIEW_SIZES) {
    await app.page.setViewportSize(size)
    await app.page.waitForTimeout(200) // one layout pass at the new size
    await app.shot(`${name}-${size.width}x${size.height}.png`)
  }
  await app.page.setViewportSize(REVIEW_SIZES[0])
}
