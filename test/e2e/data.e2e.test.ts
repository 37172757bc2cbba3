/**
 * End to end, the Data view: on a fresh data dir the generated quark/gluon
 * sample opens from the empty state; a text file and a truncated file are
 * refused with messages naming them while the app stays usable; a dropped file
 * in the web version explains that the path must be typed; a 60-event jet file
 * (written here with writeJetFile, gzip) opens by path — the tree shows X_jets
 * and its shape, the slice viewer draws a heatmap that changes with the event
 * index and the log scale, m0 gets a histogram; the jet view shows a page of
 * events with every channel, "go to event 17" opens the large view with the
 * same m0 / pT / class as jets.event, the m0 and pT histograms by class add up
 * to jets.summary; channels can be renamed; an h5py file without jets still
 * browses (groups, attributes, N-D slices) while its jet view says why not;
 * h5py's gzip+shuffle and LZF show as such; recent files list, grey out a
 * deleted file, forget it, and reopen. Screenshots: test-results/
 * data-browser.png, jet-grid.png, jet-event.png (and data-empty.png,
 * jet-distributions.png, data-nojets.png, data-recent.png).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { writeJetFile } from '../../src/main/h5/write-jets'
import { ROOT, apiCall, startApp, type E2EApp } from './helpers'

const EVENTS = 60

let app: E2EApp
let page: Page
let dir = ''
let jetsFile = ''
let notesFile = ''
let cutFile = ''
let plainFile = ''

const byTestId = (id: string) => page.getByTestId(id)
const text = async (id: string): Promise<string> => ((await byTestId(id).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()
const node = (p: string) => page.locator(`[data-testid="h5-node"][data-path="${p}"]`)
const canvasUrl = (): Promise<string> => page.getByTestId('heatmap').evaluate((c) => (c as HTMLCanvasElement).toDataURL())
const checksum = async (): Promise<string> => (await byTestId('heatmap').getAttribute('data-checksum')) ?? ''

async function openPath(p: string): Promise<void> {
  await byTestId('file-path').fill(p)
  await byTestId('file-open').click()
}

/** Waits until every jet thumbnail on the page is drawn (the cards' events have arrived). */
async function gridDrawn(): Promise<number> {
  await expect.poll(() => page.locator('[data-testid="jet-card"].is-loading').count(), { timeout: 30_000 }).toBe(0)
  return page.locator('[data-testid="jet-grid"] [data-testid="jet-image"]').count()
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-data-e2e-'))
  jetsFile = path.join(dir, 'jets.h5')
  await writeJetFile(jetsFile, { n: EVENTS, seed: 11, compression: 'gzip', chunkRows: 1 })
  notesFile = path.join(dir, 'notes.h5')
  fs.writeFileSync(notesFile, 'Shopping list\n- milk\n- eggs\n')
  // The first 4 KiB of a real jet file: a valid superblock, most of the file missing.
  cutFile = path.join(dir, 'cut.h5')
  fs.writeFileSync(cutFile, fs.readFileSync(jetsFile).subarray(0, 4096))
  // Made by h5py: groups, attributes, a rank-3 dataset, integers; no X_jets.
  plainFile = path.join(dir, 'plain.h5')
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/h5/h5py-contiguous-f64.h5'), plainFile)
  for (const f of ['h5py-gzip-shuffle.h5', 'h5py-lzf.h5']) fs.copyFileSync(path.join(ROOT, 'test/fixtures/h5', f), path.join(dir, f))

  app = await startApp({ allowDirs: [dir] })
  page = app.page
})

afterAll(async () => {
  await app?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

describe('Data view', () => {
  test('a fresh data dir offers the generated sample, which opens as a jet file', async () => {
    await byTestId('nav-data').click()
    await byTestId('data-empty').waitFor()
    await expect.poll(() => byTestId('recent-empty').isVisible()).toBe(true)
    await app.shot('data-empty.png')
    await byTestId('use-sample').click()
    await expect.poll(() => text('file-name'), { timeout: 120_000 }).toBe('quark-gluon-sample-2000.h5')
    expect(await text('file-jets-chip')).toContain('2,000 events')
    // Opened in the jet view, with the first page of events.
    await byTestId('jet-view').waitFor()
    expect(await byTestId('jet-view').getAttribute('data-events')).toBe('2000')
    expect(await gridDrawn()).toBe(12 * 4)
    await byTestId('file-close').click()
    await byTestId('data-empty').waitFor()
    await expect.poll(() => page.locator('[data-testid="recent-file"]').count()).toBe(1)
  })

  test('refuses a text file and a truncated file, naming them; the app stays usable', async () => {
    await openPath(notesFile)
    await expect.poll(() => text('open-error')).toContain('notes.h5')
    expect(await text('open-error')).toContain('not an HDF5 file')
    await openPath(cutFile)
    await expect.poll(() => text('open-error')).toContain('cut.h5')
    expect(await text('open-error')).toContain('truncated')
    // Still usable: other views and back, and a path that does not exist.
    await byTestId('nav-runs').click()
    await byTestId('nav-data').click()
    await byTestId('data-empty').waitFor()
    await openPath(path.join(dir, 'nope.h5'))
    await expect.poll(() => text('open-error')).toContain('nope.h5: no such file')
    // Nothing of these was remembered.
    expect(await page.locator('[data-testid="recent-file"]').count()).toBe(1)
  })

  test('a file dropped on the web version says to type its path', async () => {
    await page.evaluate(() => {
      const dt = new DataTransfer()
      dt.items.add(new File(['x'], 'dropped.h5'))
      for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }))
    })
    await expect.poll(() => text('drop-message')).toContain('dropped.h5')
    expect(await text('drop-message')).toContain('web version')
    expect(await text('drop-message')).toContain('Type the path')
    expect(await byTestId('file-drop-overlay').count()).toBe(0)
  })

  test('opens a jet file by path: tree, dataset metadata, a heatmap slice that follows the event index', async () => {
    await openPath(jetsFile)
    await expect.poll(() => text('file-name')).toBe('jets.h5')
    expect(await byTestId('open-error').count()).toBe(0)
    expect(await byTestId('drop-message').count()).toBe(0)
    for (const name of ['X_jets', 'm0', 'pt', 'y']) await node(`/${name}`).waitFor()
    expect(await node('/X_jets').getByTestId('h5-node-shape').textContent()).toBe(`${EVENTS} × 125 × 125 × 3`)

    await node('/X_jets').click()
    await byTestId('node-inspector').waitFor()
    expect(await text('meta-shape')).toContain(`${EVENTS} × 125 × 125 × 3`)
    expect(await text('meta-dtype')).toBe('float32')
    expect(await text('meta-chunks')).toBe('1 × 125 × 125 × 3')
    expect(await text('meta-compression')).toBe('gzip level 4')

    // Channels-last stack: rows × columns = axes 1 × 2, an index for the event and the channel.
    const heat = byTestId('heatmap')
    await heat.waitFor()
    expect(await heat.getAttribute('data-rows')).toBe('125')
    expect(await heat.getAttribute('data-cols')).toBe('125')
    expect(await byTestId('slice-rows-axis').inputValue()).toBe('1')
    expect(await byTestId('slice-cols-axis').inputValue()).toBe('2')
    await byTestId('slice-dim-0').waitFor()
    await byTestId('slice-dim-3').waitFor()
    await expect.poll(checksum).not.toBe('')
    const before = { sum: await checksum(), url: await canvasUrl(), max: await text('slice-max') }

    await byTestId('slice-index-0').fill('5')
    await byTestId('slice-index-0').press('Enter')
    await expect.poll(checksum).not.toBe(before.sum)
    expect(await canvasUrl()).not.toBe(before.url)
    expect(await byTestId('slice-range-0').inputValue()).toBe('5')
    // The slice the viewer shows is the one the service returns.
    const slice = await apiCall<{ max: number }>(page, 'files.slice', { path: jetsFile, dataset: '/X_jets', index: [5, null, null, 0] })
    const shownMax = Number((await text('slice-max')).replace(/,/g, ''))
    expect(Math.abs(shownMax - slice.max) / slice.max).toBeLessThan(1e-3)

    const linear = await checksum()
    await byTestId('slice-log').check()
    await expect.poll(checksum).not.toBe(linear)
    expect(await byTestId('colorbar').textContent()).toContain('log')

    // Another channel (ECAL), and the value under the cursor.
    const track = await checksum()
    await byTestId('slice-index-3').fill('1')
    await byTestId('slice-index-3').press('Enter')
    await expect.poll(checksum).not.toBe(track)
    const box = (await byTestId('heatmap').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await expect.poll(() => text('slice-cursor')).toMatch(/^\[62, 62\] = /)
    await page.waitForTimeout(300) // let the switch's transition finish
    await app.shot('data-browser.png')

    // Swapped axes: a transposed picture.
    const url = await canvasUrl()
    await byTestId('slice-rows-axis').selectOption('2')
    await expect.poll(() => byTestId('slice-cols-axis').inputValue()).toBe('1')
    await expect.poll(canvasUrl).not.toBe(url)
    expect(await byTestId('slice-error').count()).toBe(0)
  })

  test('a 1-D dataset gets a histogram: bins and log x', async () => {
    await node('/m0').click()
    await byTestId('dataset-histogram').waitFor()
    const chart = page.locator('[data-testid="dataset-histogram"] [data-testid="histogram-chart"]')
    await expect.poll(() => chart.getAttribute('data-total')).toBe(String(EVENTS))
    expect(await chart.getAttribute('data-bins')).toBe('40')
    expect(await text('hist-count')).toBe(String(EVENTS))
    await byTestId('hist-bins').selectOption('20')
    await expect.poll(() => chart.getAttribute('data-bins')).toBe('20')
    expect(await chart.getAttribute('data-total')).toBe(String(EVENTS))
    await byTestId('hist-logx').check()
    await expect.poll(() => chart.getAttribute('data-title')).toContain('20 bins')
    const hist = await apiCall<{ count: number }>(page, 'files.histogram', { path: jetsFile, dataset: '/m0', bins: 20, log: true })
    await expect.poll(() => chart.getAttribute('data-total')).toBe(String(hist.count))
    expect(await page.locator('[data-testid="dataset-histogram"] canvas').count()).toBeGreaterThan(0)
  })

  test('jet view: a page of events with every channel, go to event 17, distributions by class', async () => {
    await byTestId('jets-entry').click()
    await byTestId('jet-view').waitFor()
    expect(await gridDrawn()).toBe(12 * 4)
    const cards = page.locator('[data-testid="jet-card"]')
    expect(await cards.count()).toBe(12)
    const thumbs = cards.first().locator('[data-testid="jet-thumb"]')
    expect(await thumbs.evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')))).toEqual(['Track', 'ECAL', 'HCAL', 'combined'])
    expect(await text('jets-channel-names')).toBe('Track · ECAL · HCAL')

    // Distributions by class: both classes, counts as in jets.summary.
    const summary = await apiCall<{ quarks: number; gluons: number }>(page, 'jets.summary', { path: jetsFile })
    const m0 = page.locator('[data-testid="histogram-chart"][data-title="Jet mass m₀"]')
    const pt = page.locator('[data-testid="histogram-chart"][data-title="Transverse momentum pT"]')
    await expect.poll(() => m0.getAttribute('data-total')).toBe(String(EVENTS))
    expect(await pt.getAttribute('data-total')).toBe(String(EVENTS))
    expect(await m0.getByTestId('hist-legend-quark').textContent()).toContain(String(summary.quarks))
    expect(await m0.getByTestId('hist-legend-gluon').textContent()).toContain(String(summary.gluons))
    expect(await text('jets-quarks')).toBe(String(summary.quarks))
    expect(await text('jets-gluons')).toBe(String(summary.gluons))
    await app.shot('jet-grid.png')
    await byTestId('jet-distributions').scrollIntoViewIfNeeded()
    await app.shot('jet-distributions.png')

    // Summed instead of RGB redraws the combined pictures.
    const combined = cards.first().locator('[data-testid="jet-thumb"][data-channel="combined"] canvas')
    const rgb = await combined.evaluate((c) => (c as HTMLCanvasElement).toDataURL())
    await byTestId('jets-combined-sum').click()
    await expect.poll(() => combined.evaluate((c) => (c as HTMLCanvasElement).toDataURL())).not.toBe(rgb)
    await byTestId('jets-combined-rgb').click()

    // Out of range: said, nothing opens.
    await byTestId('jet-jump').fill(String(EVENTS + 10))
    await byTestId('jet-jump-go').click()
    await expect.poll(() => text('jet-jump-error')).toContain(`event ${EVENTS + 10} does not exist`)
    expect(await byTestId('jet-event-dialog').isVisible()).toBe(false)

    await byTestId('jet-jump').fill('17')
    await byTestId('jet-jump').press('Enter')
    const dialog = byTestId('jet-event-dialog')
    await expect.poll(() => dialog.isVisible()).toBe(true)
    expect(await text('jet-event-index')).toBe('17')
    const ev = await apiCall<{ m0: number; pt: number; y: number }>(page, 'jets.event', { path: jetsFile, index: 17 })
    await expect.poll(() => byTestId('jet-event-m0').getAttribute('data-value')).toBe(String(ev.m0))
    expect(Number(await byTestId('jet-event-pt').getAttribute('data-value'))).toBe(ev.pt)
    expect(await text('jet-event-class')).toBe(ev.y === 0 ? 'quark' : 'gluon')
    expect(await text('jet-event-m0')).toContain(String(Number(ev.m0.toPrecision(5))))
    expect(await dialog.locator('[data-testid="jet-event-channel"]').count()).toBe(4)
    // The grid went to the page holding event 17.
    expect(await byTestId('jet-pager').getAttribute('data-page')).toBe('1')
    await page.waitForTimeout(200)
    await app.shot('jet-event.png')

    // → steps to the next event; Esc closes.
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => text('jet-event-index')).toBe('18')
    const ev18 = await apiCall<{ m0: number }>(page, 'jets.event', { path: jetsFile, index: 18 })
    await expect.poll(() => byTestId('jet-event-m0').getAttribute('data-value')).toBe(String(ev18.m0))
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.isVisible()).toBe(false)

    // Clicking a card opens it too.
    await page.locator('[data-testid="jet-card"][data-index="20"]').click()
    await expect.poll(() => text('jet-event-index')).toBe('20')
    await byTestId('jet-event-close').click()
    await expect.poll(() => dialog.isVisible()).toBe(false)

    // Paging.
    await byTestId('jet-page-last').click()
    await expect.poll(() => byTestId('jet-pager').getAttribute('data-page')).toBe(String(Math.ceil(EVENTS / 12) - 1))
    expect(await gridDrawn()).toBe((EVENTS - 48) * 4)
  })

  test('channel names are a per-file setting', async () => {
    await byTestId('rename-channels').click()
    await byTestId('channel-name-0').fill('Tracks')
    await byTestId('channel-names-save').click()
    await expect.poll(() => text('jets-channel-names')).toBe('Tracks · ECAL · HCAL')
    const thumbs = page.locator('[data-testid="jet-card"]').first().locator('[data-testid="jet-thumb"]')
    expect(await thumbs.first().getAttribute('data-channel')).toBe('Tracks')
    const overview = await apiCall<{ jets: { channels: string[] } }>(page, 'files.open', { path: jetsFile })
    expect(overview.jets.channels).toEqual(['Tracks', 'ECAL', 'HCAL'])
    // The VAE button appears only once the catalog has a world that reads jet files (ids are versioned: jets-v1).
    const catalog = await apiCall<{ envs: { id: string; data?: { schema: string } }[] }>(page, 'catalog.get', {})
    expect(catalog.envs.some((e) => e.data?.schema === 'jets')).toBe(true)
    expect(await byTestId('train-vae').count()).toBe(1)
  })

  test('a file without jets still browses; its jet view says why', async () => {
    await openPath(plainFile)
    await expect.poll(() => text('file-name')).toBe('plain.h5')
    expect(await text('file-jets-chip')).toBe('no jet view')
    await byTestId('jets-entry').click()
    await expect.poll(() => text('jets-problem-text')).toContain('plain.h5')
    expect(await text('jets-problem-text')).toContain('no X_jets')

    // Groups open and close; attributes show.
    await node('/meta').waitFor()
    expect(await node('/meta/big_endian').count()).toBe(0)
    await node('/meta').getByTestId('h5-toggle').click()
    await node('/meta/big_endian').waitFor()
    await node('/meta').click()
    await expect.poll(() => byTestId('node-attributes').textContent()).toContain('Track,ECAL,HCAL')
    await node('/meta').getByTestId('h5-toggle').click()
    await expect.poll(() => node('/meta/big_endian').count()).toBe(0)

    // Rank 3 (4 × 5 × 6): the last two axes, an index for the first.
    await node('/data').click()
    await expect.poll(() => byTestId('heatmap').getAttribute('data-rows')).toBe('5')
    expect(await byTestId('heatmap').getAttribute('data-cols')).toBe('6')
    expect(await text('meta-chunks')).toBe('contiguous')
    expect(await text('meta-compression')).toBe('none')
    await expect.poll(() => text('slice-max')).toBe('3.625') // data[0] = arange(30) / 8 → max 29/8
    await byTestId('slice-index-0').fill('3')
    await byTestId('slice-index-0').press('Enter')
    await expect.poll(() => text('slice-max')).toBe('14.88') // 119/8 = 14.875, to 4 digits
    await app.shot('data-nojets.png')

    // Integers get a histogram.
    await node('/ints').click()
    await expect.poll(() => page.locator('[data-testid="dataset-histogram"] [data-testid="histogram-chart"]').getAttribute('data-total')).toBe('10')
  })

  test('h5py compression shows as written: gzip + shuffle, LZF', async () => {
    await openPath(path.join(dir, 'h5py-gzip-shuffle.h5'))
    await expect.poll(() => text('file-name')).toBe('h5py-gzip-shuffle.h5')
    await node('/X_jets').click()
    await expect.poll(() => text('meta-compression')).toBe('gzip level 4 + shuffle')
    await openPath(path.join(dir, 'h5py-lzf.h5'))
    await expect.poll(() => text('file-name')).toBe('h5py-lzf.h5')
    await node('/X_jets').click()
    await expect.poll(() => text('meta-compression')).toBe('LZF')
    expect(await text('meta-chunks')).toBe('2 × 125 × 125 × 3')
    await expect.poll(checksum).not.toBe('')
  })

  test('recent files: listed, a deleted one greyed out and forgotten, reopened from the list', async () => {
    await byTestId('recent-toggle').click()
    const item = (p: string) => page.locator(`[data-testid="recent-file"][data-path="${p}"]`)
    await item(jetsFile).waitFor()
    await item(plainFile).waitFor()
    expect(await page.locator('[data-testid="recent-file"]').count()).toBe(5)
    await app.shot('data-recent.png')
    await byTestId('recent-toggle').click()

    fs.rmSync(plainFile)
    await byTestId('file-close').click()
    await byTestId('data-empty').waitFor()
    await expect.poll(() => item(plainFile).getAttribute('data-exists')).toBe('false')
    expect(await item(plainFile).getByTestId('recent-open').isDisabled()).toBe(true)
    expect(await item(jetsFile).getAttribute('data-exists')).toBe('true')
    await item(plainFile).getByTestId('recent-forget').click()
    await expect.poll(() => item(plainFile).count()).toBe(0)
    const recent = await apiCall<{ path: string }[]>(page, 'files.recent', {})
    expect(recent.map((r) => r.path)).not.toContain(plainFile)

    await item(jetsFile).getByTestId('recent-open').click()
    await expect.poll(() => text('file-name')).toBe('jets.h5')
    await byTestId('jet-view').waitFor()
    expect(await text('jets-channel-names')).toBe('Tracks · ECAL · HCAL')
    // Opening the file that is already open starts the jet view afresh.
    await openPath(jetsFile)
    await expect.poll(() => page.locator('[data-testid="jet-distributions"] [data-testid="histogram-chart"]').count()).toBe(2)
    expect(await gridDrawn()).toBe(12 * 4)
  })

  test('no page errors, console errors or CSP violations', () => {
    expect(app.problems).toEqual([])
  })
})
