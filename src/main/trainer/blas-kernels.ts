/**
 * Matrix products and convolutions of the tfjs 'wasm' backend on the machine's
 * BLAS (OpenBLAS on Linux, Accelerate on macOS) through the `nblas` addon.
 *
 * Why: wasm has 128-bit SIMD and no fused multiply-add, so XNNPACK's GEMM tops
 * out near a quarter of what a native AVX2/FMA GEMM does on the same core; the
 * DQN's Dense layers and every convolution (forward, and both gradients, which
 * wasm-conv-grad.ts writes as forward convolutions) are GEMMs underneath. The
 * tensors stay in the wasm heap: the addon reads and writes Float32Array views
 * of it, so nothing is copied in or out.
 *
 * Conv2D is im2col + one GEMM: patches [N·OH·OW, KH·KW·CI] × filter
 * [KH·KW·CI, CO] = output [N·OH·OW, CO], which is NHWC as it stands. The patch
 * matrix is built in slabs of output rows into one reused buffer (at most
 * PATCH_FLOATS floats), so memory stays bounded whatever the layer.
 *
 * Anything these kernels do not cover (other dtypes, NCHW, broadcasting they do
 * not handle) goes to the wasm backend's own kernel, kept when they replace it.
 */
import * as tf from '@tensorflow/tfjs'
import { setTransposedMatMulFast } from '../../core/nn/dense'

/** The part of nblas used here: row-major single-precision GEMM (CBLAS argument order). */
export interface Sgemm {
  sgemm(
    transa: number,
    transb: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void
}

const NO_TRANS = 111
const TRANS = 112
const BACKEND = 'wasm'
/** The largest patch slab im2col builds at once (16 M floats = 64 MiB). */
export const PATCH_FLOATS = 1 << 24
/**
 * Convolutions with fewer input channels stay on XNNPACK. Measured (ms, one core): Snake's
 * first conv (4 channels) 2.2 here vs 0.6 there, the VAE's first (3) 82 vs 46; its second
 * (16) 3.7 vs 11.1 and the VAE's third (64) 64 vs 175.
 */
export const MIN_BLAS_CHANNELS = 16

/** What the kernels need of tfjs-backend-wasm's BackendWasm (not in its public types). */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array }
  dataIdMap: { get(dataId: object): { memoryOffset: number } }
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }

/** A Float32Array view of a tensor's data in the wasm heap (taken after every allocation: the heap may have grown). */
function view(backend: WasmBackend, t: tf.TensorInfo, floats: number, offsetFloats = 0): Float32Array {
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset
  return new Float32Array(backend.wasm.HEAPU8.buffer, offset + offsetFloats * 4, floats)
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

let patches = new Float32Array(0)
function patchBuffer(floats: number): Float32Array {
  if (patches.length < floats) patches = new Float32Array(floats)
  return patches
}

function batchMatMul(blas: Sgemm, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
  const ra = a.shape.length
  const rb = b.shape.length
  const batchA = size(a.shape.slice(0, -2))
  const batchB = size(b.shape.slice(0, -2))
  // Equal batches, or one side shared by the whole batch; other broadcasts are tfjs's business.
  const sameOuter = a.shape.slice(0, -2).join() === b.shape.slice(0, -2).join()
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameOuter || batchA === 1 || batchB === 1)) return fallback(args) as tf.TensorInfo
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]
  const batch = Math.max(batchA, batchB)
  const outer = (batchA >= batchB ? a : b).shape.slice(0, -2)
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput([...outer, M, N], 'float32')
  for (let i = 0; i < batch; i++) {
    const A = view(backend, a, M * K, batchA === 1 ? 0 : i * M * K)
    const B = view(backend, b, K * N, batchB === 1 ? 0 : i * K * N)
    const C = view(backend, out, M * N, i * M * N)
    blas.sgemm(transposeA ? TRANS : NO_TRANS, transposeB ? TRANS : NO_TRANS, M, N, K, 1, A, transposeA ? M : K, B, transposeB ? K : N, 0, C, N)
  }
  return out
}

/** Copies the receptive fields of output rows [r0, r1) (row = (n, oh, ow)) into `dst`, one row of KH·KW·CI values each. */
export function im2col(x: Float32Array, info: tf.backend_util.Conv2DInfo, r0: number, r1: number, dst: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  const rowLen = KH * KW * CI
  let d = 0
  for (let r = r0; r < r1; r++) {
    const ow = r % OW
    const oh = ((r - ow) / OW) % OH
    const n = (r - ow - oh * OW) / (OW * OH)
    const imageBase = n * H * W * CI
    for (let kh = 0; kh < KH; kh++) {
      const ih = oh * sh - top + kh * dh
      if (ih < 0 || ih >= H) {
        dst.fill(0, d, d + KW * CI)
        d += KW * CI
        continue
      }
      const rowBase = imageBase + ih * W * CI
      const iw0 = ow * sw - left
      if (dw === 1 && iw0 >= 0 && iw0 + KW <= W) {
        // The whole window row lies inside the image: KW·CI contiguous floats, one copy.
        const start = rowBase + iw0 * CI
        const len = KW * CI
        if (len >= 64) dst.set(x.subarray(start, start + len), d)
        else for (let c = 0; c < len; c++) dst[d + c] = x[start + c]
        d += len
        continue
      }
      for (let kw = 0; kw < KW; kw++) {
        const iw = ow * sw - left + kw * dw
        if (iw < 0 || iw >= W) dst.fill(0, d, d + CI)
        // A plain loop: subarray() + set() costs more than it saves below a few hundred floats.
        else if (CI >= 256) dst.set(x.subarray(rowBase + iw * CI, rowBase + iw * CI + CI), d)
        else for (let c = 0, s = rowBase + iw * CI; c < CI; c++) dst[d + c] = x[s + c]
        d += CI
      }
    }
  }
  if (d !== (r1 - r0) * rowLen) throw new Error('im2col: patch size mismatch')
}

function conv2D(blas: Sgemm, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo }
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as {
    strides: number | [number, number]
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding
    dataFormat: 'NHWC' | 'NCHW'
    dilations: number | [number, number]
    dimRoundingMode?: 'floor' | 'round' | 'ceil'
  }
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || dataFormat === 'NCHW') return fallback(args) as tf.TensorInfo
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  )
  // Few input channels make im2col's copying dominate (it runs in JavaScript); XNNPACK's direct kernel wins there.
  if (info.inChannels < MIN_BLAS_CHANNELS) return fallback(args) as tf.TensorInfo
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput(info.outShape, 'float32')
  const rows = info.batchSize * info.outHeight * info.outWidth
  const K = info.filterHeight * info.filterWidth * info.inChannels
  const CO = info.outChannels
  if (rows === 0 || CO === 0) return out
  const xs = view(backend, x, size(x.shape))
  const w = view(backend, filter, K * CO)
  const slab = Math.max(1, Math.min(rows, Math.floor(PATCH_FLOATS / K)))
  const buf = patchBuffer(slab * K)
  for (let r0 = 0; r0 < rows; r0 += slab) {
    const r1 = Math.min(rows, r0 + slab)
    im2col(xs, info, r0, r1, buf)
    blas.sgemm(NO_TRANS, NO_TRANS, r1 - r0, CO, K, 1, buf, K, w, CO, 0, view(backend, out, (r1 - r0) * CO, r0 * CO), CO)
  }
  return out
}

/**
 * Replaces the wasm backend's BatchMatMul and Conv2D with the BLAS ones (once; a
 * second call changes nothing). Each keeps the kernel it replaced for what it does not cover.
 */
export function registerBlasKernels(blas: Sgemm): void {
  for (const [name, impl] of [
    ['BatchMatMul', batchMatMul],
    ['Conv2D', conv2D],
  ] as const) {
    const current = tf.getKernel(name, BACKEND)
    if (!current) throw new Error(`blas-kernels: the wasm backend has no ${name} kernel to replace`)
    if ((current.kernelFunc as { blas?: boolean }).blas) continue
    const fallback = current.kernelFunc
    const kernelFunc = Object.assign((args: KernelArgs) => impl(blas, fallback, args), { blas: true, fallback })
    tf.unregisterKernel(name, BACKEND)
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc: current.setupFunc })
  }
  setTransposedMatMulFast(BACKEND)
}

/** Whether the wasm backend's matrix products run on the system BLAS now (what a run or a bench line reports). */
export function blasKernelsInUse(): boolean {
  return Boolean((tf.getKernel('BatchMatMul', BACKEND)?.kernelFunc as { blas?: boolean } | undefined)?.blas)
}

/** Puts the wasm backend's own kernels back (tests compare the two). */
export function unregisterBlasKernels(): void {
  for (const name of ['BatchMatMul', 'Conv2D']) {
    const current = tf.getKernel(name, BACKEND)
    const fallback = (current?.kernelFunc as { fallback?: tf.KernelFunc } | undefined)?.fallback
    if (!current || !fallback) continue
    tf.unregisterKernel(name, BACKEND)
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: fallback, setupFunc: current.setupFunc })
  }
  setTransposedMatMulFast(null)
}
