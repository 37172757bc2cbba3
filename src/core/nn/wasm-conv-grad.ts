/**
 * The filter gradient of a 2-D convolution for the tfjs 'wasm' backend, which
 * ships without a `Conv2DBackpropFilter` kernel (so `tf.grad` of any conv2d or
 * conv2dTranspose fails there, and falling back to the 'cpu' backend is
 * ~100× slower).
 *
 * The gradient is itself a convolution, run by wasm's XNNPACK Conv2D:
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
 * The kernel composes wasm's own registered kernels (Transpose, Conv2D, Slice)
 * on TensorInfos and frees every intermediate through the backend, so it
 * allocates no engine tensors and is safe inside a gradient computation.
 */
import * as tf from '@tensorflow/tfjs'

type Info = tf.TensorInfo
type Shape4 = [number, number, number, number]
interface DataBackend {
  disposeData(dataId: object, force?: boolean): boolean
}

const BACKEND = 'wasm'
const KERNEL = 'Conv2DBackpropFilter'

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

let registered = false

/**
 * Registers the wasm `Conv2DBackpropFilter` kernel. Idempotent; leaves alone a
 * kernel that some future tfjs-backend-wasm provides itself. Can be called
 * before or after the wasm backend is loaded.
 */
export function registerWasmConvGrad(): void {
  if (registered) return
  registered = true
  if (tf.getKernel(KERNEL, BACKEND)) return
  tf.registerKernel({ kernelName: KERNEL, backendName: BACKEND, kernelFunc: conv2DBackpropFilterWasm as tf.KernelFunc })
}
