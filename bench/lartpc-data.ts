/**
 * LArTPC data benches:
 *   lartpc_generate_ms     median time to generate one 256² event (core generator)
 *   lartpc_event_read_ms   median time to read one event (each of 200 once, in a random order, so
 *                          never from the reader's cache), one line per format — Quarkade HDF5 (made
 *                          by writeLartpcFile), an npz folder (real scipy.sparse.save_npz of the same
 *                          events) and PILArNet-M (real h5py, ~7500 points an event, projected to
 *                          256²). The npz and PILArNet lines need /usr/bin/python3 (or
 *                          QUARKADE_PYTHON) with scipy / h5py; without them the line is skipped with
 *                          a message on stderr.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateEvent, generateEvents } from '../src/core/lartpc/generate'
import { Rng } from '../src/core/rng'
import { openDetector } from '../src/main/data/lartpc'
import { writeLartpcFile } from '../src/main/data/lartpc/quarkade'
import { median, now, round, type BenchResult } from './util'

const EVENTS = 200
const SIZE = 256
const PYTHON = process.env.QUARKADE_PYTHON ?? '/usr/bin/python3'

function python(...args: string[]): string | null {
  const r = spawnSync(PYTHON, [path.join(import.meta.dirname, 'lartpc_files.py'), ...args], { encoding: 'utf8', timeout: 600_000 })
  return r.status === 0 ? null : (r.error?.message ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)
}

/** Median ms of single-event reads in a random order, each event once (so the reader's LRU never answers). */
async function readTimes(target: string, count: number): Promise<number> {
  const rng = new Rng(7)
  const order = Array.from({ length: count }, (_, i) => i)
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(0, i + 1)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  const warm = await openDetector(target)
  for (let k = 0; k < 5; k++) warm.source.event(order[k]) // loads the reader (h5wasm, the JIT)
  warm.close()
  const det = await openDetector(target)
  const times: number[] = []
  try {
    for (const i of order) {
      const t0 = now()
      det.source.event(i)
      times.push(now() - t0)
    }
  } finally {
    det.close()
  }
  return median(times)
}

export const lartpcBenches: Record<string, () => Promise<BenchResult | BenchResult[]>> = {
  async lartpc_generate_ms() {
    for (let s = 0; s < 20; s++) generateEvent(s) // warm up
    const times: number[] = []
    for (let s = 0; s < 200; s++) {
      const t0 = now()
      generateEvent(1000 + s)
      times.push(now() - t0)
    }
    return { value: round(median(times), 3), unit: 'ms', size: SIZE, events: times.length }
  },

  async lartpc_event_read_ms() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-bench-lartpc-'))
    try {
      const out: BenchResult[] = []
      const h5 = path.join(dir, 'events.h5')
      await writeLartpcFile(h5, { n: EVENTS, seed: 3, size: SIZE })
      out.push({ value: round(await readTimes(h5, EVENTS), 3), unit: 'ms', format: 'quarkade', events: EVENTS, size: SIZE, file_bytes: fs.statSync(h5).size })

      const events = generateEvents(EVENTS, 3, SIZE)
      const raw = path.join(dir, 'events.raw')
      fs.writeFileSync(raw, Buffer.concat([...events.map((e) => Buffer.from(e.energy.buffer)), ...events.map((e) => Buffer.from(e.label.buffer))]))
      const npz = path.join(dir, 'npz')
      const npzProblem = python('npz', raw, npz, String(EVENTS), String(SIZE), String(SIZE))
      if (npzProblem) console.error(`bench: lartpc_event_read_ms npz skipped: ${PYTHON} could not write npz pairs with scipy (${npzProblem}); run node scripts/ensure-python.mjs`)
      else out.push({ value: round(await readTimes(npz, EVENTS), 3), unit: 'ms', format: 'npz', events: EVENTS, size: SIZE })

      const pil = path.join(dir, 'pilarnet.h5')
      const pilProblem = python('pilarnet', pil, String(EVENTS), '3')
      if (pilProblem) console.error(`bench: lartpc_event_read_ms pilarnet skipped: ${PYTHON} could not write a PILArNet file with h5py (${pilProblem}); run node scripts/ensure-python.mjs`)
      else out.push({ value: round(await readTimes(pil, EVENTS), 3), unit: 'ms', format: 'pilarnet', events: EVENTS, resolution: SIZE, points_per_event_mean: 7500 })
      return out
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
}
