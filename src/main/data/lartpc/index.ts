/**
 * Opens a LArTPC detector file or folder in any of the three formats as an EventSource:
 *   npz       lartpc_game's folder of image{k}/label{k}.npy.npz pairs (npz.ts)
 *   pilarnet  PILArNet-M 3-D HDF5, projected to 2-D (pilarnet.ts)
 *   quarkade  Quarkade's 2-D HDF5 schema (quarkade.ts, docs/lartpc-data.md)
 * Events are read lazily, one at a time, and the decoded ones kept in a small LRU (bounded in bytes).
 */
import fs from 'node:fs'
import path from 'node:path'
import { DEFAULT_PROJECTION, type DetectorEvent, type EventSource, type Projection } from '../../../core/lartpc/event'
import type { DetectorOverview } from '../../../shared/api'
import { checkHdf5File, openH5, type H5File } from '../../h5/file'
import { DetectorFileError } from './errors'
import { listNpzPairs, looksLikeNpzFolder, readNpzPair } from './npz'
import { detectPilarnet, projectionProblem, readPilarnetEvent } from './pilarnet'
import { detectQuarkade, readQuarkadeEvent } from './quarkade'

export { DetectorFileError } from './errors'

export type DetectorFormat = DetectorOverview['format']

export const FORMAT_LABELS: Record<DetectorFormat, string> = {
  npz: 'lartpc_game npz folder (image/label pairs)',
  pilarnet: 'PILArNet-M 3-D HDF5 (projected)',
  quarkade: 'Quarkade 2-D LArTPC HDF5',
}

/** Decoded events kept per open detector: about 100 events of 256² (each 5 bytes a pixel). */
const CACHE_BYTES = 32 * 1024 * 1024

export interface OpenedDetector {
  overview: DetectorOverview
  source: EventSource
  close(): void
}

/** Which format an open HDF5 file is in, or why it is none of them (one line, no file name). */
export function detectDetectorH5(h5: H5File): { ok: true; format: 'quarkade' | 'pilarnet' } | { ok: false; problem: string } {
  const q = detectQuarkade(h5)
  if (q.ok) return { ok: true, format: 'quarkade' }
  // A file that says it is Quarkade's (any version) gets the Quarkade reason, not a PILArNet one.
  const schema = h5.attributesOf('/').schema
  if (typeof schema === 'string' && schema.startsWith('quarkade-lartpc')) return { ok: false, problem: q.problem }
  const p = detectPilarnet(h5)
  if (p.ok) return { ok: true, format: 'pilarnet' }
  return { ok: false, problem: `neither a Quarkade LArTPC file (${q.problem}) nor PILArNet-M (${p.problem})` }
}

/** Whether a path is an HDF5 file (by its signature), so callers know whether to open it with h5wasm. */
export function isHdf5File(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false
    checkHdf5File(p)
    return true
  } catch {
    return false
  }
}

/**
 * Opens a detector file (Quarkade or PILArNet HDF5) or npz folder; one line naming the file when it
 * is not one. `readable` vets the files a folder lists (the API's folder policy in web mode).
 */
export async function openDetector(p: string, projection: Projection = DEFAULT_PROJECTION, readable?: (file: string) => string): Promise<OpenedDetector> {
  const full = path.resolve(p)
  if (!fs.existsSync(full)) throw new DetectorFileError(full, 'no such file or folder')
  if (looksLikeNpzFolder(full)) return openNpz(full, readable)
  if (fs.statSync(full).isDirectory()) throw new DetectorFileError(full, 'is a folder without image{k}.npy.npz / label{k}.npy.npz pairs')
  const h5 = await openH5(full)
  try {
    const found = detectDetectorH5(h5)
    if (!found.ok) throw new DetectorFileError(full, found.problem)
    if (found.format === 'quarkade') {
      const q = detectQuarkade(h5)
      if (!q.ok) throw new DetectorFileError(full, q.problem)
      const { layout } = q
      return opened(full, 'quarkade', layout.count, { width: layout.width, height: layout.height }, null, (i) => readQuarkadeEvent(h5, layout, i), () => h5.close())
    }
    const problem = projectionProblem(projection)
    if (problem) throw new DetectorFileError(full, problem)
    const p = detectPilarnet(h5)
    if (!p.ok) throw new DetectorFileError(full, p.problem)
    const size = { width: projection.resolution, height: projection.resolution }
    return opened(full, 'pilarnet', p.count, size, projection, (i) => readPilarnetEvent(h5, i, projection), () => h5.close())
  } catch (e) {
    h5.close()
    throw e
  }
}

function openNpz(full: string, readable?: (file: string) => string): OpenedDetector {
  const { folder, pairs } = listNpzPairs(full, readable)
  const first = readNpzPair(pairs[0])
  const det = opened(folder, 'npz', pairs.length, { width: first.width, height: first.height }, null, (i) => readNpzPair(pairs[i]), () => {})
  return det
}

function opened(
  full: string,
  format: DetectorFormat,
  count: number,
  size: { width: number; height: number },
  projection: Projection | null,
  read: (index: number) => DetectorEvent,
  close: () => void,
): OpenedDetector {
  const cache = new Map<number, DetectorEvent>()
  let cachedBytes = 0
  let closed = false
  const source: EventSource = {
    count,
    event(index) {
      if (closed) throw new DetectorFileError(full, 'is closed')
      if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`event ${index} is outside ${path.basename(full)} (${count} events)`)
      const hit = cache.get(index)
      if (hit) {
        // Map order is insertion order: re-insert to mark it most recently used.
        cache.delete(index)
        cache.set(index, hit)
        return hit
      }
      const ev = read(index)
      const bytes = ev.energy.byteLength + ev.label.byteLength
      cache.set(index, ev)
      cachedBytes += bytes
      for (const [k, old] of cache) {
        if (cachedBytes <= CACHE_BYTES || k === index) break
        cache.delete(k)
        cachedBytes -= old.energy.byteLength + old.label.byteLength
      }
      return ev
    },
  }
  return {
    overview: { path: full, name: path.basename(full), format, formatLabel: FORMAT_LABELS[format], count, width: size.width, height: size.height, projection },
    source,
    close() {
      if (closed) return
      closed = true
      cache.clear()
      close()
    },
  }
}
