/**
 * Synthetic 2-D liquid-argon TPC events (one wire-plane-like view), seeded and pure, so users
 * without data can start and tests have data. Physically motivated, kept simple:
 *
 *  - geometry: square pixels of 3 mm (PIXEL_CM); energies in MeV; a minimum-ionising particle
 *    deposits 2.1 MeV/cm (MIP_MEV_PER_CM).
 *  - tracks (label 2): muons (long, 60–300 px, often leaving the image), protons (short, 8–60 px,
 *    always stopping) and charged pions (medium, with hard kinks). Each is stepped in 0.5 px steps
 *    with multiple scattering (Gaussian direction kinks growing as the particle slows, and rare hard
 *    scatters), dE/dx fluctuations drawn from a Moyal (Landau-like) distribution, and the Bragg rise
 *    dE/dx ∝ R^-0.42 of the residual range R at a stopping end.
 *  - EM showers (label 1): branching cascades. An electron walks with ionisation and scattering and
 *    radiates a photon after an exponential path of mean X0 (14 cm) taking a share of its energy
 *    (below the critical energy, 33 MeV, it radiates less often: mean path X0 · E_c / E). A photon
 *    above PAIR_MEV travels unseen for an exponential path of mean 9/7 X0 and converts to an e+e-
 *    pair sharing its energy (the pair's first pixels overlap: twice a MIP's charge); below it, it
 *    Compton-scatters after an exponential path of mean COMPTON_PX, leaving a short, wiggly electron
 *    stub (a few pixels) and flying on with the rest of its energy at a new angle, until it is
 *    absorbed below 0.2 MeV. So showers are a trunk that branches into many fragments, with small
 *    isolated blobs around them — the texture that tells a shower from a track up close.
 *  - Michel electrons (label 1: the game counts them as shower): a 5–53 MeV electron from most
 *    stopping muons' ends, growing as a small shower; delta rays (label 1) off muons.
 *  - interactions: a vertex with a muon or an electron, protons, sometimes a π0 (two photon showers
 *    displaced from the vertex) or a charged pion; sometimes a second interaction or a cosmic muon
 *    crossing the image.
 *  - readout: deposits are shared bilinearly between neighbouring pixels (charge spread), each hit
 *    pixel gets Gaussian noise (σ = NOISE_MEV), and pixels below THRESHOLD_MEV read 0. Empty pixels
 *    whose noise alone passes the threshold (a handful per event, drawn directly from the Gaussian
 *    tail) read their noise energy and are labelled 0 (blank): they are noise, not a particle.
 *
 * Labels: a pixel with energy > 0 from particles takes the class that deposited most of its energy
 * (shower or track); pixels with energy 0 are blank; noise hits (above) are blank with energy > 0.
 */
import type { DetectorEvent } from './event'
import { deriveSeed, exponential, normal, poisson, Rng } from '../rng'

export const PIXEL_CM = 0.3
export const MIP_MEV_PER_CM = 2.1
/** Radiation length and critical energy of liquid argon. */
export const X0_CM = 14
export const CRITICAL_MEV = 33
export const NOISE_MEV = 0.03
export const THRESHOLD_MEV = 0.12

const BLANK = 0
const SHOWER = 1
const TRACK = 2

const STEP_PX = 0.5
const MIP_PER_STEP = MIP_MEV_PER_CM * PIXEL_CM * STEP_PX
const X0_PX = X0_CM / PIXEL_CM
/** A guard on cascade size (a 1 GeV shower makes a few hundred segments, plus its Compton scatters). */
const MAX_SEGMENTS = 4000
/** Below this a photon Compton-scatters rather than converting to a pair (argon: the cross-sections cross near 10 MeV). */
export const PAIR_MEV = 10
/** Mean free path of a 1–10 MeV photon in liquid argon (μ ≈ 0.06 cm⁻¹ → ≈ 17 cm). */
const COMPTON_PX = 17 / PIXEL_CM
/** Photons below this are absorbed where they are (photoelectric): a one-pixel blob. */
const ABSORB_MEV = 0.2

export interface GenerateOptions {
  /** Pixels per side (default 256). */
  size?: number
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.random()
}

/**
 * Ionisation fluctuation factor, mean ≈ 1, with a Landau-like high tail: -ln(Z²) for Z ~ N(0,1) is
 * Moyal distributed (mean γ + ln 2 ≈ 1.27); scaled narrow, clamped so one step is at most ~3× its mean.
 */
function landauFactor(rng: Rng): number {
  const z = normal(rng)
  const moyal = -Math.log(Math.max(z * z, 1e-12))
  return Math.min(3, Math.max(0.35, 1 + 0.16 * (moyal - 1.27)))
}

/** Per-class energy accumulators on the pixel grid. */
class Deposits {
  readonly track: Float32Array
  readonly shower: Float32Array
  constructor(readonly size: number) {
    this.track = new Float32Array(size * size)
    this.shower = new Float32Array(size * size)
  }

  /** Shares e between the four pixels around (x, y) (x = column, y = row, pixel centres at +0.5). */
  add(x: number, y: number, e: number, cls: number): void {
    const fx = x - 0.5
    const fy = y - 0.5
    const c0 = Math.floor(fx)
    const r0 = Math.floor(fy)
    const tx = fx - c0
    const ty = fy - r0
    const grid = cls === TRACK ? this.track : this.shower
    const n = this.size
    for (let dr = 0; dr < 2; dr++) {
      const r = r0 + dr
      if (r < 0 || r >= n) continue
      const wy = dr ? ty : 1 - ty
      for (let dc = 0; dc < 2; dc++) {
        const c = c0 + dc
        if (c < 0 || c >= n) continue
        grid[r * n + c] += e * wy * (dc ? tx : 1 - tx)
      }
    }
  }

  /** Far outside the image nothing more can be seen. */
  gone(x: number, y: number): boolean {
    const m = this.size * 0.5
    return x < -m || y < -m || x > this.size + m || y > this.size + m
  }

  inside(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.size && y < this.size
  }
}

interface Point {
  x: number
  y: number
}

interface TrackKind {
  /** Bragg-curve scale: dE/dx = MIP · max(1, bragg · (R / 1 cm)^-0.42). */
  bragg: number
  /** Multiple-scattering kink per step far from the end, and its growth near the stopping end. */
  scatter: number
  /** Probability per step of a hard scatter (a visible kink). */
  hardKink: number
  /** Delta rays per cm. */
  deltaPerCm: number
}

const MUON: TrackKind = { bragg: 3.4, scatter: 0.006, hardKink: 0.0004, deltaPerCm: 0.03 }
const PROTON: TrackKind = { bragg: 8.1, scatter: 0.012, hardKink: 0.002, deltaPerCm: 0 }
const PION: TrackKind = { bragg: 3.6, scatter: 0.01, hardKink: 0.004, deltaPerCm: 0.02 }

/**
 * Steps a charged track of `length` px from `start` along `angle`; `stops` says whether it ranges
 * out at its end (Bragg rise) or leaves the volume with its energy. Returns where it ended.
 */
function track(dep: Deposits, rng: Rng, start: Point, angle: number, length: number, kind: TrackKind, stops: boolean): Point {
  let { x, y } = start
  let a = angle
  const steps = Math.max(1, Math.round(length / STEP_PX))
  const deltaPerStep = kind.deltaPerCm * PIXEL_CM * STEP_PX
  for (let s = 0; s < steps; s++) {
    const residualCm = stops ? Math.max(0.15, (steps - s) * STEP_PX * PIXEL_CM) : 1e3
    const dedx = Math.max(1, kind.bragg * Math.pow(residualCm, -0.42))
    dep.add(x, y, MIP_PER_STEP * dedx * landauFactor(rng), TRACK)
    // Scattering grows as the particle slows (θ0 ∝ 1/p, p falling with the residual range).
    a += kind.scatter * normal(rng) * (stops ? 1 + 3 / Math.sqrt(residualCm + 0.3) : 1)
    if (rng.random() < kind.hardKink) a += 0.35 * normal(rng)
    if (deltaPerStep > 0 && rng.random() < deltaPerStep) {
      // Delta-ray energies fall as 1/E²: inverse-CDF sample between 3 and 40 MeV.
      const e = 1 / (1 / 3 - rng.random() * (1 / 3 - 1 / 40))
      shower(dep, rng, { x, y }, a + (rng.random() < 0.5 ? 1 : -1) * uniform(rng, 0.5, 1.3), e, 'e')
    }
    x += STEP_PX * Math.cos(a)
    y += STEP_PX * Math.sin(a)
    if (dep.gone(x, y)) break
  }
  return { x, y }
}

interface Segment {
  x: number
  y: number
  angle: number
  energy: number
  particle: 'e' | 'g'
}

/** An electromagnetic cascade from one electron ('e') or photon ('g') of `energy` MeV. */
function shower(dep: Deposits, rng: Rng, start: Point, angle: number, energy: number, particle: 'e' | 'g'): void {
  const stack: Segment[] = [{ x: start.x, y: start.y, angle, energy, particle }]
  let segments = 0
  while (stack.length && segments++ < MAX_SEGMENTS) {
    const seg = stack.pop()!
    // Opening angles shrink with energy (θ ~ m_e / E for the pair, wider for soft particles).
    const spread = Math.min(0.9, 3 / Math.sqrt(seg.energy))
    if (seg.particle === 'g' && seg.energy < PAIR_MEV) {
      compton(dep, rng, stack, seg)
      continue
    }
    if (seg.particle === 'g') {
      // Photons are invisible until they convert: a gap, then an e+e- pair sharing the energy.
      const d = exponential(rng, (9 / 7) * X0_PX)
      const x = seg.x + d * Math.cos(seg.angle)
      const y = seg.y + d * Math.sin(seg.angle)
      if (dep.gone(x, y)) continue
      const f = uniform(rng, 0.15, 0.85)
      stack.push({ x, y, angle: seg.angle + spread * 0.5 * normal(rng), energy: seg.energy * f, particle: 'e' })
      stack.push({ x, y, angle: seg.angle + spread * 0.5 * normal(rng), energy: seg.energy * (1 - f), particle: 'e' })
      continue
    }
    let { x, y, angle: a, energy: e } = seg
    // Radiation falls off below the critical energy, where ionisation takes over.
    const bremPath = (energy: number): number => (energy > 1 ? exponential(rng, X0_PX * Math.max(1, CRITICAL_MEV / energy)) : Infinity)
    let untilBrem = bremPath(e)
    while (e > 0) {
      const loss = Math.min(e, MIP_PER_STEP * 1.05 * landauFactor(rng))
      dep.add(x, y, loss, SHOWER)
      e -= loss
      // Electrons scatter far more than muons: θ0 grows as the energy falls.
      a += normal(rng) * Math.min(0.5, 0.9 / Math.sqrt(e + 1))
      x += STEP_PX * Math.cos(a)
      y += STEP_PX * Math.sin(a)
      if (dep.gone(x, y)) break
      untilBrem -= STEP_PX
      if (untilBrem <= 0) {
        // Bremsstrahlung: a photon takes a share of the energy (flat-ish between 5 % and 70 %).
        const k = e * uniform(rng, 0.05, 0.7)
        e -= k
        stack.push({ x, y, angle: a + spread * 0.4 * normal(rng), energy: k, particle: 'g' })
        untilBrem = bremPath(e)
      }
    }
  }
}

/**
 * A photon below PAIR_MEV: after a free path it Compton-scatters, giving an electron a share of its
 * energy (flat between 0 and the Compton edge, a fair stand-in for Klein–Nishina at these energies)
 * and flying on deflected; the electron is pushed as a shower segment (a short stub). Below
 * ABSORB_MEV the photon is absorbed: its energy lands in one spot.
 */
function compton(dep: Deposits, rng: Rng, stack: Segment[], seg: Segment): void {
  const d = exponential(rng, COMPTON_PX)
  const x = seg.x + d * Math.cos(seg.angle)
  const y = seg.y + d * Math.sin(seg.angle)
  if (dep.gone(x, y)) return
  if (seg.energy < ABSORB_MEV) {
    dep.add(x, y, seg.energy, SHOWER)
    return
  }
  // Compton edge: the most an electron can take, 2E²/(m_e + 2E) with m_e = 0.511 MeV.
  const edge = (2 * seg.energy * seg.energy) / (0.511 + 2 * seg.energy)
  const t = edge * rng.random()
  const deflect = (rng.random() < 0.5 ? 1 : -1) * Math.min(Math.PI, Math.acos(Math.max(-1, 1 - (0.511 * t) / (seg.energy * Math.max(1e-6, seg.energy - t)))))
  stack.push({ x, y, angle: seg.angle - deflect * 0.5 + 0.3 * normal(rng), energy: t, particle: 'e' })
  stack.push({ x, y, angle: seg.angle + deflect, energy: seg.energy - t, particle: 'g' })
}

/** One neutrino-like interaction at `vertex`: a lepton, protons, sometimes a π0 or a charged pion. */
function interaction(dep: Deposits, rng: Rng, vertex: Point): void {
  const n = dep.size
  if (rng.random() < 0.6) {
    const a = uniform(rng, 0, 2 * Math.PI)
    const length = uniform(rng, 60, 1.2 * n)
    const end = track(dep, rng, vertex, a, length, MUON, true)
    // A stopping μ+ decays to a Michel electron (most μ- do too in argon; some are captured).
    if (dep.inside(end.x, end.y) && rng.random() < 0.8) michel(dep, rng, end)
  } else {
    shower(dep, rng, vertex, uniform(rng, 0, 2 * Math.PI), uniform(rng, 150, 1000), 'e')
  }
  const protons = poisson(rng, 1.3)
  for (let i = 0; i < protons; i++) track(dep, rng, vertex, uniform(rng, 0, 2 * Math.PI), uniform(rng, 8, 60), PROTON, true)
  if (rng.random() < 0.45) {
    // π0 → γγ: two photon showers, back-to-back-ish in the π0 frame, boosted.
    const a = uniform(rng, 0, 2 * Math.PI)
    const open = uniform(rng, 0.3, 1.6)
    const e = uniform(rng, 150, 600)
    const f = uniform(rng, 0.2, 0.8)
    shower(dep, rng, vertex, a + open / 2, e * f, 'g')
    shower(dep, rng, vertex, a - open / 2, e * (1 - f), 'g')
  }
  if (rng.random() < 0.3) track(dep, rng, vertex, uniform(rng, 0, 2 * Math.PI), uniform(rng, 30, 150), PION, rng.random() < 0.7)
}

function michel(dep: Deposits, rng: Rng, at: Point): void {
  // The Michel spectrum peaks near its 53 MeV end point; low tail via the square root.
  const e = 53 * Math.sqrt(uniform(rng, 0.08, 1))
  shower(dep, rng, at, uniform(rng, 0, 2 * Math.PI), e, 'e')
}

/** A cosmic muon crossing the image from its top edge, with its delta rays. */
function cosmic(dep: Deposits, rng: Rng): void {
  const n = dep.size
  const start = { x: uniform(rng, 0, n), y: 0 }
  const a = Math.PI / 2 + uniform(rng, -0.9, 0.9)
  const end = track(dep, rng, start, a, uniform(rng, 0.6, 1.6) * n, MUON, true)
  if (dep.inside(end.x, end.y) && rng.random() < 0.8) michel(dep, rng, end)
}

/** One event, deterministic in `seed`. */
export function generateEvent(seed: number, opts: GenerateOptions = {}): DetectorEvent {
  const size = opts.size ?? 256
  if (!Number.isInteger(size) || size < 16 || size > 4096) throw new RangeError(`event size must be a whole number of pixels in 16…4096, not ${size}`)
  const rng = new Rng(seed)
  const dep = new Deposits(size)
  const vertex = (): Point => ({ x: uniform(rng, 0.2, 0.8) * size, y: uniform(rng, 0.2, 0.8) * size })
  interaction(dep, rng, vertex())
  if (rng.random() < 0.2) interaction(dep, rng, vertex())
  if (rng.random() < 0.3) cosmic(dep, rng)
  return readout(dep, rng)
}

/** Noise, threshold and labels (see the header). */
function readout(dep: Deposits, rng: Rng): DetectorEvent {
  const n = dep.size
  const pixels = n * n
  const energy = new Float32Array(pixels)
  const label = new Uint8Array(pixels)
  for (let i = 0; i < pixels; i++) {
    const t = dep.track[i]
    const s = dep.shower[i]
    if (t === 0 && s === 0) continue
    const e = t + s + NOISE_MEV * normal(rng)
    if (e < THRESHOLD_MEV) continue
    energy[i] = e
    label[i] = t >= s ? TRACK : SHOWER
  }
  // Noise alone above threshold on empty pixels: draw how many (Poisson of the Gaussian tail
  // probability), where, and how much (the tail above the threshold ≈ exponential of σ²/threshold).
  const z = THRESHOLD_MEV / NOISE_MEV
  const tail = Math.exp((-z * z) / 2) / (z * Math.sqrt(2 * Math.PI))
  const hits = poisson(rng, tail * pixels)
  for (let k = 0; k < hits; k++) {
    const i = rng.int(0, pixels)
    if (energy[i] !== 0 || dep.track[i] !== 0 || dep.shower[i] !== 0) continue
    energy[i] = THRESHOLD_MEV + exponential(rng, (NOISE_MEV * NOISE_MEV) / THRESHOLD_MEV)
    label[i] = BLANK
  }
  return { width: n, height: n, energy, label }
}

/** n events; event i is generateEvent(deriveSeed(seed, i)), so any one can be remade alone. */
export function generateEvents(n: number, seed: number, size?: number): DetectorEvent[] {
  return Array.from({ length: n }, (_, i) => generateEvent(deriveSeed(seed, i), { size }))
}
