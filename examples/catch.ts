/**
 * qlearning4k's README example, ported: an MLP learns Catch.
 *
 *   npx tsx examples/catch.ts            (EPOCHS=1000 for the README's full run)
 *
 * Same network and optimizer as the README (Flatten → Dense 100 relu ×2 → 3,
 * SGD lr 0.2, mean squared error) and the Agent's defaults (batch 50, γ 0.9,
 * ε 1 → 0.1 over the first half). SGD at 0.2 learns in tfjs as it does in Keras;
 * the initializers are seeded so that every run prints the same numbers.
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../src/main/trainer/backend'
import { Agent, Catch, formatEpoch } from '../src/main/qlearning4k'

const nbEpoch = Number(process.env.EPOCHS ?? 500)
const nbFrames = 1
const gridSize = 10
const hiddenSize = 100

console.log(`tfjs backend: ${await selectBackend('auto')}`)

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed })
const model = tf.sequential()
model.add(tf.layers.flatten({ inputShape: [nbFrames, gridSize, gridSize] }))
model.add(tf.layers.dense({ units: hiddenSize, activation: 'relu', kernelInitializer: seeded(1) }))
model.add(tf.layers.dense({ units: hiddenSize, activation: 'relu', kernelInitializer: seeded(2) }))
model.add(tf.layers.dense({ units: 3, kernelInitializer: seeded(3) }))
model.compile({ optimizer: tf.train.sgd(0.2), loss: 'meanSquaredError' })

const game = new Catch()
const agent = new Agent({ model })
const t0 = performance.now()
await agent.train(game, {
  nbEpoch,
  onEpoch: (info) => {
    if (info.epoch % 50 === 0 || info.epoch === nbEpoch) console.log(formatEpoch(info))
  },
})
console.log(`trained ${nbEpoch} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
const accuracy = await agent.play(game, { nbEpoch: 100 })
console.log(`Accuracy ${(100 * accuracy).toFixed(0)} % (100 games)`)
