/**
 * Crafted files and bad settings (issue 9, items 4 and 9): each input below once grew a process by
 * gigabytes, hung it, wrote a run for a bad model, or printed a raw JavaScript message. Each now
 * fails (or succeeds on a bounded sample) with one short line, in a process whose peak memory the
 * test measures (child processes preloaded with report-max-rss.mjs), and writes nothing.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { H5Writer } from '../../src/main/h5/writer'
import { writeJetFile } from '../../src/main/h5/write-jets'
import { MAX_SUMMARY_VALUES } from '../../src/main/services/files'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { writeModelFolder } from '../../src/main/trainer/model-files'
import { backendProblem } from '../../src/main/trainer/backend-probe'
import { readTrackFile } from '../../src/core/racer/track'
import { userMessage } from '../../src/shared/user-message'

const root = path.resolve(import.meta.dirname, '../..')
const RSS_PRELOAD = pathToFileURL(path.join(root, 'test/fixtures/report-max-rss.mjs')).href
const API_CALL = path.join(root, 'test/fixtures/api-call.mjs')
/**
 * Peak memory allowed: a tsx-started CLI needs ~100 MB, one that loads h5wasm ~700 MB (its wasm
 * heap); the bugs took 3–12 GB.
 */
const MAX_RSS_MB = 300
const MAX_H5_RSS_MB = 1000

/** Whether tfjs-node-gpu loads on this machine (then there is no failure to test). */
const nodeGpuLoads = (await backendProblem('node-gpu')) === null

let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bounded-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let children = 0
/** Runs node with the peak-memory preload; returns its output and peak RSS in MB. */
function child(args: string[]): { code: number | null; stdout: string; stderr: string; maxRssMb: number } {
  const rssFile = path.join(dir, `rss-${++children}`)
  const r = spawnSync(process.execPath, ['--import', RSS_PRELOAD, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, QUARKADE_MAX_RSS_FILE: rssFile },
  })
  const maxRssMb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) / 1024 : Infinity
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, maxRssMb }
}

/** The real CLI. */
const quarkade = (...args: string[]): ReturnType<typeof child> => child([path.join(root, 'bin/quarkade.mjs'), ...args])

type CallResult = { ok: boolean; output?: Record<string, unknown>; error?: string }

/** API calls through the real services, in one process of their own; with its peak RSS in MB. */
function apiCalls(...calls: [string, unknown][]): { results: CallResult[]; maxRssMb: number } {
  const r = child([API_CALL, path.join(dir, 'api-data'), JSON.stringify(calls)])
  expect(r.code, r.stderr).toBe(0)
  return { results: JSON.parse(r.stdout.trim().split('\n').pop()!) as CallResult[], maxRssMb: r.maxRssMb }
}

/** The one stderr line of a failed CLI command. */
function oneErrorLine(r: { stderr: string }): string {
  const lines = r.stderr.trim().split('\n').filter((l) => !/npm warn/.test(l))
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^quarkade: error: /)
  return lines[0]
}

const freshDataDir = (): string => path.join(dir, `data-${Math.random().toString(36).slice(2)}`)

/**
 * A jet file in the CMS schema claiming `events` events of which none were written (chunks never
 * stored read as fill values): ~1.8 KB on disk, by the project's own writer.
 */
function claimingJetFile(file: string, events: number): void {
  const w = new H5Writer(file, [
    { name: 'X_jets', shape: [events, 125, 125, 3], dtype: 'float32', chunks: [1, 125, 125, 3], compression: 'gzip' },
    { name: 'm0', shape: [events], dtype: 'float32', chunks: [65536], compression: 'gzip' },
    { name: 'pt', shape: [events], dtype: 'float32', chunks: [65536], compression: 'gzip' },
    { name: 'y', shape: [events], dtype: 'float32', chunks: [65536], compression: 'gzip' },
  ])
  w.close()
}

/**
 * Rewrites every deflate filter of a file to zstd (HDF5 filter 32015), whose expansion has no useful
 * bound: the file then passes the size check and only bounded reads keep memory low.
 */
function deflateToZstd(file: string): void {
  const bytes = fs.readFileSync(file)
  const name = Buffer.from('deflate\0')
  let at = bytes.indexOf(name)
  let patched = 0
  while (at >= 0) {
    expect(bytes.readUInt16LE(at - 8)).toBe(1) // the pipeline's filter id, 8 bytes before its name
    bytes.writeUInt16LE(32015, at - 8)
    patched++
    at = bytes.indexOf(name, at + 1)
  }
  expect(patched).toBeGreaterThan(0)
  fs.writeFileSync(file, bytes)
}

describe('crafted HDF5 files', () => {
  let crafted: string
  let zstd: string
  beforeAll(() => {
    crafted = path.join(dir, 'claims-200M.h5')
    claimingJetFile(crafted, 200_000_000)
    zstd = path.join(dir, 'claims-200M-zstd.h5')
    claimingJetFile(zstd, 200_000_000)
    deflateToZstd(zstd)
  })

  it('a 1.8 KB file claiming 200 M events fails the jets check, and jets.summary, in bounded memory', () => {
    expect(fs.statSync(crafted).size).toBeLessThan(2048)
    const { results, maxRssMb } = apiCalls(['files.open', { path: crafted }], ['jets.summary', { path: crafted }])
    const [open, summary] = results
    expect(open.ok).toBe(true)
    const jets = open.output!.jets as { ok: boolean; problem?: string }
    expect(jets.ok).toBe(false)
    expect(jets.problem).toMatch(/X_jets claims \(200000000, 125, 125, 3\) float32 \(34\.1 TiB\) but the file is only 1\.8 KiB/)
    expect(summary.ok).toBe(false)
    expect(summary.error).toMatch(/claims .* but the file is only 1\.8 KiB and gzip expands data at most 1100×/)
    expect(summary.error!.length).toBeLessThan(400)
    expect(maxRssMb).toBeLessThan(MAX_H5_RSS_MB)
  })

  it('files.histogram on a dataset claiming 4e8 values is refused, uncompressed or gzip, in bounded memory', () => {
    const files = (['none', 'gzip'] as const).map((compression) => {
      const file = path.join(dir, `claims-4e8-${compression}.h5`)
      new H5Writer(file, [{ name: 'values', shape: [400_000_000], dtype: 'float64', chunks: [1 << 20], compression }]).close()
      return file
    })
    const { results, maxRssMb } = apiCalls(...files.map((file): [string, unknown] => ['files.histogram', { path: file, dataset: '/values', bins: 20 }]))
    expect(results[0].ok).toBe(false)
    expect(results[0].error).toMatch(/\/values claims \(400000000,\) float64 \(3\.0 GiB\) .* it is stored uncompressed/)
    expect(results[1].ok).toBe(false)
    expect(results[1].error).toMatch(/\/values claims .* gzip expands data at most 1100×/)
    expect(maxRssMb).toBeLessThan(MAX_H5_RSS_MB)
  })

  it('a file whose compression has no expansion bound is summarised from a bounded sample', () => {
    const { results, maxRssMb } = apiCalls(
      ['files.open', { path: zstd }],
      ['jets.summary', { path: zstd, bins: 10 }],
      ['files.histogram', { path: zstd, dataset: '/pt', bins: 10 }],
      ['jets.event', { path: zstd, index: 199_999_999 }],
    )
    const [open, summary, h, event] = results
    expect(open.output!.jets).toMatchObject({ ok: true, events: 200_000_000 })
    expect(summary.ok, summary.error).toBe(true)
    const s = summary.output as { events: number; sampled: number; quarks: number; gluons: number; m0: { quark: number[] } }
    expect(s.events).toBe(200_000_000)
    expect(s.sampled).toBe(MAX_SUMMARY_VALUES)
    // Unwritten chunks read as 0: every sampled event is a "quark" with m0 = 0.
    expect(s.quarks + s.gluons).toBe(MAX_SUMMARY_VALUES)
    expect(s.m0.quark.reduce((a, b) => a + b, 0)).toBe(MAX_SUMMARY_VALUES)
    expect(h.ok, h.error).toBe(true)
    expect(h.output).toMatchObject({ sampled: MAX_SUMMARY_VALUES, count: MAX_SUMMARY_VALUES })
    expect(event.ok, event.error).toBe(true)
    expect(event.output).toMatchObject({ index: 199_999_999, m0: 0, y: 0 })
    expect(maxRssMb).toBeLessThan(MAX_H5_RSS_MB)
  })

  it('a small, real file is still summarised whole (no sampled field)', async () => {
    const file = path.join(dir, 'real.h5')
    await writeJetFile(file, { n: 30, seed: 2, compression: 'gzip', chunkRows: 4 })
    const services = createServices({ dataDir: path.join(dir, 'inproc'), launcher: childProcessLauncher(), host: 'cli' })
    try {
      const s = (await services.api.handle('jets.summary', { path: file, bins: 5 })) as Record<string, unknown>
      expect(s).toMatchObject({ events: 30 })
      expect(s.sampled).toBeUndefined()
      expect((s.quarks as number) + (s.gluons as number)).toBe(30)
      const h = (await services.api.handle('files.histogram', { path: file, dataset: '/m0', bins: 5 })) as Record<string, unknown>
      expect(h).toMatchObject({ count: 30 })
      expect(h.sampled).toBeUndefined()
    } finally {
      await services.close()
    }
  })

  it('`train --data` with the crafted file, a file that is not HDF5, or the wrong channel count, fails before writing anything', async () => {
    const notH5 = path.join(dir, 'notes.txt')
    fs.writeFileSync(notH5, 'not an HDF5 file\n')
    const real = path.join(dir, 'real-3ch.h5')
    await writeJetFile(real, { n: 10, seed: 4, compression: 'gzip', chunkRows: 1 })
    for (const [file, extra, message] of [
      [crafted, [], /X_jets claims .* but the file is only 1\.8 KiB/],
      [notH5, [], /notes\.txt.*is not an HDF5 file/],
      [real, ['--channels', 'Track,ECAL'], /real-3ch\.h5: 2 channel names given for images with 3 channels/],
    ] as const) {
      const fresh = freshDataDir()
      const r = quarkade('train', '--env', 'jets', '--algo', 'vae', '--data', file, ...extra, '--epochs', '1', '--data-dir', fresh)
      expect(r.code).toBe(2)
      expect(oneErrorLine(r)).toMatch(message)
      expect(fs.existsSync(fresh)).toBe(false)
      expect(r.maxRssMb).toBeLessThan(MAX_H5_RSS_MB)
    }
    // The API refuses the same before creating a run.
    const { results } = apiCalls(['runs.start', { env: 'jets', algo: 'vae', data: { path: real, channels: ['a'] } }], ['runs.list', {}])
    expect(results[0]).toMatchObject({ ok: false, error: 'real-3ch.h5: 1 channel name given for images with 3 channels' })
    expect(results[1].output).toEqual([])
  })
})

describe('crafted track files', () => {
  it('`lw 0 0 10000000 0` is clipped to the grid: one short error naming the line', () => {
    const { problems } = readTrackFile('3\nlw 0 0 10000000 0\nr 1 1\ng 9 9')
    const errors = problems.filter((p) => p.severity === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0].line).toBe(2)
    expect(errors[0].message).toBe('"lw 0 0 10000000 0" draws wall pixels off the 11×11 grid: (9999999,0) … (9999989 in all)')
  })

  it.each([
    ['a huge half circle', 'hc 5 5 100000000 e', /"hc" radius 100000000 does not fit any track \(at most 128\)/],
    ['a 400-digit coordinate', `lw 0 0 ${'9'.repeat(400)} 0`, /"lw" argument "9{40}…" is too large for any track \(at most 9 digits\)/],
    ['a 1 MB primitive name', `${'x'.repeat(1_000_000)} 1 2`, /unknown primitive "x{40}…"/],
  ])('%s gets a short message', (_what, line, message) => {
    const { problems } = readTrackFile(`3\n${line}\nr 1 1\ng 9 9`)
    const error = problems.find((p) => p.severity === 'error')!
    expect(error.line).toBe(2)
    expect(error.message).toMatch(message)
    expect(error.message.length).toBeLessThan(120)
  })

  it('a file past the size limit is refused without being parsed', () => {
    const { track, problems } = readTrackFile('1\n' + 'r 1 1\n'.repeat(400_000))
    expect(track).toBeNull()
    expect(problems[0].message).toMatch(/a track file has at most/)
  })

  it('the CLI refuses the 33-byte file with one short line, in bounded memory, writing nothing', () => {
    const file = path.join(dir, 'long-line.txt')
    fs.writeFileSync(file, '3\nlw 0 0 10000000 0\nr 1 1\ng 9 9\n')
    const fresh = freshDataDir()
    const r = quarkade('train', '--env', 'racer', '--track', file, '--algo', 'qtable', '--data-dir', fresh)
    expect(r.code).toBe(2)
    const line = oneErrorLine(r)
    expect(line).toContain('line 2: "lw 0 0 10000000 0" draws wall pixels off the 11×11 grid')
    expect(line.length).toBeLessThan(300)
    expect(fs.existsSync(fresh)).toBe(false)
    expect(r.maxRssMb).toBeLessThan(MAX_RSS_MB)
  })
})

describe('model import trusts nothing in the folder', () => {
  let services: Services
  let good: string
  beforeAll(async () => {
    services = createServices({ dataDir: path.join(dir, 'models-data'), launcher: childProcessLauncher(), host: 'cli' })
    good = path.join(dir, 'good-model')
    await tf.setBackend('cpu')
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [100], units: 8, activation: 'relu' }), tf.layers.dense({ units: 3 })] })
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeModelFolder(good, artifacts)
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      }),
    )
    model.dispose()
  })
  afterAll(async () => services.close())

  /** A copy of the good folder with its manifest (and files) changed. */
  function variant(name: string, change: (json: { weightsManifest: { paths: string[]; weights: Record<string, unknown>[] }[]; modelTopology: unknown }, folder: string) => void): string {
    const folder = path.join(dir, name)
    fs.cpSync(good, folder, { recursive: true })
    const file = path.join(folder, 'model.json')
    const json = JSON.parse(fs.readFileSync(file, 'utf8'))
    change(json, folder)
    fs.writeFileSync(file, JSON.stringify(json))
    return folder
  }

  const importing = (folder: string): Promise<unknown> => services.api.handle('models.import', { dir: folder, env: 'catch' })

  it('imports a good folder', async () => {
    const run = (await importing(good)) as { status: string; config: { params: { hidden: number[] } } }
    expect(run.status).toBe('completed')
    expect(run.config.params.hidden).toEqual([8])
  })

  it.each([
    ['a path out of the folder', (j: any) => (j.weightsManifest[0].paths = ['../../../../../../etc/passwd']), /weight file "\.\.\/.*etc\/passwd" is outside the model folder/],
    ['an absolute path', (j: any) => (j.weightsManifest[0].paths = ['/dev/zero']), /weight file "\/dev\/zero" is outside the model folder/],
    [
      'a link to a device',
      (j: any, folder: string) => {
        fs.rmSync(path.join(folder, 'weights.bin'))
        fs.symlinkSync('/dev/zero', path.join(folder, 'weights.bin'))
      },
      /weight file "weights\.bin" is not a regular file/,
    ],
    [
      'short weights',
      (_j: any, folder: string) => fs.truncateSync(path.join(folder, 'weights.bin'), fs.statSync(path.join(folder, 'weights.bin')).size - 4),
      /weight files hold 3336 bytes but its weight specs need 3340: the weights are short/,
    ],
    ['a [1e5, 1e5] shape', (j: any) => (j.weightsManifest[0].weights[0].shape = [100000, 100000]), /weight ".*" has shape \[100000, 100000\] \(40000000000 bytes\), more than the 1073741824 a model may have/],
    ['complex128 weights', (j: any) => (j.weightsManifest[0].weights[0].dtype = 'complex128'), /has dtype "complex128"; Quarkade reads float32 and int32 weights only/],
    ['a layer without config', (j: any) => (j.modelTopology.config.layers[0] = { class_name: 'Dense' }), /model\.json has a layer without class_name and config/],
  ])('refuses %s with one clear line and writes no run', async (name, change, message) => {
    const folder = variant(name.replace(/\W+/g, '-'), change as never)
    const before = services.store.listRuns().length
    const error = await importing(folder).then(
      () => null,
      (e: Error) => e,
    )
    expect(error?.message).toMatch(message)
    expect(error?.message).not.toMatch(/\n|TypeError|Cannot read/)
    expect(services.store.listRuns().length).toBe(before)
  })

  it('the CLI refuses a manifest naming ../../etc/passwd and writes no run', () => {
    const folder = variant('cli-passwd', (j) => (j.weightsManifest[0].paths = ['../../etc/passwd']))
    const data = freshDataDir()
    const r = quarkade('import', '--model', folder, '--env', 'catch', '--data-dir', data, '--json')
    expect(r.code).toBe(2)
    expect(oneErrorLine(r)).toMatch(/"\.\.\/\.\.\/etc\/passwd" is outside the model folder/)
    const runs = quarkade('runs', '--data-dir', data, '--json')
    expect(JSON.parse(runs.stdout)).toEqual([])
    expect(fs.existsSync(path.join(data, 'checkpoints', 'run-1'))).toBe(false)
  })
})

describe('bad settings fail before anything is written', () => {
  it.each([
    [['--set', 'memory_size=5000000'], 'memory_size 5000000 needs 3.8 GiB of replay memory for states of 100 values (at most 1.0 GiB): set memory_size to at most 1327245, or fewer nb_frames'],
    [['--set', 'memory_size=20000000'], 'memory_size must be at most 10000000'],
    [['--seed', '-3'], 'seed must be ≥ 0'],
    [['--episodes', '-3'], 'episodes must be at least 1'],
    [['--set', 'lr=-1'], 'lr must be greater than 0'],
    [['--checkpoint-every', '-1'], 'checkpoint_every must be ≥ 0'],
  ])('train %j: one line with the real reason', (args, message) => {
    const fresh = freshDataDir()
    const r = quarkade('train', '--env', 'catch', '--algo', 'dqn', ...args, '--data-dir', fresh)
    expect(r.code).toBe(2)
    expect(oneErrorLine(r)).toContain(message)
    expect(fs.existsSync(fresh)).toBe(false)
  })

  it('gen jets --n -5 names the flag, not "ambiguous"', () => {
    const r = quarkade('gen', 'jets', '--n', '-5', '--out', path.join(dir, 'neg.h5'))
    expect(r.code).toBe(2)
    expect(oneErrorLine(r)).toContain('--n must be at least 1, got -5')
  })

  // Where tfjs-node-gpu does load (a CUDA machine), forcing it is fine and there is nothing to refuse.
  it.skipIf(nodeGpuLoads)('--backend node-gpu where it cannot load: one line, no run, no database (CLI and runs.start)', () => {
    const unavailable = /backend "node-gpu" is not available on this machine \(.*\); install @tensorflow\/tfjs-node-gpu with CUDA, or choose "auto"/
    const fresh = freshDataDir()
    const r = quarkade('train', '--env', 'catch', '--algo', 'dqn', '--backend', 'node-gpu', '--episodes', '5', '--data-dir', fresh)
    expect(r.code).toBe(2)
    expect(oneErrorLine(r)).toMatch(unavailable)
    expect(fs.existsSync(fresh)).toBe(false)
    const { results } = apiCalls(['runs.start', { env: 'catch', algo: 'dqn', backend: 'node-gpu', episodes: 5 }], ['runs.list', {}])
    expect(results[0].ok).toBe(false)
    expect(results[0].error).toMatch(unavailable)
    expect(results[1].output).toEqual([])
  })
})

describe('engine errors are not shown raw', () => {
  const caught = (fn: () => unknown): unknown => {
    try {
      fn()
    } catch (e) {
      return e
    }
    throw new Error('expected a throw')
  }

  it('a TypeError or V8 RangeError becomes one plain line; the detail goes to the log', () => {
    const logged: string[] = []
    const typeError = caught(() => (JSON.parse('null') as { x: { y: number } }).x.y)
    expect(userMessage(typeError, 'runs.start', (t) => logged.push(t))).toBe('runs.start: an internal error stopped this (TypeError); the details are in the log')
    expect(logged[0]).toMatch(/Cannot read properties of null/)
    const rangeError = caught(() => new Array(-1))
    expect(userMessage(rangeError, undefined, () => {})).toBe('not enough memory for this request (the input is too large)')
  })

  it('our own messages pass through, cut to one line', () => {
    expect(userMessage(new RangeError('batch size must be a positive integer, got 0'))).toBe('batch size must be a positive integer, got 0')
    expect(userMessage(new Error('a\n  b'))).toBe('a b')
    expect(userMessage(new Error('x'.repeat(10_000))).length).toBeLessThanOrEqual(501)
  })
})
