/**
 * LArTPC detector files: lartpc_game npz folders written by real scipy.sparse.save_npz, PILArNet-M
 * HDF5 written by real h5py (vlen datasets), and Quarkade's own HDF5 schema written by `gen lartpc`.
 * Fixtures are made at test time by test/fixtures/lartpc/*.py with /usr/bin/python3.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findWorld } from '../../src/core/catalog'
import { DEFAULT_PROJECTION, type Projection } from '../../src/core/lartpc/event'
import { generateEvent } from '../../src/core/lartpc/generate'
import { deriveSeed } from '../../src/core/rng'
import { openDetector } from '../../src/main/data/lartpc'
import { projectPilarnetEvent } from '../../src/main/data/lartpc/pilarnet'
import { writeLartpcFile } from '../../src/main/data/lartpc/quarkade'
import { dataSchema } from '../../src/main/data/schemas'
import { openH5 } from '../../src/main/h5/file'
import { H5Writer } from '../../src/main/h5/writer'
import { createServices, type Services } from '../../src/main/services'
import { FolderPolicy } from '../../src/main/services/folders'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { resolveRunConfig, type DetectorOverview } from '../../src/shared/api'
import { runFixtureScript } from '../fixtures/lartpc/python'

const root = path.resolve(import.meta.dirname, '../..')
let dir: string
let npz: string
let pilarnet: string

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-lartpc-'))
  npz = path.join(dir, 'npz')
  pilarnet = path.join(dir, 'pilarnet.h5')
  runFixtureScript('make_npz.py', npz)
  runFixtureScript('make_pilarnet.py', pilarnet)
}, 120_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** [row, col, energy, label] of every non-zero pixel. */
function hits(ev: { width: number; energy: Float32Array; label: Uint8Array }): [number, number, number, number][] {
  const out: [number, number, number, number][] = []
  ev.energy.forEach((e, i) => {
    if (e !== 0 || ev.label[i] !== 0) out.push([Math.floor(i / ev.width), i % ev.width, e, ev.label[i]])
  })
  return out
}

describe('lartpc_game npz folders (scipy.sparse.save_npz)', () => {
  it('opens the folder: pairs in numeric order, exact energies and labels, deflated and stored zips, any dtype', async () => {
    const det = await openDetector(path.join(npz, 'good'))
    try {
      expect(det.overview).toMatchObject({ format: 'npz', count: 3, width: 256, height: 256, projection: null })
      // k = 0 (float32 / uint8, deflated), then 2 (float64 / int64, stored), then 10 (int32 labels).
      expect(hits(det.source.event(0))).toEqual([
        [0, 0, 1.5, 2],
        [10, 20, 0.25, 1],
        [128, 3, 3.25, 1],
        [255, 255, 7, 2],
      ])
      expect(hits(det.source.event(1))).toEqual([
        [5, 5, 2, 1],
        [200, 100, 0.5, 2],
      ])
      expect(hits(det.source.event(2))).toEqual([
        [1, 2, 9.5, 2],
        [100, 100, 4, 1],
        [254, 0, 0.125, 1],
      ])
      expect(() => det.source.event(3)).toThrow(/event 3 is outside good \(3 events\)/)
    } finally {
      det.close()
    }
  })

  it('opens the folder from one of its files too', async () => {
    const det = await openDetector(path.join(npz, 'good', 'label10.npy.npz'))
    expect(det.overview).toMatchObject({ path: path.join(npz, 'good'), count: 3 })
    det.close()
  })

  it.each([
    ['coo', 'image0.npy.npz: holds a coo-format sparse matrix; only CSR'],
    ['mismatch', 'label0.npy.npz: is 128 × 128 but image0.npy.npz is 256 × 256'],
    ['lonely', 'image1.npy.npz: has no partner label1.npy.npz in its folder'],
    ['huge', 'image0.npy.npz: declares a 100000 × 100000 matrix (at most 4096 a side)'],
    ['bigdecl', 'image0.npy.npz: data.npy: declares 3000000000 bytes, more than its matrix can need'],
  ])('%s: one line naming the file and the problem', async (folder, message) => {
    const err = await openDetector(path.join(npz, folder)).then(
      () => null,
      (e: Error) => e,
    )
    expect(err?.message).toContain(message)
    expect(err?.message).not.toContain('\n')
  })

  it('a truncated file, a file that is not a zip, and a folder without pairs each get their line', async () => {
    const bad = path.join(dir, 'bad-npz')
    fs.mkdirSync(bad)
    const good = fs.readFileSync(path.join(npz, 'good', 'image0.npy.npz'))
    fs.writeFileSync(path.join(bad, 'image0.npy.npz'), good.subarray(0, good.length - 60))
    fs.copyFileSync(path.join(npz, 'good', 'label0.npy.npz'), path.join(bad, 'label0.npy.npz'))
    await expect(openDetector(bad)).rejects.toThrow(/^image0\.npy\.npz: truncated zip \(no end-of-archive record\): the file was cut short$/)
    fs.writeFileSync(path.join(bad, 'image0.npy.npz'), 'x'.repeat(500))
    await expect(openDetector(bad)).rejects.toThrow(/^image0\.npy\.npz: not an \.npz file \(not a zip archive\)$/)
    // Cut inside the data of a stored entry (the directory survives in a copy with its tail kept).
    const stored = fs.readFileSync(path.join(npz, 'good', 'image2.npy.npz'))
    const cut = Buffer.concat([stored.subarray(0, 40), stored.subarray(stored.length - 400)])
    fs.writeFileSync(path.join(bad, 'image0.npy.npz'), cut)
    await expect(openDetector(bad)).rejects.toThrow(/^image0\.npy\.npz: /)
    const empty = path.join(dir, 'empty')
    fs.mkdirSync(empty)
    await expect(openDetector(empty)).rejects.toThrow(/^empty: is a folder without image\{k\}\.npy\.npz/)
  })

  it('a crafted npz declaring a huge matrix fails in a process whose memory stays small', () => {
    const rssFile = path.join(dir, 'rss')
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(root, 'test/fixtures/report-max-rss.mjs')).href, path.join(root, 'bin/quarkade.mjs'), 'inspect', path.join(npz, 'huge'), '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, QUARKADE_MAX_RSS_FILE: rssFile },
    })
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toMatch(/^quarkade: error: image0\.npy\.npz: declares a 100000 × 100000 matrix/)
    // A tsx-started CLI needs ~100–250 MB; a dense 100000² float32 matrix would be 40 GB.
    expect(Number(fs.readFileSync(rssFile, 'utf8')) / 1024).toBeLessThan(400)
  })
})

describe('PILArNet-M HDF5 (h5py vlen datasets)', () => {
  it('projects a hand-computable event: energy summed per pixel, class by largest energy share, mapped', async () => {
    const det = await openDetector(pilarnet)
    try {
      expect(det.overview).toMatchObject({ format: 'pilarnet', count: 4, width: 256, height: 256, projection: DEFAULT_PROJECTION })
      const ev = hits(det.source.event(0)).map(([r, c, e, l]) => [r, c, Math.round(e * 1e5) / 1e5, l])
      // (1, 2): track 1 + 2 and shower 2.5 → 5.5, track; (10, 100): track 0.5, Michel 0.7 → Michel → shower;
      // (200, 200): shower 4; x = 900 is outside the volume; the delta point deposits nothing.
      expect(ev).toEqual([
        [2, 1, 5.5, 2],
        [10, 100, 1.2, 1],
        [200, 200, 4, 1],
      ])
      expect(hits(det.source.event(1))).toEqual([
        [0, 0, 1, 2],
        [255, 255, 2, 2],
      ])
    } finally {
      det.close()
    }
  })

  it('follows the chosen plane, resolution and class mapping', async () => {
    const projection: Projection = { plane: 'xz', resolution: 64, classMap: [1, 2, 0, 1, 0] }
    const det = await openDetector(pilarnet, projection)
    try {
      expect(det.overview).toMatchObject({ width: 64, height: 64, projection })
      // 64 pixels over 768 voxels: 12 voxels a pixel; xz: column = x / 12, row = z / 12.
      // (0, 0): (3,·,0) 1 + (4,·,5) 2 + (5,·,9) 2.5 → track; (0, 25): (300,·,0) 0.5 + (301,·,2) 0.7 → Michel → blank here.
      const ev = hits(det.source.event(0)).map(([r, c, e, l]) => [r, c, Math.round(e * 1e5) / 1e5, l])
      expect(ev).toEqual([
        [0, 0, 5.5, 2],
        [0, 25, 1.2, 0],
        [50, 50, 4, 1],
      ])
    } finally {
      det.close()
    }
  })

  it('projects pure arrays the same way (yz plane)', () => {
    const point = [
      [30, 60, 90, 1, 2, 0, 0, 0],
      [31, 61, 91, 1, 1, 0, 0, 0],
      [32, 62, 92, 1, 4, 0, 0, 0],
    ].flat()
    const cluster = [
      [1, 0, 0, 0, 1],
      [2, 0, 0, 0, 0],
    ].flat()
    const ev = projectPilarnetEvent(point, cluster, { plane: 'yz', resolution: 128, classMap: [1, 2, 1, 1, 0] })
    // 6 voxels a pixel: y 60–62 → column 10, z 90–92 → row 15; track 2 against shower 1 + 4.
    expect(hits(ev)).toEqual([[15, 10, 7, 1]])
  })

  it('bad events are one line naming the file, the event and the problem', async () => {
    const det = await openDetector(pilarnet)
    try {
      expect(() => det.source.event(2)).toThrow(/^pilarnet\.h5: event 2: point has 17 values, not a multiple of 8/)
      expect(() => det.source.event(3)).toThrow(/^pilarnet\.h5: event 3: cluster counts add up to 3 points but point holds 2$/)
    } finally {
      det.close()
    }
  })
})

describe("Quarkade's 2-D HDF5 schema", () => {
  it('round-trips generated events exactly, with the schema attributes h5py-readable', async () => {
    const file = path.join(dir, 'gen.h5')
    const r = await writeLartpcFile(file, { n: 5, seed: 11, size: 64 })
    expect(r.events).toBe(5)
    const h5 = await openH5(file)
    try {
      expect(h5.attributesOf('/')).toEqual({ schema: 'quarkade-lartpc2d', version: 1, classes: ['blank', 'EM shower', 'track'], energy_unit: 'MeV', generator: 'quarkade gen lartpc', seed: 11 })
      expect(h5.info('label')).toMatchObject({ dtype: 'uint8', shape: [5, 64, 64], chunks: [1, 64, 64] })
    } finally {
      h5.close()
    }
    const det = await openDetector(file)
    try {
      expect(det.overview).toMatchObject({ format: 'quarkade', count: 5, width: 64, height: 64 })
      for (const i of [4, 0, 3]) {
        const want = generateEvent(deriveSeed(11, i), { size: 64 })
        const got = det.source.event(i)
        expect(Buffer.from(got.energy.buffer, got.energy.byteOffset, got.energy.byteLength).equals(Buffer.from(want.energy.buffer))).toBe(true)
        expect(Array.from(got.label)).toEqual(Array.from(want.label))
      }
    } finally {
      det.close()
    }
    // h5py reads it too (the schema is for other tools as well).
    const py = spawnSync(process.env.QUARKADE_PYTHON ?? '/usr/bin/python3', ['-c', `import h5py; f = h5py.File(${JSON.stringify(file)}, 'r'); print(f.attrs['schema'].decode(), f['energy'].shape, f['label'].dtype, int(f['label'][2].max()))`], { encoding: 'utf8' })
    expect(py.stdout.trim()).toMatch(/^quarkade-lartpc2d \(5, 64, 64\) uint8 2$/)
  })

  it('refuses newer schema versions, bad labels and files of no detector format, in one line', async () => {
    const write = (name: string, attrs: Record<string, string | number>, labels: number[]): string => {
      const file = path.join(dir, name)
      const w = new H5Writer(
        file,
        [
          { name: 'energy', shape: [1, 2, 2], dtype: 'float32', chunks: [1, 2, 2], compression: 'gzip' },
          { name: 'label', shape: [1, 2, 2], dtype: 'uint8', chunks: [1, 2, 2], compression: 'gzip' },
        ],
        attrs,
      )
      w.dataset('energy').writeRows([0, 1, 2, 0])
      w.dataset('label').writeRows(labels)
      w.close()
      return file
    }
    await expect(openDetector(write('v2.h5', { schema: 'quarkade-lartpc2d', version: 2 }, [0, 1, 2, 0]))).rejects.toThrow(
      /^v2\.h5: written in quarkade-lartpc2d version 2; this Quarkade reads version 1: update Quarkade$/,
    )
    const badLabel = await openDetector(write('badlabel.h5', { schema: 'quarkade-lartpc2d', version: 1 }, [0, 1, 7, 0]))
    expect(() => badLabel.source.event(0)).toThrow(/^badlabel\.h5: event 0: label 7 at row 1, column 0 \(classes are 0…2: blank, EM shower, track\)$/)
    badLabel.close()
    await expect(openDetector(write('plain.h5', {}, [0, 1, 2, 0]))).rejects.toThrow(
      /^plain\.h5: neither a Quarkade LArTPC file \(no root attribute schema = "quarkade-lartpc2d"\) nor PILArNet-M \(no "point" dataset/,
    )
  })

  it('the lartpc data schema recognises all three formats and opens them as events (what the trainer calls)', async () => {
    const schema = dataSchema('lartpc')
    const file = path.join(dir, 'gen.h5')
    for (const [target, count] of [
      [file, 5],
      [pilarnet, 4],
      [path.join(npz, 'good'), 3],
    ] as const) {
      const h5 = target.endsWith('.h5') ? await openH5(target) : null
      try {
        expect(schema.detect(target, h5)).toEqual({ ok: true })
      } finally {
        h5?.close()
      }
      const opened = await schema.openEvents!(target, DEFAULT_PROJECTION)
      expect(opened.source.count).toBe(count)
      opened.close()
    }
    expect(schema.detect(path.join(npz, 'mismatch'), null)).toEqual({ ok: false, problem: 'label0.npy.npz: is 128 × 128 but image0.npy.npz is 256 × 256' })
    expect(dataSchema('jets').detect(path.join(npz, 'good'), null)).toMatchObject({ ok: false, problem: 'good: not an HDF5 file (jet images are HDF5)' })
  })
})

describe('gen lartpc → inspect --json through the real CLI', () => {
  const quarkade = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/quarkade.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  it('writes events in Quarkade schema and inspect names the format of every kind of path', () => {
    const file = path.join(dir, 'cli.h5')
    const gen = quarkade('gen', 'lartpc', '--n', '4', '--out', file, '--seed', '5', '--size', '128', '--json')
    expect(gen.code, gen.stderr).toBe(0)
    expect(JSON.parse(gen.stdout)).toMatchObject({ file, format: 'quarkade', events: 4, width: 128, height: 128, seed: 5 })
    const inspect = quarkade('inspect', file, '--json')
    expect(inspect.code, inspect.stderr).toBe(0)
    const info = JSON.parse(inspect.stdout)
    expect(info.detector).toEqual({ ok: true, format: 'quarkade', format_label: 'Quarkade 2-D LArTPC HDF5', events: 4, width: 128, height: 128, projection: null })
    expect(info.schemas.lartpc).toEqual({ ok: true })
    expect(info.schemas.jets.ok).toBe(false)
    const folder = JSON.parse(quarkade('inspect', path.join(npz, 'good'), '--json').stdout)
    expect(folder).toMatchObject({ kind: 'folder', detector: { ok: true, format: 'npz', events: 3 }, schemas: { lartpc: { ok: true } } })
    expect(folder.detector.first_event_class_pixels).toEqual({ blank: 65532, 'EM shower': 2, track: 2 })
    const pil = JSON.parse(quarkade('inspect', pilarnet, '--json').stdout)
    expect(pil.detector).toMatchObject({ ok: true, format: 'pilarnet', events: 4, projection: DEFAULT_PROJECTION })
    const bad = quarkade('gen', 'lartpc', '--n', '2', '--out', file, '--shuffle')
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe('quarkade: error: --shuffle is for gen jets; gen lartpc writes one gzip chunk per event')
  })
})

describe('detector.open / detector.event through the ApiRouter', () => {
  let services: Services
  beforeAll(() => {
    services = createServices({ dataDir: path.join(dir, 'data'), launcher: childProcessLauncher(), host: 'cli' })
  })
  afterAll(() => services.close())
  const call = (method: string, input: unknown): Promise<unknown> => services.api.handle(method, input)

  it('opens each format and returns an event as base64 arrays with counts and energy range', async () => {
    const o = (await call('detector.open', { path: path.join(npz, 'good') })) as DetectorOverview
    expect(o).toMatchObject({ format: 'npz', formatLabel: 'lartpc_game npz folder (image/label pairs)', count: 3, width: 256, height: 256 })
    const ev = (await call('detector.event', { path: path.join(npz, 'good'), index: 2 })) as { energy: string; label: string; classCounts: number[]; energyMax: number; energyMinPositive: number }
    const energy = new Float32Array(new Uint8Array(Buffer.from(ev.energy, 'base64')).buffer)
    const label = new Uint8Array(Buffer.from(ev.label, 'base64'))
    expect(energy[1 * 256 + 2]).toBe(9.5)
    expect(label[254 * 256 + 0]).toBe(1)
    expect(ev).toMatchObject({ classCounts: [65533, 2, 1], energyMax: 9.5, energyMinPositive: 0.125 })
    const projection: Projection = { plane: 'xy', resolution: 128, classMap: [1, 2, 1, 1, 0] }
    const p = (await call('detector.open', { path: pilarnet, projection })) as DetectorOverview
    expect(p).toMatchObject({ format: 'pilarnet', width: 128, projection })
    const pe = (await call('detector.event', { path: pilarnet, index: 0, projection })) as { width: number; classCounts: number[] }
    expect(pe.width).toBe(128)
    expect(pe.classCounts.reduce((a, b) => a + b, 0)).toBe(128 * 128)
    await expect(call('detector.event', { path: pilarnet, index: 2 })).rejects.toThrow(/^pilarnet\.h5: event 2: point has 17 values/)
    await expect(call('detector.open', { path: path.join(npz, 'lonely') })).rejects.toThrow(/image1\.npy\.npz: has no partner label1\.npy\.npz/)
    await expect(call('detector.open', { path: pilarnet, projection: { plane: 'xw', resolution: 256, classMap: [1, 2, 1, 1, 0] } })).rejects.toThrow(/projection plane must be xy, yz or xz/)
  })

  it('web mode: a folder inside the allowed ones opens; a pair linked from outside them is refused', async () => {
    const allowed = path.join(dir, 'allowed')
    fs.mkdirSync(allowed)
    fs.cpSync(path.join(npz, 'good'), path.join(allowed, 'good'), { recursive: true })
    const web = createServices({
      dataDir: path.join(dir, 'web-data'),
      launcher: childProcessLauncher(),
      host: 'web',
      capabilities: { folders: FolderPolicy.confined({ writeRoots: [], readRoots: [allowed], howToAllow: 'start the host with --allow-dir DIR' }) },
    })
    try {
      expect(await web.api.handle('detector.open', { path: path.join(allowed, 'good') })).toMatchObject({ format: 'npz', count: 3 })
      await expect(web.api.handle('detector.open', { path: path.join(npz, 'good') })).rejects.toThrow(/is outside the folders this host may read/)
      const linked = path.join(allowed, 'linked')
      fs.mkdirSync(linked)
      fs.copyFileSync(path.join(npz, 'good', 'image0.npy.npz'), path.join(linked, 'image0.npy.npz'))
      fs.symlinkSync(path.join(npz, 'good', 'label0.npy.npz'), path.join(linked, 'label0.npy.npz'))
      await expect(web.api.handle('detector.open', { path: linked })).rejects.toThrow(/label0\.npy\.npz is outside the folders this host may read/)
    } finally {
      await web.close()
    }
  })

  // The LArTPC world is registered by the game's branch (issue 10); until both are merged there is no run to check.
  it.skipIf(!findWorld('lartpc'))("a run's detector file is checked before anything is written", async () => {
    const config = resolveRunConfig({ env: 'lartpc', data: { path: path.join(npz, 'mismatch') } })
    await expect(services.files.prepareRunData(config)).rejects.toThrow(/^label0\.npy\.npz: is 128 × 128 but image0\.npy\.npz is 256 × 256$/)
    expect(services.store.listRuns()).toHaveLength(0)
  })
})
