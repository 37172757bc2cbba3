/**
 * LArTPC detector events in the renderer: decoding `detector.event` responses,
 * and painting energies (log colour scale, empty pixels dark), truth classes
 * and an agent's canvas into RGBA buffers. Used by the Data view's detector
 * browser and by the LArTPC world's scene and replay panels.
 */
import { interpolateInferno } from 'd3-scale-chromatic'
import { LARTPC_CLASSES, type DetectorEvent } from '../../../core/lartpc/event'
import type { ApiOutput } from '../../../shared/api'
import { parseColor } from './colormap'

export type DetectorEventResponse = ApiOutput<'detector.event'>

/** An event as fetched: the core shape plus what the browser shows about it. */
export interface FetchedEvent extends DetectorEvent {
  index: number
  classCounts: number[]
  energyMax: number
  energyMinPositive: number
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function decodeEvent(e: DetectorEventResponse): FetchedEvent {
  const bytes = fromBase64(e.energy)
  const energy = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2)
  const label = fromBase64(e.label)
  const n = e.width * e.height
  if (energy.length !== n || label.length !== n) throw new Error(`event ${e.index}: expected ${n} pixels, got ${energy.length} energies and ${label.length} labels`)
  return { index: e.index, width: e.width, height: e.height, energy, label, classCounts: e.classCounts, energyMax: e.energyMax, energyMinPositive: e.energyMinPositive }
}

/** Class colours (blank, EM shower, track): the legend, truth overlay and canvas use the same. */
export const CLASS_COLORS: readonly string[] = ['#475569', '#fb923c', '#38bdf8']
const CLASS_RGB = CLASS_COLORS.map(parseColor)
export const CLASS_NAMES: readonly string[] = LARTPC_CLASSES
/** Pixels with nothing in them: near-black, so faint deposits stand out. */
export const EMPTY_RGB: readonly [number, number, number] = [11, 14, 20]

const INFERNO = (() => {
  const lut = new Uint8Array(256 * 3)
  // Start a little above black so the faintest deposit is still told from an empty pixel.
  for (let i = 0; i < 256; i++) lut.set(parseColor(interpolateInferno(0.12 + (0.88 * i) / 255)), i * 3)
  return lut
})()

/** CSS gradient of the energy colour scale, for its colour bar. */
export function energyGradient(direction = 'to right', stops = 12): string {
  const parts = Array.from({ length: stops + 1 }, (_, i) => {
    const k = Math.round((i / stops) * 255) * 3
    return `rgb(${INFERNO[k]}, ${INFERNO[k + 1]}, ${INFERNO[k + 2]}) ${((i / stops) * 100).toFixed(1)}%`
  })
  return `linear-gradient(${direction}, ${parts.join(', ')})`
}

/** The log10 range energies map onto, from the event's smallest positive and largest energy. */
/** Largest and smallest positive energy of an event's pixels (a loop: spreading 65 536 values into Math.max can overflow the stack). */
export function energyBounds(a: ArrayLike<number>): { energyMax: number; energyMinPositive: number } {
  let lo = Infinity
  let hi = 0
  for (let i = 0; i < a.length; i++) {
    const v = a[i]
    if (v > 0) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  }
  return { energyMax: hi, energyMinPositive: lo === Infinity ? 0 : lo }
}

export function energyRange(ev: Pick<FetchedEvent, 'energyMax' | 'energyMinPositive'>): { lo: number; hi: number } | null {
  if (!(ev.energyMax > 0) || !(ev.energyMinPositive > 0)) return null
  return { lo: Math.log10(ev.energyMinPositive), hi: Math.log10(ev.energyMax) }
}

/** Energies on a log colour scale; zero pixels dark. `out` is RGBA width × height. */
export function paintEnergy(out: Uint8ClampedArray, energy: ArrayLike<number>, range: { lo: number; hi: number } | null): void {
  const span = range ? range.hi - range.lo : 0
  for (let i = 0; i < energy.length; i++) {
    const v = energy[i]
    const o = i * 4
    if (!(v > 0) || !range) {
      out[o] = EMPTY_RGB[0]
      out[o + 1] = EMPTY_RGB[1]
      out[o + 2] = EMPTY_RGB[2]
    } else {
      const t = span > 0 ? (Math.log10(v) - range.lo) / span : 1
      const k = (t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * 255)) * 3
      out[o] = INFERNO[k]
      out[o + 1] = INFERNO[k + 1]
      out[o + 2] = INFERNO[k + 2]
    }
    out[o + 3] = 255
  }
}

/**
 * Truth classes in their colours over what `out` holds: non-blank classes
 * replace the pixel (`alpha` 1) or tint it; blank pixels are left as they are.
 */
export function paintLabels(out: Uint8ClampedArray, label: ArrayLike<number>, alpha = 1): void {
  for (let i = 0; i < label.length; i++) {
    const c = label[i]
    if (c === 0) continue
    const rgb = CLASS_RGB[c] ?? CLASS_RGB[0]
    const o = i * 4
    out[o] = Math.round(out[o] * (1 - alpha) + rgb[0] * alpha)
    out[o + 1] = Math.round(out[o + 1] * (1 - alpha) + rgb[1] * alpha)
    out[o + 2] = Math.round(out[o + 2] * (1 - alpha) + rgb[2] * alpha)
    out[o + 3] = 255
  }
}

/** Fills with the empty colour. */
export function clearPixels(out: Uint8ClampedArray): void {
  for (let o = 0; o < out.length; o += 4) {
    out[o] = EMPTY_RGB[0]
    out[o + 1] = EMPTY_RGB[1]
    out[o + 2] = EMPTY_RGB[2]
    out[o + 3] = 255
  }
}

/** One pixel in a class colour (the agent writing its canvas); blank written is drawn grey so a visit shows. */
export function paintPixel(out: Uint8ClampedArray, index: number, cls: number): void {
  const rgb = CLASS_RGB[cls] ?? CLASS_RGB[0]
  const o = index * 4
  out[o] = rgb[0]
  out[o + 1] = rgb[1]
  out[o + 2] = rgb[2]
  out[o + 3] = 255
}
