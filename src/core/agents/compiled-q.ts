/**
 * A user's compiled tfjs model as the DQN's Q-function (qlearning4k's way):
 * each learning step predicts Q(S) and Q(S′) in one call, replaces the taken
 * action's entry of Q(S) by r + γ·max Q(S′) (r alone at the end of an episode)
 * and fits the model on those full target rows with model.trainOnBatch — so
 * the model's own optimizer and loss (as compiled) do the update.
 */
import * as tf from '@tensorflow/tfjs'
import type { Batch } from './replay-memory'
import { take } from '../nn/read'
import type { QFunction } from './dqn'

export class CompiledModelQ implements QFunction {
  readonly nActions: number
  /** The model's input shape without the batch axis. */
  readonly inputShape: readonly number[]
  /** Values in one (stacked) state. */
  readonly stateSize: number

  constructor(readonly model: tf.LayersModel) {
    if (!model.inputs?.length) throw new Error('the model has no input yet: give its first layer an inputShape')
    if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('the model must have one input and one output')
    const input = model.inputs[0].shape.slice(1)
    if (input.some((d) => d === null)) throw new Error(`the model's input shape [${input.join(', ')}] must be fully known`)
    const output = model.outputs[0].shape
    if (output.length !== 2 || output[1] === null) throw new Error(`the model's output shape must be [batch, nbActions], got [${output.join(', ')}]`)
    this.inputShape = input as number[]
    this.stateSize = this.inputShape.reduce((a, b) => a * b, 1)
    this.nActions = output[1]
  }

  qValues(state: Float32Array): Promise<Float32Array> {
    return take(tf.tidy(() => this.model.predict(tf.tensor(state, [1, ...this.inputShape])) as tf.Tensor))
  }

  async learn(batch: Batch, gamma: number): Promise<number> {
    const n = batch.actions.length
    const A = this.nActions
    const both = tf.tensor(batch.statePairs, [2 * n, ...this.inputShape])
    const q = await take(tf.tidy(() => this.model.predict(both) as tf.Tensor))
    const [x, y] = tf.tidy(() => {
      const targets = q.slice(0, n * A)
      for (let i = 0; i < n; i++) {
        let best = -Infinity
        for (let j = 0; j < A; j++) best = Math.max(best, q[(n + i) * A + j])
        targets[i * A + batch.actions[i]] = batch.rewards[i] + (batch.dones[i] ? 0 : gamma * best)
      }
      return [both.slice(0, n), tf.tensor2d(targets, [n, A])]
    })
    both.dispose()
    try {
      const loss = await this.model.trainOnBatch(x, y)
      return Array.isArray(loss) ? loss[0] : loss
    } finally {
      x.dispose()
      y.dispose()
    }
  }
}
