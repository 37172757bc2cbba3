/**
 * qlearning4k's examples/test_snake.py, ported: a conv net learns Snake from
 * the last 4 frames.
 *
 *   npx tsx examples/snake.ts            (EPOCHS=10000 for the original's full run)
 *
 * Slow on the wasm backend: every step fits a batch of 64 through the conv net,
 * and games grow longer as the snake learns — 300 epochs took ~4 CPU-minutes
 * here, taking the share of games that ate a fruit from 14/150 to 47/150 and
 * greedy play to 28 % (a random snake eats in ~11 %). The default is 200 epochs.
 *
 * Conv 16 3×3 relu → Conv 32 3×3 relu → Flatten → Dense 256 relu → Dense 5,
 * RMSprop, mean squared error; memory −1 (unbounded), nbFrames 4, batch 64,
 * γ 0.8, ε 1 → 0.1 over the first half. tfjs convolutions are channels-last, so
 * the model takes the flat stacked state [4·100] and reshapes it to [4, 10, 10]
 * then permutes it to [10, 10, 4] itself (as the app's buildQNetwork does).
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../src/main/trainer/backend'
import { Agent, Snake, formatEpoch } from '../src/main/qlearning4k'

const nbEpoch = Number(process.env.EPOCHS ?? 200)
const gridSize = 10
const nbFrames = 4
const nbActions = 5

console.log(`tfjs backend: ${await selectBackend('auto')}`)

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed })
const model = tf.sequential()
model.add(tf.layers.reshape({ targetShape: [nbFrames, gridSize, gridSize], inputShape: [nbFrames * gridSize * gridSize] }))
model.add(tf.layers.permute({ dims: [2, 3, 1] }))
model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(1) }))
model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(2) }))
model.add(tf.layers.flatten())
model.add(tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: seeded(3) }))
model.add(tf.layers.dense({ units: nbActions, kernelInitializer: seeded(4) }))
// Keras' RMSprop() defaults: lr 0.001, ρ 0.9, ε 1e-7.
model.compile({ optimizer: tf.train.rmsprop(0.001, 0.9, 0, 1e-7), loss: 'meanSquaredError' })

const snake = new Snake()
const agent = new Agent({ model, memorySize: -1, nbFrames })
const t0 = performance.now()
const history = await agent.train(snake, {
  nbEpoch,
  batchSize: 64,
  gamma: 0.8,
  onEpoch: (info) => {
    if (info.epoch % 25 === 0 || info.epoch === nbEpoch) console.log(`${formatEpoch(info)} | ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  },
})
const firstHalf = history.wins.slice(0, nbEpoch >> 1).filter(Boolean).length
const secondHalf = history.wins.slice(nbEpoch >> 1).filter(Boolean).length
console.log(`games that ate a fruit: ${firstHalf} in the first half, ${secondHalf} in the second`)
const accuracy = await agent.play(snake, { nbEpoch: 100 })
console.log(`Accuracy ${(100 * accuracy).toFixed(0)} % (100 games; a game is won when the snake ate)`)
