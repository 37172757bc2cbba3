/**
 * The desktop app's export confinement (issue 9, item 10): the renderer can
 * export only into the data folder's exports/ or a folder the user picked in
 * the native save dialog, whatever path it sends.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { FolderPolicy } from '../../src/main/services/folders'
import { childProcessLauncher } from '../../src/main/services/launcher'

let dir: string
let services: Services
/** What the "native dialog" returns next (the only stand-in here: a person clicking). */
let chosen: string | null = null
let run: RunSummary

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-folders-'))
  const dataDir = path.join(dir, 'data')
  services = createServices({
    dataDir,
    launcher: childProcessLauncher(),
    host: 'electron',
    capabilities: {
      pickFolder: async () => chosen,
      folders: FolderPolicy.confined({ writeRoots: [path.join(dataDir, 'exports')], readRoots: null, howToAllow: 'choose the folder in the Export dialog' }),
    },
  })
  const started = (await services.api.handle('runs.start', { env: 'catch', algo: 'dqn', seed: 2, episodes: 10, checkpoint_every: 10 })) as RunSummary
  run = await services.jobs.waitForEnd(started.id)
}, 120_000)

afterAll(async () => {
  await services.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('desktop exports', () => {
  it('go only into exports/ or a folder picked in the save dialog', async () => {
    expect(run.status).toBe('completed')
    const desktop = path.join(dir, 'Desktop', 'model')
    await expect(services.api.handle('runs.export', { id: run.id, dir: desktop })).rejects.toThrow(
      /is outside the folders Quarkade may write to .*choose the folder in the Export dialog/,
    )
    expect(fs.existsSync(desktop)).toBe(false)

    // Cancelling the dialog grants nothing; an "open" dialog grants no writes.
    chosen = null
    expect(await services.api.handle('system.pickFolder', { title: 'Export', purpose: 'save' })).toEqual({ path: null })
    chosen = desktop
    await services.api.handle('system.pickFolder', { title: 'Import', purpose: 'open' })
    await expect(services.api.handle('runs.export', { id: run.id, dir: desktop })).rejects.toThrow(/outside the folders/)

    expect(await services.api.handle('system.pickFolder', { title: 'Export', purpose: 'save' })).toEqual({ path: desktop })
    const { files } = (await services.api.handle('runs.export', { id: run.id, dir: desktop })) as { files: string[] }
    expect(files.map((f) => path.basename(f))).toEqual(['model.json', 'weights.bin'])
    // The picked folder, not its parent or siblings.
    await expect(services.api.handle('runs.export', { id: run.id, dir: path.join(dir, 'Desktop', 'other') })).rejects.toThrow(/outside the folders/)
    // The default exports/ folder works without a dialog; reads stay unconfined on the desktop.
    await services.api.handle('runs.export', { id: run.id, dir: path.join(dir, 'data', 'exports', 'catch-run') })
    const imported = (await services.api.handle('models.import', { dir: desktop, env: 'catch' })) as RunSummary
    expect(imported.status).toBe('completed')
  })
})
