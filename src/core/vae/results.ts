/**
 * The results of a trained VAE, computed on held-out images in raw units:
 * what a results page shows and a run stores. Streams the images in batches, so
 * memory stays at a few batches whatever the data set's size.
 */
import { deriveSeed } from '../rng'
import { fetchImages, invertTransform } from './data'
import { imageLength, latentSize } from './model'
import { DEFAULT_HALF_SPAN, channelTotals, jetKinematicsBatch, latentAuc, pca2d, umap2d, wasserstein1, type JetGeometryOptions } from './metrics'
import type { VaeTrainer } from './train'

export interface VaeResultsOptions {
  /** Validation images evaluated (and training images used to fit the latent classifier); default 2000. */
  maxImages?: number
  /** Original/reconstruction pairs kept for display; default 8. */
  examples?: number
  /** Images decoded from the prior for display; default 8. Distribution metrics use as many as evaluated images. */
  samples?: number
  /** Compute the UMAP view (slow beyond a few thousand points); default true. */
  umap?: boolean
  seed?: number
  geometry?: JetGeometryOptions
}

export interface VaeResults {
  /** Validation images evaluated. */
  n: number
  /** Per-value MSE of the reconstructions (from μ), raw units; and of predicting the training mean image. */
  pixelMse: number
  baselinePixelMse: number
  /**
   * The same two per channel: where the VAE learned and where it still draws the average jet
   * (on generated jets it learns HCAL's coarse towers long before Track's single-pixel hits).
   */
  pixelMseByChannel: number[]
  baselinePixelMseByChannel: number[]
  /** Σ reconstructed / Σ original energy, per channel. */
  energyRatio: number[]
  /** W1 between the original and reconstructed distributions of jet mass and pT. */
  w1Reco: { mass: number; pt: number }
  /** W1 between the original distributions and those of images decoded from z ~ N(0, I). */
  w1Prior: { mass: number; pt: number }
  /** AUC of a logistic regression on latent means (fit on train, scored on val); null without labels. */
  latentAuc: number | null
  /** Its 95 % interval and the held-out jets of each class it was scored on; null with latentAuc. */
  latentAucInterval: { lo: number; hi: number; quarks: number; gluons: number } | null
  latent: {
    /** 2-D views of the validation latent means (n × 2 row-major), and their labels. */
    pca: Float32Array
    pcaExplained: number[]
    umap: Float32Array | null
    labels: Float32Array
  }
  /** Original and reconstructed images (count × S × S × C), raw units. */
  examples: { count: number; original: Float32Array; reconstructed: Float32Array }
  /** Images decoded from the prior (count × S × S × C), raw units. */
  samples: { count: number; images: Float32Array }
}

const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0)

/** Each channel's reconstruction MSE over the mean image's there (NaN where that is 0): 1 = nothing learned in the channel. */
export function mseRatioByChannel(r: Pick<VaeResults, 'pixelMseByChannel' | 'baselinePixelMseByChannel'>): number[] {
  return r.pixelMseByChannel.map((m, c) => (r.baselinePixelMseByChannel[c] > 0 ? m / r.baselinePixelMseByChannel[c] : NaN))
}

export async function evaluateVae(trainer: VaeTrainer, options: VaeResultsOptions = {}): Promise<VaeResults> {
  await trainer.fit()
  const source = trainer.source
  const a = trainer.arch
  const L = imageLength(a)
  const max = options.maxImages ?? 2000
  const nEx = options.examples ?? 8
  const seed = options.seed ?? trainer.params.seed
  const geometry: JetGeometryOptions = { size: a.imageSize, channels: a.channels, halfSpan: DEFAULT_HALF_SPAN, ...options.geometry }
  const B = trainer.params.batch_size
  const val = trainer.split.val.slice(0, max)
  const train = trainer.split.train.slice(0, max)
  const d = latentSize(a)
  const mean = trainer.meanImage!
  const meanRaw = invertTransform(trainer.transform!, mean)

  // Validation images: reconstructions, kinematics, latent means.
  const C = a.channels
  const se = new Float64Array(C)
  const seBase = new Float64Array(C)
  const totO = new Float64Array(C)
  const totR = new Float64Array(C)
  const massO: number[] = []
  const ptO: number[] = []
  const massR: number[] = []
  const ptR: number[] = []
  const zVal = new Float32Array(val.length * d)
  const yVal = new Float32Array(val.length)
  const exO = new Float32Array(Math.min(nEx, val.length) * L)
  const exR = new Float32Array(exO.length)
  for (let k = 0; k < val.length; k += B) {
    const idx = val.slice(k, k + B)
    const n = idx.length
    const { images, y } = await fetchImages(source, idx, L)
    const reco = await trainer.reconstruct(images, n)
    zVal.set(await trainer.encodeMeans(images, n), k * d)
    yVal.set(y.subarray(0, n), k)
    for (let i = 0; i < n * L; i++) {
      const c = i % C
      const dv = reco[i] - images[i]
      se[c] += dv * dv
      const db = meanRaw[i % L] - images[i]
      seBase[c] += db * db
    }
    channelTotals(images.subarray(0, n * L), C).forEach((v, c) => (totO[c] += v))
    channelTotals(reco, C).forEach((v, c) => (totR[c] += v))
    const ko = jetKinematicsBatch(images, n, geometry)
    const kr = jetKinematicsBatch(reco, n, geometry)
    massO.push(...ko.mass)
    ptO.push(...ko.pt)
    massR.push(...kr.mass)
    ptR.push(...kr.pt)
    const keep = Math.max(0, Math.min(n, nEx - k))
    if (keep > 0) {
      exO.set(images.subarray(0, keep * L), k * L)
      exR.set(reco.subarray(0, keep * L), k * L)
    }
  }

  // Training images: latent means for the classifier.
  const zTrain = new Float32Array(train.length * d)
  const yTrain = new Float32Array(train.length)
  for (let k = 0; k < train.length; k += B) {
    const idx = train.slice(k, k + B)
    const { images, y } = await fetchImages(source, idx, L)
    zTrain.set(await trainer.encodeMeans(images, idx.length), k * d)
    yTrain.set(y.subarray(0, idx.length), k)
  }

  // The prior: as many decoded images as evaluated ones, for the distributions.
  const massP: number[] = []
  const ptP: number[] = []
  const nShow = options.samples ?? 8
  let shown = new Float32Array(0)
  for (let k = 0; k < val.length; k += B) {
    const n = Math.min(B, val.length - k)
    const imgs = await trainer.samplePrior(n, deriveSeed(seed, 0x9a1 + k))
    if (k === 0) shown = imgs.slice(0, Math.min(nShow, n) * L)
    const kp = jetKinematicsBatch(imgs, n, geometry)
    massP.push(...kp.mass)
    ptP.push(...kp.pt)
  }

  const labelled = (ys: Float32Array): boolean => ys.some((v) => v === 0) && ys.some((v) => v === 1)
  const separation = labelled(yTrain) && labelled(yVal) ? latentAuc(zTrain, yTrain, zVal, yVal, d) : null
  const aucValue = separation && Number.isFinite(separation.auc) ? separation : null
  const n = val.length
  const pca = pca2d(zVal, n, d)
  return {
    n,
    pixelMse: sum(se) / Math.max(1, n * L),
    baselinePixelMse: sum(seBase) / Math.max(1, n * L),
    pixelMseByChannel: Array.from(se, (v) => (v * C) / Math.max(1, n * L)),
    baselinePixelMseByChannel: Array.from(seBase, (v) => (v * C) / Math.max(1, n * L)),
    energyRatio: Array.from(totR, (v, c) => v / totO[c]),
    w1Reco: { mass: wasserstein1(massO, massR), pt: wasserstein1(ptO, ptR) },
    w1Prior: { mass: wasserstein1(massO, massP), pt: wasserstein1(ptO, ptP) },
    latentAuc: aucValue?.auc ?? null,
    // Label 1 is gluon, 0 quark (the CMS file's convention).
    latentAucInterval: aucValue ? { lo: aucValue.lo, hi: aucValue.hi, quarks: aucValue.negatives, gluons: aucValue.positives } : null,
    latent: {
      pca: pca.points,
      pcaExplained: pca.explained,
      umap: options.umap === false || n < 4 ? null : umap2d(zVal, n, d, deriveSeed(seed, 0x0a9)),
      labels: yVal,
    },
    examples: { count: exO.length / L, original: exO, reconstructed: exR },
    samples: { count: shown.length / L, images: shown },
  }
}
