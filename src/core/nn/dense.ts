/**
 * x·W + b with a hand-written gradient. tfjs derives dX and dW with transposed
 * matMuls, which the wasm backend runs without XNNPACK (several times slower);
 * an explicit transpose followed by a plain matMul is much faster there. Where
 * the backend's GEMM transposes for free (setTransposedMatMulFast) the gradient
 * asks for transposed products instead. Used by the DQN's networks and the VAE.
 */
import * as tf from '@tensorflow/tfjs'

let fastTransposeBackend: string | null = null

/**
 * The backend (if any) whose matMul takes transposed operands at full speed — the wasm
 * backend on the system BLAS passes a flag to the GEMM — so the gradient there needs no
 * explicit transposes. Other backends keep the explicit ones.
 */
export function setTransposedMatMulFast(backend: string | null): void {
  fastTransposeBackend = backend
}

export const dense = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w])
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[]
      if (fastTransposeBackend !== null && tf.getBackend() === fastTransposeBackend) return [tf.matMul(dy, sw, false, true), tf.matMul(sx, dy, true, false), tf.sum(dy, 0)]
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)]
    },
  }
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D
