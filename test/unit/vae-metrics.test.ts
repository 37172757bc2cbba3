import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/core/rng'
import {
  DEFAULT_HALF_SPAN,
  auc,
  aucWithInterval,
  energyRatio,
  fitLogistic,
  jetKinematics,
  latentAuc,
  logisticScores,
  pca2d,
  pixelMse,
  umap2d,
  wasserstein1,
} from '../../src/core/vae/metrics'

const S = 125
const C = 3

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random())
}

/** η (row) or φ (column) of a pixel centre. */
const coord = (i: number): number => -DEFAULT_HALF_SPAN + (i + 0.5) * ((2 * DEFAULT_HALF_SPAN) / S)

describe('Wasserstein-1', () => {
  it('of a sample and its shifted copy is the shift', () => {
    const rng = new Rng(1)
    const a = Array.from({ length: 500 }, () => normal(rng))
    expect(wasserstein1(a, a.map((v) => v + 0.7))).toBeCloseTo(0.7, 10)
    expect(wasserstein1(a.map((v) => v - 2), a)).toBeCloseTo(2, 10)
  })

  it('is 0 for identical samples, symmetric, and exact for unequal sizes', () => {
    expect(wasserstein1([3, 1, 2], [2, 3, 1])).toBe(0)
    expect(wasserstein1([0, 0, 1], [0])).toBeCloseTo(1 / 3, 12)
    expect(wasserstein1([0], [0, 0, 1])).toBeCloseTo(1 / 3, 12)
    // F_a steps at 0 (½) and 2 (1); F_b at 1: ∫|F_a − F_b| = ½·1 + ½·1 = 1
    expect(wasserstein1([0, 2], [1])).toBeCloseTo(1, 12)
    expect(() => wasserstein1([], [1])).toThrow()
  })
})

describe('jet kinematics from an image', () => {
  it('one pixel: pT is its value, mass 0', () => {
    const img = new Float32Array(S * S * C)
    img[(40 * S + 70) * C + 1] = 25
    const k = jetKinematics(img)
    expect(k.pt).toBeCloseTo(25, 4)
    expect(k.mass).toBeLessThan(1e-3)
    expect(k.energy).toBeCloseTo(25 * Math.cosh(coord(40)), 4)
  })

  it('two massless pixels: m² = 2 pT₁ pT₂ (cosh Δη − cos Δφ)', () => {
    const img = new Float32Array(S * S * C)
    const [r1, c1, p1] = [10, 20, 30]
    const [r2, c2, p2] = [110, 100, 45]
    img[(r1 * S + c1) * C + 0] = 10 // channels add up: 10 + 20 = 30
    img[(r1 * S + c1) * C + 2] = 20
    img[(r2 * S + c2) * C + 1] = p2
    const m2 = 2 * p1 * p2 * (Math.cosh(coord(r1) - coord(r2)) - Math.cos(coord(c1) - coord(c2)))
    expect(jetKinematics(img).mass).toBeCloseTo(Math.sqrt(m2), 3)
    // back to back in φ at the same η: m = 2·√(pT₁pT₂)·sin(Δφ/2)·… → check the same formula with Δη = 0
    const img2 = new Float32Array(S * S * C)
    img2[(62 * S + 0) * C] = 50
    img2[(62 * S + 124) * C] = 50
    const dphi = coord(124) - coord(0)
    expect(jetKinematics(img2).mass).toBeCloseTo(Math.sqrt(2 * 50 * 50 * (1 - Math.cos(dphi))), 3)
    expect(jetKinematics(img2).pt).toBeCloseTo(100 * Math.cos(dphi / 2), 3)
  })

  it('channel weights and the span are parameters', () => {
    const img = new Float32Array(S * S * C)
    img[(62 * S + 62) * C + 0] = 7
    img[(62 * S + 62) * C + 1] = 3
    expect(jetKinematics(img, { channelWeights: [0, 1, 1] }).pt).toBeCloseTo(3, 5)
    const a = new Float32Array(S * S * C)
    a[(0 * S + 62) * C] = 1
    a[(124 * S + 62) * C] = 1
    expect(jetKinematics(a, { halfSpan: 2 }).mass).toBeGreaterThan(jetKinematics(a).mass)
  })
})

describe('reconstruction metrics', () => {
  it('energy ratio is 1 per channel for identical images; pixel MSE is 0', () => {
    const rng = new Rng(2)
    const img = Float32Array.from({ length: 2 * S * S * C }, () => rng.random())
    expect(energyRatio(img, img, C)).toEqual([1, 1, 1])
    expect(pixelMse(img, img)).toBe(0)
    const half = img.map((v, i) => (i % C === 1 ? v / 2 : v))
    const r = energyRatio(half, img, C)
    expect(r[1]).toBeCloseTo(0.5, 10)
    expect(pixelMse([1, 2], [2, 4])).toBe(2.5)
  })
})

describe('AUC and latent separation', () => {
  it('AUC: perfectly separable = 1, reversed = 0, all tied = ½, random ≈ ½', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1)
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0)
    expect(auc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5)
    const rng = new Rng(3)
    const n = 4000
    const scores = Array.from({ length: n }, () => rng.random())
    const labels = Array.from({ length: n }, () => (rng.random() < 0.5 ? 1 : 0))
    expect(Math.abs(auc(scores, labels) - 0.5)).toBeLessThan(0.03)
    expect(auc([1, 2], [1, 1])).toBeNaN()
  })

  it('AUC interval (DeLong): same AUC, about 95 % coverage of the true AUC, narrower with more items', () => {
    expect(aucWithInterval([0.1, 0.2], [1, 0])).toBeNull()
    const rng = new Rng(6)
    // Positives ~ N(δ, 1), negatives ~ N(0, 1): the true AUC is Φ(δ/√2) = 0.76 for δ = 1 (Φ(0.7071) = 0.7602).
    const trueAuc = 0.7602
    const sample = (n: number): { scores: number[]; labels: number[] } => {
      const labels = Array.from({ length: n }, (_, i) => i % 2)
      return { scores: labels.map((y) => normal(rng) + y), labels }
    }
    let covered = 0
    const trials = 300
    for (let t = 0; t < trials; t++) {
      const { scores, labels } = sample(120)
      const e = aucWithInterval(scores, labels)!
      expect(e.auc).toBeCloseTo(auc(scores, labels), 12)
      expect([e.positives, e.negatives]).toEqual([60, 60])
      if (e.lo <= trueAuc && trueAuc <= e.hi) covered++
    }
    expect(covered / trials).toBeGreaterThan(0.9)
    expect(covered / trials).toBeLessThan(0.99)
    const width = (n: number): number => {
      const e = aucWithInterval(...(Object.values(sample(n)) as [number[], number[]]))!
      return e.hi - e.lo
    }
    // Four times the items, about half the width.
    expect(width(4000) / width(1000)).toBeGreaterThan(0.35)
    expect(width(4000) / width(1000)).toBeLessThan(0.65)
  })

  it('AUC interval at a perfect ranking is not a point: the rule of three on the smaller class', () => {
    // 10 positives all above 30 negatives: DeLong's variance is 0; no misranked item among 10 → 3/10.
    const scores = [...Array.from({ length: 30 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 100 + i)]
    const labels = [...Array<number>(30).fill(0), ...Array<number>(10).fill(1)]
    expect(aucWithInterval(scores, labels)).toEqual({ auc: 1, lo: 0.7, hi: 1, positives: 10, negatives: 30 })
    const reversed = aucWithInterval(scores, labels.map((y) => 1 - y))!
    expect([reversed.auc, reversed.lo, reversed.hi]).toEqual([0, 0, 0.3])
  })

  it('logistic regression on latent means: separable clusters → 1, no signal → ≈ ½', () => {
    const rng = new Rng(4)
    const d = 6
    const make = (n: number, shift: number): { Z: Float32Array; y: Float32Array } => {
      const Z = new Float32Array(n * d)
      const y = new Float32Array(n)
      for (let i = 0; i < n; i++) {
        y[i] = i % 2
        for (let j = 0; j < d; j++) Z[i * d + j] = normal(rng) + (j === 2 ? shift * (y[i] ? 1 : -1) : 0)
      }
      return { Z, y }
    }
    const trS = make(400, 4)
    const vaS = make(200, 4)
    expect(latentAuc(trS.Z, trS.y, vaS.Z, vaS.y, d)!.auc).toBeGreaterThan(0.999)
    const tr0 = make(400, 0)
    const va0 = make(2000, 0)
    const none = latentAuc(tr0.Z, tr0.y, va0.Z, va0.y, d)!
    expect(Math.abs(none.auc - 0.5)).toBeLessThan(0.05)
    // No signal: the interval holds ½, so the app must not claim a separation.
    expect(none.lo).toBeLessThan(0.5)
    expect(none.hi).toBeGreaterThan(0.5)
    expect(none.positives + none.negatives).toBe(2000)
    // Unlabelled entries (NaN) are left out.
    const yNan = Float32Array.from(vaS.y, (v, i) => (i < 10 ? NaN : v))
    expect(latentAuc(trS.Z, trS.y, vaS.Z, yNan, d)!.auc).toBeGreaterThan(0.999)
    expect(latentAuc(trS.Z, trS.y, vaS.Z, yNan, d)!.positives + latentAuc(trS.Z, trS.y, vaS.Z, yNan, d)!.negatives).toBe(190)
  })

  it('the gradient-descent path (many features) separates too', () => {
    const rng = new Rng(5)
    const n = 300
    const d = 200
    const X = new Float32Array(n * d)
    const y = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      y[i] = i % 2
      for (let j = 0; j < d; j++) X[i * d + j] = normal(rng) + (j < 3 ? (y[i] ? 1.5 : -1.5) : 0)
    }
    const m = fitLogistic(X, y, n, d)
    expect(auc(logisticScores(m, X, n), y)).toBeGreaterThan(0.99)
  })
})

describe('2-D latent views', () => {
  it('PCA finds the direction of the spread', () => {
    const rng = new Rng(6)
    const n = 200
    const d = 4
    const X = new Float32Array(n * d)
    for (let i = 0; i < n; i++) {
      const t = normal(rng) * 5
      X[i * d] = t
      X[i * d + 1] = 2 * t
      X[i * d + 2] = 0.01 * normal(rng)
      X[i * d + 3] = 0.01 * normal(rng)
    }
    const { points, explained } = pca2d(X, n, d)
    expect(points).toHaveLength(2 * n)
    expect(explained[0]).toBeGreaterThan(0.999)
  })

  it('UMAP is seeded: same seed, same embedding', () => {
    const rng = new Rng(7)
    const n = 60
    const d = 5
    const X = Float32Array.from({ length: n * d }, (_, k) => normal(rng) + (Math.floor(k / d) % 2 ? 6 : 0))
    const a = umap2d(X, n, d, 1, { nEpochs: 50 })
    expect(a).toHaveLength(2 * n)
    expect(umap2d(X, n, d, 1, { nEpochs: 50 })).toEqual(a)
    expect(umap2d(X, n, d, 2, { nEpochs: 50 })).not.toEqual(a)
  })
})
