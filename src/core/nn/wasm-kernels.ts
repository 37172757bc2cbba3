/**
 * Our changes to tfjs-backend-wasm's kernel set, registered in one place (the trainer's backend
 * loader and the VAE call this; blas-kernels.ts adds the system-BLAS ones on top in the trainer):
 * - the convolution gradients (wasm-conv-grad.ts);
 * - an Identity that shares its input's data instead of copying it. tfjs clones every tensor a
 *   gradient needs later through Identity, and wasm's copies them (27 copies a Snake gradient
 *   step, ≈ 1 ms). No kernel writes into its inputs, so sharing is safe — tfjs's cpu and webgl
 *   backends share there too, and wasm's own Reshape already does.
 */
import * as tf from '@tensorflow/tfjs'
import { registerWasmConvGrad } from './wasm-conv-grad'

const BACKEND = 'wasm'

interface RefCounting {
  incRef(dataId: object): void
}

let registered = false

export function registerWasmKernels(): void {
  registerWasmConvGrad()
  if (registered) return
  registered = true
  const copying = tf.getKernel('Identity', BACKEND)
  if (!copying) return
  const copy = copying.kernelFunc
  const share = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    if (x.dtype === 'string') return copy(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo
    ;(args.backend as RefCounting).incRef(x.dataId)
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
  }
  tf.unregisterKernel('Identity', BACKEND)
  tf.registerKernel({ kernelName: 'Identity', backendName: BACKEND, kernelFunc: share as tf.KernelFunc, setupFunc: copying.setupFunc })
}
