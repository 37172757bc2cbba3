/**
 * x·W + b with a hand-written gradient. tfjs derives dX and dW with transposed
 * matMuls, which the wasm backend runs without XNNPACK (several times slower);
 * an explicit transpose followed by a plain matMul is much faster there and
 * gives the same numbers on every backend. Used by the DQN's networks and the VAE.
 */
import * as tf from '@tensorflow/tfjs'

export const dense = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w])
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[]
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)]
    },
  }
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D
