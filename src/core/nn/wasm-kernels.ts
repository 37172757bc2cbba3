/**
 * Our changes to tfjs-backend-wasm's kernel set, registered in one place (the trainer's backend
 * loader and the VAE call this; blas-kernels.ts adds the system-BLAS ones on top in the trainer):
 * - the convolution gradients (wasm-conv-grad.ts);
 * - an Identity that shares its input's data instead of copying it. tfjs clones every tensor a
 *   gradient needs later through Identity, and wasm's copies them (27 copies a Snake gradient
 *   step, ≈ 1 ms). No kernel writes into its inputs, so sharing is safe — tfjs's cpu and webgl
 *   backends share there too, and wasm's own Reshape already does.
 * - Slice and PadV2 that copy whole runs: wasm's copy one innermost row at a time through a fresh
 *   subarray (3 floats a copy for an NHWC image's pixel), so cropping the VAE's 128² output to
 *   125² took 77 ms and padding its input 23 ms a batch. These copy the longest contiguous runs
 *   with copyWithin (a memmove) inside the heap.
 * - a Cast to the tensor's own dtype shares like Identity (tfjs's ReLU gradient casts float32 to
 *   float32; wasm copied 16 MB for it in a VAE layer);
 * - ReLU's gradient as one kernel (RELU_GRAD: y > 0 ? dy : 0, elementwise.wat) instead of Step,
 *   Cast and Multiply (VAE: 33 → ~6 ms a batch), for the tape and for backwardNetwork alike;
 * - an Add of a bias (a vector along the last axis) in one SIMD pass: XNNPACK's broadcasting took
 *   7 ns a float for the VAE's 3-channel output bias;
 * - a _FusedMatMul that takes rank-2 inputs, as every other backend's does (the DQN's untaped forward);
 * - Tile by whole runs, and Sum's gradient as a broadcast (Tile) instead of a product with ones.
 */
import * as tf from '@tensorflow/tfjs'
import { ELEMENTWISE_BASE64 } from './elementwise-module'
import { RELU_GRAD, reluGrad } from './relu-grad'
import { registerWasmConvGrad } from './wasm-conv-grad'
import { wasmHeapModule, type WasmBackend } from './wasm-heap-module'

const BACKEND = 'wasm'

interface RefCounting {
  incRef(dataId: object): void
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }
type Kernel = (args: KernelArgs) => tf.TensorInfo

/**
 * Copies the block of `size` at `srcStart` in a row-major tensor of `srcShape` (at byte `src`) to
 * `dstStart` in one of `dstShape` (at byte `dst`), 4-byte elements, inside one heap: the axes after
 * the last one where the block is narrower than both tensors merge into one run per copy.
 */
export function copyBlock(heap: Uint8Array, src: number, srcShape: readonly number[], srcStart: readonly number[], dst: number, dstShape: readonly number[], dstStart: readonly number[], size: readonly number[]): void {
  const rank = size.length
  if (size.some((n) => n === 0)) return
  let inner = rank // axes [inner, rank) are whole in both: one run
  while (inner > 0 && size[inner - 1] === srcShape[inner - 1] && size[inner - 1] === dstShape[inner - 1]) inner--
  const srcStrides = strides(srcShape)
  const dstStrides = strides(dstShape)
  // The run: the merged whole axes, times the last partial axis.
  const last = inner - 1
  const run = 4 * (last < 0 ? tf.util.sizeFromShape(size as number[]) : size[last] * (last + 1 < rank ? srcStrides[last] : 1))
  const srcBase = src + 4 * srcStart.reduce((a, b, i) => a + b * srcStrides[i], 0)
  const dstBase = dst + 4 * dstStart.reduce((a, b, i) => a + b * dstStrides[i], 0)
  if (last <= 0) {
    heap.copyWithin(dstBase, srcBase, srcBase + run)
    return
  }
  // Odometer over the axes before the run.
  const index = new Array<number>(last).fill(0)
  for (;;) {
    let s = srcBase
    let d = dstBase
    for (let a = 0; a < last; a++) {
      s += 4 * index[a] * srcStrides[a]
      d += 4 * index[a] * dstStrides[a]
    }
    heap.copyWithin(d, s, s + run)
    let a = last - 1
    while (a >= 0 && ++index[a] === size[a]) index[a--] = 0
    if (a < 0) return
  }
}

/** Row-major strides of every axis, the last one's (1) included (tfjs's computeStrides leaves it out). */
const strides = (shape: readonly number[]): number[] => (shape.length ? [...tf.util.computeStrides(shape as number[]), 1] : [])

const offsetOf = (backend: WasmBackend, t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset
const fourBytes = (t: tf.TensorInfo): boolean => t.dtype === 'float32' || t.dtype === 'int32'

function slice(fallback: Kernel, args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo }
  if (!fourBytes(x)) return fallback(args)
  const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] }
  const [b, n] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size)
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput(n, x.dtype as 'float32')
  copyBlock(backend.wasm.HEAPU8, offsetOf(backend, x), x.shape, b, offsetOf(backend, out), n, n.map(() => 0), n)
  return out
}

function padV2(fallback: Kernel, args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo }
  if (!fourBytes(x) || x.shape.length === 0) return fallback(args)
  const { paddings, constantValue } = args.attrs as unknown as { paddings: [number, number][]; constantValue: number }
  const backend = args.backend as WasmBackend
  const outShape = x.shape.map((n, i) => paddings[i][0] + n + paddings[i][1])
  const out = backend.makeOutput(outShape, x.dtype as 'float32')
  const floats = tf.util.sizeFromShape(outShape)
  const offset = offsetOf(backend, out)
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer
  ;(x.dtype === 'int32' ? new Int32Array(heap, offset, floats) : new Float32Array(heap, offset, floats)).fill(constantValue)
  copyBlock(backend.wasm.HEAPU8, offsetOf(backend, x), x.shape, x.shape.map(() => 0), offset, outShape, paddings.map((p) => p[0]), x.shape)
  return out
}

interface Elementwise {
  reluGrad(dy: number, y: number, out: number, n: number): void
  biasAdd(a: number, bias: number, out: number, rows: number, C: number, relu: number): void
}

const elementwise = (backend: WasmBackend): Elementwise | null => wasmHeapModule<Elementwise>(ELEMENTWISE_BASE64, backend)?.exports ?? null

function reluGradKernel(args: KernelArgs): tf.TensorInfo {
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo }
  const backend = args.backend as WasmBackend
  const out = backend.makeOutput(dy.shape, 'float32')
  const kernels = elementwise(backend)
  if (!kernels) throw new Error('wasm-kernels: the wasm backend does not expose its memory, so the ReLU gradient cannot run there')
  kernels.reluGrad(offsetOf(backend, dy), offsetOf(backend, y), offsetOf(backend, out), tf.util.sizeFromShape(dy.shape))
  return out
}

function cast(fallback: Kernel, args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo }
  const { dtype } = args.attrs as unknown as { dtype: tf.DataType }
  return dtype === x.dtype ? identity(fallback, args) : fallback(args)
}

/** a + b where one of them is a float32 vector along the other's last axis (a bias); anything else is wasm's. */
function add(fallback: Kernel, args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
  const [x, bias] = b.shape.length === 1 ? [a, b] : [b, a]
  const C = bias.shape[0]
  if (x.dtype !== 'float32' || bias.dtype !== 'float32' || bias.shape.length !== 1 || x.shape.length < 2 || x.shape[x.shape.length - 1] !== C) return fallback(args)
  const backend = args.backend as WasmBackend
  if (!elementwise(backend)) return fallback(args)
  const out = backend.makeOutput(x.shape, 'float32')
  addBiasRows(backend, x, out, bias, 0, C > 0 ? tf.util.sizeFromShape(x.shape) / C : 0, false)
  return out
}

/**
 * Rows [r0, r0 + rows) of `out` = those of `a` (float32, C-wide rows) + bias, then max(·, 0) when
 * `relu`: a bias Add, and — in place, a = out — the epilogue of the BLAS kernels' fused convolution
 * and matrix product while the rows are still in cache.
 */
export function addBiasRows(backend: WasmBackend, a: tf.TensorInfo, out: tf.TensorInfo, bias: tf.TensorInfo, r0: number, rows: number, relu: boolean): void {
  const kernels = elementwise(backend)
  if (!kernels) throw new Error('wasm-kernels: the wasm backend does not expose its memory, so a bias cannot be added there')
  const C = bias.shape[0]
  const skip = 4 * r0 * C
  if (C > 0 && rows > 0) kernels.biasAdd(offsetOf(backend, a) + skip, offsetOf(backend, bias), offsetOf(backend, out) + skip, rows, C, relu ? 1 : 0)
}

/**
 * tfjs-wasm's _FusedMatMul reads its inputs as rank 3 (tf.fused.matMul always reshapes to that) and
 * fails on rank 2; the other backends take both. Rank-2 products go in as a batch of one.
 */
function fusedMatMul(fallback: Kernel, args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
  if (a.shape.length !== 2 || b.shape.length !== 2) return fallback(args)
  const batchOfOne = (t: tf.TensorInfo): tf.TensorInfo => ({ ...t, shape: [1, ...t.shape] })
  const out = fallback({ ...args, inputs: { ...args.inputs, a: batchOfOne(a), b: batchOfOne(b) } })
  return { ...out, shape: out.shape.slice(1) }
}

/**
 * Tile as copies of whole runs, each replicated by doubling (copyWithin of what is already written):
 * wasm's copies one element at a time — 115 ms to broadcast the VAE energy term's [32, 1, 3]
 * gradient over its 15 625 pixels, which tfjs's Sum gradient did as a multiply by a ones tensor made
 * in JavaScript (18 ms); with this and broadcastTo, ~1 ms.
 */
function tile(fallback: Kernel, args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo }
  const { reps } = args.attrs as unknown as { reps: number[] }
  if (!fourBytes(x) || x.shape.length === 0 || reps.length !== x.shape.length) return fallback(args)
  const backend = args.backend as WasmBackend
  const outShape = x.shape.map((n, i) => n * reps[i])
  const out = backend.makeOutput(outShape, x.dtype as 'float32')
  if (outShape.some((n) => n === 0)) return out
  const heap = backend.wasm.HEAPU8
  const src = offsetOf(backend, x)
  const dst = offsetOf(backend, out)
  const xStrides = strides(x.shape)
  const outStrides = strides(outShape)
  const rank = x.shape.length
  /** out[at, at + bytes) repeated `times` times right after itself, doubling what each copy moves. */
  const replicate = (at: number, bytes: number, times: number): void => {
    for (let done = 1; done < times; done *= 2) heap.copyWithin(at + done * bytes, at, at + Math.min(done, times - done) * bytes)
  }
  const build = (axis: number, s: number, d: number): void => {
    if (axis === rank - 1) heap.copyWithin(d, s, s + 4 * x.shape[axis])
    else for (let i = 0; i < x.shape[axis]; i++) build(axis + 1, s + 4 * i * xStrides[axis], d + 4 * i * outStrides[axis])
    replicate(d, 4 * x.shape[axis] * outStrides[axis], reps[axis])
  }
  build(0, src, dst)
  return out
}

let registered = false

function identity(fallback: Kernel, args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo }
  if (x.dtype === 'string') return fallback(args)
  ;(args.backend as RefCounting).incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
}

const KERNELS = [
  ['Identity', identity],
  ['Cast', cast],
  ['Add', add],
  ['_FusedMatMul', fusedMatMul],
  ['Slice', slice],
  ['PadV2', padV2],
  ['Tile', tile],
] as const

export function registerWasmKernels(): void {
  registerWasmConvGrad()
  if (registered) return
  registered = true
  for (const [name, impl] of KERNELS) {
    const current = tf.getKernel(name, BACKEND)
    if (!current) continue
    const fallback = current.kernelFunc as unknown as Kernel
    tf.unregisterKernel(name, BACKEND)
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: ((args: KernelArgs) => impl(fallback, args)) as unknown as tf.KernelFunc, setupFunc: current.setupFunc })
  }
  tf.registerKernel({ kernelName: RELU_GRAD, backendName: BACKEND, kernelFunc: reluGradKernel as unknown as tf.KernelFunc })
  // tfjs's own ReLU gradient is mul(dy, cast(step(x), 'float32')); the same values through reluGrad
  // (which falls back to that formula off wasm). x > 0 exactly where relu(x) > 0.
  tf.registerGradient({ kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy, saved) => ({ x: () => reluGrad(dy as tf.Tensor, saved[0]) }) })
  // tfjs's Sum gradient is mul(reshape(dy), ones(x.shape)), the ones made in JavaScript; broadcasting
  // dy (Tile, above) gives the same values (a product with 1 is exact) without either.
  tf.registerGradient({
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved
      const expanded = x.shape.slice()
      for (const axis of tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape)) expanded[axis] = 1
      return { x: () => tf.broadcastTo(tf.reshape(dy as tf.Tensor, expanded), x.shape) }
    },
  })
}
