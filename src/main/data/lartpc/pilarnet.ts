/**
 * PILArNet-M (DeepLearnPhysics' public 3-D LArTPC set, written by h5py): variable-length float32
 * datasets with one entry per event —
 *   point          N × 8 flattened: x, y, z, voxel value, energy deposit, time, electrons, dx
 *   cluster        M × 5 flattened: column 0 = points in the cluster, last column = semantic type;
 *                  the points are stored cluster after cluster
 *   cluster_extra  (not needed here)
 * Semantic types: 0 shower, 1 track, 2 Michel, 3 delta, 4 low energy (PILARNET_TYPES). The volume
 * is 768 voxels a side. An event is read alone (one vlen entry of each dataset) and projected to 2-D.
 */
import { N_CLASSES, PILARNET_TYPES, type DetectorEvent, type Projection } from '../../../core/lartpc/event'
import type { H5File } from '../../h5/file'
import { formatShape } from '../../h5/file'
import { DetectorFileError } from './errors'

/** Voxels per side of PILArNet's volume: coordinates in [0, 768) map onto the projection's pixels. */
export const PILARNET_VOLUME = 768
export const POINT_COLUMNS = 8
export const CLUSTER_COLUMNS = 5
const ENERGY_COLUMN = 4
const N_TYPES = PILARNET_TYPES.length

/** Whether an open HDF5 file is PILArNet-M, and its event count; or why not (one line, no file name). */
export function detectPilarnet(h5: H5File): { ok: true; count: number } | { ok: false; problem: string } {
  for (const name of ['point', 'cluster']) if (!h5.hasDataset(name)) return { ok: false, problem: `no "${name}" dataset (PILArNet-M files have point and cluster)` }
  const point = h5.info('point')
  const cluster = h5.info('cluster')
  for (const d of [point, cluster]) {
    if (d.dtype !== 'vlen' || d.shape.length !== 1) return { ok: false, problem: `${d.path} is ${d.dtype} ${formatShape(d.shape)}, expected a 1-D variable-length float array (one entry per event)` }
  }
  if (point.shape[0] !== cluster.shape[0]) return { ok: false, problem: `point has ${point.shape[0]} events but cluster has ${cluster.shape[0]}` }
  return { ok: true, count: point.shape[0] }
}

/**
 * Projects one event's points onto `projection.plane` ("ab": column = a, row = b) at
 * `projection.resolution` pixels a side: energy summed per pixel (the energy-deposit column), the
 * class of a pixel = classMap of the semantic type with the largest energy share in it (ties: the
 * lower type). Points outside [0, 768) on either axis are left out. Throws a one-line problem
 * (without the file name) when the arrays do not fit together.
 */
export function projectPilarnetEvent(point: ArrayLike<number>, cluster: ArrayLike<number>, projection: Projection): DetectorEvent {
  if (point.length % POINT_COLUMNS !== 0) throw new RangeError(`point has ${point.length} values, not a multiple of ${POINT_COLUMNS} (x, y, z, voxel value, energy, time, electrons, dx)`)
  if (cluster.length % CLUSTER_COLUMNS !== 0) throw new RangeError(`cluster has ${cluster.length} values, not a multiple of ${CLUSTER_COLUMNS}`)
  const nPoints = point.length / POINT_COLUMNS
  const nClusters = cluster.length / CLUSTER_COLUMNS
  let total = 0
  for (let c = 0; c < nClusters; c++) {
    const count = cluster[c * CLUSTER_COLUMNS]
    const type = cluster[c * CLUSTER_COLUMNS + CLUSTER_COLUMNS - 1]
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`cluster ${c} has ${count} points (a count must be a whole number ≥ 0)`)
    if (!Number.isInteger(type) || type < 0 || type >= N_TYPES) throw new RangeError(`cluster ${c} has semantic type ${type} (known: 0…${N_TYPES - 1}: ${PILARNET_TYPES.join(', ')})`)
    total += count
  }
  if (total !== nPoints) throw new RangeError(`cluster counts add up to ${total} points but point holds ${nPoints}`)
  const res = projection.resolution
  const [a, b] = [...projection.plane].map((axis) => 'xyz'.indexOf(axis))
  const scale = res / PILARNET_VOLUME
  const energy = new Float32Array(res * res)
  const label = new Uint8Array(res * res)
  // Per-type energy only for the pixels hit (events are sparse): pixel → N_TYPES sums.
  const byType = new Map<number, Float64Array>()
  let p = 0
  for (let c = 0; c < nClusters; c++) {
    const count = cluster[c * CLUSTER_COLUMNS]
    const type = cluster[c * CLUSTER_COLUMNS + CLUSTER_COLUMNS - 1]
    for (let k = 0; k < count; k++, p++) {
      const base = p * POINT_COLUMNS
      const col = Math.floor(point[base + a] * scale)
      const row = Math.floor(point[base + b] * scale)
      const e = point[base + ENERGY_COLUMN]
      if (!(col >= 0 && col < res && row >= 0 && row < res) || !(e > 0) || e === Infinity) continue
      const pix = row * res + col
      energy[pix] += e
      let sums = byType.get(pix)
      if (!sums) byType.set(pix, (sums = new Float64Array(N_TYPES)))
      sums[type] += e
    }
  }
  for (const [pix, sums] of byType) {
    let best = 0
    for (let t = 1; t < N_TYPES; t++) if (sums[t] > sums[best]) best = t
    label[pix] = projection.classMap[best]
  }
  return { width: res, height: res, energy, label }
}

/** Event `index` of a PILArNet-M file, projected; a bad entry is one line naming the file and event. */
export function readPilarnetEvent(h5: H5File, index: number, projection: Projection): DetectorEvent {
  const point = h5.readVlenEntry('point', index)
  const cluster = h5.readVlenEntry('cluster', index)
  try {
    return projectPilarnetEvent(point as ArrayLike<number>, cluster as ArrayLike<number>, projection)
  } catch (e) {
    if (e instanceof RangeError) throw new DetectorFileError(h5.path, `event ${index}: ${e.message}`)
    throw e
  }
}

/** The projection's classMap must give each semantic type one of the game's classes. */
export function projectionProblem(projection: Projection): string | null {
  if (!['xy', 'yz', 'xz'].includes(projection.plane)) return `projection plane must be xy, yz or xz, not "${projection.plane}"`
  if (!Number.isInteger(projection.resolution) || projection.resolution < 16 || projection.resolution > 2048) return `projection resolution must be a whole number in 16…2048, not ${projection.resolution}`
  if (projection.classMap.length !== N_TYPES || projection.classMap.some((c) => !Number.isInteger(c) || c < 0 || c >= N_CLASSES)) return `projection classMap needs one class 0…${N_CLASSES - 1} for each of ${PILARNET_TYPES.join(', ')}`
  return null
}
