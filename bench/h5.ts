/**
 * HDF5 benches (wired into bench/run.ts by the lead):
 *   h5_event_read_ms        median time to read one random event of X_jets (200 reads)
 *   h5_stream_events_per_s  sequential training batches of 256, events per second
 * Each returns one result per file: with `dataFile` that file; otherwise temporary files of 2000
 * events: one written by h5py (gzip, chunks (1, 125, 125, 3)) when /usr/bin/python3 has h5py, and
 * ours: gzip and gzip + shuffle (same chunks), and uncompressed contiguous (~375 MB). Every result
 * carries `compression`, `file`, `events` and `chunks`, and — measured in the same run on the same
 * file by bench/baselines/h5py_read.py — h5py's figure and the ratio (h5py's time / ours for reads,
 * ours / h5py's for streams: ≥ 1 means at least as fast as h5py).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Rng } from '../src/core/rng'
import { JetDataset } from '../src/main/h5/jets'
import { writeJetFile } from '../src/main/h5/write-jets'
import { median, now, round, type BenchResult } from './util'

export interface H5BenchOptions {
  dataFile?: string
}

const EVENTS = 2000
const PYTHON = process.env.QUARKADE_PYTHON ?? '/usr/bin/python3'
const BASELINE = path.join(import.meta.dirname, 'baselines', 'h5py_read.py')
let tempFiles: Promise<string[]> | null = null

/** h5py's figures on one file (bench/baselines/h5py_read.py), or null without python3 + h5py. */
function h5pyBaseline(file: string): { h5py_event_read_ms_median: number; h5py_stream_events_per_s: number } | null {
  const r = spawnSync(PYTHON, [BASELINE, file], { encoding: 'utf8', timeout: 600_000 })
  if (r.status !== 0) return null
  return JSON.parse(r.stdout.trim().split('\n').pop()!)
}

/** The synthetic files, made once per process and removed when it exits. */
function syntheticFiles(): Promise<string[]> {
  tempFiles ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bench-h5-'))
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
    const gzip = path.join(dir, 'jets-gzip.h5')
    const shuffled = path.join(dir, 'jets-gzip-shuffle.h5')
    const none = path.join(dir, 'jets-none.h5')
    const byH5py = path.join(dir, 'jets-h5py-gzip.h5')
    const wrote = spawnSync(PYTHON, [BASELINE, '--write-jets', byH5py, String(EVENTS)], { encoding: 'utf8', timeout: 600_000 })
    await writeJetFile(gzip, { n: EVENTS, seed: 1, compression: 'gzip', chunkRows: 1 })
    await writeJetFile(shuffled, { n: EVENTS, seed: 1, compression: 'gzip', shuffle: true, chunkRows: 1 })
    await writeJetFile(none, { n: EVENTS, seed: 1, compression: 'none', layout: 'contiguous' })
    return wrote.status === 0 ? [byH5py, gzip, shuffled, none] : [gzip, shuffled, none]
  })()
  return tempFiles
}

async function filesFor(opts: H5BenchOptions): Promise<string[]> {
  return opts.dataFile ? [path.resolve(opts.dataFile)] : syntheticFiles()
}

function describe(ds: JetDataset): Record<string, unknown> {
  const info = ds.file.info(ds.schema.datasets.X_jets)
  const c = info.compression
  const compression = c.kind === 'gzip' ? `gzip${c.shuffle ? '+shuffle' : ''}` : c.kind
  return { compression, file: path.basename(ds.file.path), events: ds.events, chunks: info.chunks, file_bytes: fs.statSync(ds.file.path).size }
}

export const h5Benches: Record<string, (opts: H5BenchOptions) => Promise<BenchResult | BenchResult[]>> = {
  async h5_event_read_ms(opts) {
    const out: BenchResult[] = []
    for (const file of await filesFor(opts)) {
      const ds = await JetDataset.open(file)
      try {
        const rng = new Rng(7)
        for (let k = 0; k < 10; k++) ds.event(rng.int(0, ds.events)) // warm up
        const times: number[] = []
        for (let k = 0; k < 200; k++) {
          const i = rng.int(0, ds.events)
          const t0 = now()
          ds.event(i)
          times.push(now() - t0)
        }
        times.sort((a, b) => a - b)
        const ours = median(times)
        const peer = h5pyBaseline(file)
        const vsH5py = peer ? { h5py_ms: peer.h5py_event_read_ms_median, speed_vs_h5py: round(peer.h5py_event_read_ms_median / ours) } : { h5py_ms: null }
        out.push({ value: round(ours), unit: 'ms', median: round(ours), p90: round(times[Math.floor(times.length * 0.9)]), reads: times.length, ...vsH5py, ...describe(ds) })
      } finally {
        ds.close()
      }
    }
    return out
  },

  async h5_stream_events_per_s(opts) {
    const out: BenchResult[] = []
    for (const file of await filesFor(opts)) {
      const ds = await JetDataset.open(file)
      try {
        const limit = Math.min(ds.events, 20_000) // a big real file: the first 20k events are enough
        const pass = async (shuffle: boolean): Promise<number> => {
          const t0 = now()
          let n = 0
          for await (const b of ds.batches(256, { end: limit, shuffle, seed: 1 })) n += b.size
          return n / ((now() - t0) / 1000)
        }
        await pass(false) // warm up (page cache, JIT)
        const runs = [await pass(false), await pass(false)]
        const shuffled = await pass(true)
        const value = round(median(runs))
        const peer = h5pyBaseline(file)
        const vsH5py = peer ? { h5py_events_per_s: peer.h5py_stream_events_per_s, speed_vs_h5py: round(median(runs) / peer.h5py_stream_events_per_s) } : { h5py_events_per_s: null }
        out.push({ value, unit: 'events/s', median: value, runs: runs.map((r) => round(r)), shuffled_events_per_s: round(shuffled), batch_size: 256, events_read: limit, ...vsH5py, ...describe(ds) })
      } finally {
        ds.close()
      }
    }
    return out
  },
}
