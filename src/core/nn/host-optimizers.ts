/**
 * tfjs's Adam and RMSprop with the update written as one JavaScript loop per
 * weight tensor, for the backends whose tensors live in this process's memory
 * (wasm, cpu).
 *
 * Why: tfjs applies Adam with ~13 tensor ops per weight tensor (RMSprop ~9),
 * each a kernel call with its own bookkeeping. For the DQN's small networks
 * those calls cost more than the arithmetic: Catch's network has 6 weight
 * tensors, so ~80 of a gradient step's ~155 kernel calls were the optimizer.
 * Here each weight tensor costs four reads and three writes of its data.
 *
 * The numbers are tfjs's to the bit: every operation is rounded to float32
 * (Math.fround) in the order tfjs's kernels apply them, and float32 +, −, ×, ÷
 * and √ computed in double then rounded are exactly the float32 results (double
 * has more than 2·24 + 2 bits). So runs, snapshots and resumes match the stock
 * optimizers', whose state format (getWeights / setWeights, the β powers) these
 * keep unchanged. GPU and native backends keep the stock update (their tensors
 * are not in this process; reading them back would cost more than it saves).
 */
import * as tf from '@tensorflow/tfjs'

const f = Math.fround

/** Backends whose tensors dataSync() reads without a device round trip. */
const HOST_BACKENDS = new Set(['wasm', 'cpu'])
const onHost = (): boolean => HOST_BACKENDS.has(tf.getBackend())

interface Slot {
  originalName: string
  variable: tf.Variable
}

/** What tfjs hands applyGradients: tensors by variable name, or named tensors in order. */
type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0]

function names(grads: Gradients): string[] {
  return Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads)
}

function gradientOf(grads: Gradients, name: string, i: number): tf.Tensor | null {
  return (Array.isArray(grads) ? grads[i].tensor : grads[name]) ?? null
}

/** A zero slot shaped like `value` (tfjs's own lazily created moment). */
function zeroSlot(value: tf.Variable, name: string): Slot {
  return { originalName: name, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }
}

function write(v: tf.Variable, data: Float32Array): void {
  const t = tf.tensor(data, v.shape, 'float32')
  v.assign(t)
  t.dispose()
}

const registered = (name: string): tf.Variable => tf.engine().registeredVariables[name]

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

export class HostAdam extends tf.AdamOptimizer {
  override applyGradients(grads: Gradients): void {
    if (!onHost()) return super.applyGradients(grads)
    const s = this as unknown as AdamState
    const b1 = f(s.beta1)
    const b2 = f(s.beta2)
    const oneMinusB1 = f(1 - s.beta1)
    const oneMinusB2 = f(1 - s.beta2)
    const eps = f(s.epsilon)
    const negLr = f(-s.learningRate)
    const acc1 = s.accBeta1.dataSync()[0]
    const acc2 = s.accBeta2.dataSync()[0]
    const oneMinusAcc1 = f(1 - acc1)
    const oneMinusAcc2 = f(1 - acc2)
    names(grads).forEach((name, i) => {
      const value = registered(name)
      s.accumulatedFirstMoment[i] ??= zeroSlot(value, `${name}/m`)
      s.accumulatedSecondMoment[i] ??= zeroSlot(value, `${name}/v`)
      const gradient = gradientOf(grads, name, i)
      if (!gradient) return
      const g = gradient.dataSync() as Float32Array
      const m = s.accumulatedFirstMoment[i].variable.dataSync() as Float32Array
      const v = s.accumulatedSecondMoment[i].variable.dataSync() as Float32Array
      const w = value.dataSync() as Float32Array
      const n = w.length
      const m1 = new Float32Array(n)
      const v1 = new Float32Array(n)
      const w1 = new Float32Array(n)
      for (let k = 0; k < n; k++) {
        const gk = g[k]
        const mk = f(f(m[k] * b1) + f(gk * oneMinusB1))
        const vk = f(f(v[k] * b2) + f(f(gk * gk) * oneMinusB2))
        m1[k] = mk
        v1[k] = vk
        const mHat = f(mk / oneMinusAcc1)
        const vHat = f(vk / oneMinusAcc2)
        w1[k] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * negLr) + w[k])
      }
      write(s.accumulatedFirstMoment[i].variable, m1)
      write(s.accumulatedSecondMoment[i].variable, v1)
      write(value, w1)
    })
    write(s.accBeta1, Float32Array.of(f(acc1 * b1)))
    write(s.accBeta2, Float32Array.of(f(acc2 * b2)))
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

/** RMSprop without centring (what the DQN uses); a centred one keeps tfjs's update. */
export class HostRmsProp extends tf.RMSPropOptimizer {
  override applyGradients(grads: Gradients): void {
    const s = this as unknown as RmsState
    if (!onHost() || s.centered) return super.applyGradients(grads)
    const decay = f(s.decay)
    const oneMinusDecay = f(1 - s.decay)
    const momentum = f(s.momentum)
    const lr = f(s.learningRate)
    const eps = f(s.epsilon)
    names(grads).forEach((name, i) => {
      const value = registered(name)
      s.accumulatedMeanSquares[i] ??= zeroSlot(value, `${name}/rms`)
      s.accumulatedMoments[i] ??= zeroSlot(value, `${name}/momentum`)
      const gradient = gradientOf(grads, name, i)
      if (!gradient) return
      const g = gradient.dataSync() as Float32Array
      const ms = s.accumulatedMeanSquares[i].variable.dataSync() as Float32Array
      const mom = s.accumulatedMoments[i].variable.dataSync() as Float32Array
      const w = value.dataSync() as Float32Array
      const n = w.length
      const ms1 = new Float32Array(n)
      const mom1 = new Float32Array(n)
      const w1 = new Float32Array(n)
      for (let k = 0; k < n; k++) {
        const gk = g[k]
        const msk = f(f(ms[k] * decay) + f(f(gk * gk) * oneMinusDecay))
        const momk = f(f(mom[k] * momentum) + f(f(gk * lr) / f(Math.sqrt(f(msk + eps)))))
        ms1[k] = msk
        mom1[k] = momk
        w1[k] = f(w[k] - momk)
      }
      write(s.accumulatedMeanSquares[i].variable, ms1)
      write(s.accumulatedMoments[i].variable, mom1)
      write(value, w1)
    })
    this.incrementIterations()
  }
}
