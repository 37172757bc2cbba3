/**
 * Quarkade's own 2-D HDF5 schema for detector images (docs/lartpc-data.md):
 *   energy  float32 [N, H, W]  chunks [1, H, W], gzip 4 — deposited energy per pixel (MeV, ≥ 0)
 *   label   uint8   [N, H, W]  chunks [1, H, W], gzip 4 — 0 blank, 1 EM shower, 2 track
 *   root attributes: schema = "quarkade-lartpc2d", version = 1, classes = ["blank", "EM shower",
 *   "track"], energy_unit = "MeV", and what made it (generator, seed).
 * One event per chunk, so a random event read decompresses exactly one chunk of each dataset.
 */
import fs from 'node:fs'
import path from 'node:path'
import { LARTPC_CLASSES, N_CLASSES, type DetectorEvent } from '../../../core/lartpc/event'
import { generateEvent } from '../../../core/lartpc/generate'
import { deriveSeed } from '../../../core/rng'
import type { H5File } from '../../h5/file'
import { formatShape } from '../../h5/file'
import { H5Writer } from '../../h5/writer'
import { DetectorFileError, MAX_SIDE } from './errors'

export const QUARKADE_SCHEMA = 'quarkade-lartpc2d'
export const QUARKADE_SCHEMA_VERSION = 1

export interface QuarkadeLayout {
  count: number
  height: number
  width: number
}

/** Whether an open HDF5 file is in Quarkade's schema, and its shape; or why not (one line, no file name). */
export function detectQuarkade(h5: H5File): { ok: true; layout: QuarkadeLayout } | { ok: false; problem: string } {
  const attrs = h5.attributesOf('/')
  if (attrs.schema !== QUARKADE_SCHEMA) return { ok: false, problem: `no root attribute schema = "${QUARKADE_SCHEMA}"` }
  const version = Number(attrs.version)
  if (!Number.isInteger(version) || version < 1) return { ok: false, problem: `schema version ${JSON.stringify(attrs.version)} is not a version of ${QUARKADE_SCHEMA}` }
  if (version > QUARKADE_SCHEMA_VERSION) return { ok: false, problem: `written in ${QUARKADE_SCHEMA} version ${version}; this Quarkade reads version ${QUARKADE_SCHEMA_VERSION}: update Quarkade` }
  for (const name of ['energy', 'label']) if (!h5.hasDataset(name)) return { ok: false, problem: `${QUARKADE_SCHEMA} file has no "${name}" dataset` }
  const energy = h5.info('energy')
  const label = h5.info('label')
  if (energy.shape.length !== 3) return { ok: false, problem: `energy is ${formatShape(energy.shape)}, expected [events, height, width]` }
  if (energy.dtype !== 'float32' && energy.dtype !== 'float64') return { ok: false, problem: `energy has dtype ${energy.dtype}, expected float32` }
  if (!/^u?int(8|16|32)$/.test(label.dtype)) return { ok: false, problem: `label has dtype ${label.dtype}, expected uint8` }
  if (label.shape.join() !== energy.shape.join()) return { ok: false, problem: `label is ${formatShape(label.shape)} but energy is ${formatShape(energy.shape)}` }
  const [count, height, width] = energy.shape
  if (height > MAX_SIDE || width > MAX_SIDE || height < 1 || width < 1) return { ok: false, problem: `images of ${height} × ${width} pixels (at most ${MAX_SIDE} a side)` }
  return { ok: true, layout: { count, height, width } }
}

/** Event `index` of a Quarkade file (energies and labels checked). */
export function readQuarkadeEvent(h5: H5File, layout: QuarkadeLayout, index: number): DetectorEvent {
  const { width, height } = layout
  const e = h5.readSlice('energy', [[index, index + 1]]).data
  const l = h5.readSlice('label', [[index, index + 1]]).data
  const energy = e instanceof Float32Array ? e : Float32Array.from(e as ArrayLike<number>)
  const label = l instanceof Uint8Array ? l : Uint8Array.from(l as ArrayLike<number>)
  for (let i = 0; i < energy.length; i++) {
    if (!(energy[i] >= 0) || energy[i] === Infinity) throw new DetectorFileError(h5.path, `event ${index}: energy ${energy[i]} at row ${Math.floor(i / width)}, column ${i % width} (energies must be finite and ≥ 0)`)
    if ((l as ArrayLike<number>)[i] >= N_CLASSES || (l as ArrayLike<number>)[i] < 0) throw new DetectorFileError(h5.path, `event ${index}: label ${(l as ArrayLike<number>)[i]} at row ${Math.floor(i / width)}, column ${i % width} (classes are 0…${N_CLASSES - 1}: ${LARTPC_CLASSES.join(', ')})`)
  }
  return { width, height, energy, label }
}

export interface WriteLartpcOptions {
  n: number
  seed?: number
  /** Pixels per side (default 256). */
  size?: number
  /** Called after each block of events with the number written. */
  onProgress?: (written: number, total: number) => void
}

export interface WriteLartpcResult {
  path: string
  events: number
  bytes: number
  seconds: number
  /** Pixels of each class over all events (LARTPC_CLASSES order). */
  classPixels: number[]
}

/**
 * Writes `n` generated events in Quarkade's schema (event i = generateEvent(deriveSeed(seed, i))),
 * streaming: memory does not grow with n. A failed write leaves no file behind.
 */
export async function writeLartpcFile(file: string, opts: WriteLartpcOptions): Promise<WriteLartpcResult> {
  const { n } = opts
  const size = opts.size ?? 256
  const seed = opts.seed ?? 0
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`)
  const t0 = performance.now()
  const w = new H5Writer(
    file,
    [
      { name: 'energy', shape: [n, size, size], dtype: 'float32', chunks: [1, size, size], compression: 'gzip', level: 4 },
      { name: 'label', shape: [n, size, size], dtype: 'uint8', chunks: [1, size, size], compression: 'gzip', level: 4 },
    ],
    { schema: QUARKADE_SCHEMA, version: QUARKADE_SCHEMA_VERSION, classes: [...LARTPC_CLASSES], energy_unit: 'MeV', generator: 'quarkade gen lartpc', seed },
  )
  const classPixels = new Array<number>(N_CLASSES).fill(0)
  try {
    for (let i = 0; i < n; i++) {
      const ev = generateEvent(deriveSeed(seed, i), { size })
      w.dataset('energy').writeRows(ev.energy)
      w.dataset('label').writeRows(ev.label)
      for (let p = 0; p < ev.label.length; p++) classPixels[ev.label[p]]++
      if ((i + 1) % 16 === 0 || i + 1 === n) {
        opts.onProgress?.(i + 1, n)
        await new Promise((r) => setImmediate(r))
      }
    }
    w.close()
  } catch (e) {
    w.abort()
    throw e
  }
  return { path: path.resolve(file), events: n, bytes: fs.statSync(file).size, seconds: (performance.now() - t0) / 1000, classPixels }
}
