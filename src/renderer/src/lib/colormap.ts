/**
 * Colour maps for heatmaps and jet images: viridis (matplotlib's, through
 * d3-scale-chromatic) as a 256-entry RGB lookup table, and painting of 2-D
 * float arrays into ImageData with a linear or log10 scale.
 *
 * Log scale: log10 of the positive values; zeros, negatives and NaN are drawn
 * with the lowest colour (NaN in linear scale too).
 */
import { interpolateViridis } from 'd3-scale-chromatic'

export type Scale = 'linear' | 'log'

/** 256 × RGB, built once from the colour map's interpolator. */
function buildLut(interpolate: (t: number) => string): Uint8Array {
  const lut = new Uint8Array(256 * 3)
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = parseColor(interpolate(i / 255))
    lut[i * 3] = r
    lut[i * 3 + 1] = g
    lut[i * 3 + 2] = b
  }
  return lut
}

/** "#rrggbb" or "rgb(r, g, b)" → [r, g, b]. */
export function parseColor(css: string): [number, number, number] {
  if (css.startsWith('#') && css.length === 7) {
    return [parseInt(css.slice(1, 3), 16), parseInt(css.slice(3, 5), 16), parseInt(css.slice(5, 7), 16)]
  }
  const m = /rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(css)
  if (!m) throw new Error(`not a colour: ${css}`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

export const VIRIDIS: Uint8Array = buildLut(interpolateViridis)

/** CSS colour of viridis at t ∈ [0, 1]. */
export function viridisCss(t: number): string {
  const i = Math.max(0, Math.min(255, Math.round(t * 255))) * 3
  return `rgb(${VIRIDIS[i]}, ${VIRIDIS[i + 1]}, ${VIRIDIS[i + 2]})`
}

/** A CSS linear-gradient of the colour map (for colour bars), bottom → top by default. */
export function viridisGradient(direction = 'to top', stops = 16): string {
  const parts = Array.from({ length: stops + 1 }, (_, i) => `${viridisCss(i / stops)} ${((i / stops) * 100).toFixed(1)}%`)
  return `linear-gradient(${direction}, ${parts.join(', ')})`
}

/** The value range a scale maps onto the colour map: [lo, hi] in scale units (log10 for 'log'). */
export interface ScaleRange {
  lo: number
  hi: number
  /** The data values at the two ends (for labels). */
  min: number
  max: number
}

/**
 * Range of `data` under a scale: min/max for linear, log10 of the smallest
 * positive value and of the max for log. `null` when nothing can be shown
 * (no finite values, or no positive ones in log scale).
 */
export function scaleRange(data: ArrayLike<number>, scale: Scale, stride = 1, offset = 0): ScaleRange | null {
  let min = Infinity
  let max = -Infinity
  for (let i = offset; i < data.length; i += stride) {
    const v = data[i]
    if (!Number.isFinite(v) || (scale === 'log' && v <= 0)) continue
    if (v < min) min = v
    if (v > max) max = v
  }
  if (min === Infinity) return null
  return scale === 'log' ? { lo: Math.log10(min), hi: Math.log10(max), min, max } : { lo: min, hi: max, min, max }
}

/** Position in [0, 1] of a value on a scale range (clamped; below range / non-positive in log → 0). */
export function scaleT(v: number, scale: Scale, r: ScaleRange): number {
  if (!Number.isFinite(v)) return 0
  let x: number
  if (scale === 'log') {
    if (v <= 0) return 0
    x = Math.log10(v)
  } else x = v
  const span = r.hi - r.lo
  if (span <= 0) return v >= r.max && r.max !== 0 ? 1 : 0
  const t = (x - r.lo) / span
  return t < 0 ? 0 : t > 1 ? 1 : t
}

export interface PaintOptions {
  scale: Scale
  /** Fixed range; by default the data's own (see scaleRange). */
  range?: ScaleRange | null
  /** Element stride and offset, to paint one channel of an interleaved (channels-last) image. */
  stride?: number
  offset?: number
  /** Read the source transposed (source is cols × rows); for a slice whose axes are swapped. */
  transpose?: boolean
  lut?: Uint8Array
}

/**
 * Paints a rows × cols grid of values (row-major) into `out` (RGBA, rows × cols
 * pixels). Returns the range used (null when the data has nothing to show, in
 * which case everything is the lowest colour).
 */
export function paintGrid(out: Uint8ClampedArray, data: ArrayLike<number>, rows: number, cols: number, opts: PaintOptions): ScaleRange | null {
  const stride = opts.stride ?? 1
  const offset = opts.offset ?? 0
  const lut = opts.lut ?? VIRIDIS
  const range = opts.range !== undefined ? opts.range : scaleRange(data, opts.scale, stride, offset)
  const log = opts.scale === 'log'
  const lo = range?.lo ?? 0
  const span = range ? range.hi - range.lo : 0
  const flat = range !== null && span <= 0
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const src = opts.transpose ? c * rows + r : r * cols + c
      const v = data[src * stride + offset]
      let k = 0
      if (range && Number.isFinite(v) && !(log && v <= 0)) {
        if (flat) k = v !== 0 ? 255 : 0
        else {
          const t = ((log ? Math.log10(v) : v) - lo) / span
          k = t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * 255)
        }
      }
      const o = (r * cols + c) * 4
      out[o] = lut[k * 3]
      out[o + 1] = lut[k * 3 + 1]
      out[o + 2] = lut[k * 3 + 2]
      out[o + 3] = 255
    }
  }
  return range
}

/**
 * Paints a channels-last image (h × w × channels) as RGB: channel i → red,
 * green, blue (the first three), each normalised to its own range.
 */
export function paintRgb(out: Uint8ClampedArray, image: ArrayLike<number>, h: number, w: number, channels: number, scale: Scale): void {
  const ranges = [0, 1, 2].map((c) => (c < channels ? scaleRange(image, scale, channels, c) : null))
  for (let p = 0; p < h * w; p++) {
    const o = p * 4
    for (let c = 0; c < 3; c++) {
      const r = ranges[c]
      out[o + c] = r ? Math.round(scaleT(image[p * channels + c], scale, r) * 255) : 0
    }
    out[o + 3] = 255
  }
}

/** Sum over channels of a channels-last image: h × w values. */
export function sumChannels(image: ArrayLike<number>, h: number, w: number, channels: number): Float32Array {
  const out = new Float32Array(h * w)
  for (let p = 0; p < h * w; p++) {
    let s = 0
    for (let c = 0; c < channels; c++) {
      const v = image[p * channels + c]
      if (Number.isFinite(v)) s += v
    }
    out[p] = s
  }
  return out
}

/**
 * Shrinks a channels-last image by k × k blocks, keeping each block's largest
 * value per channel, so that single-pixel deposits stay visible in a small
 * picture (plain resampling would drop most of them).
 */
export function maxPool(image: ArrayLike<number>, h: number, w: number, channels: number, k: number): { data: Float32Array; h: number; w: number } {
  if (k <= 1) return { data: Float32Array.from(image as ArrayLike<number>), h, w }
  const h2 = Math.ceil(h / k)
  const w2 = Math.ceil(w / k)
  const out = new Float32Array(h2 * w2 * channels).fill(-Infinity)
  for (let r = 0; r < h; r++) {
    const rr = Math.floor(r / k)
    for (let c = 0; c < w; c++) {
      const o = (rr * w2 + Math.floor(c / k)) * channels
      const i = (r * w + c) * channels
      for (let ch = 0; ch < channels; ch++) {
        const v = image[i + ch]
        if (v > out[o + ch]) out[o + ch] = v
      }
    }
  }
  for (let i = 0; i < out.length; i++) if (out[i] === -Infinity) out[i] = NaN
  return { data: out, h: h2, w: w2 }
}

/** Tick labels for a colour bar: `n` values evenly spaced on the scale, top first. */
export function colorbarTicks(range: ScaleRange, scale: Scale, n = 5): number[] {
  const ticks: number[] = []
  for (let i = n - 1; i >= 0; i--) {
    const x = range.lo + ((range.hi - range.lo) * i) / Math.max(1, n - 1)
    ticks.push(scale === 'log' ? 10 ** x : x)
  }
  return ticks
}
