/**
 * Metrics for a generative model of jet images: how close reconstructions are
 * (per-pixel MSE, energy per channel), how close distributions of jet
 * observables are (Wasserstein-1 of jet mass and pT), and what the latent space
 * holds (quark/gluon separation by a logistic regression on the latent means,
 * 2-D PCA and UMAP views). Plain arrays, no tfjs.
 *
 * Images are float32, n × S × S × C channels last; rows run along η, columns
 * along φ, the jet axis at the image centre (the CMS quark–gluon layout).
 */
import { PCA } from 'ml-pca'
import { UMAP } from 'umap-js'
import { Rng } from '../rng'

/** Mean squared difference per value. */
export function pixelMse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pixelMse: ${a.length} vs ${b.length} values`)
  let s = 0
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i]
    s += d * d
  }
  return a.length ? s / a.length : 0
}

/** Σ of every channel over all images. */
export function channelTotals(images: ArrayLike<number>, channels: number): number[] {
  const t = new Float64Array(channels)
  for (let i = 0; i < images.length; i++) t[i % channels] += images[i]
  return Array.from(t)
}

/** Total energy per channel, reconstructed / original (1 = energy conserved). */
export function energyRatio(reconstructed: ArrayLike<number>, original: ArrayLike<number>, channels: number): number[] {
  const r = channelTotals(reconstructed, channels)
  const o = channelTotals(original, channels)
  return r.map((v, c) => v / o[c])
}

/**
 * Wasserstein-1 (earth mover's) distance between two 1-D samples, exact:
 * W1 = ∫ |F_a(x) − F_b(x)| dx over the empirical CDFs. Samples may differ in size.
 */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) throw new Error('wasserstein1 needs two non-empty samples')
  const sa = Float64Array.from(a).sort()
  const sb = Float64Array.from(b).sort()
  let i = 0
  let j = 0
  let w = 0
  let x = Math.min(sa[0], sb[0])
  while (i < sa.length || j < sb.length) {
    const next = j >= sb.length || (i < sa.length && sa[i] <= sb[j]) ? sa[i] : sb[j]
    w += Math.abs(i / sa.length - j / sb.length) * (next - x)
    x = next
    while (i < sa.length && sa[i] === x) i++
    while (j < sb.length && sb[j] === x) j++
  }
  return w
}

export interface JetGeometryOptions {
  /** Pixels per side (default 125). */
  size?: number
  /** Half the side in η and in φ (default 125 · 0.0174 / 2 = 1.0875). */
  halfSpan?: number
  /** Weight of each channel in a pixel's pT (default 1 for every channel: pT = Σ channels). */
  channelWeights?: readonly number[]
  channels?: number
}

export const DEFAULT_HALF_SPAN = (125 * 0.0174) / 2

export interface JetKinematics {
  pt: number
  mass: number
  energy: number
}

/**
 * Jet pT and mass of one image: every pixel is a massless constituent with
 * pT = Σ_c w_c·pixel_c at its centre (η, φ): E = pT cosh η,
 * p = (pT cos φ, pT sin φ, pT sinh η); m² = E² − |p|² of the sum.
 */
export function jetKinematics(images: ArrayLike<number>, options: JetGeometryOptions = {}, image = 0): JetKinematics {
  const S = options.size ?? 125
  const C = options.channels ?? 3
  const half = options.halfSpan ?? DEFAULT_HALF_SPAN
  const w = options.channelWeights ?? Array(C).fill(1)
  const step = (2 * half) / S
  let E = 0
  let px = 0
  let py = 0
  let pz = 0
  const base = image * S * S * C
  for (let r = 0; r < S; r++) {
    const eta = -half + (r + 0.5) * step
    const ch = Math.cosh(eta)
    const sh = Math.sinh(eta)
    for (let c = 0; c < S; c++) {
      const o = base + (r * S + c) * C
      let pt = 0
      for (let k = 0; k < C; k++) pt += w[k] * images[o + k]
      if (pt === 0) continue
      const phi = -half + (c + 0.5) * step
      E += pt * ch
      px += pt * Math.cos(phi)
      py += pt * Math.sin(phi)
      pz += pt * sh
    }
  }
  const m2 = E * E - px * px - py * py - pz * pz
  return { pt: Math.hypot(px, py), mass: Math.sqrt(Math.max(0, m2)), energy: E }
}

/** pT and mass of each of `n` images. */
export function jetKinematicsBatch(images: ArrayLike<number>, n: number, options: JetGeometryOptions = {}): { pt: Float64Array; mass: Float64Array } {
  const pt = new Float64Array(n)
  const mass = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const j = jetKinematics(images, options, k)
    pt[k] = j.pt
    mass[k] = j.mass
  }
  return { pt, mass }
}

/**
 * Area under the ROC curve by the rank statistic (Mann–Whitney U, ties get
 * their average rank): the chance a random positive scores above a random negative.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b])
  let rankSumPos = 0
  let nPos = 0
  let i = 0
  while (i < n) {
    let j = i
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++
    const avgRank = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) if (labels[order[k]] > 0.5) {
      rankSumPos += avgRank
      nPos++
    }
    i = j + 1
  }
  const nNeg = n - nPos
  if (nPos === 0 || nNeg === 0) return NaN
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg)
}

/** Average ranks (1-based; ties share their mean rank) of `values`. */
function midranks(values: readonly number[]): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b])
  const ranks = new Float64Array(values.length)
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1
    i = j + 1
  }
  return ranks
}

/** An AUC with its 95 % confidence interval and the counts it rests on. */
export interface AucEstimate {
  auc: number
  /** 95 % interval by DeLong's variance (normal approximation), clipped to [0, 1]. */
  lo: number
  hi: number
  /** Scored items labelled 1 (positives) and 0 (negatives). */
  positives: number
  negatives: number
}

/**
 * AUC with DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988; the midrank form of Sun & Xu
 * 2014): each positive's and each negative's share of the U statistic, whose spread gives the
 * AUC's standard error. Null unless both classes have at least two items.
 */
export function aucWithInterval(scores: ArrayLike<number>, labels: ArrayLike<number>): AucEstimate | null {
  const pos: number[] = []
  const neg: number[] = []
  for (let i = 0; i < scores.length; i++) (labels[i] > 0.5 ? pos : neg).push(scores[i])
  const m = pos.length
  const n = neg.length
  if (m < 2 || n < 2) return null
  const all = midranks([...pos, ...neg])
  const withinPos = midranks(pos)
  const withinNeg = midranks(neg)
  const v10 = pos.map((_, i) => (all[i] - withinPos[i]) / n)
  const v01 = neg.map((_, j) => 1 - (all[m + j] - withinNeg[j]) / m)
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length
  const variance = (v: number[], mu: number): number => v.reduce((a, b) => a + (b - mu) ** 2, 0) / (v.length - 1)
  const a = mean(v10)
  const se = Math.sqrt(variance(v10, a) / m + variance(v01, mean(v01)) / n)
  // At a perfect ranking (AUC 0 or 1) DeLong's variance is 0 and the interval would be a point. Then
  // the rule of three: no misranked item among the smaller class's k gives 3/k as the 95 % bound.
  const half = se > 0 ? 1.96 * se : 3 / Math.min(m, n)
  return { auc: a, lo: Math.max(0, a - half), hi: Math.min(1, a + half), positives: m, negatives: n }
}

export interface LogisticModel {
  weights: Float64Array
  bias: number
  /** Feature standardisation fitted on the training data. */
  mean: Float64Array
  std: Float64Array
}

/**
 * L2-regularised logistic regression on standardised features, by Newton's
 * method (IRLS) for up to 128 features, else by full-batch gradient descent.
 * `X` is n × d row-major; labels are 0/1.
 */
export function fitLogistic(X: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, l2 = 1e-2): LogisticModel {
  const mean = new Float64Array(d)
  const std = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j] / n
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (X[i * d + j] - mean[j]) ** 2 / n
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) || 1
  const Z = new Float64Array(n * (d + 1))
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) Z[i * (d + 1) + j] = (X[i * d + j] - mean[j]) / std[j]
    Z[i * (d + 1) + d] = 1
  }
  const D = d + 1
  const beta = new Float64Array(D)
  const p = new Float64Array(n)
  const predict = (): void => {
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let j = 0; j < D; j++) s += Z[i * D + j] * beta[j]
      p[i] = 1 / (1 + Math.exp(-s))
    }
  }
  if (d <= 128) {
    for (let iter = 0; iter < 50; iter++) {
      predict()
      const g = new Float64Array(D)
      const H = new Float64Array(D * D)
      for (let i = 0; i < n; i++) {
        const r = p[i] - y[i]
        const wi = Math.max(p[i] * (1 - p[i]), 1e-9)
        const row = i * D
        for (let a = 0; a < D; a++) {
          g[a] += Z[row + a] * r
          const za = Z[row + a] * wi
          for (let b = 0; b <= a; b++) H[a * D + b] += za * Z[row + b]
        }
      }
      for (let a = 0; a < D; a++) {
        for (let b = 0; b < a; b++) H[b * D + a] = H[a * D + b]
        if (a < d) {
          g[a] += l2 * n * beta[a]
          H[a * D + a] += l2 * n
        }
      }
      const step = solveSpd(H, g, D)
      let change = 0
      for (let a = 0; a < D; a++) {
        beta[a] -= step[a]
        change = Math.max(change, Math.abs(step[a]))
      }
      if (change < 1e-8) break
    }
  } else {
    const lr = 0.5
    for (let iter = 0; iter < 500; iter++) {
      predict()
      const g = new Float64Array(D)
      for (let i = 0; i < n; i++) {
        const r = p[i] - y[i]
        for (let a = 0; a < D; a++) g[a] += (Z[i * D + a] * r) / n
      }
      for (let a = 0; a < D; a++) beta[a] -= lr * (g[a] + (a < d ? l2 * beta[a] : 0))
    }
  }
  return { weights: beta.slice(0, d), bias: beta[d], mean, std }
}

/** Decision scores (log-odds) of a fitted logistic model. */
export function logisticScores(model: LogisticModel, X: ArrayLike<number>, n: number): Float64Array {
  const d = model.weights.length
  const s = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let v = model.bias
    for (let j = 0; j < d; j++) v += model.weights[j] * ((X[i * d + j] - model.mean[j]) / model.std[j])
    s[i] = v
  }
  return s
}

/** Cholesky solve of H·x = g for a symmetric positive-definite H (D × D). */
function solveSpd(H: Float64Array, g: Float64Array, D: number): Float64Array {
  const L = new Float64Array(D * D)
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let s = H[i * D + j]
      for (let k = 0; k < j; k++) s -= L[i * D + k] * L[j * D + k]
      L[i * D + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * D + j]
    }
  }
  const z = new Float64Array(D)
  for (let i = 0; i < D; i++) {
    let s = g[i]
    for (let k = 0; k < i; k++) s -= L[i * D + k] * z[k]
    z[i] = s / L[i * D + i]
  }
  const x = new Float64Array(D)
  for (let i = D - 1; i >= 0; i--) {
    let s = z[i]
    for (let k = i + 1; k < D; k++) s -= L[k * D + i] * x[k]
    x[i] = s / L[i * D + i]
  }
  return x
}

/**
 * Quark/gluon separation in the latent space: a logistic regression on the
 * latent means, fitted on the training set and scored (AUC with its 95 % interval) on the validation set.
 * Labels other than 0/1 (e.g. NaN, unknown) are left out.
 */
export function latentAuc(trainZ: ArrayLike<number>, trainY: ArrayLike<number>, valZ: ArrayLike<number>, valY: ArrayLike<number>, d: number): AucEstimate | null {
  const pick = (Z: ArrayLike<number>, Y: ArrayLike<number>): { X: Float64Array; y: Float64Array } => {
    const keep: number[] = []
    for (let i = 0; i < Y.length; i++) if (Y[i] === 0 || Y[i] === 1) keep.push(i)
    const X = new Float64Array(keep.length * d)
    keep.forEach((i, k) => {
      for (let j = 0; j < d; j++) X[k * d + j] = Z[i * d + j]
    })
    return { X, y: Float64Array.from(keep, (i) => Y[i]) }
  }
  const tr = pick(trainZ, trainY)
  const va = pick(valZ, valY)
  if (tr.y.length < 2 || va.y.length < 2) return null
  const model = fitLogistic(tr.X, tr.y, tr.y.length, d)
  return aucWithInterval(logisticScores(model, va.X, va.y.length), va.y)
}

const rows = (X: ArrayLike<number>, n: number, d: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => X[i * d + j]))

/** The first two principal components of n × d points (n × 2, row-major), and their share of the variance. */
export function pca2d(X: ArrayLike<number>, n: number, d: number): { points: Float32Array; explained: number[] } {
  if (d === 1) return { points: Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? X[k >> 1] : 0)), explained: [1, 0] }
  const pca = new PCA(rows(X, n, d), { center: true, scale: false })
  const proj = pca.predict(rows(X, n, d), { nComponents: 2 }).to2DArray()
  return { points: Float32Array.from(proj.flat()), explained: pca.getExplainedVariance().slice(0, 2) }
}

/** A seeded 2-D UMAP embedding of n × d points (n × 2, row-major). */
export function umap2d(X: ArrayLike<number>, n: number, d: number, seed: number, options: { nNeighbors?: number; minDist?: number; nEpochs?: number } = {}): Float32Array {
  const rng = new Rng(seed)
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(options.nNeighbors ?? 15, n - 1)),
    minDist: options.minDist ?? 0.1,
    nEpochs: options.nEpochs,
    random: () => rng.random(),
  })
  return Float32Array.from(umap.fit(rows(X, n, d)).flat())
}
