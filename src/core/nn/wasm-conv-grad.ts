/**
 * Convolution gradients for the tfjs 'wasm' backend, expressed as forward
 * convolutions so they run in wasm's XNNPACK Conv2D.
 *
 * 1. `Conv2DBackpropFilter` — missing from tfjs-backend-wasm, so `tf.grad` of
 *    any conv2d or conv2dTranspose fails there (and the 'cpu' backend's version
 *    is 600–3500× slower than this one).
 * 2. `Conv2DBackpropInput` (= conv2dTranspose, and the input gradient of
 *    conv2d) — present, but a plain loop ~10–20× slower than a forward conv of
 *    the same size. Replaced by a sub-pixel ("pixel shuffle") formulation.
 *
 * ## Filter gradient
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−padTop, ow·s+kw−padLeft, ci] · dy[n,oh,ow,co]
 *
 * Read x as a batch of Ci single images with N channels — x' = x^T [Ci,H,W,N] —
 * and dy as a filter with OH×OW taps, N input and Co output channels —
 * f = dy^T [OH,OW,N,Co]. Then conv2d(x', f, stride 1, dilation s, explicit
 * padding top=padTop, left=padLeft) at output position (kh, kw) is exactly the
 * sum above; its output [Ci,KH',KW',Co] (cut to KH×KW) transposed to
 * [KH,KW,Ci,Co] is dW.
 *
 * ## Input gradient (transposed convolution)
 *
 *   dx[h] = Σ_{oh,kh : oh·s + kh − padTop = h} dy[oh] · W[kh]        (per axis)
 *
 * Write t = h + padTop = q·s + r (phase r ∈ [0,s)). The taps that reach t are
 * kh = j·s + r, from dy[q − j], j < J = ⌈K/s⌉. So every phase is a stride-1
 * J-tap convolution of dy, and all s² phases are one conv2d of dy with a filter
 * F[J,J,Co,s²·Ci], F[a,b,co,(rh·s+rw)·Ci+ci] = W[(J−1−a)s+rh, (J−1−b)s+rw, ci, co]
 * (0 beyond K), padded J−1 top/left. A depth-to-space interleaves the phases into
 * rows t = q·s + r (a reshape-transpose); cutting rows padTop … padTop+H−1 gives dx. Same arithmetic
 * as the forward conv (no zero-inserted input), one XNNPACK call.
 *
 * The kernels compose wasm's own registered kernels (Transpose, Conv2D, Slice)
 * on TensorInfos and frees every intermediate through the backend, so it
 * allocates no engine tensors and is safe inside a gradient computation.
 */
import * as tf from '@tensorflow/tfjs'
// The wasm package registers its kernels when first imported; import it before
// replacing one of them, so a later import cannot put the slow one back.
import '@tensorflow/tfjs-backend-wasm'

type Info = tf.TensorInfo
type Shape4 = [number, number, number, number]
interface DataBackend {
  disposeData(dataId: object, force?: boolean): boolean
}

const BACKEND = 'wasm'

/** Runs another kernel registered for the same backend, on TensorInfos. */
function run(name: string, backend: DataBackend, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): Info {
  const kernel = tf.getKernel(name, BACKEND)
  if (!kernel) throw new Error(`wasm-conv-grad: kernel ${name} is not registered for the wasm backend`)
  return kernel.kernelFunc({ inputs, backend, attrs }) as Info
}

/** Sizes of the filter-gradient convolution, from the forward convolution's geometry. */
export function backpropFilterPlan(
  xShape: Shape4,
  filterShape: Shape4,
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
) {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast')
  const [, H, W] = xShape
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, outHeight: OH, outWidth: OW } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  // Pad the bottom/right just enough for KH×KW outputs; where the forward pass
  // ignored trailing rows ('valid' with leftovers) the output is longer and is cut.
  const bottom = Math.max(0, KH + (OH - 1) * sh - H - top)
  const right = Math.max(0, KW + (OW - 1) * sw - W - left)
  return { KH, KW, sh, sw, OH, OW, top, left, bottom, right, outShape: info.outShape }
}

function conv2DBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as DataBackend
  const { x, dy } = args.inputs as { x: Info; dy: Info }
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs
  if (attrs.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only')
  const xShape = x.shape as Shape4
  const filterShape = attrs.filterShape
  const p = backpropFilterPlan(xShape, filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode)
  const [, , Ci, Co] = filterShape

  const temps: Info[] = []
  const keep = (t: Info): Info => (temps.push(t), t)
  try {
    const xT = keep(run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] })) // [Ci,H,W,N]
    const f = keep(run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] })) // [OH,OW,N,Co]
    const explicit: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [p.top, p.bottom],
      [p.left, p.right],
      [0, 0],
    ]
    let g = keep(
      run('Conv2D', backend, { x: xT, filter: f }, { strides: [1, 1], pad: explicit, dataFormat: 'NHWC', dilations: [p.sh, p.sw] }),
    ) // [Ci,KH',KW',Co]
    if (g.shape[1] !== p.KH || g.shape[2] !== p.KW)
      g = keep(run('Slice', backend, { x: g }, { begin: [0, 0, 0, 0], size: [Ci, p.KH, p.KW, Co] }))
    return run('Transpose', backend, { x: g }, { perm: [1, 2, 0, 3] }) // [KH,KW,Ci,Co]
  } finally {
    for (const t of temps) backend.disposeData(t.dataId)
  }
}

interface WasmBackendData extends DataBackend {
  readSync(dataId: object): Float32Array
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): Info
}

/** F[J,J,Co,s²·Ci] for the sub-pixel transposed convolution (see the header). */
export function subPixelFilter(w: Float32Array, [K1, K2, Ci, Co]: Shape4, sh: number, sw: number): { data: Float32Array; shape: Shape4 } {
  const Jh = Math.ceil(K1 / sh)
  const Jw = Math.ceil(K2 / sw)
  const D = sh * sw * Ci
  const f = new Float32Array(Jh * Jw * Co * D)
  for (let a = 0; a < Jh; a++)
    for (let rh = 0; rh < sh; rh++) {
      const kh = (Jh - 1 - a) * sh + rh
      if (kh >= K1) continue
      for (let b = 0; b < Jw; b++)
        for (let rw = 0; rw < sw; rw++) {
          const kw = (Jw - 1 - b) * sw + rw
          if (kw >= K2) continue
          for (let ci = 0; ci < Ci; ci++) {
            const src = ((kh * K2 + kw) * Ci + ci) * Co
            const dst = ((a * Jw + b) * Co) * D + (rh * sw + rw) * Ci + ci
            for (let co = 0; co < Co; co++) f[dst + co * D] = w[src + co]
          }
        }
    }
  return { data: f, shape: [Jh, Jw, Co, D] }
}

function conv2DBackpropInputWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as WasmBackendData
  const { dy, filter } = args.inputs as { dy: Info; filter: Info }
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs
  if (attrs.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput (sub-pixel) supports NHWC only')
  const inputShape = attrs.inputShape as Shape4
  const filterShape = filter.shape as Shape4
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast')
  const [N, H, W, Ci] = inputShape
  const { strideHeight: sh, strideWidth: sw, outHeight: OH, outWidth: OW } = info
  const { top, left } = info.padInfo

  const F = subPixelFilter(backend.readSync(filter.dataId), filterShape, sh, sw)
  const [Jh, Jw] = F.shape
  // Phase rows q = 0 … Qh−1 must cover t = padTop … padTop+H−1.
  const Qh = Math.ceil((H + top) / sh)
  const Qw = Math.ceil((W + left) / sw)
  const explicit: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Jh - 1, Math.max(0, Qh - OH)],
    [Jw - 1, Math.max(0, Qw - OW)],
    [0, 0],
  ]
  const temps: Info[] = []
  const keep = (t: Info): Info => (temps.push(t), t)
  try {
    const f = keep(backend.makeOutput(F.shape, 'float32', undefined, F.data))
    const z = keep(run('Conv2D', backend, { x: dy, filter: f }, { strides: [1, 1], pad: explicit, dataFormat: 'NHWC', dilations: [1, 1] }))
    // Interleave the phases (a depth-to-space; wasm's DepthToSpace kernel is ~25×
    // slower than this reshape-transpose): [N·Qh, Qw, sh, sw·Ci] → [N·Qh, sh, Qw, sw·Ci].
    const z4 = keep(run('Reshape', backend, { x: z }, { shape: [N * Qh, Qw, sh, sw * Ci] }))
    const d4 = keep(run('Transpose', backend, { x: z4 }, { perm: [0, 2, 1, 3] }))
    const d = keep(run('Reshape', backend, { x: d4 }, { shape: [N, Qh * sh, Qw * sw, Ci] }))
    if (top === 0 && left === 0 && Qh * sh === H && Qw * sw === W) return run('Identity', backend, { x: d }, {})
    return run('Slice', backend, { x: d }, { begin: [0, top, left, 0], size: [N, H, W, Ci] })
  } finally {
    for (const t of temps) backend.disposeData(t.dataId)
  }
}

let registered = false
let nativeBackpropInput: tf.KernelConfig | undefined
const nativeSetUp = new WeakSet<object>()

/**
 * Registers both kernels for the 'wasm' backend. Idempotent; leaves alone a
 * `Conv2DBackpropFilter` that some future tfjs-backend-wasm provides itself.
 * Can be called before or after the wasm backend is activated.
 */
export function registerWasmConvGrad(): void {
  if (registered) return
  registered = true
  if (!tf.getKernel('Conv2DBackpropFilter', BACKEND))
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: conv2DBackpropFilterWasm as tf.KernelFunc })
  nativeBackpropInput = tf.getKernel('Conv2DBackpropInput', BACKEND)
  if (nativeBackpropInput) tf.unregisterKernel('Conv2DBackpropInput', BACKEND)
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: BACKEND, kernelFunc: conv2DBackpropInputWasm as tf.KernelFunc })
}

/**
 * Runs tfjs-backend-wasm's own (loop) Conv2DBackpropInput, which registration
 * replaced — for tests and benchmarks. Needs the wasm backend active.
 */
export function nativeWasmConv2DBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: Shape4, strides: number | [number, number], pad: 'same' | 'valid'): tf.Tensor4D {
  const kernel = nativeBackpropInput ?? tf.getKernel('Conv2DBackpropInput', BACKEND)
  const backend = tf.backend()
  // Unregistered before the backend started, its setup (binding the wasm
  // function) may never have run.
  if (!nativeSetUp.has(backend)) {
    kernel.setupFunc?.(backend)
    nativeSetUp.add(backend)
  }
  const out = kernel.kernelFunc({
    inputs: { dy, filter },
    backend,
    attrs: { strides, pad, dataFormat: 'NHWC', inputShape },
  }) as Info
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D
}
