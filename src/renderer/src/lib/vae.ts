/**
 * A VAE run's results as the renderer uses them: `runs.results` decoded (the
 * base64 little-endian float32 arrays turned into Float32Arrays) and checked,
 * plus the small pieces of arithmetic the results and comparison panels share
 * (a channel out of a stack of images, shared colour ranges, point bounds).
 */
import { scaleRange, type Scale, type ScaleRange } from './colormap'

export interface VaeResultsView {
  /** Validation images evaluated. */
  n: number
  pixelMse: number
  baselinePixelMse: number
  /** Per channel; empty for runs from before it was recorded. */
  pixelMseByChannel: number[]
  baselinePixelMseByChannel: number[]
  energyRatio: number[]
  channels: string[]
  /** [H, W, C] of one image. */
  imageShape: [number, number, number]
  w1Reco: { mass: number; pt: number }
  w1Prior: { mass: number; pt: number }
  latentAuc: number | null
  /** 95 % interval and held-out jets per class; null for runs from before it was recorded. */
  latentAucInterval: { lo: number; hi: number; quarks: number; gluons: number } | null
  latent: { pca: Float32Array; pcaExplained: number[]; umap: Float32Array | null; labels: Float32Array }
  examples: { count: number; original: Float32Array; reconstructed: Float32Array }
  samples: { count: number; images: Float32Array }
}

/** base64 of little-endian float32 → the floats (the services' encoding; every supported platform is little-endian). */
export function decodeFloat32(s: string): Float32Array {
  const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
  if (bytes.length % 4 !== 0) throw new Error(`not float32 data: ${bytes.length} bytes`)
  return new Float32Array(bytes.buffer, 0, bytes.length / 4)
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`results: ${what} is not a number`)
  return v
}
/** The AUC's interval as stored, or null when absent (older runs) or malformed. */
function aucIntervalOf(v: unknown): VaeResultsView['latentAucInterval'] {
  if (!v || typeof v !== 'object') return null
  const { lo, hi, quarks, gluons } = v as Record<string, unknown>
  return [lo, hi, quarks, gluons].every((x) => typeof x === 'number' && Number.isFinite(x))
    ? { lo: lo as number, hi: hi as number, quarks: quarks as number, gluons: gluons as number }
    : null
}

/** A per-channel list of numbers as stored, or [] when absent (older runs) or not one number per channel. */
function numbersOf(v: unknown, channels: number): number[] {
  return Array.isArray(v) && v.length === channels && v.every((x) => typeof x === 'number') ? (v as number[]) : []
}

function numOrNull(v: unknown, what: string): number | null {
  return v === null || v === undefined ? null : num(v, what)
}
function obj(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object') throw new Error(`results: ${what} is missing`)
  return v as Record<string, unknown>
}
function floats(v: unknown, what: string): Float32Array {
  if (typeof v !== 'string') throw new Error(`results: ${what} is not base64 data`)
  return decodeFloat32(v)
}

/** Checks and decodes what `runs.results` returned for a VAE run; throws naming the first thing missing. */
export function parseVaeResults(raw: Record<string, unknown>): VaeResultsView {
  const shape = raw.imageShape
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((x) => typeof x === 'number' && x > 0)) throw new Error('results: imageShape is not [H, W, C]')
  const [h, w, c] = shape as [number, number, number]
  const L = h * w * c
  const channels = Array.isArray(raw.channels) ? raw.channels.map(String) : []
  while (channels.length < c) channels.push(`channel ${channels.length}`)
  const latent = obj(raw.latent, 'latent')
  const ex = obj(raw.examples, 'examples')
  const sm = obj(raw.samples, 'samples')
  const w1r = obj(raw.w1Reco, 'w1Reco')
  const w1p = obj(raw.w1Prior, 'w1Prior')
  const pca = floats(latent.pca, 'latent.pca')
  const labels = floats(latent.labels, 'latent.labels')
  const umap = latent.umap == null ? null : floats(latent.umap, 'latent.umap')
  const n = num(raw.n, 'n')
  const exCount = num(ex.count, 'examples.count')
  const original = floats(ex.original, 'examples.original')
  const reconstructed = floats(ex.reconstructed, 'examples.reconstructed')
  const smCount = num(sm.count, 'samples.count')
  const images = floats(sm.images, 'samples.images')
  if (original.length < exCount * L || reconstructed.length < exCount * L) throw new Error('results: examples are shorter than count × image')
  if (images.length < smCount * L) throw new Error('results: samples are shorter than count × image')
  if (pca.length !== labels.length * 2) throw new Error('results: latent.pca and latent.labels differ in length')
  return {
    n,
    pixelMse: num(raw.pixelMse, 'pixelMse'),
    baselinePixelMse: num(raw.baselinePixelMse, 'baselinePixelMse'),
    pixelMseByChannel: numbersOf(raw.pixelMseByChannel, c),
    baselinePixelMseByChannel: numbersOf(raw.baselinePixelMseByChannel, c),
    energyRatio: Array.isArray(raw.energyRatio) ? raw.energyRatio.map(Number) : [],
    channels,
    imageShape: [h, w, c],
    w1Reco: { mass: num(w1r.mass, 'w1Reco.mass'), pt: num(w1r.pt, 'w1Reco.pt') },
    w1Prior: { mass: num(w1p.mass, 'w1Prior.mass'), pt: num(w1p.pt, 'w1Prior.pt') },
    latentAuc: numOrNull(raw.latentAuc, 'latentAuc'),
    latentAucInterval: aucIntervalOf(raw.latentAucInterval),
    latent: { pca, pcaExplained: Array.isArray(latent.pcaExplained) ? latent.pcaExplained.map(Number) : [], umap: umap && umap.length === pca.length ? umap : null, labels },
    examples: { count: exCount, original, reconstructed },
    samples: { count: smCount, images },
  }
}

/** Image `i` of a stack (count × H × W × C, channels last). */
export function imageAt(stack: Float32Array, i: number, shape: readonly number[]): Float32Array {
  const L = shape[0] * shape[1] * shape[2]
  return stack.subarray(i * L, (i + 1) * L)
}

/**
 * One colour range for a pair (original, reconstruction) in one channel, so
 * that the two pictures compare: the top is the larger maximum; in log scale
 * the bottom is the original's smallest deposit (a decoder leaves a faint
 * haze of tiny values everywhere, which would otherwise stretch the scale
 * over many empty decades); in linear scale, the smaller minimum.
 */
export function pairRange(images: readonly ArrayLike<number>[], reference: ArrayLike<number> | null, scale: Scale, stride: number, offset: number): ScaleRange | null {
  const ranges = images.map((im) => scaleRange(im, scale, stride, offset)).filter((r): r is ScaleRange => r !== null)
  if (!ranges.length) return null
  const max = Math.max(...ranges.map((r) => r.max))
  let min = Math.min(...ranges.map((r) => r.min))
  if (scale === 'log' && reference) {
    const ref = scaleRange(reference, 'log', stride, offset)
    if (ref) min = Math.min(ref.min, max)
  }
  if (scale === 'log') return { lo: Math.log10(min), hi: Math.log10(max), min, max }
  return { lo: min, hi: max, min, max }
}

/** The final numbers a VAE run reports (its `latest` metrics at the end). */
export const VAE_FINAL_KEYS = ['mse', 'baseline_pixel_mse', 'w1_mass', 'w1_pt', 'w1_prior_mass', 'w1_prior_pt', 'latent_auc'] as const

/** Bounds of 2-D points (n × 2 row-major), padded by `pad` of the span on each side. */
export function bounds2d(points: Float32Array, pad = 0.05): { x0: number; x1: number; y0: number; y1: number } {
  let x0 = Infinity
  let x1 = -Infinity
  let y0 = Infinity
  let y1 = -Infinity
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]
    const y = points[i + 1]
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue
    if (x < x0) x0 = x
    if (x > x1) x1 = x
    if (y < y0) y0 = y
    if (y > y1) y1 = y
  }
  if (x0 === Infinity) return { x0: -1, x1: 1, y0: -1, y1: 1 }
  const sx = x1 - x0 || Math.abs(x0) || 1
  const sy = y1 - y0 || Math.abs(y0) || 1
  return { x0: x0 - sx * pad, x1: x1 + sx * pad, y0: y0 - sy * pad, y1: y1 + sy * pad }
}

/** Class colours, as in the Data view's jet distributions. */
export const QUARK_COLOR = '#2dd4bf'
export const GLUON_COLOR = '#f59e0b'

/**
 * What the latent AUC lets us say: a separation only when its whole 95 % interval lies above ½ (or
 * below, for a logistic regression that learned the classes the wrong way round on held-out jets).
 */
export function aucVerdict(r: Pick<VaeResultsView, 'latentAuc' | 'latentAucInterval'>): { text: string; tone: '' | 'good'; detail: string } {
  const ci = r.latentAucInterval
  if (r.latentAuc === null) return { text: 'needs both classes', tone: '', detail: '' }
  if (!ci) return { text: 'no interval recorded (older run): no verdict', tone: '', detail: '' }
  const jets = `95 % interval ${ci.lo.toFixed(3)}–${ci.hi.toFixed(3)} over ${ci.quarks + ci.gluons} held-out jets (${ci.quarks} quark, ${ci.gluons} gluon)`
  if (ci.lo > 0.5) return { text: 'separates the classes', tone: 'good', detail: jets }
  if (ci.hi < 0.5) return { text: 'separates the classes (inverted)', tone: 'good', detail: jets }
  return { text: 'no clear separation: the interval includes 0.5', tone: '', detail: jets }
}
