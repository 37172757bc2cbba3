/**
 * End to end, a VAE on jet images: a 96-event jet file (written here with
 * writeJetFile, gzip) opens in the Data view; after going to event 5, "Train a
 * VAE on this file" opens Train with the jets env and the file filled in (its
 * event count shown; RL-only settings hidden; "episodes" called Epochs); a file
 * without jets is refused by name. Training 2 epochs at batch 16 shows the loss
 * curves gaining points and the progress in epochs, with no live agent view;
 * when it completes the results panel shows the metrics table (latent AUC as in
 * runs.results), the latent scatter (PCA and UMAP), the reconstructions grid
 * (redrawn in linear scale) and samples from the prior — in Train and in the
 * run's details (which Play and Replay leave alone). A second VAE (other β, 1 epoch, same split) and a tiny Catch
 * run are then compared in the Runs view: settings that differ, final numbers,
 * overlaid curves and reconstructions side by side.
 * Screenshots: test-results/vae-training.png, vae-results.png, compare.png
 * (and vae-form.png, vae-detail.png, compare-recon.png, compare-mixed.png).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { writeJetFile } from '../../src/main/h5/write-jets'
import { ROOT, apiCall, chartPoints as pointsIn, runStatus as statusIn, startApp, type E2EApp } from './helpers'

const EVENTS = 96
const SEED = 5

let app: E2EApp
let page: Page
let dir = ''
let jetsFile = ''
let plainFile = ''
let firstRun = 0
let secondRun = 0
let catchRun = 0

const byTestId = (id: string) => page.getByTestId(id)
const text = async (id: string): Promise<string> => ((await byTestId(id).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()
const canvasUrl = (sel: string): Promise<string> => page.locator(sel).first().evaluate((c) => (c as HTMLCanvasElement).toDataURL())
const runStatus = () => statusIn(page)
const chartPoints = (title: string) => pointsIn(page, title)
const runRow = (id: number) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`)

interface Results {
  n: number
  pixelMseByChannel: number[]
  baselinePixelMseByChannel: number[]
  latentAuc: number | null
  latentAucInterval: { lo: number; hi: number; quarks: number; gluons: number } | null
  examples: { count: number }
  samples: { count: number }
  latent: { umap: string | null }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-vae-e2e-'))
  jetsFile = path.join(dir, 'jets96.h5')
  await writeJetFile(jetsFile, { n: EVENTS, seed: 21, compression: 'gzip', chunkRows: 1 })
  plainFile = path.join(dir, 'plain.h5')
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/h5/h5py-contiguous-f64.h5'), plainFile)
  app = await startApp({ allowDirs: [dir] })
  page = app.page
})

afterAll(async () => {
  await app?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** Waits for the run the Train view follows to finish; returns its id. */
async function waitCompleted(timeout: number): Promise<number> {
  await expect.poll(runStatus, { timeout, interval: 1000 }).toMatch(/completed|failed|stopped/)
  const status = await runStatus()
  if (status !== 'completed') throw new Error(`the run ended ${status}: ${await text('status-reason')}\n${app.hostLog().slice(-3000)}`)
  return Number(await byTestId('run-header').getAttribute('data-run-id'))
}

describe('VAE on jet images', () => {
  test('Data view → "Train a VAE on this file" fills the Train form for jets', async () => {
    await byTestId('nav-data').click()
    await byTestId('file-path').fill(jetsFile)
    await byTestId('file-open').click()
    await byTestId('jet-view').waitFor()
    expect(await byTestId('jet-view').getAttribute('data-events')).toBe(String(EVENTS))
    // Browse to an event first, as a user would.
    await byTestId('jet-jump').fill('5')
    await byTestId('jet-jump').press('Enter')
    await expect.poll(() => byTestId('jet-event-dialog').isVisible()).toBe(true)
    expect(await text('jet-event-index')).toBe('5')
    await page.keyboard.press('Escape')
    await expect.poll(() => byTestId('jet-event-dialog').isVisible()).toBe(false)

    await byTestId('train-vae').click()
    await byTestId('train-view').waitFor()
    expect(await byTestId('env-select').inputValue()).toBe('jets')
    expect(await byTestId('algo-select').inputValue()).toBe('vae')
    expect(await byTestId('data-path').inputValue()).toBe(jetsFile)
    await expect.poll(() => byTestId('data-file-info').getAttribute('data-events'), { timeout: 30_000 }).toBe(String(EVENTS))
    expect(await text('data-file-info')).toContain('jets96.h5')
    expect(await text('data-file-info')).toContain('Track · ECAL · HCAL')
    // A data set: epochs, and none of the RL-only settings.
    expect(await page.locator('label[for="tf-episodes"]').innerText()).toContain('Epochs')
    expect(await page.locator('label[for="tf-episodes"] code').innerText()).toBe('epochs')
    expect(await byTestId('setting-target').count()).toBe(0)
    expect(await byTestId('setting-use-target').count()).toBe(0)
    expect(await byTestId('setting-replay-every').count()).toBe(0)
    expect(await byTestId('setting-checkpoint-every').count()).toBe(0)
    // The run settings own the VAE's epochs and seed.
    expect(await byTestId('param-epochs').count()).toBe(0)
    expect(await byTestId('param-seed').count()).toBe(0)
    await byTestId('param-batch_size').waitFor()

    // A file without jets is refused, by name, before anything starts.
    await byTestId('data-path').fill(plainFile)
    await expect.poll(() => text('data-file-problem'), { timeout: 30_000 }).toContain('plain.h5')
    await byTestId('train-button').click()
    await expect.poll(() => text('train-error')).toContain('plain.h5')
    // No path at all.
    await byTestId('data-path').fill('')
    await byTestId('train-button').click()
    await expect.poll(() => text('train-error')).toContain('choose a data file')
    await byTestId('data-path').fill(jetsFile)
    await expect.poll(() => byTestId('data-file-info').getAttribute('data-events'), { timeout: 30_000 }).toBe(String(EVENTS))
    await app.shot('vae-form.png')
  })

  test('trains 2 epochs: loss curves gain points, progress in epochs, no live agent view', async () => {
    await byTestId('setting-episodes').fill('2')
    await byTestId('setting-seed').fill(String(SEED))
    await byTestId('param-batch_size').fill('16')
    await byTestId('param-val_fraction').fill('0.2')
    await byTestId('setting-name').fill('VAE β=1')
    await expect.poll(() => page.locator('.train-form .field.has-error').count()).toBe(0)
    await byTestId('train-button').click()

    await byTestId('run-header').waitFor({ timeout: 30_000 })
    expect(await byTestId('train-error').count()).toBe(0)
    await byTestId('vae-charts').waitFor()
    expect(await byTestId('live-view').count()).toBe(0)
    expect(await byTestId('run-charts').count()).toBe(0)
    await expect.poll(() => byTestId('progress-text').innerText(), { timeout: 60_000 }).toContain('/ 2 epochs')
    await byTestId('vae-results-pending').waitFor()

    // Training loss per batch arrives first, then the epoch's validation point.
    await expect.poll(() => chartPoints('Loss per image'), { timeout: 120_000 }).toBeGreaterThan(0)
    const before = await chartPoints('Loss per image')
    await expect.poll(() => chartPoints('Loss per image'), { timeout: 120_000 }).toBeGreaterThan(before)
    await expect.poll(async () => Number(await byTestId('vae-charts').getAttribute('data-epochs')), { timeout: 180_000 }).toBeGreaterThanOrEqual(1)
    expect(await chartPoints('Reconstruction MSE per pixel (standardised units)')).toBeGreaterThan(0)
    expect(await text('stat-epoch')).toMatch(/^[12]\/2$/)
    expect(await text('stat-val-loss')).not.toBe('—')
    await page.waitForTimeout(400) // let the charts draw the new points
    await app.shot('vae-training.png')

    firstRun = await waitCompleted(360_000)
    expect(await byTestId('progress-text').innerText()).toContain('2 / 2 epochs')
  })

  test('results: metrics with latent AUC, latent scatter, reconstructions, prior samples', async () => {
    const panel = byTestId('vae-results')
    await panel.waitFor({ timeout: 60_000 })
    const results = await apiCall<Results>(page, 'runs.results', { id: firstRun })
    expect(results).not.toBeNull()

    // Metrics: the latent AUC is the one the services computed.
    const value = (key: string) => page.locator(`[data-testid="vae-metric-value"][data-metric="${key}"]`)
    const auc = value('latent_auc')
    expect(results.latentAuc).not.toBeNull()
    expect(Number(await auc.innerText())).toBeCloseTo(results.latentAuc!, 2)
    // …with its interval and the held-out jets behind it; a separation is claimed only when the interval clears ½.
    const ci = results.latentAucInterval!
    const aucRow = await page.locator('[data-testid="vae-metric"][data-metric="latent_auc"]').innerText()
    expect(aucRow).toContain(`(${ci.quarks + ci.gluons} held-out jets)`)
    if (ci.lo > 0.5) expect(aucRow).toContain('separates the classes')
    else if (ci.hi >= 0.5) expect(aucRow).toContain('no clear separation')
    // Each channel's MSE, with its ratio to the mean image's in that channel.
    expect(results.pixelMseByChannel).toHaveLength(3)
    for (const [c, name] of ['Track', 'ECAL', 'HCAL'].entries()) {
      expect(Number(await value(`pixel_mse_${name}`).innerText()) / results.pixelMseByChannel[c], name).toBeCloseTo(1, 3)
      const ratio = results.pixelMseByChannel[c] / results.baselinePixelMseByChannel[c]
      expect(await page.locator(`[data-testid="vae-metric"][data-metric="pixel_mse_${name}"]`).innerText()).toContain(`${ratio.toFixed(3)}× base`)
      // …and as the run's final metric, which Compare and sweeps read.
      const summary = await apiCall<{ latest: Record<string, number> }>(page, 'runs.get', { id: firstRun })
      expect(summary.latest[`mse_ratio_${name}`], name).toBeCloseTo(ratio, 6)
    }
    for (const key of ['pixel_mse', 'baseline_pixel_mse', 'energy_ratio_Track', 'energy_ratio_ECAL', 'energy_ratio_HCAL', 'w1_mass', 'w1_pt', 'w1_prior_mass', 'w1_prior_pt']) {
      const v = await value(key).innerText()
      expect(v, key).not.toBe('—')
    }
    // Raw-unit metrics name their units; the stat tiles' MSE says it is in standardised units (another scale).
    const label = (id: string) => page.locator(`[data-testid="vae-metric"][data-metric="${id}"] .vae-metrics__label`).innerText()
    expect([await label('pixel_mse'), await label('w1_mass'), await label('w1_pt')]).toEqual(['MSE per pixel (GeV²)', 'Jet mass (GeV)', 'pT (GeV)'])
    expect(await byTestId('vae-stats').innerText()).toContain('Val MSE (std. units)')

    // The latent space: every held-out jet drawn, PCA then UMAP.
    const scatter = byTestId('latent-scatter')
    expect(await scatter.getAttribute('data-points')).toBe(String(results.n))
    await expect.poll(() => scatter.getAttribute('data-drawn')).toBe(String(results.n))
    expect(await scatter.getAttribute('data-method')).toBe('pca')
    const legend = await text('latent-legend')
    expect(legend).toMatch(/quark \d+/)
    expect(legend).toMatch(/gluon \d+/)
    if (results.latent.umap) {
      const pca = await canvasUrl('[data-testid="latent-scatter"]')
      await byTestId('latent-umap').click()
      await expect.poll(() => scatter.getAttribute('data-method')).toBe('umap')
      await expect.poll(() => canvasUrl('[data-testid="latent-scatter"]')).not.toBe(pca)
      await byTestId('latent-pca').click()
    }

    // Reconstructions: 4 rows of Track/ECAL/HCAL original + reconstructed, all drawn.
    const grid = byTestId('recon-grid')
    expect(await grid.getAttribute('data-rows')).toBe(String(Math.min(4, results.examples.count)))
    const originals = grid.locator('[data-testid="recon-original"]')
    const recos = grid.locator('[data-testid="recon-reconstructed"]')
    expect(await originals.count()).toBe(Math.min(4, results.examples.count) * 3)
    expect(await recos.count()).toBe(await originals.count())
    await expect.poll(() => recos.evaluateAll((els) => els.every((c) => (c as HTMLCanvasElement).width > 0 && (c as HTMLCanvasElement).dataset.pool !== undefined))).toBe(true)
    // Linear scale redraws them.
    const logUrl = await canvasUrl('[data-testid="recon-original"]')
    await byTestId('recon-log').uncheck()
    await expect.poll(() => canvasUrl('[data-testid="recon-original"]')).not.toBe(logUrl)
    await byTestId('recon-log').check()
    if (results.examples.count > 4) {
      await byTestId('recon-more').click()
      await expect.poll(() => grid.getAttribute('data-rows')).toBe(String(results.examples.count))
      await byTestId('recon-more').click()
    }
    expect(await byTestId('sample-grid').getAttribute('data-count')).toBe(String(results.samples.count))
    expect(await byTestId('sample-grid').locator('[data-testid="sample-image"]').count()).toBe(results.samples.count * 3)

    await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.waitForTimeout(300)
    await app.shot('vae-results.png')

    // The same panel in the run's details, with its configuration (data file, epochs).
    await byTestId('nav-runs').click()
    await runRow(firstRun).click()
    await byTestId('run-detail').waitFor()
    await byTestId('vae-results').waitFor()
    await byTestId('vae-charts').waitFor()
    expect(await byTestId('detail-play').count()).toBe(0)
    const config = await text('run-config')
    expect(config).toContain(jetsFile)
    expect(config).toMatch(/epochs\s*2/i)
    await app.shot('vae-detail.png')

    // A VAE has no agent: Play and Replay do not pick it.
    await byTestId('nav-play').click()
    await page.waitForTimeout(300)
    expect(page.url()).not.toContain(`#/play/${firstRun}`)
    await byTestId('nav-replay').click()
    await page.waitForTimeout(300)
    expect(page.url()).not.toContain(`#/replay/${firstRun}`)
  })

  test('compares two VAE runs (and then a Catch run) side by side', async () => {
    // A second VAE: other β, one epoch, same seed, batch and split → the same held-out jets.
    await byTestId('nav-train').click()
    expect(await byTestId('env-select').inputValue()).toBe('jets')
    expect(await byTestId('data-path').inputValue()).toBe(jetsFile)
    await byTestId('setting-episodes').fill('1')
    await byTestId('param-beta').fill('0.5')
    await byTestId('setting-name').fill('VAE β=0.5')
    await byTestId('train-button').click()
    await expect.poll(async () => Number(await byTestId('run-header').getAttribute('data-run-id')), { timeout: 30_000 }).not.toBe(firstRun)
    secondRun = await waitCompleted(360_000)
    await byTestId('vae-results').waitFor({ timeout: 60_000 })

    // Another env clears the Data view's request; the RL settings are back.
    await byTestId('env-select').selectOption('catch')
    await expect.poll(() => page.locator('label[for="tf-episodes"]').innerText()).toContain('Episodes')
    await byTestId('setting-replay-every').waitFor()
    expect(await byTestId('data-path').count()).toBe(0)
    await byTestId('setting-episodes').fill('30')
    await byTestId('setting-seed').fill('3')
    await byTestId('setting-name').fill('')
    await byTestId('train-button').click()
    await byTestId('live-view').waitFor({ timeout: 30_000 })
    catchRun = await waitCompleted(180_000)

    await byTestId('nav-runs').click()
    await byTestId('runs-table').waitFor()
    expect(await byTestId('compare-open').isDisabled()).toBe(true)
    await runRow(firstRun).getByTestId('run-compare').check()
    expect(await byTestId('compare-open').isDisabled()).toBe(true)
    await runRow(secondRun).getByTestId('run-compare').check()
    expect(await text('compare-count')).toBe('2 ticked')
    await byTestId('compare-open').click()

    const panel = byTestId('compare-panel')
    await panel.waitFor()
    expect(await panel.getAttribute('data-runs')).toBe(`${firstRun},${secondRun}`)
    // Settings that differ: epochs, β, name-independent; the same ones hidden until asked for.
    const diffKeys = await page.locator('[data-testid="compare-config-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))
    expect(diffKeys).toEqual(expect.arrayContaining(['epochs', 'params.beta']))
    expect(diffKeys).not.toContain('data.path')
    await byTestId('compare-show-same').check()
    await expect.poll(() => page.locator('[data-testid="compare-config-row"][data-key="data.path"]').count()).toBe(1)
    await byTestId('compare-show-same').uncheck()

    // Final numbers, one column per run; the physics metrics come from each run.
    const metricCells = async (key: string): Promise<string[]> =>
      page.locator(`[data-testid="compare-metric"][data-metric="${key}"] td.num`).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()))
    await expect.poll(() => metricCells('latent_auc')).toHaveLength(2)
    for (const key of ['mse', 'latent_auc', 'w1_mass', 'best_val_loss']) expect((await metricCells(key)).every((t) => t !== '—'), key).toBe(true)
    expect(await page.locator('[data-testid="compare-metric"][data-metric="win_rate"]').count()).toBe(0)

    // Curves overlaid: both runs' validation losses per epoch (epochs 1–2).
    await expect.poll(() => chartPoints('Validation loss per epoch'), { timeout: 30_000 }).toBe(2)
    expect(await chartPoints('Training loss')).toBeGreaterThan(2)

    // Reconstructions side by side: the same held-out jets, so one original and two reconstructions a row.
    const recon = byTestId('compare-recon')
    await expect.poll(() => recon.getAttribute('data-shared')).toBe('true')
    await expect.poll(() => recon.locator('[data-testid="compare-reco"]').count()).toBe(3 * 2)
    expect(await recon.locator('[data-testid="compare-original"]').count()).toBe(3)
    // All channels summed by default; one channel redraws them.
    const summed = await canvasUrl('[data-testid="compare-reco"]')
    await byTestId('compare-channel-1').click()
    await expect.poll(() => canvasUrl('[data-testid="compare-reco"]')).not.toBe(summed)
    await byTestId('compare-channel-sum').click()
    await expect.poll(() => canvasUrl('[data-testid="compare-reco"]')).toBe(summed)
    await recon.evaluate((el) => el.scrollIntoView({ block: 'end' }))
    await page.waitForTimeout(300)
    await app.shot('compare-recon.png')
    await byTestId('runs-view').evaluate((el) => el.scrollTo(0, 0))
    await page.waitForTimeout(300)
    await app.shot('compare.png')

    // Add the Catch run: RL numbers appear alongside.
    await byTestId('compare-close').click()
    await runRow(catchRun).getByTestId('run-compare').check()
    await byTestId('compare-open').click()
    await expect.poll(() => panel.getAttribute('data-runs')).toBe(`${firstRun},${secondRun},${catchRun}`)
    const win = await metricCells('win_rate')
    expect(win).toHaveLength(3)
    expect(win[0]).toBe('—')
    expect(win[2]).toMatch(/%$/)
    expect((await metricCells('latent_auc'))[2]).toBe('—')
    await expect.poll(() => chartPoints('Win rate'), { timeout: 30_000 }).toBe(30)
    await page.waitForTimeout(300)
    await app.shot('compare-mixed.png')
    await byTestId('compare-close').click()
    await byTestId('compare-clear').click()
    expect(await page.locator('[data-testid="run-compare"]:checked').count()).toBe(0)
  })

  test('no page errors, console errors or CSP violations', () => {
    expect(app.problems).toEqual([])
  })
})
