import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileOverview } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { writeJetFile } from '../../src/main/h5/write-jets'

let dir: string
let services: Services
let jets: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-files-'))
  services = createServices({ dataDir: path.join(dir, 'data'), launcher: childProcessLauncher(), host: 'cli' })
  jets = path.join(dir, 'jets.h5')
  await writeJetFile(jets, { n: 40, seed: 3, compression: 'gzip', chunkRows: 1 })
})
afterAll(async () => {
  await services.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const call = (method: string, input: unknown): Promise<unknown> => services.api.handle(method, input)

describe('data files through the API', () => {
  it('opens a jet file: tree with shapes, chunks and compression; schema; remembered as recent', async () => {
    const o = (await call('files.open', { path: jets })) as FileOverview
    expect(o.jets).toMatchObject({ ok: true, events: 40, imageShape: [125, 125, 3], channels: ['Track', 'ECAL', 'HCAL'] })
    const x = o.tree.children!.find((c) => c.name === 'X_jets')!
    expect(x).toMatchObject({ kind: 'dataset', shape: [40, 125, 125, 3], dtype: 'float32', chunks: [1, 125, 125, 3] })
    expect(JSON.stringify(x.compression)).toMatch(/gzip/)
    const recent = (await call('files.recent', {})) as { path: string; jets: boolean }[]
    expect(recent[0]).toMatchObject({ path: jets, jets: true })
  })

  it('slices an N-D dataset along chosen axes and histograms 1-D ones', async () => {
    const s = (await call('files.slice', { path: jets, dataset: '/X_jets', index: [5, null, null, 1] })) as { shape: number[]; data: number[]; max: number }
    expect(s.shape).toEqual([125, 125])
    expect(s.data).toHaveLength(125 * 125)
    const ev = (await call('jets.event', { path: jets, index: 5 })) as { image: number[]; m0: number; y: number }
    // The slice is channel 1 (ECAL) of event 5, the same numbers the event read gives.
    expect(s.data.slice(0, 500)).toEqual(Array.from({ length: 500 }, (_, k) => ev.image[k * 3 + 1]))
    expect(s.max).toBe(Math.max(...ev.image.filter((_, k) => k % 3 === 1)))
    const h = (await call('files.histogram', { path: jets, dataset: '/m0', bins: 10 })) as { counts: number[]; count: number }
    expect(h.count).toBe(40)
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(40)
    await expect(call('files.histogram', { path: jets, dataset: '/X_jets', bins: 10 })).rejects.toThrow(/histograms are for 1-D datasets/)
    await expect(call('files.slice', { path: jets, dataset: '/X_jets', index: [40, null, null, 0] })).rejects.toThrow(/index 40 is outside dimension 0/)
  })

  it('summarises m0 and pT by class and honours per-file channel names', async () => {
    const sum = (await call('jets.summary', { path: jets, bins: 8 })) as { events: number; quarks: number; gluons: number; m0: { quark: number[]; gluon: number[] } }
    expect(sum.events).toBe(40)
    expect(sum.quarks + sum.gluons).toBe(40)
    expect(sum.m0.quark.reduce((a, b) => a + b, 0)).toBe(sum.quarks)
    await call('files.setChannels', { path: jets, channels: ['ECAL', 'HCAL', 'Tracks'] })
    const ev = (await call('jets.event', { path: jets, index: 0 })) as { channels: string[] }
    expect(ev.channels).toEqual(['ECAL', 'HCAL', 'Tracks'])
    await expect(call('jets.event', { path: jets, index: 40 })).rejects.toThrow('jets.h5: event 40 does not exist (the file has 40 events, 0–39)')
  })

  it('names the file and the problem for files that do not fit, and keeps working', async () => {
    const text = path.join(dir, 'notes.h5')
    fs.writeFileSync(text, 'just some text, not HDF5')
    await expect(call('files.open', { path: text })).rejects.toThrow(/notes\.h5: .*not an HDF5 file/i)
    const truncated = path.join(dir, 'cut.h5')
    fs.writeFileSync(truncated, fs.readFileSync(jets).subarray(0, 4000))
    await expect(call('files.open', { path: truncated })).rejects.toThrow(/cut\.h5: .*truncated/i)
    await expect(call('files.open', { path: path.join(dir, 'missing.h5') })).rejects.toThrow(/missing\.h5/)
    // After all that the good file still opens.
    expect(((await call('files.open', { path: jets })) as FileOverview).jets.ok).toBe(true)
  })

  it('makes the first-run sample once, in the data folder', async () => {
    const a = (await call('jets.sample', { events: 20 })) as { path: string }
    expect(a.path.startsWith(path.join(dir, 'data', 'samples'))).toBe(true)
    const stat = fs.statSync(a.path)
    const b = (await call('jets.sample', { events: 20 })) as { path: string }
    expect(b.path).toBe(a.path)
    expect(fs.statSync(b.path).mtimeMs).toBe(stat.mtimeMs)
    expect(((await call('files.open', { path: a.path })) as FileOverview).jets).toMatchObject({ ok: true, events: 20 })
  })
})
