/**
 * Writes a synthetic quark/gluon sample in exactly the CMS file's schema:
 *   X_jets (N, 125, 125, 3) float32, chunked (k, 125, 125, 3), gzip (optionally + shuffle) / LZF / none
 *   m0, pt (N,) float64 (what h5py writes from Python floats / numpy's default)
 *   y      (N,) float32 (as in the CMS file)
 * Events are generated and written a slice at a time, so memory does not grow with N.
 */
import fs from 'node:fs'
import { CMS_JET_GEOMETRY, imageLength } from '../../core/jets/geometry'
import { generateJetEvent, type JetGeneratorOptions } from '../../core/jets/generate'
import { H5Writer, type WriterCompression } from './writer'

export interface WriteJetFileOptions {
  n: number
  seed?: number
  compression?: WriterCompression
  /** Events per chunk of X_jets (default 1: chunks (1, 125, 125, 3), fastest random access). */
  chunkRows?: number
  /** 'contiguous' stores X_jets unchunked (only with compression 'none'); default 'chunked'. */
  layout?: 'chunked' | 'contiguous'
  /** gzip level (default 4). */
  level?: number
  /**
   * Byte-shuffle before gzip, as h5py's shuffle=True (default false: on these sparse images it
   * makes files larger and reading about 2x slower).
   */
  shuffle?: boolean
  /** dtype of m0 and pt (default float64). */
  scalarDtype?: 'float32' | 'float64'
  generator?: JetGeneratorOptions
  /** Called every slice with the number of events written. */
  onProgress?: (written: number, total: number) => void
}

export interface WriteJetFileResult {
  path: string
  events: number
  bytes: number
  seconds: number
  quarks: number
  gluons: number
}

/** Writes `n` synthetic jets to `path` (replacing it). A failed write leaves no file behind. */
export async function writeJetFile(path: string, opts: WriteJetFileOptions): Promise<WriteJetFileResult> {
  const { n } = opts
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`)
  const seed = opts.seed ?? 0
  const compression = opts.compression ?? 'gzip'
  const chunkRows = Math.min(opts.chunkRows ?? 1, n)
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new RangeError(`chunkRows must be a positive integer, got ${opts.chunkRows}`)
  const contiguous = opts.layout === 'contiguous'
  if (contiguous && compression !== 'none') throw new RangeError(`a contiguous X_jets cannot be compressed (compression ${compression})`)
  const g = opts.generator?.geometry ?? CMS_JET_GEOMETRY
  const L = imageLength(g)
  const scalar = opts.scalarDtype ?? 'float64'
  const t0 = performance.now()
  const w = new H5Writer(path, [
    { name: 'X_jets', shape: [n, g.size, g.size, g.channels], dtype: 'float32', chunks: contiguous ? null : [chunkRows, g.size, g.size, g.channels], compression, level: opts.level, shuffle: opts.shuffle },
    { name: 'm0', shape: [n], dtype: scalar },
    { name: 'pt', shape: [n], dtype: scalar },
    { name: 'y', shape: [n], dtype: 'float32' },
  ])
  let quarks = 0
  try {
    const slice = Math.max(chunkRows, Math.min(64, n))
    const images = new Float32Array(slice * L)
    const m0 = scalar === 'float64' ? new Float64Array(slice) : new Float32Array(slice)
    const pt = scalar === 'float64' ? new Float64Array(slice) : new Float32Array(slice)
    const y = new Float32Array(slice)
    for (let i = 0; i < n; i += slice) {
      const k = Math.min(slice, n - i)
      for (let j = 0; j < k; j++) {
        const jet = generateJetEvent(seed, i + j, opts.generator)
        images.set(jet.image, j * L)
        m0[j] = jet.m0
        pt[j] = jet.pt
        y[j] = jet.y
        if (jet.y === 0) quarks++
      }
      w.dataset('X_jets').writeRows(images.subarray(0, k * L))
      w.dataset('m0').writeRows(m0.subarray(0, k))
      w.dataset('pt').writeRows(pt.subarray(0, k))
      w.dataset('y').writeRows(y.subarray(0, k))
      opts.onProgress?.(i + k, n)
      await new Promise((r) => setImmediate(r))
    }
    w.close()
  } catch (e) {
    w.abort()
    throw e
  }
  return { path, events: n, bytes: fs.statSync(path).size, seconds: (performance.now() - t0) / 1000, quarks, gluons: n - quarks }
}
