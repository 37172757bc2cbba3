/**
 * What the charts, Compare links and exports rely on: TensorBoard's debiased
 * EMA, run colours that depend on the id alone, Compare links that reopen the
 * same view (and bad ones refused by name), the metrics CSV read whole from a
 * real run store (windows the host never thins), and a model downloaded in
 * pieces and zipped — byte for byte the files of the run's checkpoint.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveRunConfig, type RunSummary } from '../../src/shared/api'
import { createServices, type Services } from '../../src/main/services'
import { childProcessLauncher } from '../../src/main/services/launcher'
import { MODEL_CHUNK_BYTES } from '../../src/main/services/models'
import { writeModelFolder } from '../../src/main/trainer/model-files'
import { emaSmooth } from '../../src/renderer/src/lib/metrics'
import { RUN_PALETTE, runColour } from '../../src/renderer/src/lib/run-colours'
import { decodeCompareLink, encodeCompareLink } from '../../src/renderer/src/lib/compare-link'
import { readSmoothing, DEFAULT_SMOOTHING, MAX_SMOOTHING } from '../../src/renderer/src/lib/chart-options'
import { CSV_HEADER, CSV_WINDOW_STEPS, csvField, metricsCsvParts } from '../../src/renderer/src/lib/metrics-csv'
import { modelZipParts } from '../../src/renderer/src/lib/model-zip'
import { axisTitle } from '../../src/renderer/src/run-kinds/rl/metrics'
import { AGENT_RUN_METRICS, ROLLING_WINDOW } from '../../src/core/agent'

describe('smoothing (TensorBoard’s debiased EMA)', () => {
  it('is the identity at weight 0 and debiases the start', () => {
    expect(emaSmooth([3, 1, 4], 0)).toEqual([3, 1, 4])
    // Without debiasing the first value would be 0.5; with it, the first smoothed value is the first value.
    const s = emaSmooth([1, 2, 3], 0.5) as number[]
    expect(s[0]).toBeCloseTo(1, 12)
    expect(s[1]).toBeCloseTo(1.25 / 0.75, 12)
    expect(s[2]).toBeCloseTo(2.125 / 0.875, 12)
  })

  it('keeps a constant series constant at any weight', () => {
    for (const w of [0.3, 0.6, 0.9, 0.99]) for (const v of emaSmooth(Array(50).fill(7), w)) expect(v).toBeCloseTo(7, 10)
  })

  it('skips gaps (another run’s steps) without counting them', () => {
    const s = emaSmooth([1, null, 3, NaN], 0.5)
    expect(s[0]).toBeCloseTo(1, 12)
    expect(s[1]).toBeNull()
    expect(s[2]).toBeCloseTo((0.25 + 1.5) / 0.75, 12)
    expect(s[3]).toBeNaN()
  })

  it('reads a stored weight within [0, 0.99], the default otherwise', () => {
    expect(readSmoothing(null)).toBe(DEFAULT_SMOOTHING)
    expect(readSmoothing('abc')).toBe(DEFAULT_SMOOTHING)
    expect(readSmoothing('0.25')).toBe(0.25)
    expect(readSmoothing('5')).toBe(MAX_SMOOTHING)
    expect(readSmoothing('-1')).toBe(0)
  })
})

describe('run colours', () => {
  it('depend on the run id alone: the same in every view, different for neighbours', () => {
    expect(runColour(7)).toBe(runColour(7))
    expect(runColour(1)).toBe(RUN_PALETTE[0])
    for (let id = 1; id < 200; id++) {
      expect(runColour(id)).not.toBe(runColour(id + 1))
      expect(RUN_PALETTE).toContain(runColour(id))
    }
    // Four consecutive runs compared: four colours.
    expect(new Set([12, 13, 14, 15].map(runColour)).size).toBe(4)
  })
})

describe('axis titles', () => {
  it('state the unit, and the window of a rolling value', () => {
    const win = AGENT_RUN_METRICS.find((m) => m.key === 'win_rate')!
    expect(axisTitle([win])).toBe(`win rate (last ${ROLLING_WINDOW} episodes)`)
    expect(axisTitle([win], 'game')).toBe(`win rate (last ${ROLLING_WINDOW} games)`)
    expect(axisTitle([AGENT_RUN_METRICS.find((m) => m.key === 'episode_length')!])).toBe('episode length (steps)')
    expect(axisTitle([{ key: 'loss', label: 'Loss', group: 'learning' }])).toBe('loss')
  })
})

describe('Compare links', () => {
  it('round-trip the runs and chart options', () => {
    const link = { runs: [12, 3, 40], smoothing: 0.85, logY: { Loss: true, 'Validation loss per epoch': false } }
    const hash = encodeCompareLink(link)
    expect(hash.startsWith('#/runs?compare=12,3,40&')).toBe(true)
    expect(decodeCompareLink(hash)).toEqual(link)
    expect(decodeCompareLink(encodeCompareLink({ runs: [1, 2], logY: {} }))).toEqual({ runs: [1, 2], logY: {} })
  })

  it('are told apart from other addresses, and bad ones are refused by name', () => {
    expect(decodeCompareLink('#/runs')).toBeNull()
    expect(decodeCompareLink('#/runs/4')).toBeNull()
    expect(decodeCompareLink('#/train?compare=1,2')).toBeNull()
    expect(decodeCompareLink('#/runs?compare=3')).toEqual({ problem: 'a Compare link names 2 to 4 runs; this one names 1' })
    expect(decodeCompareLink('#/runs?compare=1,2,3,4,5')).toEqual({ problem: 'a Compare link names 2 to 4 runs; this one names 5' })
    expect(decodeCompareLink('#/runs?compare=1,x2')).toEqual({ problem: '"x2" in the Compare link is not a run number' })
    expect(decodeCompareLink('#/runs?compare=5,5')).toEqual({ problem: 'a Compare link names 2 to 4 different runs' })
    // A smoothing out of range is ignored: the runs still open.
    expect(decodeCompareLink('#/runs?compare=1,2&smooth=7')).toEqual({ runs: [1, 2], logY: {} })
  })
})

let dataDir: string
let services: Services
let long: RunSummary
let named: RunSummary
const LONG_STEPS = 2 * CSV_WINDOW_STEPS + 1

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-charts-export-'))
  services = createServices({ dataDir, launcher: childProcessLauncher(), host: 'web' })
  long = services.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn' }))
  named = services.store.createRun(resolveRunConfig({ env: 'catch', algo: 'dqn', name: 'Catch, "wide" net' }))
  services.store.db
    .prepare(
      `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${LONG_STEPS})
       INSERT INTO metrics (run_id, key, step, value, time)
       SELECT ?, 'loss', n, 1.0 / n, n FROM s UNION ALL SELECT ?, 'return', n, n % 7, n FROM s`,
    )
    .run(long.id, long.id)
  services.store.writeBatch(named.id, { metrics: [{ key: 'win_rate', step: 1, value: 0.5, time: 0 }, { key: 'win_rate', step: 2, value: 0.25, time: 0 }], episodes: [], progress: null })
}, 60_000)

afterAll(async () => {
  await services.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('metrics CSV', () => {
  it('quotes what needs quoting (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a, b')).toBe('"a, b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField(NaN)).toBe('')
  })

  it('holds every recorded point of long runs (never the chart’s thinned series), one row per run, step and key', async () => {
    const parts = await metricsCsvParts(
      [
        { id: long.id, name: long.name, lastStep: LONG_STEPS },
        { id: named.id, name: named.name, lastStep: 2 },
      ],
      (q) => services.api.handle('runs.metrics', q) as never,
    )
    const csv = parts.join('')
    expect(csv.startsWith(CSV_HEADER)).toBe(true)
    const lines = csv.trimEnd().split('\n').slice(1)
    expect(lines).toHaveLength(2 * LONG_STEPS + 2)
    const loss = lines.filter((l) => l.startsWith(`${long.id},`) && l.includes(',loss,'))
    expect(loss).toHaveLength(LONG_STEPS)
    expect(loss.map((l) => Number(l.split(',')[2]))).toEqual(Array.from({ length: LONG_STEPS }, (_, i) => i + 1))
    expect(lines.find((l) => l.includes(`,${CSV_WINDOW_STEPS + 1},return,`))).toBe(`${long.id},${long.name},${CSV_WINDOW_STEPS + 1},return,${(CSV_WINDOW_STEPS + 1) % 7}`)
    expect(lines.slice(-2)).toEqual([`${named.id},"Catch, ""wide"" net",1,win_rate,0.5`, `${named.id},"Catch, ""wide"" net",2,win_rate,0.25`])
  }, 60_000)
})

describe('model download (web mode)', () => {
  it('zips the newest checkpoint’s model.json and weights.bin byte for byte, in pieces of at most 4 MiB', async () => {
    const folder = path.join(dataDir, 'wide-model')
    await tf.setBackend('cpu')
    // 100 → 1000 → 1000 → 3: ~4.4 MB of weights, more than one piece.
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [100], units: 1000, activation: 'relu' }), tf.layers.dense({ units: 1000, activation: 'relu' }), tf.layers.dense({ units: 3 })],
    })
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeModelFolder(folder, artifacts)
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      }),
    )
    model.dispose()
    const run = (await services.api.handle('models.import', { dir: folder, env: 'catch' })) as RunSummary
    const pieces: number[] = []
    const call = async (m: string, input: unknown): Promise<never> => {
      const out = (await services.api.handle(m as never, input)) as { data?: string }
      if (out.data !== undefined) pieces.push(Buffer.from(out.data, 'base64').length)
      return out as never
    }
    const seen: number[] = []
    const zip = await modelZipParts(run.id, call, (done) => seen.push(done))
    const weights = fs.readFileSync(path.join(folder, 'weights.bin'))
    expect(weights.length).toBeGreaterThan(MODEL_CHUNK_BYTES)
    expect(Math.max(...pieces)).toBeLessThanOrEqual(MODEL_CHUNK_BYTES)
    expect(pieces.length).toBeGreaterThanOrEqual(3)
    const files = unzipSync(new Uint8Array(Buffer.concat(zip.parts)))
    expect(Object.keys(files).sort()).toEqual(['model.json', 'weights.bin'])
    const checkpointDir = services.store.checkpoints(run.id).at(-1)!.path
    expect(Buffer.from(files['weights.bin']).equals(fs.readFileSync(path.join(checkpointDir, 'weights.bin')))).toBe(true)
    expect(Buffer.from(files['model.json']).equals(fs.readFileSync(path.join(checkpointDir, 'model.json')))).toBe(true)
    expect(seen.at(-1)).toBe(zip.bytes)
    // The files load as the tfjs model they are.
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        ...JSON.parse(Buffer.from(files['model.json']).toString('utf8')),
        weightSpecs: JSON.parse(Buffer.from(files['model.json']).toString('utf8')).weightsManifest[0].weights,
        weightData: files['weights.bin'].slice().buffer,
      }),
    )
    expect(loaded.outputs[0].shape).toEqual([null, 3])
    loaded.dispose()
  }, 120_000)

  it('names the problem for a run without a model and for a checkpoint that is gone', async () => {
    await expect(services.api.handle('runs.modelFiles', { id: named.id })).rejects.toThrow(/has no saved model yet/)
    await expect(services.api.handle('runs.modelChunk', { id: named.id, checkpoint: 5, file: 'weights.bin', offset: 0 })).rejects.toThrow(/has no checkpoint after 5 episodes/)
    await expect(services.api.handle('runs.modelChunk', { id: named.id, checkpoint: 0, file: '../x', offset: 0 })).rejects.toThrow()
  })
})
