/** The synthetic quark/gluon generator and the image observables (pure core code). */
import { describe, expect, it } from 'vitest'
import {
  CMS_JET_GEOMETRY,
  ECAL,
  generateJetEvent,
  HCAL,
  halfSpan,
  imageLength,
  jetObservableOptions,
  jetGirth,
  jetLabel,
  jetMassPt,
  pixelCoord,
  pixelIndex,
  TRACK,
  type JetImageGeometry,
} from '../../src/core/jets'

const N = 300
const jets = Array.from({ length: N }, (_, i) => generateJetEvent(42, i))

describe('geometry', () => {
  it('is the CMS one: 125 crystals of 0.0174, centred on the jet axis', () => {
    expect(CMS_JET_GEOMETRY).toEqual({ size: 125, channels: 3, pixel: 0.0174 })
    expect(halfSpan()).toBeCloseTo(1.0875, 6)
    expect(pixelCoord(62)).toBeCloseTo(0, 12)
    expect(pixelIndex(0)).toBe(62)
    expect(pixelIndex(-1.0874)).toBe(0)
    expect(pixelIndex(1.0874)).toBe(124)
    expect(pixelIndex(1.2)).toBe(-1)
    expect(imageLength()).toBe(46875)
  })
})

describe('observables', () => {
  const g: JetImageGeometry = { size: 125, channels: 3, pixel: 0.0174 }
  const put = (img: Float32Array, i: number, j: number, c: number, v: number): void => {
    img[(i * 125 + j) * 3 + c] = v
  }

  it('two massless deposits: m² = 2 pT1 pT2 (cosh Δη − cos Δφ), pT of the vector sum', () => {
    const img = new Float32Array(imageLength(g))
    put(img, 62, 52, ECAL, 40) // φ = −10 px
    put(img, 70, 62, HCAL, 60) // η = +8 px
    const d = g.pixel
    const e1 = { pt: 40, eta: 0, phi: -10 * d }
    const e2 = { pt: 60, eta: 8 * d, phi: 0 }
    const m2 = 2 * e1.pt * e2.pt * (Math.cosh(e1.eta - e2.eta) - Math.cos(e1.phi - e2.phi))
    const o = jetMassPt(img, { geometry: g })
    expect(o.mass).toBeCloseTo(Math.sqrt(m2), 4)
    expect(o.pt).toBeCloseTo(Math.hypot(40 * Math.cos(e1.phi) + 60, 40 * Math.sin(e1.phi)), 4)
    expect(o.sumPt).toBeCloseTo(100, 5)
  })

  it('weights channels (Track ignored by default) and restricts to a radius', () => {
    const img = new Float32Array(imageLength(g))
    put(img, 62, 62, TRACK, 1000)
    put(img, 62, 62, ECAL, 10)
    put(img, 62, 120, HCAL, 5) // ΔR ≈ 1.0
    expect(jetMassPt(img).sumPt).toBeCloseTo(15, 5)
    expect(jetMassPt(img, { channelWeights: [1, 0, 0] }).sumPt).toBeCloseTo(1000, 3)
    expect(jetMassPt(img, { radius: 0.4 }).sumPt).toBeCloseTo(10, 5)
    expect(jetMassPt(img, { radius: 0.4 }).mass).toBe(0)
    expect(() => jetMassPt(img, { channelWeights: [1, 1] })).toThrow(/3 channels/)
    expect(jetMassPt(new Float32Array(imageLength(g)))).toMatchObject({ mass: 0, pt: 0 })
  })
})

describe('generator', () => {
  it('is deterministic under a seed, per event, and differs between seeds', () => {
    const a = generateJetEvent(42, 17)
    expect(a.image).toEqual(jets[17].image)
    expect(a.m0).toBe(jets[17].m0)
    expect(generateJetEvent(43, 17).image).not.toEqual(a.image)
    expect(generateJetEvent(42, 18).image).not.toEqual(a.image)
  })

  it('labels come in balanced quark/gluon pairs', () => {
    for (let k = 0; k < N; k += 2) expect(jets[k].y + jets[k + 1].y).toBe(1)
    expect(jets.filter((j) => j.y === 1)).toHaveLength(N / 2)
    const firsts = Array.from({ length: 100 }, (_, k) => jetLabel(7, 2 * k))
    expect(firsts.filter((y) => y === 1).length).toBeGreaterThan(30) // order within pairs is random
    expect(firsts.filter((y) => y === 1).length).toBeLessThan(70)
  })

  it('m0 and pt are the image observables, and pT is near the generated one', () => {
    for (const j of jets.slice(0, 40)) {
      const o = jetMassPt(j.image, jetObservableOptions())
      expect(j.m0).toBe(o.mass)
      expect(j.pt).toBe(o.pt)
      expect(j.m0).toBeGreaterThan(0)
      expect(j.m0).toBeLessThan(j.pt)
    }
    // Detector smearing (HCAL: 100 %/√E) moves single jets, not the average.
    const rel = jets.map((j) => (j.pt - j.truePt) / j.truePt)
    expect(Math.abs(rel.reduce((a, b) => a + b, 0) / rel.length)).toBeLessThan(0.1)
    expect(rel.filter((r) => Math.abs(r) < 0.25).length).toBeGreaterThan(0.8 * rel.length)
  })

  it('gluon jets have more constituents and are wider and heavier than quark jets on average', () => {
    const mean = (y: number, f: (j: (typeof jets)[number]) => number): number => {
      const sel = jets.filter((j) => j.y === y)
      return sel.reduce((s, j) => s + f(j), 0) / sel.length
    }
    const width = (j: (typeof jets)[number]): number => jetGirth(j.image, { radius: 0.4 })
    expect(mean(1, (j) => j.nConstituents)).toBeGreaterThan(1.3 * mean(0, (j) => j.nConstituents))
    expect(mean(1, width)).toBeGreaterThan(1.2 * mean(0, width))
    expect(mean(1, (j) => j.m0 / j.pt)).toBeGreaterThan(mean(0, (j) => j.m0 / j.pt))
    // pT spectrum: within 70–400 GeV before detector effects, falling.
    expect(Math.min(...jets.map((j) => j.truePt))).toBeGreaterThanOrEqual(70)
    expect(Math.max(...jets.map((j) => j.truePt))).toBeLessThanOrEqual(400)
    expect(jets.filter((j) => j.truePt < 120).length).toBeGreaterThan(jets.filter((j) => j.truePt >= 120).length)
  })

  it('channels respond as described: tracks only from charged particles, HCAL in 5 × 5 towers, nothing negative', () => {
    const j = jets[3]
    const img = j.image
    expect(img).toHaveLength(imageLength())
    expect(img.every((v) => v >= 0 && Number.isFinite(v))).toBe(true)
    const sum = (c: number): number => {
      let s = 0
      for (let p = c; p < img.length; p += 3) s += img[p]
      return s
    }
    const charged = j.constituents.filter((c) => c.kind === 'charged' && c.pt > 0.5).reduce((s, c) => s + c.pt, 0)
    expect(sum(TRACK)).toBeGreaterThanOrEqual(charged * 0.999)
    expect(sum(ECAL)).toBeGreaterThan(0)
    expect(sum(HCAL)).toBeGreaterThan(0)
    // Every 5 × 5 HCAL tower is flat.
    for (let ti = 0; ti < 25; ti++) {
      for (let tj = 0; tj < 25; tj++) {
        const v = img[(ti * 5 * 125 + tj * 5) * 3 + HCAL]
        for (let i = 0; i < 5; i++) for (let k = 0; k < 5; k++) expect(img[((ti * 5 + i) * 125 + tj * 5 + k) * 3 + HCAL]).toBe(v)
      }
    }
    // The jet is at the centre: most of the calorimeter pT is within ΔR < 0.4.
    const all = jetMassPt(img).sumPt
    const core = jetMassPt(img, { radius: 0.4 }).sumPt
    expect(core / all).toBeGreaterThan(0.85)
  })
})
