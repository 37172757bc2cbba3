/**
 * ReLU's gradient, dy where y > 0 else 0, as one kernel where a backend registers RELU_GRAD
 * (wasm: wasm-kernels.ts) and tfjs's Step·Multiply elsewhere. Kept apart from wasm-kernels.ts so
 * that using it does not import (and register) the wasm backend.
 */
import * as tf from '@tensorflow/tfjs'

/** The fused ReLU gradient's kernel name (ours). */
export const RELU_GRAD = 'QuarkadeReluGrad'

/** ReLU's gradient at output (or input) y. */
export function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (dy.dtype === 'float32' && y.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend())) return tf.engine().runKernel(RELU_GRAD, { dy, y }) as tf.Tensor
  return tf.mul(dy, tf.step(y))
}
