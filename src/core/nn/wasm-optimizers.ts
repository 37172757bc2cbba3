/**
 * tfjs's Adam and RMSprop with each weight tensor's update as one SIMD WebAssembly
 * loop over the tensors in the wasm backend's memory (wasm-optimizers.wat).
 *
 * Why: tfjs applies Adam with ~13 kernel calls per weight tensor (RMSprop ~9), each
 * with its own bookkeeping; for the DQN's small networks those calls cost more than
 * the arithmetic — Catch's six tensors took 740–760 µs a step, this takes 60–90 µs.
 *
 * The numbers are tfjs's to the bit: the loop applies the same float32 operations in
 * the same order (tested against tf.train.adam and tf.train.rmsprop). The new moments
 * and weights go to fresh tensors that the variables are then assigned, as tfjs does —
 * never written in place, since a weight tensor's data may be shared (a target network
 * set from the online one shares it). The optimizer state (getWeights/setWeights, the
 * β powers) is tfjs's own, so snapshots and resumes are unchanged. On any other
 * backend, and for a centred RMSprop, the stock update runs.
 */
import * as tf from '@tensorflow/tfjs'
import { WASM_OPTIMIZERS_BASE64 } from './wasm-optimizers-module'
import { wasmHeapModule, type WasmBackend } from './wasm-heap-module'

interface Kernels {
  adam(g: number, m: number, v: number, w: number, om: number, ov: number, ow: number, n: number, ...scalars: number[]): void
  rmsprop(g: number, s: number, p: number, w: number, os: number, op: number, ow: number, n: number, ...scalars: number[]): void
}

/** The loops bound to the active wasm backend's memory, or null on another backend. */
function kernels(): { backend: WasmBackend; k: Kernels } | null {
  const m = wasmHeapModule<Kernels>(WASM_OPTIMIZERS_BASE64)
  return m && { backend: m.backend, k: m.exports }
}

const f = Math.fround

interface Slot {
  originalName: string
  variable: tf.Variable
}

/** What tfjs hands applyGradients. */
type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0]

/**
 * For each weight tensor with a gradient: its two state slots (zeros on first use, named as tfjs
 * names them), three fresh outputs, `run` with the seven memory offsets and the length, then the
 * slots and the weights take the outputs.
 */
function updateEach(
  grads: Gradients,
  { backend }: { backend: WasmBackend },
  slots: [Slot[], Slot[]],
  suffixes: [string, string],
  run: (offsets: [number, number, number, number, number, number, number], n: number) => void,
): void {
  const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads)
  const offset = (t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset
  names.forEach((name, i) => {
    const value = tf.engine().registeredVariables[name]
    slots[0][i] ??= { originalName: `${name}/${suffixes[0]}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }
    slots[1][i] ??= { originalName: `${name}/${suffixes[1]}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }
    const gradient = Array.isArray(grads) ? grads[i].tensor : grads[name]
    if (gradient == null) return
    const a = slots[0][i].variable
    const b = slots[1][i].variable
    const outs = [a, b, value].map((t) => backend.makeOutput(t.shape, 'float32'))
    run([offset(gradient), offset(a), offset(b), offset(value), offset(outs[0]), offset(outs[1]), offset(outs[2])], value.size)
    ;[a, b, value].forEach((v, k) => {
      const t = tf.engine().makeTensorFromTensorInfo(outs[k])
      v.assign(t)
      t.dispose()
    })
  })
}

interface AdamState {
  beta1: number
  beta2: number
  epsilon: number
  learningRate: number
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  accumulatedFirstMoment: Slot[]
  accumulatedSecondMoment: Slot[]
}

export class WasmAdam extends tf.AdamOptimizer {
  override applyGradients(grads: Gradients): void {
    const wasm = kernels()
    if (!wasm) return super.applyGradients(grads)
    const s = this as unknown as AdamState
    const acc1 = s.accBeta1.dataSync()[0]
    const acc2 = s.accBeta2.dataSync()[0]
    // tfjs's scalars: its JS numbers become float32 tensors; 1 − βᵗ is a float32 subtraction.
    const scalars = [f(s.beta1), f(1 - s.beta1), f(s.beta2), f(1 - s.beta2), f(1 - acc1), f(1 - acc2), f(s.epsilon), f(-s.learningRate)]
    updateEach(grads, wasm, [s.accumulatedFirstMoment, s.accumulatedSecondMoment], ['m', 'v'], (o, n) => wasm.k.adam(...o, n, ...scalars))
    tf.tidy(() => {
      s.accBeta1.assign(tf.scalar(f(acc1 * f(s.beta1))))
      s.accBeta2.assign(tf.scalar(f(acc2 * f(s.beta2))))
    })
    this.incrementIterations()
  }
}

interface RmsState {
  decay: number
  momentum: number
  epsilon: number
  learningRate: number
  centered: boolean
  accumulatedMeanSquares: Slot[]
  accumulatedMoments: Slot[]
}

export class WasmRmsProp extends tf.RMSPropOptimizer {
  override applyGradients(grads: Gradients): void {
    const s = this as unknown as RmsState
    const wasm = s.centered ? null : kernels()
    if (!wasm) return super.applyGradients(grads)
    const scalars = [f(s.decay), f(1 - s.decay), f(s.momentum), f(s.learningRate), f(s.epsilon)]
    updateEach(grads, wasm, [s.accumulatedMeanSquares, s.accumulatedMoments], ['rms', 'momentum'], (o, n) => wasm.k.rmsprop(...o, n, ...scalars))
    this.incrementIterations()
  }
}
