/**
 * Where VAE training gets its images, and the input transforms. No tfjs here.
 *
 * An ImageSource hands out images by position: `batch(start, count)` reads a
 * contiguous run (what an HDF5 file does well); `gather(indices)`, when the
 * source has it, reads any set (what memory does well). Images are float32,
 * n × S × S × C channels last (the CMS quark–gluon layout: S = 125, C = 3);
 * `y` holds one label per image (quark 0 / gluon 1), NaN where unknown.
 */
import type { InputTransformName } from './params'
import { generateJets } from '../jets/generate'
import { CMS_JET_GEOMETRY, imageLength as jetImageLength } from '../jets/geometry'

export interface ImageBatch {
  images: Float32Array
  y: Float32Array
}

export interface ImageSource {
  readonly size: number
  batch(start: number, count: number): Promise<ImageBatch>
  gather?(indices: readonly number[]): Promise<ImageBatch>
}

/** A source over arrays already in memory (tests, small data sets, generated jets). */
export function memorySource(images: Float32Array, y: Float32Array | null, imageLength: number): ImageSource {
  const size = Math.floor(images.length / imageLength)
  if (size * imageLength !== images.length) throw new Error(`images hold ${images.length} values, not a whole number of ${imageLength}-value images`)
  if (y && y.length !== size) throw new Error(`${size} images but ${y.length} labels`)
  const labels = y ?? new Float32Array(size).fill(NaN)
  const gather = async (indices: readonly number[]): Promise<ImageBatch> => {
    const out = new Float32Array(indices.length * imageLength)
    const outY = new Float32Array(indices.length)
    indices.forEach((idx, k) => {
      if (idx < 0 || idx >= size) throw new RangeError(`image ${idx} is outside 0…${size - 1}`)
      out.set(images.subarray(idx * imageLength, (idx + 1) * imageLength), k * imageLength)
      outY[k] = labels[idx]
    })
    return { images: out, y: outY }
  }
  return {
    size,
    gather,
    batch: (start, count) => gather(Array.from({ length: count }, (_, k) => start + k)),
  }
}

/** Events [0, n) of the synthetic jet sample with this seed (what `quarkade gen jets --n n --seed seed` writes), in memory. */
export function generatedJets(n: number, seed: number): { images: Float32Array; y: Float32Array } {
  const L = jetImageLength(CMS_JET_GEOMETRY)
  const images = new Float32Array(n * L)
  const y = new Float32Array(n)
  let k = 0
  for (const jet of generateJets(seed, 0, n)) {
    images.set(jet.image, k * L)
    y[k++] = jet.y
  }
  return { images, y }
}

/** Reads any set of images: with `gather` if the source has it, else one `batch` per contiguous run. */
export async function fetchImages(source: ImageSource, indices: readonly number[], imageLength: number): Promise<ImageBatch> {
  if (source.gather) return source.gather(indices)
  const images = new Float32Array(indices.length * imageLength)
  const y = new Float32Array(indices.length)
  let k = 0
  while (k < indices.length) {
    let end = k + 1
    while (end < indices.length && indices[end] === indices[end - 1] + 1) end++
    const part = await source.batch(indices[k], end - k)
    images.set(part.images.subarray(0, (end - k) * imageLength), k * imageLength)
    y.set(part.y.subarray(0, end - k), k)
    k = end
  }
  return { images, y }
}

/**
 * An input transform and its fitted constants. Applied to every image before
 * the network sees it; reconstructions are mapped back with `invertTransform`.
 *   none               x
 *   per_channel_scale  x / s_c
 *   scale              x / s    (one s for all channels: the loss weighs channels as raw units do)
 *   log1p              sign(x)·log(1 + |x| / s_c)   (also compresses the dynamic range)
 * s_c = RMS of channel c over the training images, s = RMS over all channels. Jet pixels are ~1e-3 of a
 * GeV-scale peak; without s_c the loss is so small that Adam's ε swamps the
 * gradients and the KL term swamps the reconstruction.
 */
export interface InputTransform {
  kind: InputTransformName
  /** Per-channel RMS s_c (1s for none). */
  scales: number[]
}

export function applyTransform(t: InputTransform, data: Float32Array, out = new Float32Array(data.length)): Float32Array {
  const C = t.scales.length
  const inv = t.scales.map((s) => 1 / s)
  if (t.kind === 'log1p') {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] * inv[i % C]
      out[i] = v >= 0 ? Math.log1p(v) : -Math.log1p(-v)
    }
  } else if (t.kind === 'per_channel_scale' || t.kind === 'scale') {
    for (let i = 0; i < data.length; i++) out[i] = data[i] * inv[i % C]
  } else out.set(data)
  return out
}

export function invertTransform(t: InputTransform, data: Float32Array, out = new Float32Array(data.length)): Float32Array {
  const C = t.scales.length
  if (t.kind === 'log1p') {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]
      out[i] = (v >= 0 ? Math.expm1(v) : -Math.expm1(-v)) * t.scales[i % C]
    }
  } else if (t.kind === 'per_channel_scale' || t.kind === 'scale') {
    for (let i = 0; i < data.length; i++) out[i] = data[i] * t.scales[i % C]
  } else out.set(data)
  return out
}

/** Per-channel sums of squares over raw training images: fits a transform's scales. */
export class FitStats {
  n = 0
  readonly sumSq: Float64Array
  constructor(
    readonly imageLength: number,
    readonly channels: number,
  ) {
    this.sumSq = new Float64Array(channels)
  }

  add(images: Float32Array, count: number): void {
    const C = this.channels
    const end = count * this.imageLength
    for (let i = 0; i < end; i++) this.sumSq[i % C] += images[i] * images[i]
    this.n += count
  }

  /** The transform of the given kind with its scales fitted on what was added. */
  transform(kind: InputTransformName): InputTransform {
    const pixels = (this.n * this.imageLength) / this.channels
    const usable = (rms: number): number => (kind !== 'none' && rms > 0 && Number.isFinite(rms) ? rms : 1)
    if (kind === 'scale') {
      const all = this.sumSq.reduce((a, b) => a + b, 0)
      return { kind, scales: Array(this.channels).fill(usable(Math.sqrt(all / Math.max(1, pixels * this.channels)))) }
    }
    const scales = Array.from(this.sumSq, (s) => usable(Math.sqrt(s / Math.max(1, pixels))))
    return { kind, scales }
  }
}

/**
 * Per-pixel mean and spread of transformed training images: the mean image
 * (the "predict the average" baseline) and the standardisation the network uses.
 */
export class PixelStats {
  n = 0
  readonly sum: Float64Array
  readonly sumSq: Float64Array
  constructor(readonly imageLength: number) {
    this.sum = new Float64Array(imageLength)
    this.sumSq = new Float64Array(imageLength)
  }

  add(transformed: Float32Array, count: number): void {
    const L = this.imageLength
    for (let k = 0; k < count; k++)
      for (let i = 0; i < L; i++) {
        const v = transformed[k * L + i]
        this.sum[i] += v
        this.sumSq[i] += v * v
      }
    this.n += count
  }

  /**
   * Mean and standard deviation per value. The std has a floor of `floor` × its
   * RMS over the image, so pixels that were (almost) always empty do not divide by ~0.
   */
  result(floor = 0.1): { mean: Float32Array; std: Float32Array } {
    const n = Math.max(1, this.n)
    const L = this.imageLength
    const mean = new Float32Array(L)
    const variance = new Float64Array(L)
    let meanVar = 0
    for (let i = 0; i < L; i++) {
      const m = this.sum[i] / n
      mean[i] = m
      variance[i] = Math.max(0, this.sumSq[i] / n - m * m)
      meanVar += variance[i] / L
    }
    const floorSq = floor * floor * (meanVar > 0 ? meanVar : 1)
    const std = new Float32Array(L)
    for (let i = 0; i < L; i++) std[i] = Math.sqrt(variance[i] + floorSq)
    return { mean, std }
  }
}
