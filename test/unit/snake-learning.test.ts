import { beforeAll, expect, it } from 'vitest'
import { selectBackend } from '../../src/main/trainer/backend'
import { Dqn } from '../../src/core/agents/dqn'
import { playGreedy } from '../../src/core/agents/play'
import { defaultParams } from '../../src/core/catalog'
import { SnakeEnv } from '../../src/core/snake/env'
import { Rng, deriveSeed } from '../../src/core/rng'

beforeAll(async () => {
  await selectBackend('wasm')
})

const GAMES = 200
const MAX_STEPS = 100

function randomPolicy(): { meanLength: number; winFraction: number } {
  const env = new SnakeEnv(0, { maxSteps: MAX_STEPS })
  const rng = new Rng(5)
  let length = 0
  let wins = 0
  for (let g = 0; g < GAMES; g++) {
    env.reset(deriveSeed(77, g))
    for (;;) {
      const r = env.step(rng.int(0, 5))
      if (r.terminated || r.truncated) break
    }
    length += env.episodeStats().length
    wins += env.isWon() ? 1 : 0
  }
  return { meanLength: length / GAMES, winFraction: wins / GAMES }
}

it('the seed\'s conv DQN lifts Snake\'s mean length clearly above a random policy within 200 episodes', async () => {
  // qlearning4k's Snake setup (conv 16-32, Dense 256, RMSprop, γ 0.8, batch 64, unbounded memory, 4 frames),
  // with ε falling over 400 episodes (so still exploring at the end of the 200-episode budget).
  const params = { ...defaultParams('snake', 'dqn'), epsilon_decay_episodes: 400 }
  const dqn = Dqn.fromValues(new SnakeEnv(0, { maxSteps: MAX_STEPS }), params, 1)
  for await (const _ of dqn.train(200)) void _
  const trained = playGreedy(dqn, new SnakeEnv(0, { maxSteps: MAX_STEPS }), 4, GAMES, 77)
  dqn.dispose()
  const meanLength = trained.episodes.reduce((s, e) => s + e.stats.length, 0) / GAMES
  const random = randomPolicy()
  expect(random.meanLength).toBeLessThan(3.2)
  expect(meanLength).toBeGreaterThan(random.meanLength + 0.2)
  expect(trained.winFraction).toBeGreaterThan(2 * random.winFraction)
}, 600_000)
