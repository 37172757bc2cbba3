/**
 * Synthetic quark and gluon jets in exactly the CMS open-data schema (X_jets N × 125 × 125 × 3,
 * channels Track, ECAL, HCAL; m0, pt, y), seeded and pure.
 *
 * The model, kept simple but physically motivated:
 *  - jet pT from a falling spectrum ∝ pT⁻⁴ between ptMin and ptMax (default 70–400 GeV);
 *  - a jet is a set of massless constituents. Gluons radiate more (colour factor C_A = 3 against
 *    C_F = 4/3 for quarks), so gluon jets have more constituents, share their momentum more evenly
 *    (softer fragmentation) and spread wider in η–φ; both narrow as pT grows;
 *  - constituents are charged hadrons (62 %), photons from π⁰ decays (25 %) or neutral hadrons (13 %);
 *  - detector response per channel:
 *      Track: the pT of each charged particle (above 0.5 GeV) in its pixel, full resolution;
 *      ECAL : photons, plus the 0–30 % of each charged hadron's energy that showers early, with
 *             ECAL resolution and a 3 × 3 crystal shower;
 *      HCAL : neutral hadrons and the rest of the charged hadrons, with the (much worse) HCAL
 *             resolution, summed per tower of 5 × 5 crystals and spread evenly over the tower as in
 *             the CMS images, where HCAL is upsampled to ECAL granularity;
 *  - a soft underlying event (on average 12 particles of ~0.6 GeV, uniform over the image);
 *  - m0 and pt are then computed FROM THE IMAGE (observables.ts: calorimeter channels, pixels
 *    within ΔR < 0.4 of the axis — the jet, not the underlying event far from it), so they agree
 *    with what the pixels show. See jetObservableOptions.
 * y is 0 for quark, 1 for gluon; labels come in balanced pairs (see jetLabel).
 */
import { deriveSeed, exponential, normal, poisson, Rng } from '../rng'
import { CMS_JET_GEOMETRY, ECAL, HCAL, HCAL_BLOCK, halfSpan, imageLength, JET_RADIUS, pixelIndex, TRACK, type JetImageGeometry } from './geometry'
import { CALORIMETER_WEIGHTS, jetMassPt, type ObservableOptions } from './observables'

export type JetLabel = 0 | 1
export const QUARK: JetLabel = 0
export const GLUON: JetLabel = 1

export type ParticleKind = 'charged' | 'photon' | 'neutral'

export interface Constituent {
  pt: number
  eta: number
  phi: number
  kind: ParticleKind
}

export interface JetGeneratorOptions {
  geometry?: JetImageGeometry
  ptMin?: number
  ptMax?: number
  /** Soft particles spread over the whole image (default true). */
  underlyingEvent?: boolean
}

export interface SyntheticJet {
  /** size × size × channels, channels last (Track, ECAL, HCAL). */
  image: Float32Array
  /** Jet mass and pT computed from the image (GeV). */
  m0: number
  pt: number
  y: JetLabel
  /** The pT the jet was generated with, before detector effects. */
  truePt: number
  /** Number of jet constituents (the underlying event not counted). */
  nConstituents: number
  constituents: Constituent[]
}

interface Flavour {
  /** Mean multiplicity at pT: a + b·ln(pT / 30 GeV). */
  multA: number
  multB: number
  /** Gamma shape of the momentum shares: smaller = harder leading particle. */
  shareShape: number
  /** Angular width at 100 GeV; scales as (100 / pT)^0.5. */
  width: number
}

const FLAVOURS: Record<JetLabel, Flavour> = {
  0: { multA: 6, multB: 4, shareShape: 0.55, width: 0.07 }, // quark
  1: { multA: 9, multB: 6.5, shareShape: 0.9, width: 0.1 }, // gluon
}

// --- small samplers on top of Rng ---------------------------------------------------------------

/** Gamma(shape, 1) by Marsaglia–Tsang (with the u^(1/a) boost for shape < 1). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng.random(), 1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = normal(rng)
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = rng.random()
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
  }
}

function kindOf(rng: Rng): ParticleKind {
  const u = rng.random()
  return u < 0.62 ? 'charged' : u < 0.87 ? 'photon' : 'neutral'
}

// --- generation ---------------------------------------------------------------------------------

/** Draws a jet pT from dN/dpT ∝ pT⁻⁴ on [ptMin, ptMax]. */
export function sampleJetPt(rng: Rng, ptMin = 70, ptMax = 400): number {
  const a = 1 - 4
  const lo = Math.pow(ptMin, a)
  const hi = Math.pow(ptMax, a)
  return Math.pow(lo + rng.random() * (hi - lo), 1 / a)
}

/** Mean constituent multiplicity of a quark (0) or gluon (1) jet of this pT. */
export function meanMultiplicity(y: JetLabel, pt: number): number {
  const f = FLAVOURS[y]
  return f.multA + f.multB * Math.log(Math.max(pt, 30) / 30)
}

/**
 * The constituents of one jet, centred on the axis (η = φ = 0): pT shares from a Gamma split,
 * distances from the axis growing for softer particles, within the jet radius.
 */
export function generateConstituents(rng: Rng, y: JetLabel, jetPt: number): Constituent[] {
  const f = FLAVOURS[y]
  const n = Math.max(2, poisson(rng, meanMultiplicity(y, jetPt)))
  const shares = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    shares[i] = gamma(rng, f.shareShape) + 1e-6
    total += shares[i]
  }
  const sigma = f.width * Math.sqrt(100 / jetPt)
  const out: Constituent[] = []
  for (let i = 0; i < n; i++) {
    const z = shares[i] / total
    // Soft particles sit further out: ΔR ∝ (z·n)^-0.35, Rayleigh-distributed around that scale.
    const scale = sigma * Math.pow(Math.max(z * n, 1e-3), -0.35)
    let r = scale * Math.sqrt(-2 * Math.log(1 - rng.random()))
    for (let tries = 0; r > JET_RADIUS && tries < 8; tries++) r = scale * Math.sqrt(-2 * Math.log(1 - rng.random()))
    if (r > JET_RADIUS) r = JET_RADIUS * rng.random()
    const theta = 2 * Math.PI * rng.random()
    out.push({ pt: z * jetPt, eta: r * Math.cos(theta), phi: r * Math.sin(theta), kind: kindOf(rng) })
  }
  // Put the pT-weighted axis at the image centre, as the CMS images are centred on the jet.
  let ce = 0
  let cp = 0
  for (const c of out) {
    ce += c.pt * c.eta
    cp += c.pt * c.phi
  }
  ce /= jetPt
  cp /= jetPt
  for (const c of out) {
    c.eta -= ce
    c.phi -= cp
  }
  return out
}

/** Soft particles uniform over the image (underlying event and pile-up). */
export function generateUnderlyingEvent(rng: Rng, g: JetImageGeometry = CMS_JET_GEOMETRY): Constituent[] {
  const n = poisson(rng, 12)
  const h = halfSpan(g)
  const out: Constituent[] = []
  for (let i = 0; i < n; i++) {
    out.push({ pt: 0.1 + exponential(rng, 0.5), eta: (2 * rng.random() - 1) * h, phi: (2 * rng.random() - 1) * h, kind: kindOf(rng) })
  }
  return out
}

/** ECAL: σ/E = 10 %/√E ⊕ 1 %;  HCAL: σ/E = 100 %/√E ⊕ 5 %. Never negative. */
function smear(rng: Rng, e: number, stochastic: number, constant: number): number {
  const s = Math.sqrt((stochastic * stochastic) / Math.max(e, 1e-3) + constant * constant)
  return Math.max(0, e * (1 + s * normal(rng)))
}

const SHOWER = [
  [0.01, 0.04, 0.01],
  [0.04, 0.8, 0.04],
  [0.01, 0.04, 0.01],
]

/** Renders particles into a channels-last image with the detector response described above. */
export function renderJetImage(particles: readonly Constituent[], rng: Rng, g: JetImageGeometry = CMS_JET_GEOMETRY): Float32Array {
  if (g.channels !== 3) throw new RangeError(`synthetic jets have 3 channels (Track, ECAL, HCAL), not ${g.channels}`)
  const n = g.size
  const C = g.channels
  const image = new Float32Array(imageLength(g))
  const towers = Math.ceil(n / HCAL_BLOCK)
  const hcal = new Float64Array(towers * towers)
  const ecalAt = (i: number, j: number, e: number): void => {
    for (let di = -1; di <= 1; di++) {
      const ii = i + di
      if (ii < 0 || ii >= n) continue
      for (let dj = -1; dj <= 1; dj++) {
        const jj = j + dj
        if (jj < 0 || jj >= n) continue
        image[(ii * n + jj) * C + ECAL] += e * SHOWER[di + 1][dj + 1]
      }
    }
  }
  for (const p of particles) {
    const i = pixelIndex(p.eta, g)
    const j = pixelIndex(p.phi, g)
    if (i < 0 || j < 0) continue
    let toEcal = 0
    let toHcal = 0
    if (p.kind === 'photon') toEcal = p.pt
    else if (p.kind === 'neutral') toHcal = p.pt
    else {
      if (p.pt > 0.5) image[(i * n + j) * C + TRACK] += p.pt
      const f = 0.3 * rng.random()
      toEcal = f * p.pt
      toHcal = (1 - f) * p.pt
    }
    if (toEcal > 0) ecalAt(i, j, smear(rng, toEcal, 0.1, 0.01))
    if (toHcal > 0) hcal[Math.floor(i / HCAL_BLOCK) * towers + Math.floor(j / HCAL_BLOCK)] += smear(rng, toHcal, 1.0, 0.05)
  }
  for (let ti = 0; ti < towers; ti++) {
    for (let tj = 0; tj < towers; tj++) {
      const e = hcal[ti * towers + tj]
      if (e === 0) continue
      const i0 = ti * HCAL_BLOCK
      const j0 = tj * HCAL_BLOCK
      const i1 = Math.min(n, i0 + HCAL_BLOCK)
      const j1 = Math.min(n, j0 + HCAL_BLOCK)
      const per = e / ((i1 - i0) * (j1 - j0))
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) image[(i * n + j) * C + HCAL] = per
    }
  }
  return image
}

/** How the generator computes m0 and pt from its images: calorimeter channels, within the jet radius. */
export function jetObservableOptions(geometry: JetImageGeometry = CMS_JET_GEOMETRY): ObservableOptions {
  return { geometry, channelWeights: CALORIMETER_WEIGHTS, radius: JET_RADIUS }
}

/** One jet of the given label. */
export function generateJet(rng: Rng, y: JetLabel, opts: JetGeneratorOptions = {}): SyntheticJet {
  const g = opts.geometry ?? CMS_JET_GEOMETRY
  const truePt = sampleJetPt(rng, opts.ptMin ?? 70, opts.ptMax ?? 400)
  const constituents = generateConstituents(rng, y, truePt)
  const particles = opts.underlyingEvent === false ? constituents : [...constituents, ...generateUnderlyingEvent(rng, g)]
  const image = renderJetImage(particles, rng, g)
  const { mass, pt } = jetMassPt(image, jetObservableOptions(g))
  return { image, m0: mass, pt, y, truePt, nConstituents: constituents.length, constituents }
}

/**
 * The label of event i: events come in pairs (2k, 2k+1) holding one quark and one gluon jet in a
 * seeded random order, so any even-length run of events is exactly balanced.
 */
export function jetLabel(seed: number, i: number): JetLabel {
  const flip = deriveSeed(seed ^ 0x5eed1abe, Math.floor(i / 2)) & 1
  return ((i + flip) & 1) as JetLabel
}

/**
 * Event i of the synthetic sample with this seed. Each event has its own random stream, so any
 * slice of a sample can be generated on its own (and in any order) with the same result.
 */
export function generateJetEvent(seed: number, i: number, opts: JetGeneratorOptions = {}): SyntheticJet {
  return generateJet(new Rng(deriveSeed(seed, i)), jetLabel(seed, i), opts)
}

/** Events [start, end) of the synthetic sample with this seed. */
export function* generateJets(seed: number, start: number, end: number, opts: JetGeneratorOptions = {}): Generator<SyntheticJet> {
  for (let i = start; i < end; i++) yield generateJetEvent(seed, i, opts)
}
