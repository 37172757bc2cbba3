/**
 * Jet-image geometry: square images in the (η, φ) plane centred on the jet axis, channels last,
 * exactly as in the CMS quark–gluon open-data file (X_jets: N × 125 × 125 × 3).
 *
 * Pixel size. The CMS images are at ECAL granularity: one pixel per barrel crystal,
 * Δη = Δφ = 0.0174, so 125 pixels span 2.175 in η and in φ (±1.0875 around the jet axis). We use
 * the same, so synthetic images are drop-in for the real ones: a jet (anti-kT, R = 0.4) covers the
 * central ~46 pixels and the rest of the image holds the underlying event.
 *
 * Layout. pixel (row i, column j, channel c) is at index (i·size + j)·channels + c;
 * rows run along η, columns along φ; the jet axis is the image centre.
 */

export interface JetImageGeometry {
  /** Pixels per side (the images are square). */
  readonly size: number
  /** Channels per pixel. */
  readonly channels: number
  /** Δη = Δφ of one pixel. */
  readonly pixel: number
}

/** The CMS ECAL-granularity geometry of the quark–gluon open-data images. */
export const CMS_JET_GEOMETRY: JetImageGeometry = Object.freeze({ size: 125, channels: 3, pixel: 0.0174 })

/**
 * Channel order of the CMS file as the DeepFalcon README describes it (Track, ECAL, HCAL). Other
 * write-ups say ECAL, HCAL, Tracks: the order is a per-file setting, this is only the default.
 */
export const DEFAULT_CHANNEL_NAMES: readonly string[] = Object.freeze(['Track', 'ECAL', 'HCAL'])

/** Channel indices of the synthetic images (which follow DEFAULT_CHANNEL_NAMES). */
export const TRACK = 0
export const ECAL = 1
export const HCAL = 2

/** Jet cone: constituents lie within ΔR < R of the axis (anti-kT, R = 0.4 as in CMS). */
export const JET_RADIUS = 0.4

/** One HCAL tower covers 5 × 5 ECAL crystals; HCAL deposits are spread over such blocks. */
export const HCAL_BLOCK = 5

/** η (for a row) or φ (for a column) of a pixel centre, relative to the jet axis. */
export function pixelCoord(index: number, g: JetImageGeometry = CMS_JET_GEOMETRY): number {
  return (index + 0.5 - g.size / 2) * g.pixel
}

/** The row (for η) or column (for φ) holding a coordinate, or -1 when it is outside the image. */
export function pixelIndex(coord: number, g: JetImageGeometry = CMS_JET_GEOMETRY): number {
  const i = Math.floor(coord / g.pixel + g.size / 2)
  return i >= 0 && i < g.size ? i : -1
}

/** Half the side of the image in η (and φ). */
export function halfSpan(g: JetImageGeometry = CMS_JET_GEOMETRY): number {
  return (g.size * g.pixel) / 2
}

/** Number of values in one image. */
export function imageLength(g: JetImageGeometry = CMS_JET_GEOMETRY): number {
  return g.size * g.size * g.channels
}
