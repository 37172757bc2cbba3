/**
 * Reading a tensor's values back into JavaScript. Everything on a training or playing path reads
 * with `await`: tfjs-backend-webgpu cannot read synchronously in Node (its readSync draws through an
 * OffscreenCanvas, which Node lacks), while on wasm and cpu the await costs nothing measurable —
 * their reads are synchronous underneath.
 */
import type * as tf from '@tensorflow/tfjs'

/** The tensor's values, then the tensor disposed. */
export async function take(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array
  } finally {
    t.dispose()
  }
}
