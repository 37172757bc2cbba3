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

/** x·W's gradients for an upstream gradient dy: dx (unless `needDx` is false), dW and — as for a bias — Σ dy over rows. */
export function denseGrads(x: tf.Tensor2D, w: tf.Tensor2D, dy: tf.Tensor2D, needDx = true): [tf.Tensor2D | null, tf.Tensor2D, tf.Tensor1D] {
  const fast = fastTransposeBackend !== null && tf.getBackend() === fastTransposeBackend
  const dx = !needDx ? null : fast ? tf.matMul<tf.Tensor2D>(dy, w, false, true) : tf.matMul<tf.Tensor2D>(dy, tf.transpose(w))
  const dw = fast ? tf.matMul<tf.Tensor2D>(x, dy, true, false) : tf.matMul<tf.Tensor2D>(tf.transpose(x), dy)
  return [dx, dw, tf.sum(dy, 0)]
}

export const dense = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w])
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => denseGrads(saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D, dy),
  }
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D
