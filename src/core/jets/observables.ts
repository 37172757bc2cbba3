/**
 * Jet observables computed from an image: every pixel is a massless particle whose transverse
 * momentum is the pixel value (GeV), at the pixel centre's (η, φ). Summing their four-momenta gives
 * the jet's mass and pT. The synthetic generator computes its m0 and pt with exactly these
 * functions, so they agree with its images; the VAE metrics use them to compare real and
 * generated images.
 *
 * Which channels count: the calorimeters see every particle (photons in ECAL, hadrons in HCAL and
 * partly ECAL), while the Track channel measures the charged particles a second time, so the
 * default weights are Track 0, ECAL 1, HCAL 1.
 */
import { CMS_JET_GEOMETRY, pixelCoord, type JetImageGeometry } from './geometry'

/** Default channel weights: calorimeters only (tracks would count charged particles twice). */
export const CALORIMETER_WEIGHTS: readonly number[] = Object.freeze([0, 1, 1])

export interface ObservableOptions {
  geometry?: JetImageGeometry
  /** Weight of each channel in the pixel's pT; default CALORIMETER_WEIGHTS (or all 1 if not 3 channels). */
  channelWeights?: readonly number[]
  /**
   * Only pixels whose centre is within this ΔR of the image centre (the jet axis) count; default
   * Infinity (the whole image). JET_RADIUS (0.4) gives the jet itself, without the underlying event
   * far from it — the generator's m0 and pt use that.
   */
  radius?: number
}

export interface JetObservables {
  /** Invariant mass of the summed pixels (GeV). */
  mass: number
  /** Transverse momentum of the sum (GeV). */
  pt: number
  /** Energy of the sum (GeV). */
  energy: number
  /** η and φ of the summed four-momentum, relative to the image centre. */
  eta: number
  phi: number
  /** Scalar sum of the pixel pT values. */
  sumPt: number
}

interface Trig {
  cosPhi: Float64Array
  sinPhi: Float64Array
  coshEta: Float64Array
  sinhEta: Float64Array
  coord: Float64Array
}

const trigCache = new Map<string, Trig>()

function trig(g: JetImageGeometry): Trig {
  const key = `${g.size}:${g.pixel}`
  let t = trigCache.get(key)
  if (!t) {
    const n = g.size
    t = { cosPhi: new Float64Array(n), sinPhi: new Float64Array(n), coshEta: new Float64Array(n), sinhEta: new Float64Array(n), coord: new Float64Array(n) }
    for (let i = 0; i < n; i++) {
      const x = pixelCoord(i, g)
      t.coord[i] = x
      t.cosPhi[i] = Math.cos(x)
      t.sinPhi[i] = Math.sin(x)
      t.coshEta[i] = Math.cosh(x)
      t.sinhEta[i] = Math.sinh(x)
    }
    trigCache.set(key, t)
  }
  return t
}

const maskCache = new Map<string, Uint8Array>()

function coneMask(g: JetImageGeometry, radius: number): Uint8Array {
  const key = `${g.size}:${g.pixel}:${radius}`
  let m = maskCache.get(key)
  if (!m) {
    const t = trig(g)
    m = new Uint8Array(g.size * g.size)
    for (let i = 0; i < g.size; i++) for (let j = 0; j < g.size; j++) m[i * g.size + j] = Math.hypot(t.coord[i], t.coord[j]) < radius ? 1 : 0
    maskCache.set(key, m)
  }
  return m
}

function weightsFor(g: JetImageGeometry, w: readonly number[] | undefined): readonly number[] {
  if (w) {
    if (w.length !== g.channels) throw new RangeError(`channelWeights has ${w.length} entries but the images have ${g.channels} channels`)
    return w
  }
  return g.channels === 3 ? CALORIMETER_WEIGHTS : new Array<number>(g.channels).fill(1)
}

/** Per-pixel pT (weighted sum over channels) of one image, as a size × size array (rows η, columns φ). */
export function pixelPt(image: ArrayLike<number>, opts: ObservableOptions = {}, offset = 0): Float64Array {
  const g = opts.geometry ?? CMS_JET_GEOMETRY
  const w = weightsFor(g, opts.channelWeights)
  const n = g.size * g.size
  if (image.length - offset < n * g.channels) throw new RangeError(`image has ${image.length - offset} values, expected ${n * g.channels}`)
  const out = new Float64Array(n)
  const C = g.channels
  const mask = opts.radius === undefined || opts.radius === Infinity ? null : coneMask(g, opts.radius)
  for (let p = 0; p < n; p++) {
    if (mask && !mask[p]) continue
    let s = 0
    const base = offset + p * C
    for (let c = 0; c < C; c++) if (w[c] !== 0) s += w[c] * image[base + c]
    out[p] = s
  }
  return out
}

/**
 * Mass and pT of a jet image (massless pixels at their η–φ centres). `offset` lets a caller pass a
 * batch buffer and the start of one image in it.
 */
export function jetMassPt(image: ArrayLike<number>, opts: ObservableOptions = {}, offset = 0): JetObservables {
  const g = opts.geometry ?? CMS_JET_GEOMETRY
  return sumPixels(pixelPt(image, opts, offset), g)
}

function sumPixels(pts: Float64Array, g: JetImageGeometry): JetObservables {
  const t = trig(g)
  let px = 0
  let py = 0
  let pz = 0
  let e = 0
  let sumPt = 0
  const n = g.size
  for (let i = 0; i < n; i++) {
    const ch = t.coshEta[i]
    const sh = t.sinhEta[i]
    let rowPt = 0
    let rowPx = 0
    let rowPy = 0
    for (let j = 0; j < n; j++) {
      const p = pts[i * n + j]
      if (p === 0) continue
      rowPt += p
      rowPx += p * t.cosPhi[j]
      rowPy += p * t.sinPhi[j]
    }
    px += rowPx
    py += rowPy
    pz += rowPt * sh
    e += rowPt * ch
    sumPt += rowPt
  }
  const pt = Math.hypot(px, py)
  const m2 = e * e - pt * pt - pz * pz
  const mass = m2 > 0 ? Math.sqrt(m2) : 0
  const eta = pt > 0 ? Math.asinh(pz / pt) : 0
  const phi = pt > 0 ? Math.atan2(py, px) : 0
  return { mass, pt, energy: e, eta, phi, sumPt }
}

/**
 * Girth (pT-weighted mean distance ΔR of the pixels from the jet axis): a width measure that is
 * larger for gluon jets than for quark jets.
 */
export function jetGirth(image: ArrayLike<number>, opts: ObservableOptions = {}, offset = 0): number {
  const g = opts.geometry ?? CMS_JET_GEOMETRY
  const t = trig(g)
  const pts = pixelPt(image, opts, offset)
  const { eta, phi } = sumPixels(pts, g)
  let num = 0
  let den = 0
  const n = g.size
  for (let i = 0; i < n; i++) {
    const de = t.coord[i] - eta
    for (let j = 0; j < n; j++) {
      const p = pts[i * n + j]
      if (p === 0) continue
      num += p * Math.hypot(de, t.coord[j] - phi)
      den += p
    }
  }
  return den > 0 ? num / den : 0
}

/** Number of pixels whose weighted pT exceeds `threshold` (GeV). */
export function pixelMultiplicity(image: ArrayLike<number>, opts: ObservableOptions = {}, threshold = 0, offset = 0): number {
  const pts = pixelPt(image, opts, offset)
  let k = 0
  for (const p of pts) if (p > threshold) k++
  return k
}
