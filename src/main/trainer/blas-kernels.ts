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
 * [KH·KW·CI, CO] = output [N·OH·OW, CO], which is NHWC as it stands; its filter
 * gradient is patchesᵀ × dy, one more GEMM on the same patches (no transposes), and its
 * input gradient (also the transposed convolution) dy × Wᵀ added back pixel by pixel (col2im).
 * FusedConv2D and _FusedMatMul are the same products with their bias (and ReLU) added to each
 * slab's rows in place while they are in cache (elementwise.wat), one kernel call for three.
 * The patch matrix is built in slabs of output rows into one reused buffer in the
 * wasm heap (PATCH_FLOATS floats, or MIN_SLAB_ROWS rows), so memory stays bounded whatever the
 * layer, by im2col.wat (one memory.copy per in-image window row).
 * Sum over all but the last axis — every bias gradient — is one GEMV.
 *
 * Anything these kernels do not cover (other dtypes, NCHW, broadcasting they do
 * not handle) goes to the wasm backend's own kernel, kept when they replace it.
 */
import * as tf from '@tensorflow/tfjs'
import { setTransposedMatMulFast } from '../../core/nn/dense'
import { addBiasRows, registerWasmKernels } from '../../core/nn/wasm-kernels'
import { wasmHeapModule, type WasmBackend } from '../../core/nn/wasm-heap-module'
import { IM2COL_BASE64 } from './im2col-module'

/** The part of nblas used here: row-major single-precision GEMM and GEMV (CBLAS argument order). */
export interface Blas {
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
  sgemv(trans: number, m: number, n: number, alpha: number, a: Float32Array, lda: number, x: Float32Array, incx: number, beta: number, y: Float32Array, incy: number): void
}

const NO_TRANS = 111
const TRANS = 112
const BACKEND = 'wasm'
/**
 * The patch slab im2col builds at once: 128 K floats (512 KiB, a core's L2 here), so the patches are
 * still in cache when the GEMM packs them. A 64 MiB slab sent them through DRAM twice: the reference
 * VAE trained at 40 images/s with it and 48 with this (same machine, one BLAS thread).
 */
const PATCH_FLOATS = 1 << 17
/** Slabs keep at least this many rows, whatever the patch length, so the GEMMs stay efficient. */
const MIN_SLAB_ROWS = 128
/**
 * Forward convolutions with a small filter matrix (KH·KW·CI × CO below this many floats) stay on
 * XNNPACK: there the GEMM is too thin to pay for building the patches. Measured (min of repeats, one
 * core, cache-sized slabs): a 2-channel 3×3 conv to 8 (144) 0.09–0.11 ms there against 0.23–0.25 here,
 * Snake's first conv (4 → 16, 576) 0.48 against 0.54; the VAE's first (3 → 32, 4×4: 1 536) 21.5–34.4
 * against 15.5–26.3, and every conv with 16 or more input channels is several times faster here.
 */
export const MIN_BLAS_FILTER_FLOATS = 1024

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }

/** A Float32Array view of a tensor's data in the wasm heap (taken after every allocation: the heap may have grown). */
function view(backend: WasmBackend, t: tf.TensorInfo, floats: number, offsetFloats = 0): Float32Array {
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset
  return new Float32Array(backend.wasm.HEAPU8.buffer, offset + offsetFloats * 4, floats)
}

const size = (shape: readonly number[]): number => tf.util.sizeFromShape(shape as number[])

/** a·b (either transposed, batched or one side shared by the batch) on the BLAS; null for what it does not cover. */
function blasMatMul(blas: Blas, args: KernelArgs): tf.TensorInfo | null {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
  const ra = a.shape.length
  const rb = b.shape.length
  const batchA = size(a.shape.slice(0, -2))
  const batchB = size(b.shape.slice(0, -2))
  // Equal batches, or one side shared by the whole batch; other broadcasts are tfjs's business.
  const sameOuter = a.shape.slice(0, -2).join() === b.shape.slice(0, -2).join()
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameOuter || batchA === 1 || batchB === 1)) return null
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

function batchMatMul(blas: Blas, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  return blasMatMul(blas, args) ?? (fallback(args) as tf.TensorInfo)
}

/** What a fused kernel's epilogue asks (tfjs's FusedConv2D and _FusedMatMul attributes and inputs). */
interface Epilogue {
  bias?: tf.TensorInfo
  preluActivationWeights?: tf.TensorInfo
  activation?: string
}

/**
 * Whether we do this epilogue: + a float32 bias along the output's last axis (width n), then
 * nothing or ReLU. The rest (PReLU, leaky ReLU, ReLU6, sigmoid, a ReLU without bias) stays tfjs's.
 */
function plainEpilogue({ bias, preluActivationWeights, activation = 'linear' }: Epilogue, n: number): boolean {
  if (preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return false
  if (!bias) return activation === 'linear'
  return bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === n
}

/** a·b + bias, then ReLU if asked: the BLAS product with the bias and ReLU added in place. */
function fusedMatMul(blas: Blas, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const { b, bias } = args.inputs as { b: tf.TensorInfo; bias?: tf.TensorInfo }
  const { transposeB, activation } = args.attrs as { transposeB: boolean; activation?: string }
  const N = b.shape[b.shape.length - (transposeB ? 2 : 1)]
  if (!plainEpilogue({ ...args.inputs, activation }, N)) return fallback(args) as tf.TensorInfo
  const out = blasMatMul(blas, args)
  if (!out) return fallback(args) as tf.TensorInfo
  if (bias) addBiasRows(args.backend as WasmBackend, out, out, bias, 0, size(out.shape) / Math.max(1, N), activation === 'relu')
  return out
}

interface Patches {
  im2col(x: number, dst: number, r0: number, r1: number, ...shape: number[]): void
  col2im(cols: number, x: number, r0: number, r1: number, ...shape: number[]): void
}

/** The patch slab: one allocation in the wasm heap per backend, replaced by a larger one when a layer needs it. */
const slabs = new WeakMap<object, tf.TensorInfo>()

function patchSlab(backend: WasmBackend, floats: number): tf.TensorInfo {
  let slab = slabs.get(backend)
  if (!slab || slab.shape[0] < floats) {
    if (slab) backend.disposeData(slab.dataId)
    slab = backend.makeOutput([floats], 'float32')
    slabs.set(backend, slab)
  }
  return slab
}

/**
 * Builds the patch matrix of `x` for `info` in slabs of output rows (row = (n, oh, ow)), `slabRows`
 * rows each (by default PATCH_FLOATS' worth), and hands each to `use` as rows [r0, r1) of KH·KW·CI
 * values (a view into the wasm heap, valid until the next allocation there).
 */
export function forEachPatchSlab(
  backend: WasmBackend,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  use: (r0: number, r1: number, patches: Float32Array) => void,
  slabRows?: number,
): void {
  slabLoop(backend, x, info, slabRows, (k, xOffset, slabOffset, r0, r1, shape, patches) => {
    k.im2col(xOffset, slabOffset, r0, r1, ...shape)
    use(r0, r1, patches())
  })
}

/**
 * The adjoint: zeroes `x`, then for each slab of output rows lets `fill` write their patch-matrix
 * values (a view into the wasm heap) and adds them onto the pixels of `x` they belong to.
 */
export function forEachColumnSlab(
  backend: WasmBackend,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  fill: (r0: number, r1: number, cols: Float32Array) => void,
  slabRows?: number,
): void {
  view(backend, x, size(x.shape)).fill(0)
  slabLoop(backend, x, info, slabRows, (k, xOffset, slabOffset, r0, r1, shape, cols) => {
    fill(r0, r1, cols())
    k.col2im(slabOffset, xOffset, r0, r1, ...shape)
  })
}

/** Slabs of output rows over the one patch buffer, with the geometry the wasm kernels take. */
function slabLoop(
  backend: WasmBackend,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  slabRowsAsked: number | undefined,
  each: (k: Patches, xOffset: number, slabOffset: number, r0: number, r1: number, shape: number[], slab: () => Float32Array) => void,
): void {
  const kernel = wasmHeapModule<Patches>(IM2COL_BASE64, backend)
  if (!kernel) throw new Error('blas-kernels: the wasm backend does not expose its memory, so im2col cannot run there')
  const rows = info.batchSize * info.outHeight * info.outWidth
  const K = info.filterHeight * info.filterWidth * info.inChannels
  const slabRows = Math.max(1, Math.min(rows, slabRowsAsked ?? Math.max(MIN_SLAB_ROWS, Math.floor(PATCH_FLOATS / K))))
  const slab = patchSlab(backend, slabRows * K)
  const xOffset = backend.dataIdMap.get(x.dataId).memoryOffset
  const slabOffset = backend.dataIdMap.get(slab.dataId).memoryOffset
  const shape = [info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left]
  for (let r0 = 0; r0 < rows; r0 += slabRows) {
    const r1 = Math.min(rows, r0 + slabRows)
    each(kernel.exports, xOffset, slabOffset, r0, r1, shape, () => view(backend, slab, (r1 - r0) * K))
  }
}

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding
/** The attributes tfjs gives its convolution kernels (the forward one adds dilations, the gradients a shape). */
interface ConvAttrs {
  strides: number | [number, number]
  pad: Pad
  dataFormat: 'NHWC' | 'NCHW'
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}
type Shape4 = [number, number, number, number]

function conv2D(blas: Blas, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const { x, filter, bias } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo }
  const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = args.attrs as unknown as ConvAttrs & { dilations: number | [number, number]; activation?: string }
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || dataFormat === 'NCHW') return fallback(args) as tf.TensorInfo
  const info = convInfo(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode)
  // A thin filter matrix makes the patches many times the work; XNNPACK's direct kernel wins there.
  if (info.filterHeight * info.filterWidth * info.inChannels * info.outChannels < MIN_BLAS_FILTER_FLOATS || !plainEpilogue({ ...args.inputs, activation }, info.outChannels)) return fallback(args) as tf.TensorInfo
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput(info.outShape, 'float32')
  const K = info.filterHeight * info.filterWidth * info.inChannels
  const CO = info.outChannels
  if (info.batchSize * info.outHeight * info.outWidth === 0 || CO === 0) return out
  forEachPatchSlab(backend, x, info, (r0, r1, patches) => {
    blas.sgemm(NO_TRANS, NO_TRANS, r1 - r0, CO, K, 1, patches, K, view(backend, filter, K * CO), CO, 0, view(backend, out, (r1 - r0) * CO, r0 * CO), CO)
    // FusedConv2D's bias and ReLU on the slab's rows while they are in cache.
    if (bias) addBiasRows(backend, out, out, bias, r0, r1 - r0, activation === 'relu')
  })
  return out
}

/** dW [KH·KW·CI, CO] = Σ over slabs of patchesᵀ · dy (the rows of dy are the patches' output rows). */
function conv2DBackpropFilter(blas: Blas, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo }
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as ConvAttrs & { filterShape: Shape4 }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || dataFormat === 'NCHW') return fallback(args) as tf.TensorInfo
  const info = convInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode)
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput(filterShape, 'float32')
  const K = info.filterHeight * info.filterWidth * info.inChannels
  const CO = info.outChannels
  let beta = 0
  forEachPatchSlab(backend, x, info, (r0, r1, patches) => {
    blas.sgemm(TRANS, NO_TRANS, K, CO, r1 - r0, 1, patches, K, view(backend, dy, (r1 - r0) * CO, r0 * CO), CO, beta, view(backend, out, K * CO), CO)
    beta = 1
  })
  if (beta === 0) view(backend, out, K * CO).fill(0)
  return out
}

/** dx = col2im(dy · Wᵀ): the patch-matrix gradient [rows, KH·KW·CI], added back onto the input's pixels. */
function conv2DBackpropInput(blas: Blas, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo }
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as ConvAttrs & { inputShape: Shape4 }
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32' || dataFormat === 'NCHW') return fallback(args) as tf.TensorInfo
  // No channel threshold here: with few input channels the GEMM is still the work (the VAE's last
  // transposed conv, 32 → 3 channels: 27.6 ms against 121.9 ms for the sub-pixel conv on XNNPACK).
  const info = convInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode)
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput(inputShape, 'float32')
  const K = info.filterHeight * info.filterWidth * info.inChannels
  const CO = info.outChannels
  forEachColumnSlab(backend, out, info, (r0, r1, cols) => {
    blas.sgemm(NO_TRANS, TRANS, r1 - r0, K, CO, 1, view(backend, dy, (r1 - r0) * CO, r0 * CO), CO, view(backend, filter, K * CO), CO, 0, cols, K)
  })
  return out
}

function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, strides, dilations, pad, dimRoundingMode, false, 'channelsLast')
}

let ones = new Float32Array(0)

/** Sum over every axis but the last (a bias gradient): one GEMV of the rows with a vector of ones. */
function sum(blas: Blas, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo }
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean }
  const rank = x.shape.length
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b)
  if (x.dtype !== 'float32' || rank < 2 || axes.length !== rank - 1 || axes.some((a, i) => a !== i)) return fallback(args) as tf.TensorInfo
  const C = x.shape[rank - 1]
  const M = size(x.shape) / Math.max(1, C)
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), C] : [C], 'float32')
  if (C === 0) return out
  if (ones.length < M) ones = new Float32Array(M).fill(1)
  blas.sgemv(TRANS, M, C, 1, view(backend, x, M * C), C, ones, 1, 0, view(backend, out, C), 1)
  return out
}

const KERNELS = [
  ['BatchMatMul', batchMatMul],
  ['_FusedMatMul', fusedMatMul],
  ['Conv2D', conv2D],
  ['FusedConv2D', conv2D],
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['Conv2DBackpropInput', conv2DBackpropInput],
  ['Sum', sum],
] as const

/**
 * Replaces the wasm backend's BatchMatMul and _FusedMatMul, Conv2D and FusedConv2D, both convolution
 * gradients and Sum with the BLAS ones (once; a second call changes nothing). Each keeps the kernel it replaced for what it does
 * not cover.
 */
export function registerBlasKernels(blas: Blas): void {
  // Our convolution gradients (wasm-conv-grad.ts) are what these fall back to.
  registerWasmKernels()
  for (const [name, impl] of KERNELS) {
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
  for (const [name] of KERNELS) {
    const current = tf.getKernel(name, BACKEND)
    const fallback = (current?.kernelFunc as { fallback?: tf.KernelFunc } | undefined)?.fallback
    if (!current || !fallback) continue
    tf.unregisterKernel(name, BACKEND)
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: fallback, setupFunc: current.setupFunc })
  }
  setTransposedMatMulFast(null)
}
