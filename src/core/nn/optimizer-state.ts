/**
 * An optimizer's state as JSON metadata plus one byte blob, restored exactly.
 * Adam keeps β₁ᵗ and β₂ᵗ as running products; tfjs's setWeights() recomputes
 * them with pow(), which differs in the last bits, so they are saved as they are
 * — without that a resumed run drifts from the uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs'

export interface OptimizerStateMeta {
  slots: { name: string; shape: number[]; dtype: tf.DataType; length: number }[]
  accBeta: [number, number] | null
}

type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable }

export async function saveOptimizer(optimizer: tf.Optimizer): Promise<{ meta: OptimizerStateMeta; bytes: Uint8Array }> {
  const weights = await optimizer.getWeights()
  const data = await Promise.all(weights.map((w) => w.tensor.data()))
  const adam = optimizer as unknown as AdamInternals
  return {
    meta: {
      slots: weights.map((w, i) => ({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype, length: data[i].length })),
      accBeta: adam.accBeta1 && adam.accBeta2 ? [(await adam.accBeta1.data())[0], (await adam.accBeta2.data())[0]] : null,
    },
    bytes: concatBytes(data.map((d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength))),
  }
}

export async function restoreOptimizer(optimizer: tf.Optimizer, meta: OptimizerStateMeta, bytes: Uint8Array): Promise<void> {
  let offset = 0
  const named = meta.slots.map((o) => {
    const n = o.length * 4
    const buffer = bytes.slice(offset, offset + n).buffer
    offset += n
    return { name: o.name, tensor: tf.tensor(o.dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer), o.shape, o.dtype) }
  })
  if (named.length) await optimizer.setWeights(named)
  named.forEach((n) => n.tensor.dispose())
  const adam = optimizer as unknown as AdamInternals
  if (meta.accBeta && adam.accBeta1 && adam.accBeta2) {
    adam.accBeta1.assign(tf.scalar(meta.accBeta[0]))
    adam.accBeta2.assign(tf.scalar(meta.accBeta[1]))
  }
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.byteLength
  }
  return out
}
