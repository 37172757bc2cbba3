/**
 * Your own game, in a few lines: implement the Game interface and the Agent
 * trains on it; envFromGame() turns it into an Env, so the app's tools (here its
 * greedy player, playGreedy) run it too.
 *
 *   npx tsx examples/custom-game.ts          (EPOCHS=… to change the budget)
 *
 * Corridor: 7 cells, you start in the middle; the exit is at one end (drawn on
 * the second row of the frame), a pit at the other. Step left or right; 10 steps
 * at most. Won when you reach the exit.
 */
import * as tf from '@tensorflow/tfjs'
import { pathToFileURL } from 'node:url'
import { selectBackend } from '../src/main/trainer/backend'
import { Agent, envFromGame, type Game } from '../src/main/qlearning4k'
import { modelPolicy, playGreedy } from '../src/core/agents/play'
import { Rng } from '../src/core/rng'

export class Corridor implements Game {
  readonly name = 'Corridor'
  readonly nbActions = 2 // 0 left, 1 right
  readonly frameShape = [2, 7]
  private rng: Rng
  private pos = 3
  private exit = 6
  private steps = 0
  private score = 0

  constructor(seed = 0) {
    this.rng = new Rng(seed)
  }
  seed(seed: number): void {
    this.rng = new Rng(seed)
  }
  reset(): void {
    this.pos = 3
    this.exit = this.rng.random() < 0.5 ? 0 : 6
    this.steps = 0
    this.score = 0
  }
  play(action: number): void {
    this.pos += action === 1 ? 1 : -1
    this.steps++
    this.score = this.pos === this.exit ? 1 : this.pos === 6 - this.exit ? -1 : 0
  }
  getState(): Float32Array {
    const frame = new Float32Array(14)
    frame[this.pos] = 1
    frame[7 + this.exit] = 1
    return frame
  }
  getScore(): number {
    return this.score
  }
  isOver(): boolean {
    return this.pos === 0 || this.pos === 6 || this.steps >= 10
  }
  isWon(): boolean {
    return this.pos === this.exit
  }
}

export async function main({ epochs = 150, seed = 0, log = console.log } = {}): Promise<{ accuracy: number; appWinFraction: number }> {
  log(`tfjs backend: ${await selectBackend('auto')}`)
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [14], kernelInitializer: tf.initializers.glorotUniform({ seed }) }))
  model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }))
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })

  const agent = new Agent({ model, memorySize: 500 })
  const history = await agent.train(new Corridor(seed), { nbEpoch: epochs, batchSize: 16, seed })
  log(`trained ${epochs} epochs, won ${history.winCount}`)
  const accuracy = await agent.play(new Corridor(seed + 1), { nbEpoch: 50 })
  log(`Accuracy ${(100 * accuracy).toFixed(0)} %`)

  // The same game as an Env: the app's greedy player runs the trained model on it.
  const env = envFromGame(new Corridor(), { labels: ['left', 'right'] })
  const app = await playGreedy(modelPolicy(model), env, 1, 50, seed + 2)
  log(`the app's playGreedy on envFromGame(Corridor): won ${(100 * app.winFraction).toFixed(0)} %`)
  return { accuracy, appWinFraction: app.winFraction }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main({ epochs: Number(process.env.EPOCHS ?? 150) })
}
